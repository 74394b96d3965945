import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { getAddress, type Address } from "viem";

/** What `npm run deploy` writes and the relay, indexer and scripts read: where the contracts live. */
export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  ledger: z.string().transform((a) => getAddress(a)),
  points: z.string().transform((a) => getAddress(a)),
  settlement: z.string().transform((a) => getAddress(a)),
  /** Block of the first deployment transaction: the indexer starts here. */
  deployBlock: z.number().int().nonnegative(),
  unitValue: z.string().regex(/^\d+$/),
  governance: z.string().transform((a) => getAddress(a)),
});

export type Deployment = {
  chainId: number;
  ledger: Address;
  points: Address;
  settlement: Address;
  deployBlock: number;
  unitValue: string;
  governance: Address;
};

export class DeploymentError extends Error {
  override name = "DeploymentError";
}

export function readDeployment(file: string): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new DeploymentError(`cannot read deployment file ${file}: ${(err as Error).message}`);
  }
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) throw new DeploymentError(`deployment file ${file} is invalid: ${parsed.error.message}`);
  return parsed.data as Deployment;
}

export function writeDeployment(file: string, deployment: Deployment): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(deployment, null, 2) + "\n");
}

/** Hardhat's chain id: `npm run deploy` names its file "localhost" there. */
export const LOCAL_CHAIN_ID = 31337;

/** The name `npm run deploy` gives a chain's deployment file by default: "localhost" on a local chain, else "chain-<id>". */
export function defaultDeploymentName(chainId: number): string {
  return chainId === LOCAL_CHAIN_ID ? "localhost" : `chain-${chainId}`;
}

/**
 * The file `npm run deploy` writes for a chain by default: `<dir>/<name>.json`, with `dir` DEPLOYMENTS_DIR
 * or deployments/ in the working directory (the repository's root for every npm script).
 */
export function defaultDeploymentFile(chainId: number, dir: string = process.env.DEPLOYMENTS_DIR ?? "deployments"): string {
  return path.resolve(dir, `${defaultDeploymentName(chainId)}.json`);
}
