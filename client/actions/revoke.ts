import type { Address } from "viem";
import { resolvePurpose } from "../purposes";
import type { RelayClientBase } from "../relay/createRelayClient";
import { nonceAndDeadline, postSignedAction, type SignedAction } from "../relay/postSignedAction";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import { getSignerAddress, type CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type RevokeParameters = {
  /** Who signs: the customer, or one of the customer's live delegates (then give `subject`). */
  signer: CustomerSigner;
  /** The customer; the signer's address when omitted. */
  subject?: Address | undefined;
  /** The brand (controller). */
  controller: Address;
  /** The purpose: its name or bytes32 id. */
  purpose: string;
  /** The ledger nonce; the next one, read from the relay, when omitted. */
  nonce?: bigint | undefined;
  /** Unix seconds after which the signature is void; one hour after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
export type RevokeReturnType = SignedAction<"Revoke">;
export type RevokeErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * Revokes one consent: signs a Revoke and posts it. The relay applies it at once (the brand's devices
 * are refused from the moment of the 202), then submits `revokeBySig` ahead of other work.
 *
 * @example
 * const { operation } = await revoke(relay, { signer: account, controller: brand.address, purpose: "loyalty" })
 */
export async function revoke(client: RelayClientBase, { signer, subject, controller, purpose, nonce, deadline, signal }: RevokeParameters): Promise<RevokeReturnType> {
  const s = subject ?? (await getSignerAddress(signer));
  const message = {
    subject: s,
    controller,
    purpose: resolvePurpose(purpose),
    ...(await nonceAndDeadline(client, { lane: "ledger", subject: s, nonce, deadline, signal })),
  };
  return postSignedAction(client, { signer, primaryType: "Revoke", message, path: "/v1/consents/revoke", signal });
}
