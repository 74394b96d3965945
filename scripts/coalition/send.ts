import type { Abi, Address } from "viem";
import { decodeCustomError, revertOf } from "../../server/chain/revert";
import type { Ctx } from "./context";
import { ChainError, RefusedError, shortMessage } from "./errors";
import { explain } from "./explain";

export interface Call {
  /** The contract's name for messages: "CoalitionPoints", "ConsentLedger", the settlement asset's symbol. */
  contract: string;
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
  /** How the call is printed, e.g. `admitBrand(0x15d3…)`. */
  label: string;
}

/** A failed simulation or submission as a contract's refusal (decoded) or a failure of the endpoint. */
function failure(ctx: Ctx, call: Call, err: unknown): Error {
  const revert = revertOf(err);
  if (!revert) return new ChainError(`the chain at ${ctx.rpcUrl} did not take ${call.label}: ${shortMessage(err)}`);
  const decoded = revert.data && revert.data !== "0x" ? decodeCustomError(revert.data) : undefined;
  if (!decoded) return new RefusedError(call.contract, "reverted", revert.message);
  const text = `${decoded.errorName}(${decoded.args.map((v) => String(v)).join(", ")})`;
  return new RefusedError(call.contract, text, explain(decoded.errorName, decoded.args, ctx.settlement));
}

/**
 * Sends one call from the command's key: simulated first (a refusal is decoded and nothing is sent), then
 * signed, broadcast and followed to its receipt. Prints the call, the transaction hash, its block and gas.
 */
export async function send(ctx: Ctx, call: Call): Promise<void> {
  const { client, wallet } = ctx;
  const account = wallet!.account;
  let hash;
  try {
    const { request } = await client.simulateContract({ account, address: call.address, abi: call.abi, functionName: call.functionName, args: call.args } as never);
    hash = await wallet!.writeContract(request as never);
  } catch (err) {
    throw failure(ctx, call, err);
  }
  ctx.out(`${call.label} from ${account.address}`);
  ctx.out(`  transaction ${hash}`);
  let receipt;
  try {
    receipt = await client.waitForTransactionReceipt({ hash });
  } catch (err) {
    throw new ChainError(`transaction ${hash} was sent but its receipt could not be read from ${ctx.rpcUrl}: ${shortMessage(err)}`);
  }
  ctx.out(`  block ${receipt.blockNumber}, gas used ${receipt.gasUsed.toLocaleString("en-US")}, ${receipt.status === "success" ? "succeeded" : "REVERTED"}`);
  if (receipt.status !== "success") throw new RefusedError(call.contract, "reverted on chain", "the transaction reverted after it was simulated successfully: the state changed in between; run `status` and try again.");
}
