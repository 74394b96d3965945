import type { Address, Hex } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { nonceAndDeadline, postSignedAction, type SignedAction } from "../relay/postSignedAction";
import type { RelayRequestErrorType } from "../relay/relayRequest";
import { getSignerAddress, type CustomerSigner } from "../signing/signer";
import type { SignCustomerMessageErrorType } from "../signing/signCustomerMessage";

export type RedeemParameters = {
  /** The customer who spends the points. */
  signer: CustomerSigner;
  /** The brand where they are spent (it is credited their backing). */
  brand: Address;
  /** How many points (> 0). */
  points: bigint;
  /** The brand's order reference, a bytes32 (from the till's QR code, or keccak256 of the order number). */
  orderRef: Hex;
  /** The points nonce; read from the relay when omitted. */
  nonce?: bigint | undefined;
  /** Unix seconds after which the signature is void; one hour after the relay's "now" when omitted. */
  deadline?: bigint | undefined;
  signal?: AbortSignal | undefined;
};
export type RedeemReturnType = SignedAction<"Redeem">;
export type RedeemErrorType = RelayRequestErrorType | SignCustomerMessageErrorType;

/**
 * Redeems points at a partner brand: signs a Redeem (CoalitionPoints' domain) and posts it; the relay
 * submits `redeemBySig`, which burns the points and credits the brand in the same transaction.
 *
 * @example
 * await redeem(relay, { signer: account, brand: hotel.address, points: 500n, orderRef: keccak256(toHex("booking-42")) })
 */
export async function redeem(client: RelayClientBase, { signer, brand, points, orderRef, nonce, deadline, signal }: RedeemParameters): Promise<RedeemReturnType> {
  const customer = await getSignerAddress(signer);
  const message = {
    customer,
    brand,
    points,
    orderRef,
    ...(await nonceAndDeadline(client, { lane: "points", subject: customer, nonce, deadline, signal })),
  };
  return postSignedAction(client, { signer, primaryType: "Redeem", message, path: "/v1/points/redeem", signal });
}
