import { getConfig } from "../actions/getConfig";
import type { RelayClientBase } from "./createRelayClient";
import type { RelayConfig } from "./types";

/** The relay's configuration, fetched once per client (a failed fetch is not kept). */
export function cachedConfig(client: RelayClientBase, signal?: AbortSignal): Promise<RelayConfig> {
  client.cache.config ??= getConfig(client, { signal }).catch((err: unknown) => {
    client.cache.config = undefined;
    throw err;
  });
  return client.cache.config;
}
