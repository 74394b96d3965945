import crypto from "node:crypto";
import type { Address } from "viem";
import { createRelayClient, generateDeviceKey, postDeviceEvent as post, type DeviceEvent, type DeviceEventAnswer, type RelayClient } from "../../client";

/**
 * The demo's and the benchmarks' side of the relay, on the client module: one relay client per URL,
 * and the admin and brand API calls that set up brands, stores and devices.
 */
const clients = new Map<string, RelayClient>();

/** The relay client for `url` (polling every 25 ms: the local chain mines at once). */
export function relayAt(url: string): RelayClient {
  let c = clients.get(url);
  if (!c) clients.set(url, (c = createRelayClient({ url, pollingInterval: 25 })));
  return c;
}

export interface RegisteredBrand {
  address: Address;
  apiKey: string;
}

/** What the admin API registers: the brand, its earning rule, its operator and the purposes discovery describes. */
export interface BrandRegistration {
  address: Address;
  name: string;
  pointsPerUnit: string;
  operator: Address;
  purposes?: { name: string; categories: readonly string[]; texts?: Record<string, { title: string; description: string }> }[];
}

/** Registers a brand through the admin API and answers its API key (shown once). */
export async function registerBrand(base: string, adminToken: string, b: BrandRegistration): Promise<RegisteredBrand> {
  const { apiKey } = await relayAt(base).request<{ apiKey: string }>({ method: "POST", path: "/v1/admin/brands", bearer: adminToken, body: b });
  return { address: b.address, apiKey };
}

export async function registerStore(base: string, apiKey: string, store: { id: string; name: string }): Promise<void> {
  await relayAt(base).request({ method: "POST", path: "/v1/brand/stores", bearer: apiKey, body: store });
}

/** A shop device: its own Ed25519 key (the private half never leaves it), registered to one store. */
export interface Device {
  id: string;
  storeId: string;
  privateKeyPem: string;
  /** Signs with node's native Ed25519 (about ten times faster than the portable signer: the benchmarks time requests). */
  sign: (message: Uint8Array) => Uint8Array;
}

export function nodeEd25519(privateKeyPem: string): (message: Uint8Array) => Uint8Array {
  const key = crypto.createPrivateKey(privateKeyPem);
  return (message) => crypto.sign(null, message, key);
}

export async function registerDevice(base: string, apiKey: string, storeId: string, d: { id: string; name: string }): Promise<Device> {
  const pair = generateDeviceKey();
  await relayAt(base).request({ method: "POST", path: `/v1/brand/stores/${storeId}/devices`, bearer: apiKey, body: { ...d, publicKey: pair.publicKey } });
  return { id: d.id, storeId, privateKeyPem: pair.privateKeyPem, sign: nodeEd25519(pair.privateKeyPem) };
}

export function eventPath(storeId: string): string {
  return `/v1/stores/${encodeURIComponent(storeId)}/events`;
}

/** A device's event, signed by the device and posted to its store. */
export function postDeviceEvent(base: string, device: Device, event: DeviceEvent): Promise<DeviceEventAnswer> {
  return post(relayAt(base), { deviceId: device.id, storeId: device.storeId, sign: device.sign, event });
}
