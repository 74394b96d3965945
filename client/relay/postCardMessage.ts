import { keccak256, toBytes, type Address, type Hex } from "viem";
import { getSignerAddress, type CustomerSigner } from "../signing/signer";
import { signCustomerMessage } from "../signing/signCustomerMessage";
import { cachedConfig } from "./cachedConfig";
import type { RelayClientBase } from "./createRelayClient";
import { nonceAndDeadline, RELAY_MESSAGE_VALIDITY_SECONDS } from "./postSignedAction";
import { relayRequest } from "./relayRequest";

/** Signs a LinkCard or UnlinkCard (relay domain; `card` is keccak256 of the token) and posts it with the token itself. */
export async function postCardMessage<T>(
  client: RelayClientBase,
  p: { signer: CustomerSigner; brand: Address; cardToken: string; deadline?: bigint | undefined; signal?: AbortSignal | undefined; primaryType: "LinkCard" | "UnlinkCard"; path: string },
): Promise<{ answer: T; signature: Hex }> {
  const contracts = await cachedConfig(client, p.signal);
  const subject = await getSignerAddress(p.signer);
  const deadline = p.deadline ?? (await nonceAndDeadline(client, { lane: "ledger", subject, validity: RELAY_MESSAGE_VALIDITY_SECONDS, signal: p.signal })).deadline;
  const message = { subject, brand: p.brand, card: keccak256(toBytes(p.cardToken)), deadline };
  const signature = await signCustomerMessage({ signer: p.signer, contracts, primaryType: p.primaryType, message });
  const answer = await relayRequest<T>(client, { method: "POST", path: p.path, body: { subject, brand: p.brand, cardToken: p.cardToken, deadline, signature }, signal: p.signal });
  return { answer, signature };
}
