import type { Address } from "viem";
import type { RelayClientBase } from "../relay/createRelayClient";
import { relayRequest, type RelayRequestErrorType } from "../relay/relayRequest";
import type { HistoryEntry } from "../relay/types";

export type GetHistoryParameters = {
  /** The customer. */
  address: Address;
  /** The cursor of the previous page (`nextAfter`); the first page when omitted. */
  after?: string | undefined;
  /** At most this many entries (default 1000, at most 10000). */
  limit?: number | undefined;
  signal?: AbortSignal | undefined;
};
export type GetHistoryReturnType = {
  /** Oldest first. */
  entries: HistoryEntry[];
  /** Pass as `after` for the next page; null on the last page. */
  nextAfter: string | null;
};
export type GetHistoryErrorType = RelayRequestErrorType;

type EntryJson = Omit<HistoryEntry, "categories" | "amount"> & { categories: string | null; amount: string | null };

/**
 * The customer's own history across brands, in chain order (`GET /v1/audit/customers/{address}/history`):
 * every grant, revocation and revoke-all they (or a delegate) made, and every points movement, each with
 * its transaction.
 *
 * @example
 * const { entries } = await getHistory(relay, { address })
 */
export async function getHistory(client: RelayClientBase, { address, after, limit, signal }: GetHistoryParameters): Promise<GetHistoryReturnType> {
  const query = new URLSearchParams();
  if (after !== undefined) query.set("after", after);
  if (limit !== undefined) query.set("limit", String(limit));
  const q = query.toString() ? `?${query}` : "";
  const r = await relayRequest<{ entries: EntryJson[]; page: { nextAfter: string | null } }>(client, { method: "GET", path: `/v1/audit/customers/${address}/history${q}`, signal });
  return {
    entries: r.entries.map((e) => ({
      ...e,
      categories: e.categories === null ? null : BigInt(e.categories),
      amount: e.amount === null ? null : BigInt(e.amount),
    })),
    nextAfter: r.page.nextAfter,
  };
}
