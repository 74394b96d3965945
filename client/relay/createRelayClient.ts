import { relayActions, type RelayActions } from "./relayActions";
import type { RelayConfig } from "./types";

export type RelayClientParameters = {
  /** The relay's base URL, e.g. "http://127.0.0.1:8080". */
  url: string;
  /** The fetch to use (a test's, a proxy's); the platform's `fetch` when omitted. */
  fetch?: typeof fetch | undefined;
  /** How often `waitForOperation` polls, in ms (default 1000). */
  pollingInterval?: number | undefined;
  /** Headers sent with every request (never put a customer secret here). */
  headers?: Record<string, string> | undefined;
};

/** What every action takes as its first argument. */
export type RelayClientBase = {
  url: string;
  fetch: typeof fetch;
  pollingInterval: number;
  headers: Record<string, string>;
  /** `GET /v1/config`, fetched once on first use by the signed actions (they need the chain id and the contracts). */
  cache: { config?: Promise<RelayConfig> };
};

export type RelayClient = RelayClientBase & RelayActions;

/**
 * A client of one relay: discovery, the customer's signed actions, following an operation to the chain,
 * reads. Every action is also a plain function (`grant(client, params)`); the client carries them as
 * methods (`client.grant(params)`), both running the same code.
 *
 * @example
 * const relay = createRelayClient({ url: "http://127.0.0.1:8080" })
 * const brands = await relay.getBrands()
 */
export function createRelayClient({ url, fetch: fetchFn, pollingInterval = 1_000, headers = {} }: RelayClientParameters): RelayClient {
  const base: RelayClientBase = {
    url: url.replace(/\/+$/, ""),
    fetch: fetchFn ?? ((input, init) => globalThis.fetch(input, init)),
    pollingInterval,
    headers,
    cache: {},
  };
  return Object.assign(base, relayActions(base));
}
