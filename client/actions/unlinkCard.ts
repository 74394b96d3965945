import type { Address, Hex } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { postCardMessage } from "../relay/postCardMessage";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import type { CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type UnlinkCardParameters = {
  /** The customer's wallet. */
  signer: CustomerSigner;
  /** The brand whose loyalty card it is. */
  brand: Address;
  /** The card's token. */
  cardToken: string;
  /** Unix seconds after which the signature is void; ten minutes after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
/** `erased`: 1 when the link existed, 0 when there was none. */
export type UnlinkCardReturnType = { erased: number; signature: Hex };
export type UnlinkCardErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * Unlinks a loyalty card from the wallet (a signed UnlinkCard): the relay erases the link.
 *
 * @example const { erased } = await unlinkCard(relay, { signer: account, brand: cafe.address, cardToken: "CARD-0042" })
 */
export async function unlinkCard(client: RelayClientBase, params: UnlinkCardParameters): Promise<UnlinkCardReturnType> {
  const { answer, signature } = await postCardMessage<{ erased: number }>(client, { ...params, primaryType: "UnlinkCard", path: "/v1/cards/unlink" });
  return { erased: answer.erased, signature };
}
