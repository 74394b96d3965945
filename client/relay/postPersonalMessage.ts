import type { Address, Hex } from "viem";
import { getSignerAddress, type CustomerSigner } from "../signing/signer";
import { signCustomerMessage } from "../signing/signCustomerMessage";
import { cachedConfig } from "./cachedConfig";
import type { RelayClientBase } from "./createRelayClient";
import { nonceAndDeadline } from "./postSignedAction";
import { relayRequest } from "./relayRequest";

/** How long a display-name or shopping-list signature stays valid when no deadline is given: five minutes (the relay accepts at most fifteen). */
export const PERSONAL_MESSAGE_VALIDITY_SECONDS = 300;

/** Signs one of the relay's personal-data messages (relay domain) for `brand` and posts it with the signature to `path`. */
export async function postPersonalMessage<T>(
  client: RelayClientBase,
  p: {
    signer: CustomerSigner;
    brand: Address;
    primaryType: "ShareDisplayName" | "ReadShoppingList" | "ClearShoppingList";
    extra?: { displayName: string };
    deadline?: bigint | undefined;
    signal?: AbortSignal | undefined;
    path: string;
  },
): Promise<{ answer: T; signature: Hex }> {
  const contracts = await cachedConfig(client, p.signal);
  const subject = await getSignerAddress(p.signer);
  const deadline = p.deadline ?? (await nonceAndDeadline(client, { lane: "ledger", subject, validity: PERSONAL_MESSAGE_VALIDITY_SECONDS, signal: p.signal })).deadline;
  const message = { subject, brand: p.brand, ...p.extra, deadline };
  const signature = await signCustomerMessage({ signer: p.signer, contracts, primaryType: p.primaryType, message: message as never });
  const answer = await relayRequest<T>(client, { method: "POST", path: p.path, body: { ...message, signature }, signal: p.signal });
  return { answer, signature };
}
