import type { Address } from "viem";
import type { Queryable } from "../store/db";
import { HOLDINGS, type Holding } from "./holdings";

/** A request's scope: one brand, or every brand of this relay (null). */
export type Scope = Address | null;

/** The holdings a request covers: with one brand, those whose rows belong to a brand; with every brand, all. */
export function holdingsIn(scope: Scope): Holding[] {
  return HOLDINGS.filter((h) => scope === null || h.brandColumn !== null);
}

/** The SQL condition selecting `h`'s rows about the wallet ($1) in the scope ($2, NULL: every brand), on alias `t`. */
export function rowsOf(h: Holding): string {
  const wallet = h.walletColumns.map((c) => `t.${c} = $1`).join(" OR ");
  // $2 appears either way: every statement takes the same two parameters
  return h.brandColumn ? `(${wallet}) AND ($2::text IS NULL OR t.${h.brandColumn} = $2)` : `(${wallet}) AND $2::text IS NULL`;
}

export interface HoldingRows {
  description: string;
  disposition: Holding["disposition"];
  reason: string;
  rows: Record<string, unknown>[];
}

/** Every row the relay holds about `subject` in `scope`, by table (JSON as the database renders each row). */
export async function collectHoldings(db: Queryable, subject: Address, scope: Scope): Promise<Record<string, HoldingRows>> {
  const out: Record<string, HoldingRows> = {};
  for (const h of holdingsIn(scope)) {
    const { rows } = await db.query<{ row: Record<string, unknown> }>(`SELECT row_to_json(t) AS row FROM ${h.table} t WHERE ${rowsOf(h)} ORDER BY ${h.orderBy}`, [
      subject.toLowerCase(),
      scope?.toLowerCase() ?? null,
    ]);
    out[h.table] = {
      description: h.description,
      disposition: h.disposition,
      reason: h.disposition === "keep" ? h.reason : (h.keptReason ? `${h.reason}; ${h.keptReason}` : h.reason),
      rows: rows.map((r) => (typeof r.row === "string" ? JSON.parse(r.row) : r.row)),
    };
  }
  return out;
}

export interface ErasureReport {
  /** Rows deleted, by table. */
  erased: Record<string, number>;
  /** What stays, by table, with the reason. */
  kept: { table: string; description: string; rows: number; reason: string }[];
}

/** Deletes the erasable rows about `subject` in `scope`; call inside a transaction. Counts what stays afterwards with `countKept`. */
export async function eraseHoldings(tx: Queryable, subject: Address, scope: Scope): Promise<Record<string, number>> {
  const erased: Record<string, number> = {};
  const params = [subject.toLowerCase(), scope?.toLowerCase() ?? null];
  for (const h of holdingsIn(scope).filter((x) => x.disposition === "erase")) {
    const where = `${rowsOf(h)}${h.eraseWhere ? ` AND ${h.eraseWhere}` : ""}`;
    if (h.table === "webhook_events") {
      // their finished deliveries (and, by cascade, the attempts) go first: they point at the events
      await tx.query(`DELETE FROM webhook_deliveries WHERE event_seq IN (SELECT t.seq FROM webhook_events t WHERE ${where})`, params);
    }
    erased[h.table] = (await tx.query(`DELETE FROM ${h.table} t WHERE ${where}`, params)).rowCount;
  }
  return erased;
}

/** The rows about `subject` in `scope` that stay, by table, with the reason. */
export async function countKept(tx: Queryable, subject: Address, scope: Scope): Promise<ErasureReport["kept"]> {
  const kept: ErasureReport["kept"] = [];
  const params = [subject.toLowerCase(), scope?.toLowerCase() ?? null];
  for (const h of holdingsIn(scope)) {
    const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${h.table} t WHERE ${rowsOf(h)}`, params);
    const n = Number(rows[0]!.n);
    if (n > 0) kept.push({ table: h.table, description: h.description, rows: n, reason: h.disposition === "keep" ? h.reason : h.keptReason ?? h.reason });
  }
  return kept;
}
