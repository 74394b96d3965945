import express, { type NextFunction, type Request, type Response } from "express";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import type { Address, Hex } from "viem";
import type { RelayDeps } from "../deps";
import { consentLedgerAbi } from "../../client/abis";
import { HISTORY_COLUMNS, readCursor, rowToRecord, type HistoryDbRow } from "../indexer/store";
import { consentAt } from "./consentAt";
import { purposeId, parseTime } from "./auditor";
import { toCsv, toExportRecord } from "./exportFormat";
import { IncrementalVerifier } from "./incrementalVerifier";
import { auditVerifyMetrics } from "./metrics";
import { categoryNames } from "../../client/categories";
import { purposeNamer } from "../brands/purposes";

/**
 * The audit API, mounted under /v1/audit, served from the indexer's tables:
 * - GET /controllers/:controller/history   a controller's consent history in chain order (JSON or CSV,
 *   paginated by seq), each record with its seq and head; `verify=true` recomputes the whole chain and
 *   compares it with historyHead on chain now and at the indexed block;
 * - GET /consents/:subject/:controller/:purpose?at=TIME|block=N   the state of one consent at a past time
 *   or block, with the records that decide it;
 * - GET /customers/:subject/history   a customer's consent actions towards every brand and points events,
 *   in chain order (JSON or CSV, paginated).
 * Errors are JSON `{ error: { code, message } }` with a 4xx status.
 */
export class AuditHttpError extends Error {
  override name = "AuditHttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address")
  .transform((a) => a.toLowerCase() as Address);
const format = z.enum(["json", "csv"]).default("json");
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const limit = z.coerce.number().int().min(1).max(10_000).default(1000);

export const historyQuery = z.strictObject({
  format,
  after: z.coerce.number().int().min(0).default(0),
  limit,
  verify: bool.default(false),
});
export const consentAtQuery = z
  .strictObject({
    at: z.string().min(1).optional(),
    block: z.coerce.number().int().min(0).optional(),
  })
  .refine((q) => (q.at === undefined) !== (q.block === undefined), { message: "give exactly one of `at` (unix seconds or ISO 8601) and `block`" });
export const customerQuery = z.strictObject({
  format,
  after: z
    .string()
    .regex(/^\d{1,15}:(\d{1,15}:\d{1,9}|expired:0x[0-9a-f]{40}:\d{1,15})$/, "`after` is the previous page's next cursor (TIME:BLOCK:LOG_INDEX or TIME:expired:BRAND:SEQ)")
    .optional(),
  limit,
});

/** Parses with `schema` or throws a 400 whose code is `code`, or `invalid_<field>` for a query field. */
function parse<S extends z.ZodType>(schema: S, value: unknown, code?: string, name?: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.join(".") : name;
  throw new AuditHttpError(400, code ?? (issue.path[0] === undefined ? "invalid_query" : `invalid_${String(issue.path[0])}`), `${field ? `${field}: ` : ""}${issue.message}`);
}

/** "Now" for expiries in the history: the later of the given unix time and the indexed block's time. */
const indexNow = (param: string) =>
  `GREATEST(${param}::bigint, COALESCE((SELECT b.timestamp FROM indexer_cursor c JOIN indexer_blocks b ON b.block_number = c.block_number), 0))`;

export function auditRouter(deps: RelayDeps): express.Router {
  const router = express.Router();
  const { db } = deps;
  const client = deps.chain.client;
  const ledger = deps.chain.deployment.ledger;
  const verifier = new IncrementalVerifier();
  const verifications = new Map<string, { until: number; value: Awaited<ReturnType<typeof computeVerification>> }>();
  const auditMetrics = auditVerifyMetrics(deps.registry);

  router.get("/controllers/:controller/history", async (req: Request, res: Response) => {
    const controller = parse(address, req.params.controller, "invalid_address", "controller");
    const q = parse(historyQuery, req.query);
    const cursor = await readCursor(db);
    const { rows } = await db.query<HistoryDbRow>(
      `SELECT ${HISTORY_COLUMNS} FROM consent_history WHERE controller = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [controller, q.after, q.limit + 1],
    );
    const more = rows.length > q.limit;
    const records = rows.slice(0, q.limit).map((r) => toExportRecord(rowToRecord(r)));
    const nextAfter = more ? records[records.length - 1].seq : null;
    const verification = q.verify ? await verifyController(controller, cursor?.blockNumber ?? null) : undefined;
    if (q.format === "csv") {
      res.setHeader("X-Indexed-Block", String(cursor?.blockNumber ?? -1));
      if (nextAfter !== null) res.setHeader("X-Next-After", String(nextAfter));
      if (verification) {
        res.setHeader("X-History-Verified", String(verification.verified));
        res.setHeader("X-History-Head", verification.onChain.head);
        res.setHeader("X-History-Length", String(verification.onChain.length));
      }
      res.type("text/csv").send(toCsv(records));
      return;
    }
    // Not chain records (so not in the hash chain nor the CSV): the page's grants that ran until their expiry.
    const expiries = await db.query<{ grant_seq: number; subject: string; purpose: string; expires_at: number }>(
      `SELECT grant_seq, subject, purpose, expires_at FROM consent_expiries WHERE controller = $1 AND grant_seq > $2 AND grant_seq <= $3 AND expires_at <= ${indexNow("$4")} ORDER BY grant_seq`,
      [controller, q.after, records.length ? records[records.length - 1].seq : q.after, Math.floor(Date.now() / 1000)],
    );
    // JSON names each purpose and category beside its id (the CSV keeps the export columns only).
    const nameOf = await purposeNamer(db, [controller]);
    const named = records.map((r) => ({ ...r, purposeName: nameOf(controller, r.purpose), categoryNames: categoryNames(BigInt(r.categories)) }));
    res.json({
      controller,
      indexedBlock: cursor?.blockNumber ?? null,
      records: named,
      expiries: expiries.rows.map((e) => ({ grantSeq: e.grant_seq, subject: e.subject, purpose: e.purpose, expiredAt: e.expires_at })),
      page: { after: q.after, limit: q.limit, nextAfter },
      verification,
    });
  });

  /**
   * Compares the controller's indexed chain (re-hashed incrementally: only records not checked before)
   * with historyHead now and at the indexed block. One answer per controller and indexed block is kept
   * for CHAIN_CACHE_MS (at least a second), so a burst of verify=true costs one computation.
   */
  async function verifyController(controller: Address, indexedBlock: number | null) {
    const key = `${controller}:${indexedBlock ?? -1}`;
    const cached = verifications.get(key);
    if (cached && cached.until > Date.now()) {
      auditMetrics.verifications.inc({ result: "cached" });
      return cached.value;
    }
    const value = await computeVerification(controller, indexedBlock);
    auditMetrics.verifications.inc({ result: "computed" });
    if (verifications.size >= 10_000) verifications.delete(verifications.keys().next().value!);
    verifications.set(key, { until: Date.now() + Math.max(1000, deps.config.CHAIN_CACHE_MS), value });
    return value;
  }

  async function computeVerification(controller: Address, indexedBlock: number | null) {
    const headAt = async (blockNumber?: bigint) => {
      const [head, length] = await client.readContract({ address: ledger, abi: consentLedgerAbi, functionName: "historyHead", args: [controller], blockNumber });
      return { head, length: Number(length) };
    };
    let now;
    try {
      now = await headAt();
    } catch (err) {
      throw new AuditHttpError(503, "chain_unavailable", `cannot read historyHead from the chain: ${(err as Error).message.split("\n")[0]}`);
    }
    const before = verifier.hashed;
    const v = await verifier.chain(db, controller);
    auditMetrics.hashed.inc(verifier.hashed - before);
    let atIndexed: { block: number; head: Hex; length: number; matches: boolean } | null = null;
    if (indexedBlock !== null) {
      const h = await headAt(BigInt(indexedBlock)).catch(() => null);
      if (h) atIndexed = { block: indexedBlock, ...h, matches: h.head.toLowerCase() === v.recomputed.head && h.length === v.recomputed.length };
    }
    return {
      verified: v.recomputed.head === now.head.toLowerCase() && v.recomputed.length === now.length,
      recomputed: v.recomputed,
      onChain: now,
      atIndexedBlock: atIndexed,
      firstBrokenPosition: v.firstBrokenPosition,
      summary: v.summary,
    };
  }

  router.get("/consents/:subject/:controller/:purpose", async (req: Request, res: Response) => {
    const subject = parse(address, req.params.subject, "invalid_address", "subject");
    const controller = parse(address, req.params.controller, "invalid_address", "controller");
    const purposeParam = String(req.params.purpose);
    const purpose = purposeId(purposeParam);
    const q = parse(consentAtQuery, req.query);
    let time: number;
    let block: bigint | undefined;
    if (q.block !== undefined) {
      block = BigInt(q.block);
      try {
        time = Number((await client.getBlock({ blockNumber: block })).timestamp);
      } catch {
        throw new AuditHttpError(404, "block_not_found", `block ${q.block} is not on the chain`);
      }
    } else {
      try {
        time = parseTime(q.at!);
      } catch (err) {
        throw new AuditHttpError(400, "invalid_at", (err as Error).message);
      }
    }
    const { rows } = await db.query<HistoryDbRow>(
      `SELECT ${HISTORY_COLUMNS} FROM consent_history WHERE subject = $1 AND controller = $2 ORDER BY seq`,
      [subject, controller],
    );
    const answer = consentAt(rows.map(rowToRecord), { subject, controller, purpose, time, block });
    const cursor = await readCursor(db);
    const nameOf = await purposeNamer(db, [controller]);
    res.json({
      subject,
      controller,
      purpose,
      purposeName: nameOf(controller, purpose),
      at: { time, block: q.block ?? null },
      active: answer.active,
      reason: answer.reason,
      state:
        answer.grantedAt === null
          ? null
          : {
              grantedAt: answer.grantedAt,
              expiresAt: answer.expiresAt,
              categories: answer.categories,
              categoryNames: categoryNames(BigInt(answer.categories ?? "0")),
              noticeHash: answer.noticeHash,
            },
      records: answer.evidence.map(toExportRecord),
      indexedBlock: cursor?.blockNumber ?? null,
    });
  });

  router.get("/customers/:subject/history", async (req: Request, res: Response) => {
    const subject = parse(address, req.params.subject, "invalid_address", "subject");
    const q = parse(customerQuery, req.query);
    // Chain order, with each expiry (derived: consent_expiries) before the records at or after its time.
    // Sort key: (time, 0 for an expiry / 1 for a record, block, log index, brand, grant seq).
    const [t, second, third, fourth] = q.after ? q.after.split(":") : ["-1", "0", "0", "0"];
    const key = second === "expired" ? [t, 0, 0, 0, third, fourth] : [t, 1, second, third, "", 0];
    const { rows } = await db.query<Record<string, unknown> & { block_number: number | null; log_index: number | null }>(
      `SELECT * FROM (
         SELECT 'consent' AS type, block_number, log_index, timestamp, tx_hash, controller AS counterparty,
           CASE action WHEN 1 THEN 'grant' WHEN 2 THEN 'revoke' ELSE 'revoke-all' END AS action,
           purpose, categories, expires_at, notice_hash, actor, NULL::text AS amount, NULL::text AS ref, seq, head,
           1 AS sk_kind, ''::text AS sk_brand, 0::bigint AS sk_seq
         FROM consent_history WHERE subject = $1
         UNION ALL
         SELECT 'points', block_number, log_index, timestamp, tx_hash,
           CASE WHEN kind = 'transfer' AND customer = $1 THEN counterparty WHEN kind = 'transfer' THEN customer ELSE brand END,
           CASE WHEN kind = 'transfer' AND customer = $1 THEN 'transfer-out' WHEN kind = 'transfer' THEN 'transfer-in' ELSE kind END,
           NULL, NULL, NULL, NULL, NULL, amount::text, ref, NULL, NULL, 1, '', 0
         FROM points_events WHERE customer = $1 OR (kind = 'transfer' AND counterparty = $1)
         UNION ALL
         SELECT 'consent', NULL, NULL, expires_at, NULL, controller, 'expired', purpose, categories, expires_at, notice_hash, NULL, NULL, NULL,
           grant_seq, NULL, 0, controller, grant_seq
         FROM consent_expiries WHERE subject = $1 AND expires_at <= ${indexNow("$9")}
       ) e WHERE (timestamp, sk_kind, COALESCE(block_number, 0), COALESCE(log_index, 0), sk_brand, sk_seq) > ($2::bigint, $3::integer, $4::bigint, $5::integer, $6::text, $7::bigint)
       ORDER BY timestamp, sk_kind, block_number, log_index, sk_brand, sk_seq LIMIT $8`,
      [subject, ...key, q.limit + 1, Math.floor(Date.now() / 1000)],
    );
    const more = rows.length > q.limit;
    const nameOf = await purposeNamer(db, rows.map((r) => (r.type === "consent" ? (r.counterparty as string) : "")));
    const page = rows.slice(0, q.limit).map((r) => ({
      type: r.type as string,
      blockNumber: r.block_number,
      logIndex: r.log_index,
      timestamp: r.timestamp as number,
      txHash: r.tx_hash as string,
      counterparty: r.counterparty as string | null,
      action: r.action as string,
      purpose: r.purpose as string | null,
      purposeName: r.action === "revoke-all" ? null : nameOf(r.counterparty as string | null, r.purpose as string | null),
      categories: r.categories as string | null,
      categoryNames: r.categories === null ? null : categoryNames(BigInt(r.categories as string)),
      expiresAt: r.expires_at as number | null,
      noticeHash: r.notice_hash as string | null,
      actor: r.actor as string | null,
      amount: r.amount as string | null,
      ref: r.ref as string | null,
      seq: r.seq as number | null,
      head: r.head as string | null,
    }));
    const last = page[page.length - 1];
    const nextAfter = !more || !last ? null : last.action === "expired" ? `${last.timestamp}:expired:${last.counterparty}:${last.seq}` : `${last.timestamp}:${last.blockNumber}:${last.logIndex}`;
    if (q.format === "csv") {
      if (nextAfter) res.setHeader("X-Next-After", nextAfter);
      const columns = ["type", "blockNumber", "logIndex", "timestamp", "txHash", "counterparty", "action", "purpose", "purposeName", "categories", "categoryNames", "expiresAt", "noticeHash", "actor", "amount", "ref", "seq", "head"] as const;
      const cell = (e: (typeof page)[number], c: (typeof columns)[number]) => (c === "categoryNames" ? (e.categoryNames ?? []).join(" ") : (e[c] ?? ""));
      res.type("text/csv").send(stringify(page.map((e) => columns.map((c) => cell(e, c))), { header: true, columns: [...columns] }));
      return;
    }
    res.json({ subject, entries: page, page: { after: q.after ?? null, limit: q.limit, nextAfter } });
  });

  router.use((req: Request, _res: Response, next: NextFunction) => {
    next(new AuditHttpError(404, "route_not_found", `no audit route ${req.method} ${req.path}`));
  });
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof AuditHttpError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message } });
      return;
    }
    deps.logger.error({ err }, "audit request failed");
    res.status(500).json({ error: { code: "internal_error", message: "internal error" } });
  });
  return router;
}
