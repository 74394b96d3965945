import { createConfig, http, injected, unstable_connector, type Config } from "wagmi";
import { defineChain, type Chain } from "viem";
import type { RelayConfig } from "../relay";

/** The relay's chain as viem and wallets see it (a wallet that lacks it is asked to add it with these). */
export function chainOf(config: Pick<RelayConfig, "chainId" | "rpcUrl">): Chain {
  return defineChain({
    id: config.chainId,
    name: `Confiance ${config.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: config.rpcUrl ? [config.rpcUrl] : [] } },
  });
}

/**
 * wagmi for the relay's chain: the browser's injected wallet (window.ethereum: a mobile wallet's
 * browser, a single extension) and every wallet announced by EIP-6963 (MetaMask, Rabby, ...). Reads go
 * to the relay's RPC endpoint, or through the wallet when the relay publishes none.
 */
export function createWagmiConfig(config: Pick<RelayConfig, "chainId" | "rpcUrl">): Config {
  const chain = chainOf(config);
  return createConfig({
    chains: [chain],
    connectors: [injected()],
    multiInjectedProviderDiscovery: true,
    transports: { [chain.id]: config.rpcUrl ? http(config.rpcUrl) : unstable_connector(injected) },
  });
}
