import type { PublicClient } from "viem";

/**
 * Fees of a transaction: EIP-1559 where the chain has a base fee, a legacy gas price otherwise (some
 * consortium chains). A replacement raises every fee by FEE_BUMP_PERCENT of the previous version (nodes
 * refuse a replacement under +10%) and never goes below what the chain asks now.
 */
export type Fees =
  | { type: "eip1559"; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  | { type: "legacy"; gasPrice: bigint };

const DEFAULT_PRIORITY_FEE = 1_000_000_000n;

export async function currentFees(client: PublicClient): Promise<Fees> {
  const block = await client.getBlock({ blockTag: "latest" });
  if (block.baseFeePerGas === null || block.baseFeePerGas === undefined) {
    return { type: "legacy", gasPrice: await client.getGasPrice() };
  }
  let priority: bigint;
  try {
    priority = await client.estimateMaxPriorityFeePerGas();
  } catch {
    priority = DEFAULT_PRIORITY_FEE;
  }
  if (priority === 0n) priority = 1n;
  return { type: "eip1559", maxPriorityFeePerGas: priority, maxFeePerGas: block.baseFeePerGas * 2n + priority };
}

function raise(value: bigint, percent: number): bigint {
  const raised = (value * BigInt(100 + percent) + 99n) / 100n;
  return raised > value ? raised : value + 1n;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function bumpFees(previous: Fees, percent: number, now: Fees): Fees {
  if (previous.type === "legacy") {
    const nowPrice = now.type === "legacy" ? now.gasPrice : now.maxFeePerGas;
    return { type: "legacy", gasPrice: max(raise(previous.gasPrice, percent), nowPrice) };
  }
  const nowPriority = now.type === "eip1559" ? now.maxPriorityFeePerGas : 0n;
  const nowMax = now.type === "eip1559" ? now.maxFeePerGas : now.gasPrice;
  const maxPriorityFeePerGas = max(raise(previous.maxPriorityFeePerGas, percent), nowPriority);
  const maxFeePerGas = max(max(raise(previous.maxFeePerGas, percent), nowMax), maxPriorityFeePerGas);
  return { type: "eip1559", maxFeePerGas, maxPriorityFeePerGas };
}
