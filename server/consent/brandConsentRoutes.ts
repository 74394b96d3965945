import { Router } from "express";
import { z } from "zod";
import type { Address, Hex } from "viem";
import { resolvePurpose } from "../../client/purposes";
import { brandAuth } from "../http/auth";
import { locals, type HttpContext } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { purposeNamer } from "../brands/purposes";
import { outdatedConsents } from "./outdated";
import { setMaxValidity } from "./validity";
import { purposeSchema } from "../customers/actions";

/** Ten years: a longer "maximum" is no maximum. */
const MAX_SECONDS = 10 * 366 * 86_400;

export const maxValiditySchema = z
  .object({
    maxValiditySeconds: z
      .number()
      .int()
      .nullable()
      .refine((v) => v === null || (v >= 3600 && v <= MAX_SECONDS), { message: `expected null (no limit) or whole seconds from 3600 to ${MAX_SECONDS}`, params: { code: "invalid_max_validity" } })
      .meta({ description: "the longest a consent to the purpose may last, in seconds (13 months: 34214400); null removes the limit", example: 34_214_400 }),
  })
  .strict()
  .meta({ id: "MaxValidity" });

const outdatedQuery = z
  .object({
    purpose: purposeSchema.optional(),
    limit: z
      .string()
      .refine((v) => /^[1-9]\d{0,3}$/.test(v) && Number(v) <= 1000, { message: "expected 1-1000", params: { code: "invalid_limit" } })
      .optional(),
    after: z
      .string()
      .refine((v) => /^0x[0-9a-f]{64}:0x[0-9a-f]{40}$/.test(v), { message: "expected the previous page's `next` cursor", params: { code: "invalid_cursor" } })
      .optional(),
  })
  .strict();

export const outdatedConsentSchema = z
  .object({
    subject: z.string(),
    purpose: z.string(),
    purposeName: z.string().nullable(),
    noticeHash: z.string().meta({ description: "the notice the customer agreed to" }),
    noticeVersion: z.number().nullable(),
    currentNoticeHash: z.string(),
    currentVersion: z.number(),
    grantedAt: z.number(),
    expiresAt: z.number(),
  })
  .meta({ id: "OutdatedConsent" });

/**
 * The brand API's consent pages (Authorization: Bearer <brand API key>): the customers to ask for renewal
 * (active consent on an older notice), and the maximum validity of a purpose's consents.
 */
export function brandConsentRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const db = deps.db;
  router.use(["/consents", "/purposes/:name/max-validity"], brandAuth(db));
  const brandOf = (res: Parameters<typeof locals>[0]): Address => locals(res).brand!.address as Address;

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "get",
      path: "/consents/outdated",
      tags: ["brands"],
      summary: "Customers whose active consent rests on an older notice than the purpose's current one (to ask them to renew), by purpose then wallet, paged",
      security: "brandApiKey",
      query: outdatedQuery,
      responses: { 200: { description: "outdated consents", schema: z.object({ consents: z.array(outdatedConsentSchema), next: z.string().nullable() }) } },
    },
    async (req, res) => {
      const q = parseOr400(outdatedQuery, req.query);
      const limit = Number(q.limit ?? 100);
      const [afterPurpose, afterSubject] = q.after ? q.after.split(":") : [];
      const brand = brandOf(res);
      const rows = await outdatedConsents(db, {
        controller: brand,
        purpose: q.purpose ? resolvePurpose(q.purpose) : undefined,
        now: Math.floor(Date.now() / 1000),
        limit,
        after: q.after ? { purpose: afterPurpose as Hex, subject: afterSubject as Address } : undefined,
      });
      const nameOf = await purposeNamer(db, [brand]);
      const last = rows.length === limit ? rows[rows.length - 1] : undefined;
      res.json({ consents: rows.map((r) => ({ ...r, purposeName: nameOf(brand, r.purpose) })), next: last ? `${last.purpose}:${last.subject}` : null });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "put",
      path: "/purposes/:name/max-validity",
      tags: ["brands"],
      summary: "Set the longest a consent to a purpose the brand describes may last (grants with no expiry or a later one are refused); null removes the limit",
      security: "brandApiKey",
      params: z.object({ name: z.string() }),
      body: maxValiditySchema,
      responses: { 200: { description: "the limit in force", schema: maxValiditySchema } },
    },
    async (req, res) => {
      const b = parseOr400(maxValiditySchema, req.body);
      const name = String(req.params.name);
      if (!(await setMaxValidity(db, brandOf(res), name, b.maxValiditySeconds))) {
        throw new HttpError(404, "purpose_not_found", `no purpose named ${name} for this brand: describe it first (POST /v1/brand/purposes)`);
      }
      res.json({ maxValiditySeconds: b.maxValiditySeconds });
    },
  );

  return router;
}
