import type { Address } from "viem";
import type { Db } from "../../../server/store/db";

/** Where a value occurs in the relay's database: every base table's rows searched as text. */
export async function findEverywhere(db: Db, needle: string): Promise<{ tables: number; hits: { table: string; rows: number }[] }> {
  const { rows } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  const hits: { table: string; rows: number }[] = [];
  for (const { table_name } of rows) {
    const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE position($1 in lower(t::text)) > 0`, [needle.toLowerCase()]);
    if (r.rows[0]!.n > 0) hits.push({ table: table_name, rows: r.rows[0]!.n });
  }
  return { tables: rows.length, hits };
}

/** An address as it may be stored: lower-case hex without the 0x, so checksummed and padded forms match too. */
export function addressNeedle(address: Address): string {
  return address.slice(2).toLowerCase();
}

/** The relay's Prometheus counter lines about dropped device events. */
export async function droppedCounters(relayUrl: string): Promise<string[]> {
  const text = await (await fetch(`${relayUrl}/metrics`)).text();
  return text.split("\n").filter((l) => !l.startsWith("#") && /dropped/.test(l) && !/ 0$/.test(l));
}
