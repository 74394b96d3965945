import type { Address, Hex } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { postPersonalMessage } from "../relay/postPersonalMessage";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import type { CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type ShareDisplayNameParameters = {
  /** The customer's wallet. */
  signer: CustomerSigner;
  /** The brand whose staff may greet the customer by this name. */
  brand: Address;
  /** Up to 40 letters, digits, spaces, '.', '-' or apostrophes; "" removes the name. */
  displayName: string;
  /** Unix seconds after which the signature is void; five minutes after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
/** The name the brand now holds (null: none). */
export type ShareDisplayNameReturnType = { displayName: string | null; signature: Hex };
export type ShareDisplayNameErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * Shares a name with a brand for in-store greeting (signed ShareDisplayName, relay domain). The relay
 * keeps it only while the customer grants the brand in-store recognition (409 `consent_required`
 * otherwise) and erases it when that consent is revoked; "" removes it at once.
 *
 * @example await shareDisplayName(relay, { signer: account, brand: cafe.address, displayName: "Camille" })
 */
export async function shareDisplayName(client: RelayClientBase, { signer, brand, displayName, deadline, signal }: ShareDisplayNameParameters): Promise<ShareDisplayNameReturnType> {
  const { answer, signature } = await postPersonalMessage<{ displayName: string | null }>(client, {
    signer,
    brand,
    primaryType: "ShareDisplayName",
    extra: { displayName },
    deadline,
    signal,
    path: "/v1/customers/display-name",
  });
  return { displayName: answer.displayName, signature };
}
