import { createPublicClient, defineChain, http, type Chain, type PublicClient } from "viem";

/**
 * A JSON-RPC endpoint as a viem chain: asks the endpoint its chain id and names the chain after it, so the
 * scripts work against any EVM node (a local Hardhat node, an L2, a consortium chain) without a chain table.
 */
export async function connectChain(rpcUrl: string, options: { pollingMs?: number } = {}): Promise<{ chain: Chain; client: PublicClient }> {
  const probe = createPublicClient({ transport: http(rpcUrl) });
  const chainId = await probe.getChainId();
  const chain = defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: options.pollingMs }) as PublicClient;
  return { chain, client };
}
