import type { Address } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import type { RelayDeps } from "../deps";

/**
 * `{ tier }` as CoalitionPoints' tierOf(customer) answers now, for the staff screen; `{}` when the chain
 * does not answer (the recognition is shown without it rather than delayed or lost).
 */
export async function tierOf(deps: Pick<RelayDeps, "chain" | "logger">, customer: string): Promise<{ tier?: number }> {
  try {
    const tier = await deps.chain.client.readContract({ address: deps.chain.deployment.points, abi: coalitionPointsAbi, functionName: "tierOf", args: [customer as Address] });
    return { tier: Number(tier) };
  } catch (err) {
    deps.logger.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, "tierOf failed; recognition sent without the tier");
    return {};
  }
}
