import type { Address, Hex } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { postCardMessage } from "../relay/postCardMessage";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import type { CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type LinkCardParameters = {
  /** The customer's wallet. */
  signer: CustomerSigner;
  /** The brand whose loyalty card it is. */
  brand: Address;
  /** The card's token as the brand's readers see it (4-128 printable characters). */
  cardToken: string;
  /** Unix seconds after which the signature is void; ten minutes after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
export type LinkCardReturnType = { linked: true; signature: Hex };
export type LinkCardErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * Links a brand's loyalty card to the wallet (a signed LinkCard, relay domain): the brand's readers then
 * recognise the customer by card, under the same consents. The relay keeps only a keyed hash of the token.
 *
 * @example await linkCard(relay, { signer: account, brand: cafe.address, cardToken: "CARD-0042" })
 */
export async function linkCard(client: RelayClientBase, params: LinkCardParameters): Promise<LinkCardReturnType> {
  const { signature } = await postCardMessage<{ linked: true }>(client, { ...params, primaryType: "LinkCard", path: "/v1/cards/link" });
  return { linked: true, signature };
}
