import type { ReactNode } from "react";
import { erc20Abi, type Address } from "viem";
import { useReadContract } from "wagmi";
import { useChainStatus } from "../common/wallet/useChainStatus";

/** The settlement asset's decimals as the chain answers them: loading, failed (with why), or known. */
export type AssetDecimals = { status: "loading" } | { status: "failed"; message: string } | { status: "ready"; decimals: number };

/**
 * Reads `decimals()` of the settlement asset at `asset` from the relay's chain (wagmi, once the relay's
 * configuration has given the chain) and hands the answer to `children`. Every amount of the asset the
 * console parses or shows goes through it: no number of decimals is assumed.
 */
export function SettlementDecimals({ asset, children }: { asset: Address; children: (d: AssetDecimals) => ReactNode }) {
  const chain = useChainStatus();
  if (chain.status === "loading") return children({ status: "loading" });
  if (chain.status === "failed") return children({ status: "failed", message: chain.message });
  return <DecimalsRead asset={asset}>{children}</DecimalsRead>;
}

/** Under wagmi's provider only (it exists once the chain is known). */
function DecimalsRead({ asset, children }: { asset: Address; children: (d: AssetDecimals) => ReactNode }) {
  const read = useReadContract({ address: asset, abi: erc20Abi, functionName: "decimals", query: { staleTime: Infinity } });
  if (read.data !== undefined) return children({ status: "ready", decimals: read.data });
  if (read.error) return children({ status: "failed", message: (read.error as { shortMessage?: string }).shortMessage ?? read.error.message });
  return children({ status: "loading" });
}
