import { Router } from "express";
import { z } from "zod";
import type { Address, Hex } from "viem";
import type { HttpContext } from "../http/context";
import { locals } from "../http/context";
import { adminAuth, brandAuth } from "../http/auth";
import { stringify } from "csv-stringify/sync";
import { coalitionReport } from "./report";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, bytes32Schema, currencyAmountSchema, lower, lowerHex, uintSchema } from "../http/schemas";
import { getBrand, type Brand } from "../brands/registry";
import { listBrandPurposes, purposeNamer } from "../brands/purposes";
import type { Queryable } from "../store/db";
import { purposeId } from "../../client/purposes";
import { earningsFor, type BasketItem, type Campaign } from "./earn";
import { getProgramme, listCampaigns, purposeRewards, removeCampaign, runningCampaigns, setCampaign, setProgramme, setPurposeReward } from "./programme";
import { expiringBalances } from "./expiring";
import { rewardsWaitingForBacking } from "./rewardRetry";
import { basketItemsSchema, issuanceReasonSchema, productCodeSchema } from "./schemas";

const MAX_WINDOW_SECONDS = 366 * 24 * 3600;
const pointsSchema = (code: string, description: string) => uintSchema(96, code, description);

export const programmeInputSchema = z
  .object({
    returnWindowSeconds: z
      .number()
      .refine((v) => Number.isInteger(v) && v >= 0 && v <= MAX_WINDOW_SECONDS, { message: `expected whole seconds from 0 to ${MAX_WINDOW_SECONDS}`, params: { code: "invalid_return_window" } })
      .optional()
      .meta({ description: "seconds a purchase's points stay pending, during which a return cancels them without a transaction; 0 issues at once" }),
    welcomeBonus: pointsSchema("invalid_points", "points on a customer's first purchase at the brand; 0: none").optional(),
  })
  .strict()
  .meta({ id: "ProgrammeInput" });

const campaignNameSchema = z
  .string()
  .refine((v) => /^[A-Za-z0-9][A-Za-z0-9 ._'-]{0,63}$/.test(v), { message: "expected 1-64 letters, digits, spaces, '.', '_', ''' or '-'", params: { code: "invalid_campaign_name" } });

const isoSchema = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)), { message: "expected an ISO 8601 date and time", params: { code: "invalid_time" } });

export const campaignInputSchema = z
  .object({
    name: campaignNameSchema,
    multiplier: z
      .string()
      .refine((v) => /^(0|[1-9]\d{0,2})(\.\d{1,6})?$/.test(v) && Number(v) > 1 && Number(v) <= 100, { message: "expected a decimal above 1 and at most 100, e.g. \"2\" or \"1.5\"", params: { code: "invalid_multiplier" } })
      .optional()
      .meta({ description: "base points of the matching amount times this; the extra is issued as the campaign's" }),
    bonus: pointsSchema("invalid_points", "fixed points per matching purchase").optional(),
    productCodes: z.array(productCodeSchema).min(1).max(500).optional().meta({ description: "only purchases containing one of these codes (their amount for a multiplier); omitted: every purchase" }),
    startsAt: isoSchema,
    endsAt: isoSchema,
  })
  .strict()
  .refine((c) => (c.multiplier === undefined) !== (c.bonus === undefined), { message: "give exactly one of multiplier or bonus", params: { code: "invalid_campaign" } })
  .refine((c) => c.bonus === undefined || BigInt(c.bonus) > 0n, { message: "bonus must be positive", params: { code: "invalid_points" } })
  .refine((c) => Date.parse(c.endsAt) > Date.parse(c.startsAt), { message: "endsAt must be after startsAt", params: { code: "invalid_time" } })
  .meta({ id: "CampaignInput" });

export const campaignSchema = z
  .object({
    name: z.string(),
    multiplier: z.string().nullable(),
    bonus: z.string().nullable(),
    productCodes: z.array(z.string()).nullable(),
    startsAt: z.string(),
    endsAt: z.string(),
    running: z.boolean(),
  })
  .meta({ id: "Campaign" });

export const rewardInputSchema = z
  .object({
    purpose: z.string().meta({ description: "the purpose's name (as the brand describes it) or its bytes32 id" }),
    points: z.union([pointsSchema("invalid_points", "points paid once per customer when the grant is on chain"), z.null()]).meta({ description: "points, or null to remove the reward" }),
  })
  .strict()
  .meta({ id: "RewardInput" });

export const quoteInputSchema = z
  .object({
    amount: currencyAmountSchema,
    items: basketItemsSchema.optional(),
    customer: addressSchema.optional().meta({ description: "brand API only: the customer, to know whether the welcome bonus applies" }),
    firstPurchase: z.boolean().optional().meta({ description: "public quote: count the welcome bonus as on a first purchase (default false)" }),
  })
  .strict()
  .meta({ id: "QuoteInput" });

export const quoteSchema = z
  .object({
    points: z.string(),
    issuances: z.array(z.object({ reason: issuanceReasonSchema, campaign: z.string().nullable(), points: z.string() })),
    returnWindowSeconds: z.number().meta({ description: "how long the points would stay pending" }),
  })
  .meta({ id: "Quote" });

export const programmeSchema = z
  .object({
    pointsPerUnit: z.string(),
    returnWindowSeconds: z.number(),
    welcomeBonus: z.string(),
    campaigns: z.array(campaignSchema),
    rewards: z.array(z.object({ purpose: z.string(), purposeName: z.string().nullable(), points: z.string() })),
    windowSavings: z
      .object({ returns: z.number(), points: z.string(), issuesAvoided: z.number(), reversalsAvoided: z.number(), gasSaved: z.string() })
      .meta({ description: "returns inside the window: points taken back while pending, the issues and reversals that never went on chain, and their gas" }),
    rewardsWaitingForBacking: z
      .object({ count: z.number(), points: z.string() })
      .meta({ description: "rewards for consent whose issue failed for want of backing (InsufficientBrandBalance): queued again, oldest first, once the brand's backing covers them" }),
  })
  .meta({ id: "Programme" });

export const issuanceViewSchema = z
  .object({
    receiptId: z.string(),
    purchaseReceiptId: z.string().nullable(),
    customer: z.string(),
    reason: issuanceReasonSchema,
    campaign: z.string().nullable(),
    purpose: z.string().nullable(),
    points: z.string(),
    cancelled: z.string(),
    reversed: z.string(),
    status: z.enum(["pending", "cancelled", "queued", "submitted", "confirmed", "failed"]),
    dueAt: z.string(),
    operationId: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "Issuance" });

function campaignJson(c: Campaign, now: Date) {
  return {
    name: c.name,
    multiplier: c.multiplier,
    bonus: c.bonus === null ? null : c.bonus.toString(),
    productCodes: c.productCodes,
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt.toISOString(),
    running: c.startsAt <= now && now < c.endsAt,
  };
}

/** What a basket would earn now at `brand`; changes nothing. */
export async function quote(db: Queryable, brand: Brand, p: { amount: string; items?: readonly BasketItem[]; first: boolean }): Promise<z.output<typeof quoteSchema>> {
  const programme = await getProgramme(db, brand.address);
  const now = new Date();
  const parts = earningsFor({ amount: p.amount, items: p.items, pointsPerUnit: brand.pointsPerUnit, campaigns: await runningCampaigns(db, brand.address, now), welcome: p.first ? programme.welcomeBonus : 0n, now });
  return {
    points: parts.reduce((s, x) => s + x.points, 0n).toString(),
    issuances: parts.map((x) => ({ reason: x.reason, campaign: x.campaign, points: x.points.toString() })),
    returnWindowSeconds: programme.returnWindowSeconds,
  };
}

async function programmeOf(db: Queryable, brand: Brand): Promise<z.output<typeof programmeSchema>> {
  const programme = await getProgramme(db, brand.address);
  const now = new Date();
  const rewards = (await purposeRewards(db, [brand.address])).get(brand.address) ?? new Map<string, bigint>();
  const nameOf = await purposeNamer(db, [brand.address]);
  const s = await db.query<{ returns: string; points: string; issues_avoided: string; reversals_avoided: string; gas_saved: string }>(
    "SELECT returns::text, points::text, issues_avoided::text, reversals_avoided::text, gas_saved::text FROM relay_window_savings WHERE brand = $1",
    [brand.address],
  );
  const w = s.rows[0];
  return {
    pointsPerUnit: brand.pointsPerUnit,
    returnWindowSeconds: programme.returnWindowSeconds,
    welcomeBonus: programme.welcomeBonus.toString(),
    campaigns: (await listCampaigns(db, brand.address)).map((c) => campaignJson(c, now)),
    rewards: [...rewards].map(([purpose, points]) => ({ purpose, purposeName: nameOf(brand.address, purpose), points: points.toString() })),
    windowSavings: {
      returns: Number(w?.returns ?? 0),
      points: w?.points ?? "0",
      issuesAvoided: Number(w?.issues_avoided ?? 0),
      reversalsAvoided: Number(w?.reversals_avoided ?? 0),
      gasSaved: w?.gas_saved ?? "0",
    },
    rewardsWaitingForBacking: await rewardsWaitingForBacking(db, brand.address),
  };
}

/** The brand API's programme routes (Authorization: Bearer <brand API key>). */
export function loyaltyBrandRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const db = deps.db;
  router.use(brandAuth(db));
  const brandOf = (res: Parameters<typeof locals>[0]) => locals(res).brand!;
  const sec = { tags: ["loyalty"], security: "brandApiKey" as const };

  defineRoute(router, docs, "/v1/brand", { method: "get", path: "/programme", ...sec, summary: "The brand's programme: base rate, return window, welcome bonus, campaigns, rewards for consent, and what the window saved", responses: { 200: { description: "the programme", schema: programmeSchema } } }, async (_req, res) => {
    res.json(await programmeOf(db, brandOf(res)));
  });

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "post", path: "/programme", ...sec, summary: "Set the return window and the welcome bonus (fields left out keep their value)", body: programmeInputSchema, responses: { 200: { description: "the programme", schema: programmeSchema } } },
    async (req, res) => {
      const b = parseOr400(programmeInputSchema, req.body);
      await setProgramme(db, brandOf(res).address, { returnWindowSeconds: b.returnWindowSeconds, welcomeBonus: b.welcomeBonus === undefined ? undefined : BigInt(b.welcomeBonus) });
      res.json(await programmeOf(db, brandOf(res)));
    },
  );

  defineRoute(router, docs, "/v1/brand", { method: "get", path: "/campaigns", ...sec, summary: "The brand's campaigns", responses: { 200: { description: "campaigns", schema: z.object({ campaigns: z.array(campaignSchema) }) } } }, async (_req, res) => {
    const now = new Date();
    res.json({ campaigns: (await listCampaigns(db, brandOf(res).address)).map((c) => campaignJson(c, now)) });
  });

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "post", path: "/campaigns", ...sec, summary: "Create or replace a campaign (by name): a multiplier or a fixed bonus, on every purchase or on product codes, from startsAt to endsAt", body: campaignInputSchema, responses: { 200: { description: "the campaign", schema: campaignSchema } } },
    async (req, res) => {
      const b = parseOr400(campaignInputSchema, req.body);
      const c = await setCampaign(db, brandOf(res).address, {
        name: b.name,
        multiplier: b.multiplier ?? null,
        bonus: b.bonus === undefined ? null : BigInt(b.bonus),
        productCodes: b.productCodes ?? null,
        startsAt: new Date(b.startsAt),
        endsAt: new Date(b.endsAt),
      });
      res.json(campaignJson(c, new Date()));
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "delete", path: "/campaigns/:name", ...sec, summary: "Remove a campaign (points it already gave stay)", params: z.object({ name: z.string() }), responses: { 200: { description: "removed", schema: z.object({ removed: z.literal(true) }) } } },
    async (req, res) => {
      const name = String(req.params.name);
      if (!(await removeCampaign(db, brandOf(res).address, name))) throw new HttpError(404, "campaign_not_found", `no campaign named ${name} for this brand`);
      res.json({ removed: true });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "post", path: "/rewards", ...sec, summary: "Attach a points reward to a purpose, paid once per customer when the grant is on chain (null removes it; rewards already paid stay)", body: rewardInputSchema, responses: { 200: { description: "the programme", schema: programmeSchema } } },
    async (req, res) => {
      const b = parseOr400(rewardInputSchema, req.body);
      const brand = brandOf(res);
      let purpose: Hex | undefined;
      if (bytes32Schema.safeParse(b.purpose).success) purpose = lowerHex(b.purpose);
      else {
        purpose = (await listBrandPurposes(db, brand.address)).find((p) => p.name === b.purpose)?.id;
        // A known name the brand defined on chain without describing it at the relay.
        if (!purpose && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(b.purpose)) {
          const known = await db.query("SELECT 1 FROM purposes WHERE controller = $1 AND purpose = $2", [brand.address, purposeId(b.purpose)]);
          if (known.rows.length > 0) purpose = purposeId(b.purpose);
        }
      }
      if (!purpose) throw new HttpError(404, "purpose_not_found", `no purpose named ${b.purpose} for this brand`);
      const points = b.points === null ? null : BigInt(b.points);
      if (points === 0n) throw new HttpError(400, "invalid_points", "a reward is at least 1 point (null removes it)");
      await setPurposeReward(db, brand.address, purpose, points);
      res.json(await programmeOf(db, brand));
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "post", path: "/quote", ...sec, summary: "How many points a basket would earn now, for a customer if named (welcome bonus); changes nothing", body: quoteInputSchema, responses: { 200: { description: "the quote", schema: quoteSchema } } },
    async (req, res) => {
      const b = parseOr400(quoteInputSchema, req.body);
      const brand = brandOf(res);
      let first = b.firstPurchase ?? false;
      if (b.customer) first = (await db.query("SELECT 1 FROM relay_purchases WHERE brand = $1 AND subject = $2 LIMIT 1", [brand.address, lower(b.customer)])).rows.length === 0;
      res.json(await quote(db, brand, { amount: b.amount, items: b.items, first }));
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "get",
      path: "/issuances",
      ...sec,
      summary: "The brand's issuances with their reason, latest first (pending ones included); `?status=pending` for the pending only",
      query: z.object({ status: z.enum(["pending"]).optional() }),
      responses: { 200: { description: "issuances", schema: z.object({ issuances: z.array(issuanceViewSchema) }) } },
    },
    async (req, res) => {
      const status = req.query.status;
      if (status !== undefined && status !== "pending") throw new HttpError(400, "invalid_status", "status may only be pending");
      res.json({ issuances: await listIssuances(db, { brand: brandOf(res).address, pendingOnly: status === "pending" }) });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "get",
      path: "/expiring",
      ...sec,
      summary: "The balances of the brand's customers that may be expired within `days` (default 30, at most 365), soonest first",
      query: z.object({ days: z.string().optional() }),
      responses: {
        200: {
          description: "expiring balances",
          schema: z.object({ expiryPeriod: z.number(), days: z.number(), balances: z.array(z.object({ customer: z.string(), balance: z.string(), expiresAt: z.number() })) }),
        },
      },
    },
    async (req, res) => {
      const raw = req.query.days ?? "30";
      if (typeof raw !== "string" || !/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 365) throw new HttpError(400, "invalid_days", "days must be a whole number from 1 to 365");
      const days = Number(raw);
      res.json({ ...(await expiringBalances(deps, brandOf(res).address, days)), days });
    },
  );

  return router;
}

/** Issuances of a brand or of a customer, latest first (at most 500). */
export async function listIssuances(db: Queryable, p: { brand?: Address; customer?: Address; pendingOnly?: boolean }): Promise<z.output<typeof issuanceViewSchema>[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (p.brand) where.push(`i.brand = $${params.push(p.brand)}`);
  if (p.customer) where.push(`i.subject = $${params.push(p.customer)}`);
  if (p.pendingOnly) where.push("i.operation_id IS NULL AND i.points > i.cancelled_points");
  const { rows } = await db.query<{
    receipt_id: string;
    purchase_receipt_id: string | null;
    subject: string;
    reason: "purchase" | "campaign" | "welcome" | "consent-reward";
    campaign: string | null;
    purpose: string | null;
    points: string;
    cancelled_points: string;
    reversed_points: string;
    due_at: Date | string;
    operation_id: string | null;
    op_status: "queued" | "submitted" | "confirmed" | "failed" | null;
    created_at: Date | string;
  }>(
    `SELECT i.receipt_id, i.purchase_receipt_id, i.subject, i.reason, i.campaign, i.purpose, i.points::text AS points, i.cancelled_points::text AS cancelled_points,
            i.reversed_points::text AS reversed_points, i.due_at, i.operation_id::text AS operation_id, o.status AS op_status, i.created_at
       FROM relay_issuances i LEFT JOIN operations o ON o.id = i.operation_id
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY i.created_at DESC, i.receipt_id LIMIT 500`,
    params,
  );
  return rows.map((r) => ({
    receiptId: r.receipt_id,
    purchaseReceiptId: r.purchase_receipt_id,
    customer: r.subject,
    reason: r.reason,
    campaign: r.campaign,
    purpose: r.purpose,
    points: r.points,
    cancelled: r.cancelled_points,
    reversed: r.reversed_points,
    status: r.op_status ?? (BigInt(r.cancelled_points) >= BigInt(r.points) ? "cancelled" : "pending"),
    dueAt: new Date(r.due_at).toISOString(),
    operationId: r.operation_id,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** Public: POST /v1/brands/:address/quote. */
export function quoteRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "post",
      path: "/brands/:address/quote",
      tags: ["loyalty"],
      summary: "How many points a basket would earn now at this brand (base rate, running campaigns, the welcome bonus if `firstPurchase`); changes nothing",
      params: z.object({ address: z.string() }),
      body: quoteInputSchema,
      responses: { 200: { description: "the quote", schema: quoteSchema } },
    },
    async (req, res) => {
      const address = lower(parseOr400(addressSchema, req.params.address));
      const b = parseOr400(quoteInputSchema, req.body);
      if (b.customer !== undefined) throw new HttpError(400, "customer_not_allowed", "the public quote does not look customers up: send firstPurchase instead");
      const brand = await getBrand(deps.db, address);
      if (!brand) throw new HttpError(404, "brand_not_found", "this relay serves no brand at this address");
      res.json(await quote(deps.db, brand, { amount: b.amount, items: b.items, first: b.firstPurchase ?? false }));
    },
  );
  return router;
}

const REPORT_COLUMNS = ["brand", "issued", "reversed", "redeemed", "valueCredited", "liabilityOutstanding", "netSettlement"] as const;

/** Governance's coalition report (admin token): GET /v1/admin/report?from=&to=&format=json|csv. */
export function reportRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  router.use("/report", adminAuth(deps.config));
  defineRoute(
    router,
    docs,
    "/v1/admin",
    {
      method: "get",
      path: "/report",
      tags: ["loyalty"],
      security: "adminToken",
      summary: "The coalition report for a period [from, to) (unix seconds; default: everything): per partner, points issued, reversed, redeemed there, value credited, liability outstanding, net settlement; points expired. JSON, or CSV with format=csv",
      query: z.object({ from: z.string().optional(), to: z.string().optional(), format: z.enum(["json", "csv"]).optional() }),
      responses: { 200: { description: "the report (JSON, or text/csv)", schema: z.unknown() } },
    },
    async (req, res) => {
      const time = (v: unknown, fallback: number, name: string) => {
        if (v === undefined) return fallback;
        if (typeof v !== "string" || !/^\d{1,12}$/.test(v)) throw new HttpError(400, "invalid_time", `${name} must be unix seconds`);
        return Number(v);
      };
      const from = time(req.query.from, 0, "from");
      const to = time(req.query.to, 2 ** 40, "to");
      if (to <= from) throw new HttpError(400, "invalid_time", "to must be after from");
      const format = req.query.format ?? "json";
      if (format !== "json" && format !== "csv") throw new HttpError(400, "invalid_format", "format is json or csv");
      const report = await coalitionReport(deps.db, { from, to, unitValue: BigInt(deps.chain.deployment.unitValue) });
      if (format === "json") {
        res.json(report);
        return;
      }
      res.setHeader("Content-Type", "text/csv; charset=utf-8");
      res.send(stringify([[...REPORT_COLUMNS], ...report.partners.map((p) => REPORT_COLUMNS.map((c) => p[c])), ["expired", report.expired, "", "", "", "", ""]]));
    },
  );
  return router;
}
