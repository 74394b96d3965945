import type { Address } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import type { CustomerPoints, PointsMovement } from "../relay/types";

export type GetPointsParameters = {
  /** The customer. */
  address: Address;
  signal?: AbortSignal | undefined;
};
export type GetPointsReturnType = CustomerPoints;
export type GetPointsErrorType = RelayRequestErrorType;

type PointsJson = Omit<CustomerPoints, "balance" | "lifetimeEarned" | "tiers" | "pending" | "history"> & {
  balance: string;
  lifetimeEarned: string;
  tiers: string[];
  pending: string;
  history: (Omit<PointsMovement, "points"> & { points: string })[];
};

/**
 * The customer's points (`GET /v1/customers/{address}/points`): balance, lifetime earned, tier, last
 * activity and expiry date, points pending (earned, not yet on chain), and the history: pending entries
 * first, then the latest 200 movements as indexed from the chain, each issuance with its reason.
 *
 * @example const { balance } = await getPoints(relay, { address })
 */
export async function getPoints(client: RelayClientBase, { address, signal }: GetPointsParameters): Promise<GetPointsReturnType> {
  const p = await relayRequest<PointsJson>(client, { method: "GET", path: `/v1/customers/${address}/points`, signal });
  return {
    customer: p.customer,
    balance: BigInt(p.balance),
    lifetimeEarned: BigInt(p.lifetimeEarned),
    lastActivity: p.lastActivity,
    tier: p.tier,
    tiers: p.tiers.map(BigInt),
    expiresAt: p.expiresAt,
    pending: BigInt(p.pending),
    history: p.history.map((h) => ({ ...h, points: BigInt(h.points) })),
  };
}
