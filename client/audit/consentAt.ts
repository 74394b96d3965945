import type { Address, Hex } from "viem";
import { HistoryAction, type HistoryRecord } from "./historyChain";
import { applyRecord, isActiveAt, type ConsentFold } from "./consentFold";

/** Whether one consent was in force at a past moment, and the records that decide it. */
export interface ConsentAtAnswer {
  subject: Address;
  controller: Address;
  purpose: Hex;
  time: number;
  active: boolean;
  /** never-granted | granted | revoked | revoked-all | expired */
  reason: "never-granted" | "granted" | "revoked" | "revoked-all" | "expired";
  grantedAt: number | null;
  expiresAt: number | null;
  categories: string | null;
  noticeHash: Hex | null;
  /** The grant in force at that time and the revocation that ended it, if any, in chain order. */
  evidence: HistoryRecord[];
}

/**
 * Answers from a controller's history (any superset of the pair's records, in chain order): the records of
 * (subject, controller) up to and including `time` (or up to `block`, when given, evaluated at `time`).
 */
export function consentAt(
  records: Iterable<HistoryRecord>,
  query: { subject: Address; controller: Address; purpose: Hex; time: number; block?: bigint },
): ConsentAtAnswer {
  const subject = query.subject.toLowerCase();
  const purpose = query.purpose.toLowerCase();
  const state = new Map<string, ConsentFold>();
  for (const r of records) {
    if (r.subject.toLowerCase() !== subject) continue;
    if (query.block !== undefined ? (r.blockNumber ?? 0n) > query.block : r.timestamp > query.time) continue;
    if (r.action !== HistoryAction.RevokeAll && r.purpose.toLowerCase() !== purpose) continue;
    applyRecord(state, r);
  }
  const c = state.get(purpose);
  const base = {
    subject: query.subject,
    controller: query.controller,
    purpose: query.purpose,
    time: query.time,
  };
  if (!c) {
    return { ...base, active: false, reason: "never-granted", grantedAt: null, expiresAt: null, categories: null, noticeHash: null, evidence: [] };
  }
  const active = isActiveAt(c, query.time);
  const expired = c.grant.expiresAt !== 0 && query.time >= c.grant.expiresAt;
  let reason: ConsentAtAnswer["reason"] = "granted";
  if (c.ended && !(expired && c.ended.timestamp >= c.grant.expiresAt)) {
    reason = c.ended.action === HistoryAction.Revoke ? "revoked" : "revoked-all";
  } else if (expired) reason = "expired";
  return {
    ...base,
    active,
    reason,
    grantedAt: c.grant.timestamp,
    expiresAt: c.grant.expiresAt,
    categories: c.grant.categories.toString(),
    noticeHash: c.grant.noticeHash,
    evidence: c.ended ? [c.grant, c.ended] : [c.grant],
  };
}
