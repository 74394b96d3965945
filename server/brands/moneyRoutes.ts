import type { Router, Response } from "express";
import { z } from "zod";
import type { Address } from "viem";
import type { HttpContext } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { readCursor } from "../indexer/store";
import { purposeNamer } from "./purposes";
import { listRedemptions, loadMoneyEvents, replayMoney, type MoneyFigures } from "./money";

const MAX_DAYS = 366;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const daySchema = z
  .string()
  .refine((v) => DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), { message: "expected a day YYYY-MM-DD", params: { code: "invalid_day" } });
export const moneyDailyQuery = z.object({ from: daySchema.optional(), to: daySchema.optional() }).strict();
export const redemptionsQuery = z
  .object({
    limit: z
      .string()
      .refine((v) => /^\d{1,4}$/.test(v) && Number(v) >= 1 && Number(v) <= 1000, { message: "expected 1-1000", params: { code: "invalid_limit" } })
      .optional(),
    before: z.string().refine((v) => /^\d{1,19}:\d{1,9}$/.test(v), { message: "expected a cursor block:logIndex from a previous page", params: { code: "invalid_cursor" } }).optional(),
  })
  .strict();

const figures = {
  deposited: z.string().meta({ description: "settlement-asset units deposited" }),
  withdrawn: z.string().meta({ description: "settlement-asset units withdrawn" }),
  issued: z.string().meta({ description: "points issued by the brand" }),
  reversed: z.string().meta({ description: "points reversed by the brand (refunds)" }),
  redeemed: z.string().meta({ description: "points redeemed at the brand, by any customer" }),
  redeemedValue: z.string().meta({ description: "settlement-asset units credited for them" }),
  expired: z.string().meta({ description: "expired points of its customers, attributed as liability is" }),
  backing: z.string().meta({ description: "the brand's balance (brandBalance), settlement-asset units" }),
  liability: z.string().meta({ description: "points in circulation attributed to the brand (docs/relay.md, liability)" }),
  liabilityValue: z.string().meta({ description: "their backing, settlement-asset units" }),
};
export const moneySchema = z
  .object({
    unitValue: z.string(),
    settlementAsset: z.string(),
    indexedBlock: z.number().nullable().meta({ description: "the last block the indexer has stored: the figures are as of it" }),
    totals: z.object(figures),
  })
  .meta({ id: "BrandMoney" });
export const moneyDaySchema = z.object({ day: z.string(), ...figures }).meta({ id: "BrandMoneyDay" });
export const redemptionSchema = z
  .object({ customer: z.string(), points: z.string(), value: z.string(), orderRef: z.string(), txHash: z.string(), blockNumber: z.string(), timestamp: z.number(), cursor: z.string() })
  .meta({ id: "Redemption" });
export const consentCountSchema = z
  .object({ purpose: z.string(), name: z.string().nullable(), granted: z.number(), revoked: z.number(), expired: z.number() })
  .meta({ id: "ConsentCount" });

function strings(f: MoneyFigures & { backing: bigint; liability: bigint }, unitValue: bigint) {
  return {
    deposited: f.deposited.toString(),
    withdrawn: f.withdrawn.toString(),
    issued: f.issued.toString(),
    reversed: f.reversed.toString(),
    redeemed: f.redeemed.toString(),
    redeemedValue: (f.redeemed * unitValue).toString(),
    expired: f.expired.toString(),
    backing: f.backing.toString(),
    liability: f.liability.toString(),
    liabilityValue: (f.liability * unitValue).toString(),
  };
}

const today = () => new Date().toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/**
 * The brand's money and consent figures on the brand API (mounted on its router, behind its API key):
 * totals, the same by day, redemptions received, consent counts per purpose; all from the index.
 */
export function addMoneyRoutes(router: Router, ctx: HttpContext, brandOf: (res: Response) => { address: Address }): void {
  const { deps, docs } = ctx;
  const db = deps.db;
  const unitValue = BigInt(deps.chain.deployment.unitValue);

  defineRoute(
    router,
    docs,
    "/v1/brand",
    { method: "get", path: "/money", tags: ["brands"], summary: "The brand's backing, points issued, reversed, redeemed at it, expired, and its liability, in total (from the index)", security: "brandApiKey", responses: { 200: { description: "figures", schema: moneySchema } } },
    async (_req, res) => {
      const brand = brandOf(res).address;
      const cursor = await readCursor(db);
      const report = replayMoney({ brand: brand.toLowerCase(), unitValue, events: await loadMoneyEvents(db, brand) });
      res.json({ unitValue: unitValue.toString(), settlementAsset: deps.chain.deployment.settlement, indexedBlock: cursor ? Number(cursor.blockNumber) : null, totals: strings(report.totals, unitValue) });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "get",
      path: "/money/daily",
      tags: ["brands"],
      summary: "The same figures by UTC day (flows of the day; backing and liability at its end), at most 366 days",
      security: "brandApiKey",
      query: moneyDailyQuery,
      responses: { 200: { description: "days, oldest first", schema: z.object({ unitValue: z.string(), from: z.string(), to: z.string(), days: z.array(moneyDaySchema) }) } },
    },
    async (req, res) => {
      const q = parseOr400(moneyDailyQuery, req.query);
      const to = q.to ?? today();
      const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
      if (from > to) throw new HttpError(400, "invalid_range", "from is after to");
      if (daysBetween(from, to) >= MAX_DAYS) throw new HttpError(400, "invalid_range", `at most ${MAX_DAYS} days at a time`);
      const brand = brandOf(res).address;
      const report = replayMoney({ brand: brand.toLowerCase(), unitValue, events: await loadMoneyEvents(db, brand), until: to });
      // The replay runs from the brand's first day to `to` (or its last event): a day before the first is all zero.
      const byDay = new Map(report.days.map((d) => [d.day, d]));
      const days = [];
      for (let i = 0; i <= daysBetween(from, to); i++) {
        const day = new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
        const d = byDay.get(day) ?? { deposited: 0n, withdrawn: 0n, issued: 0n, reversed: 0n, redeemed: 0n, expired: 0n, backing: 0n, liability: 0n };
        days.push({ day, ...strings(d, unitValue) });
      }
      res.json({ unitValue: unitValue.toString(), from, to, days });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "get",
      path: "/redemptions",
      tags: ["brands"],
      summary: "Redemptions received by the brand, newest first, with their order references",
      security: "brandApiKey",
      query: redemptionsQuery,
      responses: { 200: { description: "redemptions", schema: z.object({ redemptions: z.array(redemptionSchema), next: z.string().nullable() }) } },
    },
    async (req, res) => {
      const q = parseOr400(redemptionsQuery, req.query);
      const limit = Number(q.limit ?? 100);
      const before = q.before ? { block: BigInt(q.before.split(":")[0]!), logIndex: Number(q.before.split(":")[1]) } : undefined;
      const redemptions = await listRedemptions(db, { brand: brandOf(res).address, unitValue, limit, before });
      res.json({ redemptions, next: redemptions.length === limit ? redemptions.at(-1)!.cursor : null });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1/brand",
    {
      method: "get",
      path: "/consents/counts",
      tags: ["brands"],
      summary: "Consents given to the brand per purpose, now: granted (active), revoked, expired. Counts only",
      security: "brandApiKey",
      responses: { 200: { description: "counts per purpose", schema: z.object({ at: z.number(), purposes: z.array(consentCountSchema) }) } },
    },
    async (_req, res) => {
      const brand = brandOf(res).address.toLowerCase();
      const now = Math.floor(Date.now() / 1000);
      const { rows } = await db.query<{ purpose: string; granted: number; revoked: number; expired: number }>(
        `SELECT purpose,
           count(*) FILTER (WHERE revoked_at = 0 AND (expires_at = 0 OR expires_at > $2))::int AS granted,
           count(*) FILTER (WHERE revoked_at > 0)::int AS revoked,
           count(*) FILTER (WHERE revoked_at = 0 AND expires_at > 0 AND expires_at <= $2)::int AS expired
         FROM consents WHERE controller = $1 GROUP BY purpose ORDER BY purpose`,
        [brand, now],
      );
      const name = await purposeNamer(db, [brand]);
      res.json({ at: now, purposes: rows.map((r) => ({ purpose: r.purpose, name: name(brand, r.purpose), granted: r.granted, revoked: r.revoked, expired: r.expired })) });
    },
  );
}
