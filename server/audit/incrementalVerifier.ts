import { zeroHash, type Address, type Hex } from "viem";
import type { Queryable } from "../store/db";
import { nextHead } from "../../client/audit/historyChain";
import { HISTORY_COLUMNS, rowToRecord, type HistoryDbRow } from "../indexer/store";
import type { HistorySummary } from "../../client/audit/verify";

/** How far a controller's indexed history has been re-hashed: the last checked record and the head there. */
interface Checked {
  seq: number;
  head: Hex;
  /** 1-based position of the first record whose stored seq/head disagree with the recomputation, or null. */
  broken: number | null;
}

export interface IndexedChain {
  recomputed: { head: Hex; length: number };
  firstBrokenPosition: number | null;
  summary: HistorySummary;
}

const MAX_CONTROLLERS = 10_000;

/**
 * Recomputes a controller's history chain from the index incrementally: each record is hashed once in
 * this process's life, after the last one already checked, whose stored head is read back first (a
 * reorganised index starts over). The summary is aggregated by the database. A verify=true request thus
 * costs the new records' hashes and a few indexed queries, not a re-hash of the whole history.
 */
export class IncrementalVerifier {
  private readonly checked = new Map<string, Checked>();
  /** Records hashed since this verifier was made. */
  hashed = 0;

  async chain(db: Queryable, controller: Address): Promise<IndexedChain> {
    let from = this.checked.get(controller) ?? { seq: 0, head: zeroHash, broken: null };
    if (from.seq > 0) {
      const { rows } = await db.query<{ head: string }>("SELECT head FROM consent_history WHERE controller = $1 AND seq = $2", [controller, from.seq]);
      if (rows[0]?.head !== from.head) from = { seq: 0, head: zeroHash, broken: null };
    }
    let { seq, head, broken } = from;
    for (;;) {
      const { rows } = await db.query<HistoryDbRow>(`SELECT ${HISTORY_COLUMNS} FROM consent_history WHERE controller = $1 AND seq > $2 ORDER BY seq LIMIT 5000`, [controller, seq]);
      for (const row of rows) {
        const record = rowToRecord(row);
        head = nextHead(head, record);
        this.hashed += 1;
        const position = seq + 1;
        if (broken === null && (record.seq !== BigInt(position) || record.head.toLowerCase() !== head)) broken = position;
        seq = Number(record.seq);
      }
      if (rows.length < 5000) break;
    }
    if (this.checked.size >= MAX_CONTROLLERS && !this.checked.has(controller)) this.checked.delete(this.checked.keys().next().value!);
    this.checked.set(controller, { seq, head, broken });
    return { recomputed: { head, length: seq }, firstBrokenPosition: broken, summary: await summaryOf(db, controller) };
  }
}

/** The history's summary (as client/audit's `summarize` computes it from records), aggregated in SQL. */
async function summaryOf(db: Queryable, controller: Address): Promise<HistorySummary> {
  const { rows } = await db.query<{
    actions: number;
    grants: number;
    revocations: number;
    revoke_alls: number;
    subjects: number;
    purpose_ids: string[] | null;
    first_time: number | null;
    last_time: number | null;
    first_block: number | null;
    last_block: number | null;
  }>(
    `SELECT count(*)::int AS actions,
            count(*) FILTER (WHERE action = 1)::int AS grants,
            count(*) FILTER (WHERE action = 2)::int AS revocations,
            count(*) FILTER (WHERE action = 3)::int AS revoke_alls,
            count(DISTINCT subject)::int AS subjects,
            array_agg(DISTINCT purpose ORDER BY purpose) FILTER (WHERE action <> 3) AS purpose_ids,
            (array_agg(timestamp ORDER BY seq))[1] AS first_time,
            (array_agg(timestamp ORDER BY seq DESC))[1] AS last_time,
            (array_agg(block_number ORDER BY seq))[1] AS first_block,
            (array_agg(block_number ORDER BY seq DESC))[1] AS last_block
       FROM consent_history WHERE controller = $1`,
    [controller],
  );
  const r = rows[0]!;
  const purposeIds = r.purpose_ids ?? [];
  return {
    actions: r.actions,
    grants: r.grants,
    revocations: r.revocations,
    revokeAlls: r.revoke_alls,
    subjects: r.subjects,
    purposes: purposeIds.length,
    purposeIds,
    firstTime: r.first_time === null ? null : Number(r.first_time),
    lastTime: r.last_time === null ? null : Number(r.last_time),
    firstBlock: r.first_block === null ? null : Number(r.first_block),
    lastBlock: r.last_block === null ? null : Number(r.last_block),
  };
}
