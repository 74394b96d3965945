import type { Address, TypedDataDomain } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import type { RelayConfig } from "../relay/types";

export type GetConfigParameters = { signal?: AbortSignal | undefined };
export type GetConfigReturnType = RelayConfig;
export type GetConfigErrorType = RelayRequestErrorType;

type ConfigJson = Omit<RelayConfig, "unitValue"> & { unitValue: string };

/**
 * The chain, contracts, EIP-712 domains and points backing the relay works with (`GET /v1/config`).
 * Check `chainId` against the wallet's chain before asking it to sign.
 *
 * @example
 * const { chainId, ledger, points, unitValue } = await getConfig(relay)
 */
export async function getConfig(client: RelayClientBase, { signal }: GetConfigParameters = {}): Promise<GetConfigReturnType> {
  const c = await relayRequest<ConfigJson>(client, { method: "GET", path: "/v1/config", signal });
  const config: RelayConfig = {
    chainId: c.chainId,
    rpcUrl: c.rpcUrl,
    ledger: c.ledger as Address,
    points: c.points as Address,
    deployBlock: c.deployBlock,
    unitValue: BigInt(c.unitValue),
    settlementAsset: c.settlementAsset,
    domains: c.domains as { ledger: TypedDataDomain; points: TypedDataDomain; relay: TypedDataDomain },
  };
  client.cache.config = Promise.resolve(config);
  return config;
}

