import type { Address, Hex } from "viem";
import { cachedConfig } from "../relay/cachedConfig";
import type { RelayClientBase } from "../relay/createRelayClient";
import { nonceAndDeadline, RELAY_MESSAGE_VALIDITY_SECONDS } from "../relay/postSignedAction";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import { getSignerAddress, type CustomerSigner } from "../signing/signer";
import { signCustomerMessage, type SignCustomerMessageErrorType } from "../signing/signCustomerMessage";


export type EraseDataParameters = {
  /** The customer's wallet. */
  signer: CustomerSigner;
  /** The brand whose off-chain data about the customer the relay erases. */
  brand: Address;
  /** Unix seconds after which the signature is void; ten minutes after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
/** How many rows were erased: store visits, shopping-list scans, card links. */
export type EraseDataReturnType = { visits: number; scans: number; cards: number; signature: Hex };
export type EraseDataErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * Erases what the relay keeps off chain about the customer for one brand (visits, shopping-list scans,
 * card links): a signed EraseData (relay domain). What is on chain stays: it holds no personal data.
 *
 * @example const { visits } = await eraseData(relay, { signer: account, brand: fashion.address })
 */
export async function eraseData(client: RelayClientBase, { signer, brand, deadline, signal }: EraseDataParameters): Promise<EraseDataReturnType> {
  const contracts = await cachedConfig(client, signal);
  const subject = await getSignerAddress(signer);
  const message = { subject, brand, deadline: deadline ?? (await nonceAndDeadline(client, { lane: "ledger", subject, validity: RELAY_MESSAGE_VALIDITY_SECONDS, signal })).deadline };
  const signature = await signCustomerMessage({ signer, contracts, primaryType: "EraseData", message });
  const counts = await relayRequest<{ visits: number; scans: number; cards: number }>(client, { method: "POST", path: "/v1/customers/erase", body: { ...message, signature }, signal });
  return { ...counts, signature };
}
