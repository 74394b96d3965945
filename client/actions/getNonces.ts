import type { Address } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";

export type GetNoncesParameters = {
  /** The customer. */
  address: Address;
  signal?: AbortSignal | undefined;
};
/**
 * The nonces the customer's next signed actions must carry: ConsentLedger's and CoalitionPoints', and
 * the ledger's SetDelegate lane when the relay reports one (a ledger with `delegateNonces`); `now` is the
 * unix time the relay checks deadlines against (the later of its clock and the chain's).
 */
export type GetNoncesReturnType = { ledger: bigint; points: bigint; delegate?: bigint; now: bigint };
export type GetNoncesErrorType = RelayRequestErrorType;

/**
 * The nonces of the customer's next signed ledger and points actions (`GET /v1/customers/{address}/nonces`):
 * the chain's, or one past the actions the relay accepted and has not yet seen land.
 *
 * @example const { ledger } = await getNonces(relay, { address })
 */
export async function getNonces(client: RelayClientBase, { address, signal }: GetNoncesParameters): Promise<GetNoncesReturnType> {
  const n = await relayRequest<{ ledger: string; points: string; delegate?: string; now?: string }>(client, { method: "GET", path: `/v1/customers/${address}/nonces`, signal });
  return {
    ledger: BigInt(n.ledger),
    points: BigInt(n.points),
    ...(n.delegate === undefined ? {} : { delegate: BigInt(n.delegate) }),
    now: n.now === undefined ? BigInt(Math.floor(Date.now() / 1000)) : BigInt(n.now),
  };
}
