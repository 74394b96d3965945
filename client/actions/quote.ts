import type { Address } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import type { BasketItem, IssuanceReason, Quote } from "../relay/types";

export type QuoteParameters = {
  /** The brand. */
  brand: Address;
  /** The purchase's total, a decimal string ("59.90"). */
  amount: string;
  /** The basket's lines, for campaigns on product codes. */
  items?: BasketItem[] | undefined;
  /** Count the brand's welcome bonus, as on a customer's first purchase there (default false). */
  firstPurchase?: boolean | undefined;
  signal?: AbortSignal | undefined;
};
export type QuoteReturnType = Quote;
export type QuoteErrorType = RelayRequestErrorType;

type QuoteJson = { points: string; issuances: { reason: IssuanceReason; campaign: string | null; points: string }[]; returnWindowSeconds: number };

/**
 * How many points a basket would earn now at a brand (`POST /v1/brands/{brand}/quote`): the base rate,
 * the campaigns running now and, with `firstPurchase`, the welcome bonus. Nothing is recorded.
 *
 * @example const { points } = await quote(relay, { brand, amount: "25", items: [{ productCode: "COFFEE", amount: "4" }] })
 */
export async function quote(client: RelayClientBase, { brand, amount, items, firstPurchase, signal }: QuoteParameters): Promise<QuoteReturnType> {
  const q = await relayRequest<QuoteJson>(client, {
    method: "POST",
    path: `/v1/brands/${brand}/quote`,
    body: { amount, ...(items ? { items } : {}), ...(firstPurchase !== undefined ? { firstPurchase } : {}) },
    signal,
  });
  return { points: BigInt(q.points), issuances: q.issuances.map((i) => ({ ...i, points: BigInt(i.points) })), returnWindowSeconds: q.returnWindowSeconds };
}
