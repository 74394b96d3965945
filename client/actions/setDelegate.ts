import type { Address } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { nonceAndDeadline, postSignedAction, type SignedAction } from "../relay/postSignedAction";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import { getSignerAddress, type CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type SetDelegateParameters = {
  /** The customer (only the customer signs SetDelegate, never a delegate). */
  signer: CustomerSigner;
  /** Who may sign grants and revocations for the customer. */
  delegate: Address;
  /** Unix seconds until which the delegate may sign (inclusive); 0 removes the delegate. */
  until: number;
  /** The nonce; read from the relay when omitted. */
  nonce?: bigint | undefined;
  /** Unix seconds after which the signature is void; one hour after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
export type SetDelegateReturnType = SignedAction<"SetDelegate">;
export type SetDelegateErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * Appoints a delegate (a personal data agent, a guardian) who may sign grants and revocations for the
 * customer until `until`, or removes it (`until: 0`): signs a SetDelegate and posts it.
 *
 * @example
 * await setDelegate(relay, { signer: account, delegate: agent, until: Math.floor(Date.now() / 1000) + 30 * 86400 })
 */
export async function setDelegate(client: RelayClientBase, { signer, delegate, until, nonce, deadline, signal }: SetDelegateParameters): Promise<SetDelegateReturnType> {
  const subject = await getSignerAddress(signer);
  const message = {
    subject,
    delegate,
    until,
    ...(await nonceAndDeadline(client, { lane: "delegate", subject, nonce, deadline, signal })),
  };
  return postSignedAction(client, { signer, primaryType: "SetDelegate", message, path: "/v1/consents/set-delegate", signal });
}
