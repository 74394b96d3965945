import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import type { Operation } from "../relay/types";

export type GetOperationParameters = {
  /** The id the relay answered the action with. */
  operationId: string;
  signal?: AbortSignal | undefined;
};
export type GetOperationReturnType = Operation;
export type GetOperationErrorType = RelayRequestErrorType;

/**
 * An accepted chain action now (`GET /v1/operations/{id}`): queued, submitted (with its transaction
 * hash), confirmed (with its block) or failed (with the reason).
 *
 * @example const { status, txHash } = await getOperation(relay, { operationId })
 */
export async function getOperation(client: RelayClientBase, { operationId, signal }: GetOperationParameters): Promise<GetOperationReturnType> {
  return relayRequest<Operation>(client, { method: "GET", path: `/v1/operations/${encodeURIComponent(operationId)}`, signal });
}
