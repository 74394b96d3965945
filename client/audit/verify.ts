import { zeroHash, type Hex } from "viem";
import { HistoryAction, nextHead, type HistoryRecord } from "./historyChain";

/** What an auditor learns from a history: does it recompute to the on-chain head, and what is in it. */
export interface HistorySummary {
  actions: number;
  grants: number;
  revocations: number;
  revokeAlls: number;
  subjects: number;
  purposes: number;
  /** The purposes' ids (lower-case hex, sorted). */
  purposeIds: string[];
  firstTime: number | null;
  lastTime: number | null;
  firstBlock: number | null;
  lastBlock: number | null;
}

export interface HistoryVerification {
  /** The recomputed chain equals the on-chain head and length. */
  verified: boolean;
  recomputed: { head: Hex; length: bigint };
  onChain: { head: Hex; length: bigint };
  /** 1-based position of the first record whose own seq/head disagree with the recomputation, or null. */
  firstBrokenPosition: number | null;
  summary: HistorySummary;
}

export function summarize(records: readonly HistoryRecord[]): HistorySummary {
  const subjects = new Set<string>();
  const purposes = new Set<string>();
  let grants = 0;
  let revocations = 0;
  let revokeAlls = 0;
  for (const r of records) {
    subjects.add(r.subject.toLowerCase());
    if (r.action === HistoryAction.Grant) grants++;
    else if (r.action === HistoryAction.Revoke) revocations++;
    else revokeAlls++;
    if (r.action !== HistoryAction.RevokeAll) purposes.add(r.purpose.toLowerCase());
  }
  const first = records[0];
  const last = records[records.length - 1];
  return {
    actions: records.length,
    grants,
    revocations,
    revokeAlls,
    subjects: subjects.size,
    purposes: purposes.size,
    purposeIds: [...purposes].sort(),
    firstTime: first?.timestamp ?? null,
    lastTime: last?.timestamp ?? null,
    firstBlock: first?.blockNumber === undefined ? null : Number(first.blockNumber),
    lastBlock: last?.blockNumber === undefined ? null : Number(last.blockNumber),
  };
}

/** Recomputes the chain over `records` (in the order given) and compares it with the on-chain head. */
export function verifyHistory(records: readonly HistoryRecord[], onChain: { head: Hex; length: bigint }): HistoryVerification {
  // One pass: the recomputed head, and the first record whose own seq/head disagree with it
  // (recomputeHead and firstBrokenLink of historyChain.ts together, hashing each link once).
  let head: Hex = zeroHash;
  let broken = -1;
  for (let i = 0; i < records.length; i++) {
    head = nextHead(head, records[i]);
    if (broken < 0 && (records[i].seq !== BigInt(i + 1) || records[i].head.toLowerCase() !== head)) broken = i;
  }
  const recomputed = { head, length: BigInt(records.length) };
  return {
    verified: recomputed.head === onChain.head.toLowerCase() && recomputed.length === onChain.length,
    recomputed,
    onChain,
    firstBrokenPosition: broken < 0 ? null : broken + 1,
    summary: summarize(records),
  };
}
