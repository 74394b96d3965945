import type { Address } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { nonceAndDeadline, postSignedAction, type SignedAction } from "../relay/postSignedAction";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import { getSignerAddress, type CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type RevokeAllParameters = {
  /** Who signs: the customer, or one of the customer's live delegates (then give `subject`). */
  signer: CustomerSigner;
  /** The customer; the signer's address when omitted. */
  subject?: Address | undefined;
  /** The brand (controller) whose every consent ends. */
  controller: Address;
  /** The ledger nonce; the next one, read from the relay, when omitted. */
  nonce?: bigint | undefined;
  /** Unix seconds after which the signature is void; one hour after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
export type RevokeAllReturnType = SignedAction<"RevokeAll">;
export type RevokeAllErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * Revokes every consent given to one brand (RevokeAll), in force at the relay at once.
 *
 * @example
 * await revokeAll(relay, { signer: account, controller: brand.address })
 */
export async function revokeAll(client: RelayClientBase, { signer, subject, controller, nonce, deadline, signal }: RevokeAllParameters): Promise<RevokeAllReturnType> {
  const s = subject ?? (await getSignerAddress(signer));
  const message = {
    subject: s,
    controller,
    ...(await nonceAndDeadline(client, { lane: "ledger", subject: s, nonce, deadline, signal })),
  };
  return postSignedAction(client, { signer, primaryType: "RevokeAll", message, path: "/v1/consents/revoke-all", signal });
}
