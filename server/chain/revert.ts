import { decodeErrorResult, type Hex } from "viem";
import { contractsAbi } from "./batch";
import type { OperationError } from "./outbox";

/**
 * Telling a revert (the call itself is refused: a permanent answer about this operation) from a failure
 * to reach the endpoint (transient: retry), and naming the revert with the contracts' custom errors.
 */
const TRANSPORT_ERRORS = new Set(["HttpRequestError", "TimeoutError", "SocketClosedError", "WebSocketRequestError"]);
const HEX = /^0x[0-9a-fA-F]*$/;

interface Walked {
  name?: unknown;
  data?: unknown;
  message?: unknown;
  shortMessage?: unknown;
  cause?: unknown;
}

function chain(err: unknown): Walked[] {
  const out: Walked[] = [];
  let cur: unknown = err;
  while (cur && typeof cur === "object" && out.length < 20) {
    out.push(cur as Walked);
    cur = (cur as Walked).cause;
  }
  return out;
}

function revertData(e: Walked): Hex | undefined {
  if (typeof e.data === "string" && HEX.test(e.data) && e.data.length >= 2) return e.data as Hex;
  if (e.data && typeof e.data === "object") {
    const inner = (e.data as { data?: unknown }).data;
    if (typeof inner === "string" && HEX.test(inner)) return inner as Hex;
  }
  return undefined;
}

/** The revert data of a failed call, or undefined when the failure is not a revert (endpoint down...). */
export function revertOf(err: unknown): { data?: Hex; message: string } | undefined {
  const errors = chain(err);
  if (errors.some((e) => typeof e.name === "string" && TRANSPORT_ERRORS.has(e.name))) return undefined;
  for (const e of errors) {
    const data = revertData(e);
    if (data) return { data, message: String(e.shortMessage ?? e.message ?? "reverted") };
  }
  const reverted = errors.find(
    (e) => e.name === "ExecutionRevertedError" || /revert|VM Exception|invalid opcode|out of gas/i.test(String(e.message ?? "")),
  );
  if (reverted) return { message: String(reverted.shortMessage ?? reverted.message ?? "reverted").split("\n")[0]! };
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  return String(value);
}

/** A custom error of the contracts by name and arguments, or undefined when the data is none of theirs. */
export function decodeCustomError(data: Hex): { errorName: string; args: readonly unknown[] } | undefined {
  try {
    const decoded = decodeErrorResult({ abi: contractsAbi, data });
    return { errorName: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] };
  } catch {
    return undefined;
  }
}

/** A revert as an operation error: the custom error's name as code, name and arguments as message. */
export function decodeRevert(revert: { data?: Hex; message: string }): OperationError {
  if (!revert.data || revert.data === "0x") return { code: "Reverted", message: revert.message };
  const decoded = decodeCustomError(revert.data);
  if (!decoded) return { code: "Reverted", message: `reverted with unknown error data ${revert.data.slice(0, 74)}` };
  return { code: decoded.errorName, message: `${decoded.errorName}(${decoded.args.map(show).join(", ")})` };
}
