/**
 * The two CoalitionPoints views the wallet reads for tiers (the same entries as client/abis.ts's
 * coalitionPointsAbi, which is too large to ship whole to a phone).
 */
export const tiersAbi = [
  { type: "function", name: "tiers", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "uint256[]" }] },
  { type: "function", name: "tierOf", stateMutability: "view", inputs: [{ name: "customer", type: "address" }], outputs: [{ name: "tier", type: "uint8" }] },
] as const;
