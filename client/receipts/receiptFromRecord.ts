import type { Address, Hex } from "viem";
import { categoryNames } from "../categories";
import { ACTION_NAMES } from "../audit/historyChain";
import type { HistoryRecord } from "../audit/historyChain";
import { RECEIPT_VERSION, receiptTime, type CollectionMethod, type ConsentReceipt } from "./schema";

export interface ReceiptFromRecordParameters {
  /** A consent action as read from the chain (`fetchControllerHistory`, the indexer), with its transaction and log index. */
  record: HistoryRecord;
  chainId: number;
  ledger: Address;
  recordId: string;
  /** Default: `delegate` when the actor is not the subject, else `app`. */
  collectionMethod?: CollectionMethod;
  purposeName?: string | null;
  noticeUri?: string | null;
}

/**
 * The receipt of one consent action, from the action as the chain recorded it: what the relay hands the
 * customer, and what tests build from real chain actions.
 */
export function receiptFromRecord({ record: r, chainId, ledger, recordId, collectionMethod, purposeName = null, noticeUri = null }: ReceiptFromRecordParameters): ConsentReceipt {
  if (!r.txHash || r.logIndex === undefined) throw new Error(`record seq ${r.seq} has no transaction or log index`);
  const lower = (v: string) => v.toLowerCase() as Hex;
  return {
    version: RECEIPT_VERSION,
    recordId,
    subject: lower(r.subject),
    controller: lower(r.controller),
    purpose: { id: lower(r.purpose), name: purposeName },
    notice: { hash: lower(r.noticeHash), uri: noticeUri },
    categories: { bitmap: r.categories.toString(), names: categoryNames(r.categories) },
    legalBasis: "consent",
    event: { type: ACTION_NAMES[r.action], time: receiptTime(r.timestamp) },
    expiresAt: r.expiresAt === 0 ? null : receiptTime(r.expiresAt),
    actor: lower(r.actor),
    collectionMethod: collectionMethod ?? (lower(r.actor) === lower(r.subject) ? "app" : "delegate"),
    evidence: { chainId, ledger: lower(ledger), transactionHash: lower(r.txHash), logIndex: r.logIndex, seq: r.seq.toString(), head: lower(r.head) },
  };
}
