import fs from "node:fs";
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
  fs.mkdirSync(require("node:path").dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(deployment, null, 2) + "\n");
}
