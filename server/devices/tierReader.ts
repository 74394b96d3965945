import type { Address, PublicClient } from "viem";
import { coalitionPointsAbi } from "../../client/abis";

/** How long the coalition's tier thresholds are reused before being read again, ms. */
const THRESHOLDS_TTL_MS = 10_000;

/**
 * Reads customers' tiers from CoalitionPoints for the staff screen: `tiers()` (cached for 10 s), then,
 * only when the coalition defines tiers, `tierOf(customer)`. Null when it defines none or the chain
 * cannot be read (a recognition is never held back for its tier).
 */
export function createTierReader(client: PublicClient, points: Address): (customer: Address) => Promise<number | null> {
  let cached: { at: number; count: number } | undefined;
  return async (customer) => {
    try {
      if (!cached || Date.now() - cached.at > THRESHOLDS_TTL_MS) {
        const thresholds = await client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "tiers" });
        cached = { at: Date.now(), count: thresholds.length };
      }
      if (cached.count === 0) return null;
      return Number(await client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "tierOf", args: [customer] }));
    } catch {
      return null;
    }
  };
}
