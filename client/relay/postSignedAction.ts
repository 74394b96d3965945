import type { Address, Hex } from "viem";
import { getNonces } from "../actions/getNonces";
import type { CustomerMessage, CustomerPrimaryType } from "../signing/customerTypedData";
import { signCustomerMessage } from "../signing/signCustomerMessage";
import type { CustomerSigner } from "../signing/signer";
import { cachedConfig } from "./cachedConfig";
import type { RelayClientBase } from "./createRelayClient";
import { relayRequest } from "./relayRequest";
import type { AcceptedOperation } from "./types";

/** A signed action the relay accepted: its operation, and exactly what was signed (a receipt to keep). */
export type SignedAction<P extends CustomerPrimaryType> = {
  operation: AcceptedOperation;
  primaryType: P;
  message: CustomerMessage<P>;
  signature: Hex;
};

/** How long a signature stays valid when no deadline is given: one hour from the relay's "now". */
export const DEFAULT_VALIDITY_SECONDS = 3600;

/** How long a card link or erasure signature stays valid when no deadline is given: ten minutes (a captured one could be replayed until then). */
export const RELAY_MESSAGE_VALIDITY_SECONDS = 600;

/**
 * The nonce and deadline of a signed action, each as given or else from the relay: the next nonce of the
 * lane, and `validity` seconds after the time the relay checks deadlines against (so a device whose clock
 * is wrong, or a test chain whose time was moved, still signs a deadline the relay and the chain accept).
 */
export async function nonceAndDeadline(
  client: RelayClientBase,
  p: { lane: "ledger" | "points" | "delegate"; subject: Address; nonce?: bigint | undefined; deadline?: bigint | undefined; validity?: number; signal?: AbortSignal | undefined },
): Promise<{ nonce: bigint; deadline: bigint }> {
  if (p.nonce !== undefined && p.deadline !== undefined) return { nonce: p.nonce, deadline: p.deadline };
  const n = await getNonces(client, { address: p.subject, signal: p.signal });
  // SetDelegate uses the ledger's own delegate lane where the relay reports one, the shared ledger nonce otherwise.
  const next = p.lane === "delegate" ? (n.delegate ?? n.ledger) : n[p.lane];
  return { nonce: p.nonce ?? next, deadline: p.deadline ?? n.now + BigInt(p.validity ?? DEFAULT_VALIDITY_SECONDS) };
}

/** Signs `message` for the relay's chain and contracts, posts it with the signature to `path`. */
export async function postSignedAction<P extends CustomerPrimaryType>(
  client: RelayClientBase,
  p: { signer: CustomerSigner; primaryType: P; message: CustomerMessage<P>; path: string; signal?: AbortSignal | undefined },
): Promise<SignedAction<P>> {
  const contracts = await cachedConfig(client, p.signal);
  const signature = await signCustomerMessage({ signer: p.signer, contracts, primaryType: p.primaryType, message: p.message });
  const operation = await relayRequest<AcceptedOperation>(client, { method: "POST", path: p.path, body: { ...p.message, signature }, signal: p.signal });
  return { operation, primaryType: p.primaryType, message: p.message, signature };
}
