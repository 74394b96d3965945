import { createPublicClient, http, type PublicClient } from "viem";
import type { Env } from "../config";
import { readDeployment, DeploymentError, type Deployment } from "./deployment";

/** The chain the relay talks to: a viem public client and the deployment it serves. */
export interface ChainContext {
  client: PublicClient;
  chainId: number;
  deployment: Deployment;
  rpcUrl: string;
}

export class ChainMismatchError extends Error {
  override name = "ChainMismatchError";
}

/**
 * Resolves the deployment (DEPLOYMENT_FILE, else LEDGER_ADDRESS / POINTS_ADDRESS / DEPLOY_BLOCK with the
 * rest read from the chain) and checks the endpoint serves the expected chain with code at both addresses.
 */
export async function connectChain(config: Env): Promise<ChainContext> {
  const client = createPublicClient({
    transport: http(config.RPC_URL, { retryCount: 0, timeout: 10_000 }),
  }) as PublicClient;
  const chainId = await client.getChainId();
  const deployment = resolveDeployment(config, chainId);
  if (deployment.chainId !== chainId) {
    throw new ChainMismatchError(`deployment is for chain ${deployment.chainId}, ${config.RPC_URL} serves ${chainId}`);
  }
  if (config.CHAIN_ID !== undefined && config.CHAIN_ID !== chainId) {
    throw new ChainMismatchError(`CHAIN_ID is ${config.CHAIN_ID}, ${config.RPC_URL} serves ${chainId}`);
  }
  for (const [name, address] of [["ledger", deployment.ledger], ["points", deployment.points]] as const) {
    const code = await client.getCode({ address });
    if (!code || code === "0x") throw new ChainMismatchError(`no ${name} contract at ${address} on chain ${chainId}`);
  }
  return { client, chainId, deployment, rpcUrl: config.RPC_URL };
}

function resolveDeployment(config: Env, chainId: number): Deployment {
  if (config.DEPLOYMENT_FILE) return readDeployment(config.DEPLOYMENT_FILE);
  if (config.LEDGER_ADDRESS && config.POINTS_ADDRESS) {
    return {
      chainId,
      ledger: config.LEDGER_ADDRESS as `0x${string}`,
      points: config.POINTS_ADDRESS as `0x${string}`,
      settlement: "0x0000000000000000000000000000000000000000",
      deployBlock: config.DEPLOY_BLOCK ?? 0,
      unitValue: "0",
      governance: "0x0000000000000000000000000000000000000000",
    };
  }
  throw new DeploymentError("set DEPLOYMENT_FILE, or LEDGER_ADDRESS and POINTS_ADDRESS");
}
