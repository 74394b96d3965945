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

/** How long a signature stays valid when no deadline is given: one hour from the local clock. */
export const DEFAULT_VALIDITY_SECONDS = 3600;

/** How long a card link or erasure signature stays valid when no deadline is given: ten minutes (a captured one could be replayed until then). */
export const RELAY_MESSAGE_VALIDITY_SECONDS = 600;

export function deadlineIn(seconds: number): bigint {
  return BigInt(Math.floor(Date.now() / 1000) + seconds);
}

/** The nonce the next signed action of this lane must carry, unless the caller chose one. */
export async function nonceFor(client: RelayClientBase, lane: "ledger" | "points" | "delegate", subject: Address, given: bigint | undefined, signal?: AbortSignal): Promise<bigint> {
  if (given !== undefined) return given;
  const n = await getNonces(client, { address: subject, signal });
  // SetDelegate uses the ledger's own delegate lane where the relay reports one, the shared ledger nonce otherwise.
  return lane === "delegate" ? (n.delegate ?? n.ledger) : n[lane];
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
