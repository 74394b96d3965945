import { encodeFunctionData, type Abi, type Address, type Hex } from "viem";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import type { Deployment } from "./deployment";
import type { QueuedOperation } from "./outbox";

/**
 * How queued operations become transactions. With batching on, a run of consecutive operations that can
 * share a transaction goes in one: ledger calls through the ledger's `tryMulticall` (each call runs with
 * the relay as msg.sender, which the by-signature functions ignore; a failing call is reported by a
 * BatchCallFailed event and the others stand), and issues of one
 * brand through `issueBatch`. Everything else, and everything when batching is off, is one call per
 * transaction. Only consecutive operations are grouped, so the queue order is the chain order.
 */
export type BatchKind = "multicall" | "issueBatch" | "single";

export interface Batch {
  kind: BatchKind;
  to: Address;
  ops: QueuedOperation[];
}

export class InvalidCallError extends Error {
  override name = "InvalidCallError";
}

export const ledgerAbi: Abi = consentLedgerAbi as Abi;
export const pointsAbi: Abi = coalitionPointsAbi as Abi;
/** Every custom error either contract can revert with. */
export const contractsAbi: Abi = [...ledgerAbi, ...pointsAbi];

function targetOf(op: QueuedOperation, deployment: Deployment): Address {
  return op.contract === "ledger" ? deployment.ledger : deployment.points;
}

/** The calldata of one operation on its own; throws InvalidCallError when it does not fit the ABI. */
export function encodeOperation(op: QueuedOperation): Hex {
  try {
    return encodeFunctionData({ abi: op.contract === "ledger" ? ledgerAbi : pointsAbi, functionName: op.functionName, args: op.args });
  } catch (err) {
    throw new InvalidCallError(`${op.functionName}: ${(err as Error).message.split("\n")[0]}`);
  }
}

function issueBrand(op: QueuedOperation): string | undefined {
  if (op.contract !== "points" || op.functionName !== "issue" || op.args.length !== 4) return undefined;
  return typeof op.args[0] === "string" ? op.args[0].toLowerCase() : undefined;
}

/** The batch that starts the queue: its first operation and the consecutive ones that can join it. */
export function planBatch(queue: readonly QueuedOperation[], deployment: Deployment, batching: boolean, max: number): Batch | undefined {
  const first = queue[0];
  if (!first) return undefined;
  const to = targetOf(first, deployment);
  if (!batching) return { kind: "single", to, ops: [first] };
  const brand = issueBrand(first);
  let fits: (op: QueuedOperation) => boolean;
  let kind: BatchKind;
  if (first.contract === "ledger") {
    kind = "multicall";
    fits = (op) => op.contract === "ledger";
  } else if (brand) {
    kind = "issueBatch";
    fits = (op) => issueBrand(op) === brand;
  } else {
    return { kind: "single", to, ops: [first] };
  }
  const ops: QueuedOperation[] = [];
  for (const op of queue) {
    if (ops.length >= max || !fits(op)) break;
    ops.push(op);
  }
  return { kind: ops.length === 1 ? "single" : kind, to, ops };
}

/** The calldata of a batch (or of a prefix of it, when looking for the call that reverts). */
export function encodeBatch(kind: BatchKind, ops: readonly QueuedOperation[]): Hex {
  if (kind === "single" || ops.length === 1) {
    if (ops.length !== 1) throw new InvalidCallError("a single call needs exactly one operation");
    return encodeOperation(ops[0]!);
  }
  if (kind === "multicall") {
    return encodeFunctionData({ abi: consentLedgerAbi, functionName: "tryMulticall", args: [ops.map(encodeOperation)] });
  }
  const [brand] = ops[0]!.args as [Address];
  return encodeFunctionData({
    abi: coalitionPointsAbi,
    functionName: "issueBatch",
    args: [
      brand,
      ops.map((op) => op.args[1] as Address),
      ops.map((op) => BigInt(op.args[2] as bigint | number | string)),
      ops.map((op) => op.args[3] as Hex),
    ],
  });
}
