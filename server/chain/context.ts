import { createPublicClient, getAddress, http, zeroAddress, type PublicClient } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import type { Env } from "../config";
import fs from "node:fs";
import { defaultDeploymentFile, readDeployment, DeploymentError, type Deployment } from "./deployment";
import { nodeFetch } from "../http/nodeFetch";

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
 * Resolves the deployment (DEPLOYMENT_FILE; else LEDGER_ADDRESS / POINTS_ADDRESS / DEPLOY_BLOCK with the
 * rest read from the chain; else the file `npm run deploy` writes for this chain, deployments/localhost.json
 * on a local chain) and checks the endpoint serves the expected chain with code at both addresses.
 */
export async function connectChain(config: Env): Promise<ChainContext> {
  const client = createPublicClient({
    // node:http(s) with kept-alive connections rather than the platform's fetch: nodeFetch.ts.
    transport: http(config.RPC_URL, { retryCount: 0, timeout: 10_000, fetchFn: nodeFetch() }),
  }) as PublicClient;
  const chainId = await client.getChainId();
  const deployment = await resolveDeployment(config, client, chainId);
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

/**
 * From the environment, the settlement asset and unit value are read from CoalitionPoints; governance
 * (an AccessControl role holder, which the contract does not enumerate) is left as the zero address:
 * nothing in the relay uses it.
 */
async function resolveDeployment(config: Env, client: PublicClient, chainId: number): Promise<Deployment> {
  if (config.DEPLOYMENT_FILE) return readDeployment(config.DEPLOYMENT_FILE);
  if (config.LEDGER_ADDRESS && config.POINTS_ADDRESS) {
    const points = getAddress(config.POINTS_ADDRESS);
    const read = <F extends "settlementAsset" | "unitValue">(functionName: F) =>
      client.readContract({ address: points, abi: coalitionPointsAbi, functionName });
    const [settlement, unitValue] = await Promise.all([read("settlementAsset"), read("unitValue")]).catch((err: Error) => {
      throw new ChainMismatchError(`cannot read CoalitionPoints at ${points} on chain ${chainId}: ${err.message.split("\n")[0]}`);
    });
    return {
      chainId,
      ledger: getAddress(config.LEDGER_ADDRESS),
      points,
      settlement,
      deployBlock: config.DEPLOY_BLOCK ?? 0,
      unitValue: unitValue.toString(),
      governance: zeroAddress,
    };
  }
  const file = defaultDeploymentFile(chainId);
  if (fs.existsSync(file)) return readDeployment(file);
  throw new DeploymentError(`no deployment for chain ${chainId}: run \`npm run deploy\` (it writes ${file}), or set DEPLOYMENT_FILE, or LEDGER_ADDRESS and POINTS_ADDRESS`);
}
