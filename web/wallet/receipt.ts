import type { Address, Hex } from "viem";
import { HistoryAction } from "../../client/audit/historyChain";
import { receiptFromRecord } from "../../client/receipts/receiptFromRecord";
import type { ConsentReceipt } from "../../client/receipts/schema";
import type { HistoryEntry } from "../common/relay";

const ACTIONS: Record<string, HistoryAction> = { grant: HistoryAction.Grant, revoke: HistoryAction.Revoke, "revoke-all": HistoryAction.RevokeAll };
const ZERO = `0x${"0".repeat(64)}` as Hex;

/**
 * The `confiance-receipt/1` receipt of one of the customer's consent actions, from their history entry
 * (`GET /v1/audit/customers/{address}/history`); undefined for what has no receipt (points movements,
 * derived expiries). `recordId` is `<chain id>:<ledger>:<brand>:<seq>`.
 */
export function receiptOfEntry({ entry, subject, chainId, ledger, noticeUri }: { entry: HistoryEntry; subject: Address; chainId: number; ledger: Address; noticeUri?: string | null }): ConsentReceipt | undefined {
  const action = ACTIONS[entry.action];
  if (entry.type !== "consent" || !action || !entry.counterparty || entry.seq == null || !entry.head || !entry.txHash) return undefined;
  return receiptFromRecord({
    record: {
      action,
      controller: entry.counterparty,
      subject,
      purpose: entry.purpose ?? ZERO,
      categories: entry.categories ?? 0n,
      expiresAt: entry.expiresAt ?? 0,
      noticeHash: entry.noticeHash ?? ZERO,
      actor: entry.actor ?? subject,
      timestamp: entry.timestamp,
      seq: BigInt(entry.seq),
      head: entry.head,
      blockNumber: BigInt(entry.blockNumber),
      txHash: entry.txHash,
      logIndex: entry.logIndex,
    },
    chainId,
    ledger,
    recordId: `${chainId}:${ledger.toLowerCase()}:${entry.counterparty.toLowerCase()}:${entry.seq}`,
    purposeName: entry.purposeName,
    noticeUri: noticeUri ?? null,
  });
}
