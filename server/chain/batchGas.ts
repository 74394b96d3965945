import type { BatchKind } from "./batch";

/**
 * Gas limits computed instead of estimated. CoalitionPoints' `issueBatch` costs a fixed part (the
 * transaction, the brand's and the supply's slots, written once) plus, per entry, at most a new receipt slot and a
 * new account slot with two events: about 51,000 gas for a customer who never held points (docs/gas.md), less
 * for one who did. The bounds below hold every entry at its dearest (a new customer, calldata with no zero
 * byte) with about 10% to spare, so a batch sent with `boundedGas` never runs out of gas; the test
 * test/server/submitter-bounded-gas.test.ts measures a batch of new customers against them.
 */
export const ISSUE_BATCH_FIXED_GAS = 80_000n;
export const ISSUE_ENTRY_GAS_MAX = 56_000n;

/** The gas limit of a batch of `entries` calls of this kind, when its cost has a bound; otherwise undefined (estimate it). */
export function boundedGas(kind: BatchKind, entries: number): bigint | undefined {
  if (kind !== "issueBatch" || entries < 2) return undefined;
  return ISSUE_BATCH_FIXED_GAS + BigInt(entries) * ISSUE_ENTRY_GAS_MAX;
}

/** How many entries of this kind fit under `cap` with the bound (at least 2: fewer is a single call); undefined without a bound. */
export function boundedCapacity(kind: BatchKind, cap: bigint): number | undefined {
  if (kind !== "issueBatch") return undefined;
  const n = (cap - ISSUE_BATCH_FIXED_GAS) / ISSUE_ENTRY_GAS_MAX;
  return n < 2n ? undefined : Number(n);
}
