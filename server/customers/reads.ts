import { Router } from "express";
import { z } from "zod";
import type { Address } from "viem";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { getOperation } from "../chain/outbox";
import { chainCall } from "../http/chainCall";
import type { HttpContext } from "../http/context";
import { HttpError, parseOr400 } from "../http/errors";
import { defineRoute } from "../http/openapi";
import { addressSchema, lower } from "../http/schemas";
import { nextNonce } from "./nonces";
import { chainNow } from "../chain/clock";
import { categoryNames } from "../../client/categories";
import { purposeNamer } from "../brands/purposes";
import { pendingIssuances } from "../loyalty/pending";

const addressParams = z.object({ address: z.string() });

export const operationSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.enum(["queued", "submitted", "confirmed", "failed"]),
    txHash: z.string().optional(),
    blockNumber: z.number().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Operation" });

export const consentViewSchema = z
  .object({
    controller: z.string(),
    purpose: z.string(),
    purposeName: z.string().nullable().meta({ description: "the brand's name for the purpose, or a known name; null when unknown" }),
    categories: z.string(),
    categoryNames: z.array(z.string()).meta({ description: "the categories set in the bitmap (docs/consent.md), `bit-N` for an unnamed bit" }),
    grantedAt: z.number(),
    expiresAt: z.number(),
    revokedAt: z.number(),
    noticeHash: z.string(),
    currentNoticeHash: z.string().nullable().meta({ description: "the purpose's current notice on chain (null: not indexed)" }),
    noticeOutdated: z.boolean().meta({ description: "active on an older notice than the current one: the brand may ask the customer to renew" }),
    /** As the relay applies it now: indexed state, minus pending revocations. */
    active: z.boolean(),
    pendingRevocation: z.boolean(),
  })
  .meta({ id: "Consent" });

const pendingSchema = z.object({ operationId: z.string(), kind: z.string(), status: z.string(), controller: z.string().nullable(), purpose: z.string().nullable(), purposeName: z.string().nullable() });

export const pointsViewSchema = z
  .object({
    customer: z.string(),
    balance: z.string(),
    lifetimeEarned: z.string(),
    lastActivity: z.number(),
    tier: z.number().meta({ description: "CoalitionPoints' tierOf: thresholds of `tiers()` that lifetime earned reaches (0: none)" }),
    tiers: z.array(z.string()).meta({ description: "the coalition's tier thresholds of lifetime earned points" }),
    expiresAt: z.number().nullable().meta({ description: "unix seconds from which the balance may be expired (last activity plus the period in force, pause time excluded); null: no expiry or nothing held" }),
    pending: z.string().meta({ description: "points earned and not yet on chain (return windows open, or queued)" }),
    history: z.array(
      z.object({
        kind: z.string(),
        brand: z.string().nullable(),
        points: z.string(),
        ref: z.string().nullable(),
        timestamp: z.number(),
        blockNumber: z.number().nullable().meta({ description: "null for a pending entry" }),
        txHash: z.string().nullable().meta({ description: "null for a pending entry" }),
        pending: z.boolean().meta({ description: "true: earned, not yet on chain (see dueAt)" }),
        dueAt: z.string().nullable().meta({ description: "pending entry: when its return window closes (ISO 8601)" }),
        reason: z.enum(["purchase", "campaign", "welcome", "consent-reward"]).nullable().meta({ description: "why the relay issued these points (also on their reversal); null for other movements" }),
        campaign: z.string().nullable().meta({ description: "the campaign's name for reason `campaign`" }),
      }),
    ),
  })
  .meta({ id: "PointsView" });

/** Reads for customers' apps: operations, nonces, consents, points (from the indexed tables). */
export function customerReadsRouter(ctx: HttpContext): Router {
  const router = Router();
  const { deps, docs } = ctx;
  const db = deps.db;
  const subjectOf = (raw: unknown): Address => lower(parseOr400(addressSchema, raw));

  defineRoute(
    router,
    docs,
    "/v1",
    { method: "get", path: "/operations/:id", tags: ["customers"], summary: "An accepted chain action: queued, submitted, confirmed or failed, with the transaction hash and the reason", params: z.object({ id: z.string() }), responses: { 200: { description: "the operation", schema: operationSchema } } },
    async (req, res) => {
      const op = await getOperation(db, String(req.params.id));
      if (!op) throw new HttpError(404, "operation_not_found", "no operation with this id");
      res.json(op);
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "get",
      path: "/customers/:address/nonces",
      tags: ["customers"],
      summary: "The nonces the customer's next signed ledger and points actions must carry, and the time deadlines are checked against",
      params: addressParams,
      responses: {
        200: {
          description: "next nonces",
          schema: z.object({
            ledger: z.string(),
            points: z.string(),
            delegate: z.string().meta({ description: "the nonce of the customer's next SetDelegate signature (ConsentLedger's delegateNonces lane)" }),
            now: z.string().meta({ description: "unix seconds the relay checks signed deadlines against: the later of its clock and the chain's latest block time" }),
          }),
        },
      },
    },
    async (req, res) => {
      const subject = subjectOf(req.params.address);
      const { ledger, points } = deps.chain.deployment;
      const [l, p, d, now] = await chainCall("nonces", () =>
        Promise.all([
          deps.chain.client.readContract({ address: ledger, abi: consentLedgerAbi, functionName: "nonces", args: [subject] }),
          deps.chain.client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "nonces", args: [subject] }),
          deps.chain.client.readContract({ address: ledger, abi: consentLedgerAbi, functionName: "delegateNonces", args: [subject] }),
          chainNow(deps.chain.client),
        ]),
      );
      res.json({
        ledger: (await nextNonce(db, "ledger", subject, l)).toString(),
        points: (await nextNonce(db, "points", subject, p)).toString(),
        delegate: (await nextNonce(db, "delegate", subject, d)).toString(),
        now: now.toString(),
      });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "get",
      path: "/customers/:address/consents",
      tags: ["customers"],
      summary: "The customer's consents as indexed from the chain, with the effect of pending actions",
      params: addressParams,
      responses: { 200: { description: "consents", schema: z.object({ subject: z.string(), consents: z.array(consentViewSchema), pending: z.array(pendingSchema) }) } },
    },
    async (req, res) => {
      const subject = subjectOf(req.params.address);
      const now = Math.floor(Date.now() / 1000);
      const pending = await db.query<{ id: string; kind: string; status: string; controller: string | null; purpose: string | null; block_number: number | null }>(
        `SELECT id::text AS id, kind, status, controller, purpose, block_number FROM operations
          WHERE subject = $1 AND contract = 'ledger' AND status <> 'failed'
            -- The ledger's kinds (implied by contract = 'ledger'), written out so that operations_customer_actions applies.
            AND kind IN ('grant', 'revoke', 'revokeAll', 'setDelegate')
            AND (block_number IS NULL OR block_number > COALESCE((SELECT block_number FROM indexer_cursor LIMIT 1), -1))
          ORDER BY seq`,
        [subject],
      );
      const { rows } = await db.query<{
        controller: string;
        purpose: string;
        categories: string;
        granted_at: number;
        expires_at: number;
        revoked_at: number;
        notice_hash: string;
        current_notice: string | null;
      }>(
        `SELECT c.controller, c.purpose, c.categories, c.granted_at, c.expires_at, c.revoked_at, c.notice_hash, p.notice_hash AS current_notice
           FROM consents c LEFT JOIN purposes p ON p.controller = c.controller AND p.purpose = c.purpose
          WHERE c.subject = $1 ORDER BY c.controller, c.purpose`,
        [subject],
      );
      const nameOf = await purposeNamer(db, [...rows.map((r) => r.controller), ...pending.rows.map((p) => p.controller ?? "")]);
      const consents = rows.map((r) => {
        const pendingRevocation = pending.rows.some(
          (p) => p.controller === r.controller && (p.kind === "revokeAll" || (p.kind === "revoke" && p.purpose === r.purpose)),
        );
        const indexedActive = r.granted_at > 0 && r.revoked_at === 0 && (r.expires_at === 0 || r.expires_at > now);
        return {
          controller: r.controller,
          purpose: r.purpose,
          purposeName: nameOf(r.controller, r.purpose),
          categories: r.categories,
          categoryNames: categoryNames(BigInt(r.categories)),
          grantedAt: r.granted_at,
          expiresAt: r.expires_at,
          revokedAt: r.revoked_at,
          noticeHash: r.notice_hash,
          currentNoticeHash: r.current_notice,
          noticeOutdated: indexedActive && !pendingRevocation && r.current_notice !== null && r.current_notice !== r.notice_hash,
          active: indexedActive && !pendingRevocation,
          pendingRevocation,
        };
      });
      res.json({
        subject,
        consents,
        pending: pending.rows.map((p) => ({ operationId: p.id, kind: p.kind, status: p.status, controller: p.controller, purpose: p.purpose, purposeName: nameOf(p.controller, p.purpose) })),
      });
    },
  );

  defineRoute(
    router,
    docs,
    "/v1",
    {
      method: "get",
      path: "/customers/:address/points",
      tags: ["customers"],
      summary: "The customer's points balance and history (latest 200 movements) as indexed from the chain",
      params: addressParams,
      responses: { 200: { description: "points", schema: pointsViewSchema } },
    },
    async (req, res) => {
      const customer = subjectOf(req.params.address);
      const bal = await db.query<{ balance: string; lifetime_earned: string; last_activity: number }>(
        "SELECT balance::text AS balance, lifetime_earned::text AS lifetime_earned, last_activity FROM points_balances WHERE customer = $1",
        [customer],
      );
      const history = await db.query<{
        kind: string;
        brand: string | null;
        amount: string;
        ref: string | null;
        timestamp: number;
        block_number: number;
        tx_hash: string;
        reason: "purchase" | "campaign" | "welcome" | "consent-reward" | null;
        campaign: string | null;
      }>(
        `SELECT e.kind, e.brand, e.amount::text AS amount, e.ref, e.timestamp, e.block_number, e.tx_hash, i.reason, i.campaign FROM points_events e
           LEFT JOIN relay_issuances i ON e.kind IN ('issued', 'reversed') AND i.brand = e.brand AND i.receipt_id = e.ref
          WHERE e.customer = $1 OR (e.kind = 'transfer' AND e.counterparty = $1)
          ORDER BY e.block_number DESC, e.log_index DESC LIMIT 200`,
        [customer],
      );
      const pending = await pendingIssuances(db, customer);
      const { points } = deps.chain.deployment;
      const read = <T>(functionName: string, args: unknown[] = []) =>
        deps.chain.client.readContract({ address: points, abi: coalitionPointsAbi, functionName, args } as never) as Promise<T>;
      const [tiers, period, lastActivity] = await chainCall("the points' tiers and expiry", () =>
        Promise.all([read<readonly bigint[]>("tiers"), read<bigint | number>("expiryPeriod").then(BigInt), read<bigint | number>("lastActivity", [customer]).then(BigInt)]),
      );
      const balance = bal.rows[0]?.balance ?? "0";
      const lifetimeEarned = BigInt(bal.rows[0]?.lifetime_earned ?? "0");
      res.json({
        customer,
        balance,
        lifetimeEarned: lifetimeEarned.toString(),
        lastActivity: bal.rows[0]?.last_activity ?? 0,
        tier: tiers.filter((t) => lifetimeEarned >= t).length,
        tiers: tiers.map(String),
        expiresAt: period > 0n && balance !== "0" && lastActivity > 0n ? Number(lastActivity + period) : null,
        pending: pending.reduce((s, p) => s + BigInt(p.points), 0n).toString(),
        history: [
          ...pending.map((p) => ({
            kind: "issued",
            brand: p.brand,
            points: p.points,
            ref: p.receiptId,
            timestamp: p.createdAt,
            blockNumber: null,
            txHash: null,
            pending: true,
            dueAt: p.dueAt,
            reason: p.reason,
            campaign: p.campaign,
          })),
          ...history.rows.map((h) => ({
            kind: h.kind,
            brand: h.brand,
            points: h.amount,
            ref: h.ref,
            timestamp: h.timestamp,
            blockNumber: h.block_number,
            txHash: h.tx_hash,
            pending: false,
            dueAt: null,
            reason: h.reason ?? null,
            campaign: h.campaign ?? null,
          })),
        ],
      });
    },
  );

  return router;
}
