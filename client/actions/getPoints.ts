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

type PointsJson = {
  customer: Address;
  balance: string;
  lifetimeEarned: string;
  lastActivity: number;
  pending?: string;
  history: (Omit<PointsMovement, "points"> & { points: string })[];
};

/**
 * The customer's points (`GET /v1/customers/{address}/points`): balance, lifetime earned, last activity
 * and the latest 200 movements (earned where, reversed, redeemed where), as indexed from the chain.
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
    ...(p.pending === undefined ? {} : { pending: BigInt(p.pending) }),
    history: p.history.map((h) => ({ ...h, points: BigInt(h.points) })),
  };
}
