/**
 * The relay this app talks to: the one that served it (same origin). Every call goes through the client
 * module's actions (`confiance/client`), each imported from its own file so the bundle carries only
 * what the app uses.
 */
import type { RelayClientBase } from "../../client/relay/createRelayClient";

export const relay: RelayClientBase = {
  url: typeof window === "undefined" ? "" : window.location.origin,
  fetch: (input, init) => globalThis.fetch(input, init),
  pollingInterval: 400,
  headers: {},
  cache: {},
};

export type { RelayConfig, DiscoveredBrand, BrandPurpose, Consent, CustomerConsents, CustomerPoints, HistoryEntry, Operation, ShoppingListItem, RecognisedCustomer } from "../../client/relay/types";
