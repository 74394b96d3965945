import type { Hex } from "viem";
import { HistoryAction, type HistoryRecord } from "./historyChain";

/**
 * The state of each consent of one (subject, controller) pair, folded from that pair's history records in
 * chain order, with ConsentLedger's rules:
 * - a grant (re)starts the consent: new grantedAt, expiry, categories; not revoked;
 * - a revoke ends that purpose's consent at its time;
 * - a revoke-all ends every consent of the pair not already ended, and `consentOf` reports its time as
 *   revokedAt unless the consent had expired before it (then revokedAt stays 0: expiry ended it first);
 *   a grant after it (even in the same block or transaction) is a new, live consent: order is by log
 *   position, never by timestamp.
 */
export interface ConsentFold {
  purpose: Hex;
  /** The grant in force (the latest one). */
  grant: HistoryRecord;
  /** The revoke or revoke-all that ended it, if any (also when expiry came first). */
  ended: HistoryRecord | null;
  /** As `consentOf` reports it. */
  revokedAt: number;
}

/** Folds the records of one (subject, controller) pair, in chain order, into its consents keyed by purpose (lower case). */
export function foldConsents(records: Iterable<HistoryRecord>): Map<string, ConsentFold> {
  const out = new Map<string, ConsentFold>();
  for (const r of records) applyRecord(out, r);
  return out;
}

export function applyRecord(state: Map<string, ConsentFold>, r: HistoryRecord): void {
  if (r.action === HistoryAction.Grant) {
    state.set(r.purpose.toLowerCase(), { purpose: r.purpose, grant: r, ended: null, revokedAt: 0 });
  } else if (r.action === HistoryAction.Revoke) {
    const c = state.get(r.purpose.toLowerCase());
    if (c && !c.ended) {
      c.ended = r;
      c.revokedAt = r.timestamp;
    }
  } else {
    for (const c of state.values()) {
      if (c.ended) continue;
      c.ended = r;
      const exp = c.grant.expiresAt;
      c.revokedAt = exp === 0 || r.timestamp < exp ? r.timestamp : 0;
    }
  }
}

/** Whether a folded consent is in force at unix time `time` (expiry is exclusive, as on chain). */
export function isActiveAt(c: ConsentFold | undefined, time: number): boolean {
  if (!c || c.ended) return false;
  return c.grant.expiresAt === 0 || time < c.grant.expiresAt;
}
