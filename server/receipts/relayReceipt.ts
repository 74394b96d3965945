import type { Address, Hex } from "viem";
import { HistoryAction, type HistoryRecord } from "../../client/audit/historyChain";
import { receiptFromRecord, type ConsentReceipt } from "../../client/receipts";
import type { Queryable } from "../store/db";
import { purposeNamer } from "../brands/purposes";

type HistoryRow = {
  controller: string;
  seq: string;
  action: number;
  subject: string;
  purpose: string;
  categories: string;
  expires_at: number;
  notice_hash: string;
  actor: string;
  timestamp: number;
  head: string;
  block_number: number;
  log_index: number;
  tx_hash: string;
};

export const HISTORY_COLUMNS =
  "controller, seq::text AS seq, action, subject, purpose, categories, expires_at, notice_hash, actor, timestamp, head, block_number, log_index, tx_hash";

/** The receipt's record id: one per consent action, whichever route asks for it. */
export function receiptRecordId(chainId: number, controller: string, seq: string | bigint): string {
  return `urn:confiance:${chainId}:${controller.toLowerCase()}:${seq}`;
}

/**
 * The receipt of an indexed consent action (a row of consent_history): the chain's fields, the brand's
 * name for the purpose, and the URI under which the notice named was published on chain.
 */
export async function receiptOfRow(db: Queryable, p: { row: HistoryRow; chainId: number; ledger: Address }): Promise<ConsentReceipt> {
  const r = p.row;
  const record: HistoryRecord = {
    action: r.action as HistoryAction,
    controller: r.controller as Address,
    subject: r.subject as Address,
    purpose: r.purpose as Hex,
    categories: BigInt(r.categories),
    expiresAt: Number(r.expires_at),
    noticeHash: r.notice_hash as Hex,
    actor: r.actor as Address,
    timestamp: Number(r.timestamp),
    seq: BigInt(r.seq),
    head: r.head as Hex,
    blockNumber: BigInt(r.block_number),
    txHash: r.tx_hash as Hex,
    logIndex: Number(r.log_index),
  };
  const nameOf = await purposeNamer(db, [r.controller]);
  let noticeUri: string | null = null;
  if (record.action === HistoryAction.Grant) {
    const n = await db.query<{ notice_uri: string }>(
      `SELECT notice_uri FROM purpose_notices WHERE controller = $1 AND purpose = $2 AND notice_hash = $3
        AND (block_number, log_index) <= ($4::bigint, $5::int) ORDER BY block_number DESC, log_index DESC LIMIT 1`,
      [r.controller, r.purpose, r.notice_hash, r.block_number, r.log_index],
    );
    noticeUri = n.rows[0]?.notice_uri ?? null;
  }
  return receiptFromRecord({
    record,
    chainId: p.chainId,
    ledger: p.ledger,
    recordId: receiptRecordId(p.chainId, r.controller, r.seq),
    purposeName: record.action === HistoryAction.RevokeAll ? null : nameOf(r.controller, r.purpose),
    noticeUri,
  });
}

/** The consent action at (controller, seq), as indexed. */
export async function historyRowAt(db: Queryable, controller: Address, seq: bigint): Promise<HistoryRow | undefined> {
  const { rows } = await db.query<HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM consent_history WHERE controller = $1 AND seq = $2`, [controller.toLowerCase(), seq.toString()]);
  return rows[0];
}

const ACTION_OF_KIND: Record<string, HistoryAction> = { grant: HistoryAction.Grant, revoke: HistoryAction.Revoke, revokeAll: HistoryAction.RevokeAll };

/**
 * The consent action an operation of the relay became on chain: the indexed record of its transaction
 * with its subject, controller, kind and purpose. Undefined while not indexed.
 */
export async function historyRowOfOperation(
  db: Queryable,
  op: { kind: string; txHash: string; subject: string; controller: string; purpose: string | null },
): Promise<HistoryRow | undefined> {
  const action = ACTION_OF_KIND[op.kind];
  if (!action) return undefined;
  const { rows } = await db.query<HistoryRow>(
    `SELECT ${HISTORY_COLUMNS} FROM consent_history
      WHERE tx_hash = $1 AND controller = $2 AND subject = $3 AND action = $4 AND ($5::text IS NULL OR purpose = $5)
      ORDER BY seq LIMIT 1`,
    [op.txHash.toLowerCase(), op.controller.toLowerCase(), op.subject.toLowerCase(), action, action === HistoryAction.RevokeAll ? null : op.purpose],
  );
  return rows[0];
}
