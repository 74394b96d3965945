import crypto from "node:crypto";
import { Counter, type Registry } from "prom-client";
import type { Address } from "viem";
import type { Db } from "../store/db";
import { emitDataRequestReceived } from "../webhooks/events";
import { HttpError } from "../http/errors";
import { collectHoldings, countKept, eraseHoldings, type ErasureReport, type HoldingRows, type Scope } from "./holdingsOf";
import { ON_CHAIN_NOTE } from "./holdings";

export type DataRequestKind = "access" | "erase";

export interface DataRequestInput {
  subject: Address;
  kind: DataRequestKind;
  scope: Scope;
  /** The signed nonce (decimal), null for an EraseData request. */
  nonce: string | null;
  /** The signed timestamp (EraseData: its deadline). */
  signedAt: bigint;
  via: "DataRequest" | "EraseData";
}

export interface DataRequestRecord {
  id: string;
  kind: DataRequestKind;
  /** The brand, or "all". */
  scope: string;
  receivedAt: string;
}

export type DataRequestResult =
  | { request: DataRequestRecord; kind: "access"; data: Record<string, HoldingRows>; onChain: string }
  | { request: DataRequestRecord; kind: "erase"; report: ErasureReport & { onChain: string } };

function counter(registry: Registry): Counter<"kind" | "outcome"> {
  return (
    (registry.getSingleMetric("relay_data_requests_total") as Counter<"kind" | "outcome"> | undefined) ??
    new Counter({ name: "relay_data_requests_total", help: "Customers' data requests by kind (access, erase) and outcome (completed, refused)", labelNames: ["kind", "outcome"], registers: [registry] })
  );
}

/** Counts a refused request (bad signature, replay, window) without recording anything about it. */
export function countRefused(registry: Registry, kind: string): void {
  counter(registry).inc({ kind: kind === "erase" ? "erase" : "access", outcome: "refused" });
}

/**
 * Answers a verified data request in one transaction: access collects every row the relay holds about the
 * wallet; erasure deletes what may be erased and reports what stays. The request is recorded with its
 * outcome as counts per table (never the rows), and `data_request.received` is queued for the brand (or
 * every brand). A nonce already used by the subject is `409 nonce_used`.
 */
export async function handleDataRequest(db: Db, registry: Registry, r: DataRequestInput): Promise<DataRequestResult> {
  const id = crypto.randomUUID();
  const scope = r.scope === null ? "all" : r.scope.toLowerCase();
  try {
    const result = await db.transaction(async (tx) => {
      if (r.nonce !== null) {
        const used = await tx.query("SELECT 1 FROM data_requests WHERE subject = $1 AND nonce = $2", [r.subject.toLowerCase(), r.nonce]);
        if (used.rows.length) throw new HttpError(409, "nonce_used", "this request's nonce was already used: sign a new request");
      }
      let outcome: Record<string, unknown>;
      let body: { data: Record<string, HoldingRows> } | { report: ErasureReport };
      if (r.kind === "access") {
        const data = await collectHoldings(tx, r.subject, r.scope);
        outcome = { rows: Object.fromEntries(Object.entries(data).map(([t, h]) => [t, h.rows.length])) };
        body = { data };
      } else {
        const erased = await eraseHoldings(tx, r.subject, r.scope);
        outcome = { erased };
        body = { report: { erased, kept: [] } };
      }
      const inserted = await tx.query<{ received_at: Date }>(
        `INSERT INTO data_requests (id, subject, kind, brand, nonce, signed_at, via, status, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, 'completed', $8::jsonb)
         RETURNING received_at`,
        [id, r.subject.toLowerCase(), r.kind, r.scope?.toLowerCase() ?? null, r.nonce, r.signedAt.toString(), r.via, JSON.stringify(outcome)],
      );
      const receivedAt = new Date(inserted.rows[0]!.received_at);
      await emitDataRequestReceived(tx, { requestId: id, subject: r.subject.toLowerCase(), kind: r.kind, brand: r.scope === null ? "all" : r.scope.toLowerCase(), receivedAt: Math.floor(receivedAt.getTime() / 1000) });
      if ("report" in body) {
        // what stays, counted after the request's own record and notice: the customer sees all of it
        body.report.kept = await countKept(tx, r.subject, r.scope);
        await tx.query("UPDATE data_requests SET outcome = $2::jsonb WHERE id = $1", [id, JSON.stringify({ erased: body.report.erased, kept: Object.fromEntries(body.report.kept.map((k) => [k.table, k.rows])) })]);
      }
      return { receivedAt: receivedAt.toISOString(), body };
    });
    counter(registry).inc({ kind: r.kind, outcome: "completed" });
    const request: DataRequestRecord = { id, kind: r.kind, scope, receivedAt: result.receivedAt };
    return "data" in result.body
      ? { request, kind: "access", data: result.body.data, onChain: ON_CHAIN_NOTE }
      : { request, kind: "erase", report: { ...result.body.report, onChain: ON_CHAIN_NOTE } };
  } catch (err) {
    if ((err as { code?: string }).code === "23505") {
      countRefused(registry, r.kind);
      throw new HttpError(409, "nonce_used", "this request's nonce was already used: sign a new request");
    }
    if (err instanceof HttpError) countRefused(registry, r.kind);
    throw err;
  }
}
