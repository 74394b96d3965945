import type { Address, PublicClient } from "viem";
import { coalitionPointsAbi } from "../../client/abis";

/** How long the coalition's tier thresholds, and a customer's tier, are reused before being read again, ms. */
export const TIER_TTL_MS = 10_000;
/** Customers whose tier is kept at most (the oldest half is forgotten past it). */
const TIERS_KEPT = 50_000;

/**
 * Reads customers' tiers from CoalitionPoints for the staff screen: `tiers()`, then, only when the
 * coalition defines tiers, `tierOf(customer)`. Both are kept for TIER_TTL_MS, and a read under way is
 * shared, so a customer seen at several tills at once, or many customers under load, cost one chain read
 * each per TTL rather than one per event; a tier shown may therefore lag the chain by up to that long.
 * Null when the coalition defines no tiers or the chain cannot be read (a recognition is never held back
 * for its tier; a failed read is not kept).
 */
export function createTierReader(
  client: PublicClient,
  points: Address,
  ttlMs = TIER_TTL_MS,
  /** The clock, in ms (tests move it by hand). */
  now: () => number = Date.now,
): (customer: Address) => Promise<number | null> {
  let thresholds: { at: number; count: Promise<number> } | undefined;
  const tiers = new Map<string, { at: number; tier: Promise<number | null> }>();
  const fresh = (at: number) => now() - at <= ttlMs;
  return async (customer) => {
    if (!thresholds || !fresh(thresholds.at)) {
      const count = client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "tiers" }).then((t) => t.length);
      thresholds = { at: now(), count };
      count.catch(() => {
        if (thresholds?.count === count) thresholds = undefined;
      });
    }
    try {
      if ((await thresholds.count) === 0) return null;
    } catch {
      return null;
    }
    const key = customer.toLowerCase();
    const kept = tiers.get(key);
    if (kept && fresh(kept.at)) return kept.tier;
    if (tiers.size >= TIERS_KEPT) for (const k of [...tiers.keys()].slice(0, TIERS_KEPT / 2)) tiers.delete(k);
    const tier = client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "tierOf", args: [customer] }).then(
      (t) => Number(t),
      () => {
        if (tiers.get(key)?.tier === tier) tiers.delete(key);
        return null;
      },
    );
    tiers.set(key, { at: now(), tier });
    return tier;
  };
}
