import type { Address } from "viem";
import { RelayError } from "../errors/relay";
import { parseReceipt, type ConsentReceipt } from "../receipts/schema";
import type { InvalidReceiptError } from "../receipts/schema";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";

export type GetReceiptParameters = (
  | {
      /** The id the relay answered a grant, revoke or revoke-all with. */
      operationId: string;
      controller?: undefined;
      seq?: undefined;
    }
  | {
      operationId?: undefined;
      /** The brand whose history holds the action. */
      controller: Address;
      /** Its 1-based position in that history. */
      seq: bigint | number;
    }
) & {
  /** Until the action is on chain the relay answers 409 `receipt_not_ready`: poll until then, for at most this many ms (default 0: do not wait). */
  wait?: number | undefined;
  /** Polling interval in ms while waiting; the client's when omitted. */
  pollingInterval?: number | undefined;
  signal?: AbortSignal | undefined;
};
/** The `confiance-receipt/1` record, checked against its schema; verify it against the chain with `verifyReceipt`. */
export type GetReceiptReturnType = ConsentReceipt;
export type GetReceiptErrorType = RelayRequestErrorType | InvalidReceiptError;

/**
 * The customer's receipt of a consent action, from the relay: by the operation the relay accepted
 * (`GET /v1/receipts/operations/{id}`) or by position in the brand's history (`GET /v1/receipts/{controller}/{seq}`).
 * The relay is not trusted for it: `verifyReceipt` checks every field against the chain.
 *
 * @example
 * const { operation } = await relay.grant({ signer, controller, purpose: "loyalty", categories: ["identity"] })
 * const receipt = await relay.getReceipt({ operationId: operation.operationId, wait: 60_000 })
 */
export async function getReceipt(client: RelayClientBase, p: GetReceiptParameters): Promise<GetReceiptReturnType> {
  const path =
    p.operationId !== undefined
      ? `/v1/receipts/operations/${encodeURIComponent(p.operationId)}`
      : `/v1/receipts/${p.controller.toLowerCase()}/${BigInt(p.seq).toString()}`;
  const until = Date.now() + (p.wait ?? 0);
  for (;;) {
    p.signal?.throwIfAborted();
    try {
      return parseReceipt(await relayRequest<unknown>(client, { method: "GET", path, signal: p.signal }));
    } catch (err) {
      const notReady = err instanceof RelayError && err.code === "receipt_not_ready";
      if (!notReady || Date.now() >= until) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(p.pollingInterval ?? client.pollingInterval, Math.max(0, until - Date.now()))));
  }
}
