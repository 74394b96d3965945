import { WaitForOperationTimeoutError } from "../errors/operation";
import type { RelayClientBase } from "../relay/createRelayClient";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import type { Operation } from "../relay/types";
import { getOperation } from "./getOperation";

export type WaitForOperationParameters = {
  /** The id the relay answered the action with. */
  operationId: string;
  /** Resolve once "submitted" (the transaction hash is known) or "confirmed" (mined at the relay's confirmation depth; the default). A failure always ends the wait. */
  until?: "submitted" | "confirmed" | undefined;
  /** Polling interval in ms; the client's (default 1000) when omitted. */
  pollingInterval?: number | undefined;
  /** Give up after this many ms (default 60000) with WaitForOperationTimeoutError; 0 waits forever. */
  timeout?: number | undefined;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** Called with the operation each time its status changes, the first time included (to show every stage). */
  onStatus?: ((operation: Operation) => void) | undefined;
};
/** The operation as last seen: `status` is "confirmed" (or "submitted" with `until: "submitted"`) or "failed", with `error`. */
export type WaitForOperationReturnType = Operation;
export type WaitForOperationErrorType = RelayRequestErrorType | WaitForOperationTimeoutError;

const RANK = { queued: 0, submitted: 1, confirmed: 2, failed: 3 } as const;

/**
 * Follows an operation from queued to submitted to confirmed or failed, by polling the relay.
 *
 * @example
 * const op = await waitForOperation(relay, { operationId, onStatus: (o) => show(o.status, o.txHash) })
 * if (op.status === "failed") console.log(op.error.code)
 */
export async function waitForOperation(
  client: RelayClientBase,
  { operationId, until = "confirmed", pollingInterval = client.pollingInterval, timeout = 60_000, signal, onStatus }: WaitForOperationParameters,
): Promise<WaitForOperationReturnType> {
  const deadline = timeout > 0 ? Date.now() + timeout : Infinity;
  let last: Operation | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const op = await getOperation(client, { operationId, signal });
    if (op.status !== last?.status) onStatus?.(op);
    last = op;
    if (op.status === "failed" || RANK[op.status] >= RANK[until]) return op;
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitForOperationTimeoutError({ operationId, lastStatus: op.status, timeout });
    await sleep(Math.min(pollingInterval, left), signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
