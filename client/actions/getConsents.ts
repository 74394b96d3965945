import type { Address } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import type { Consent, CustomerConsents } from "../relay/types";

export type GetConsentsParameters = {
  /** The customer. */
  address: Address;
  signal?: AbortSignal | undefined;
};
export type GetConsentsReturnType = CustomerConsents;
export type GetConsentsErrorType = RelayRequestErrorType;

type ConsentsJson = Omit<CustomerConsents, "consents"> & { consents: (Omit<Consent, "categories"> & { categories: string })[] };

/**
 * The customer's consents to every brand (`GET /v1/customers/{address}/consents`), as indexed from the
 * chain with the relay's pending actions applied (a revocation counts from the moment the relay accepted
 * it), purposes and categories by name and id.
 *
 * @example
 * const { consents } = await getConsents(relay, { address })
 * const active = consents.filter((c) => c.active)
 */
export async function getConsents(client: RelayClientBase, { address, signal }: GetConsentsParameters): Promise<GetConsentsReturnType> {
  const r = await relayRequest<ConsentsJson>(client, { method: "GET", path: `/v1/customers/${address}/consents`, signal });
  return { ...r, consents: r.consents.map((c) => ({ ...c, categories: BigInt(c.categories) })) };
}
