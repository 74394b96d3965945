import { formatUnits, parseUnits } from "viem";
import { createRelayClient } from "../../client/relay/createRelayClient";
import { relayRequest } from "../../client/relay/relayRequest";
import type { RelayClientBase } from "../../client/relay/createRelayClient";

/**
 * The brand API as the console calls it: one function per route, the brand's API key as bearer. No React
 * here (the hooks in useBrandConsole.ts wrap these).
 */
export interface BrandInfo {
  address: `0x${string}`;
  name: string;
  pointsPerUnit: string;
  operator: string;
}
export interface MoneyFigures {
  deposited: string;
  withdrawn: string;
  issued: string;
  reversed: string;
  redeemed: string;
  redeemedValue: string;
  expired: string;
  backing: string;
  liability: string;
  liabilityValue: string;
}
export interface Money {
  unitValue: string;
  settlementAsset: `0x${string}`;
  indexedBlock: number | null;
  totals: MoneyFigures;
}
export type MoneyDay = MoneyFigures & { day: string };
/** What the console shows of the loyalty programme (`GET /v1/brand/programme`). */
export interface Programme {
  /** Rewards for consent whose issue failed for want of backing, paid (oldest first) once the backing covers them. */
  rewardsWaitingForBacking: { count: number; points: string };
}
export interface Store {
  id: string;
  name: string;
}
export interface Device {
  id: string;
  storeId: string;
  name: string;
  publicKey: string;
  disabled: boolean;
}
export interface ConsentCount {
  purpose: string;
  name: string | null;
  granted: number;
  revoked: number;
  expired: number;
}
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  /** "failing" when the relay disabled it after repeated given-up deliveries; null when enabled or disabled by the brand. */
  disabledReason: string | null;
}
/** An endpoint as created or after a rotation: with its signing secret, in that answer only. */
export type WebhookEndpointWithSecret = WebhookEndpoint & { secret: string };
export interface NewWebhookEndpoint {
  url: string;
  eventTypes: string[];
  description?: string;
}
export interface WebhookDelivery {
  id: string;
  status: string;
  eventType?: string;
  type?: string;
  attempts?: number;
}

/** The relay that serves this page. */
export function pageRelay(): RelayClientBase {
  return createRelayClient({ url: window.location.origin });
}

const call = <T>(relay: RelayClientBase, apiKey: string, method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown) =>
  relayRequest<T>(relay, { method, path, bearer: apiKey, body });

export const getBrand = (relay: RelayClientBase, apiKey: string) => call<BrandInfo>(relay, apiKey, "GET", "/v1/brand");
export const getMoney = (relay: RelayClientBase, apiKey: string) => call<Money>(relay, apiKey, "GET", "/v1/brand/money");
export const getProgramme = (relay: RelayClientBase, apiKey: string) => call<Programme>(relay, apiKey, "GET", "/v1/brand/programme");
export const getMoneyDaily = (relay: RelayClientBase, apiKey: string) => call<{ days: MoneyDay[] }>(relay, apiKey, "GET", "/v1/brand/money/daily").then((r) => r.days);
export const getStores = (relay: RelayClientBase, apiKey: string) => call<{ stores: Store[] }>(relay, apiKey, "GET", "/v1/brand/stores").then((r) => r.stores);
export const getDevices = (relay: RelayClientBase, apiKey: string, storeId: string) =>
  call<{ devices: Device[] }>(relay, apiKey, "GET", `/v1/brand/stores/${encodeURIComponent(storeId)}/devices`).then((r) => r.devices);
export const getConsentCounts = (relay: RelayClientBase, apiKey: string) => call<{ purposes: ConsentCount[] }>(relay, apiKey, "GET", "/v1/brand/consents/counts").then((r) => r.purposes);
export const getWebhookEndpoints = (relay: RelayClientBase, apiKey: string) => call<{ endpoints: WebhookEndpoint[] }>(relay, apiKey, "GET", "/v1/brand/webhooks/endpoints").then((r) => r.endpoints);
export const getDeliveries = (relay: RelayClientBase, apiKey: string, endpointId: string) =>
  call<{ deliveries: WebhookDelivery[] }>(relay, apiKey, "GET", `/v1/brand/webhooks/endpoints/${encodeURIComponent(endpointId)}/deliveries`).then((r) => r.deliveries);

export const setEarningRule = (relay: RelayClientBase, apiKey: string, pointsPerUnit: string) => call<BrandInfo>(relay, apiKey, "POST", "/v1/brand/earning-rule", { pointsPerUnit });
export const addStore = (relay: RelayClientBase, apiKey: string, store: Store) => call<Store>(relay, apiKey, "POST", "/v1/brand/stores", store);
export const removeStore = (relay: RelayClientBase, apiKey: string, id: string) => call<unknown>(relay, apiKey, "DELETE", `/v1/brand/stores/${encodeURIComponent(id)}`);
export const addDevice = (relay: RelayClientBase, apiKey: string, storeId: string, d: { id: string; name: string; publicKey: string }) =>
  call<Device>(relay, apiKey, "POST", `/v1/brand/stores/${encodeURIComponent(storeId)}/devices`, d);
export const setDeviceDisabled = (relay: RelayClientBase, apiKey: string, id: string, disabled: boolean) =>
  call<Device>(relay, apiKey, "POST", `/v1/brand/devices/${encodeURIComponent(id)}/state`, { disabled });
export const rotateDeviceKey = (relay: RelayClientBase, apiKey: string, id: string, publicKey: string) =>
  call<Device>(relay, apiKey, "POST", `/v1/brand/devices/${encodeURIComponent(id)}/key`, { publicKey });
export const removeDevice = (relay: RelayClientBase, apiKey: string, id: string) => call<unknown>(relay, apiKey, "DELETE", `/v1/brand/devices/${encodeURIComponent(id)}`);
export const getWebhookEventTypes = (relay: RelayClientBase, apiKey: string) => call<{ eventTypes: string[]; always: string[] }>(relay, apiKey, "GET", "/v1/brand/webhooks/event-types");
export const createWebhookEndpoint = (relay: RelayClientBase, apiKey: string, e: NewWebhookEndpoint) => call<WebhookEndpointWithSecret>(relay, apiKey, "POST", "/v1/brand/webhooks/endpoints", e);
export const setWebhookEndpointEnabled = (relay: RelayClientBase, apiKey: string, id: string, enabled: boolean) =>
  call<WebhookEndpoint>(relay, apiKey, "PATCH", `/v1/brand/webhooks/endpoints/${encodeURIComponent(id)}`, { enabled });
/** A new signing secret; the previous one keeps signing for the relay's grace period (WEBHOOK_ROTATION_GRACE_SECONDS). */
export const rotateWebhookSecret = (relay: RelayClientBase, apiKey: string, id: string) =>
  call<WebhookEndpointWithSecret>(relay, apiKey, "POST", `/v1/brand/webhooks/endpoints/${encodeURIComponent(id)}/rotate-secret`, {});
export const deleteWebhookEndpoint = (relay: RelayClientBase, apiKey: string, id: string) => call<unknown>(relay, apiKey, "DELETE", `/v1/brand/webhooks/endpoints/${encodeURIComponent(id)}`);
export const redeliver = (relay: RelayClientBase, apiKey: string, deliveryId: string) => call<unknown>(relay, apiKey, "POST", `/v1/brand/webhooks/deliveries/${encodeURIComponent(deliveryId)}/redeliver`);

/** The audit API's export of the brand's consent history (public: the history is on chain). */
export function historyExportUrl(brand: string, format: "json" | "csv"): string {
  return `/v1/audit/controllers/${brand}/history?format=${format}&verify=true`;
}

/**
 * An amount of the settlement asset, given by the API in base units (a decimal string), written with the
 * asset's own `decimals` (read from the chain): "1234500" with 6 -> "1.2345", with 2 -> "12345", trailing zeros dropped.
 */
export function formatAssetAmount(baseUnits: string, decimals: number): string {
  return formatUnits(BigInt(baseUnits), decimals);
}

/**
 * A typed amount of the settlement asset ("12.5") in base units for an asset of `decimals` decimals;
 * undefined when it is not a positive amount with at most `decimals` decimals (no sign, exponent or comma).
 */
export function parseAmount(text: string, decimals: number): bigint | undefined {
  const trimmed = text.trim();
  const m = /^(\d{1,30})(?:\.(\d+))?$/.exec(trimmed);
  if (!m || (m[2] !== undefined && m[2].length > decimals)) return undefined;
  const v = parseUnits(trimmed, decimals);
  return v > 0n ? v : undefined;
}

/** Bar heights for the chart: each value over the largest, in [0, 1]. */
export function barScale(values: readonly number[]): number[] {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 ? 0 : v / max));
}
