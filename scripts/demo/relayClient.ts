import type { Address, Hex } from "viem";
import { generateDeviceKeyPair, signDeviceRequest } from "../../server/devices/signing";
import { RelayHttpError } from "./errors";

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

/** One JSON request to the relay; a non-2xx answer becomes a RelayHttpError with the relay's error code. */
export async function relayJson<T>(
  base: string,
  method: "GET" | "POST",
  path: string,
  opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; bearer?: string } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
  if (opts.bearer) headers.Authorization = `Bearer ${opts.bearer}`;
  let body: string | undefined = opts.rawBody;
  if (body === undefined && opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new RelayHttpError(res.status, err?.code ?? "http_error", `${method} ${path}: ${res.status} ${err?.code ?? ""} ${err?.message ?? text}`);
  }
  return { status: res.status, body: parsed as T };
}

export interface RegisteredBrand {
  address: Address;
  apiKey: string;
}

/** Registers a brand through the admin API and answers its API key (shown once). */
export async function registerBrand(base: string, adminToken: string, b: { address: Address; name: string; pointsPerUnit: string; operator: Address }): Promise<RegisteredBrand> {
  const { body } = await relayJson<{ apiKey: string }>(base, "POST", "/v1/admin/brands", { bearer: adminToken, body: b });
  return { address: b.address, apiKey: body.apiKey };
}

export async function registerStore(base: string, apiKey: string, store: { id: string; name: string }): Promise<void> {
  await relayJson(base, "POST", "/v1/brand/stores", { bearer: apiKey, body: store });
}

/** A shop device: its own Ed25519 key (the private half never leaves it), registered to one store. */
export interface Device {
  id: string;
  storeId: string;
  privateKeyPem: string;
}

export async function registerDevice(base: string, apiKey: string, storeId: string, d: { id: string; name: string }): Promise<Device> {
  const pair = generateDeviceKeyPair();
  await relayJson(base, "POST", `/v1/brand/stores/${storeId}/devices`, { bearer: apiKey, body: { ...d, publicKey: pair.publicKey } });
  return { id: d.id, storeId, privateKeyPem: pair.privateKeyPem };
}

export type CustomerRef = { wallet: Address } | { cardToken: string };

export type DeviceEventBody =
  | { eventId: string; kind: "presence"; customer: CustomerRef }
  | { eventId: string; kind: "purchase" | "return"; customer: CustomerRef; receipt: string; amount: string }
  | { eventId: string; kind: "scan"; customer: CustomerRef; productCode: string };

export interface EventAnswer {
  accepted: true;
  eventId: string;
  kind: string;
  dropped?: "no_consent" | "unknown_card";
  receiptId?: Hex;
  points?: string;
  operationId?: string;
}

export function eventPath(storeId: string): string {
  return `/v1/stores/${encodeURIComponent(storeId)}/events`;
}

/** The signed request a device sends for `event` (headers and raw body), freshly signed now. */
export function signedEventRequest(device: Device, event: DeviceEventBody): { path: string; body: string; headers: Record<string, string> } {
  const path = eventPath(device.storeId);
  const body = JSON.stringify(event);
  const headers = signDeviceRequest({ privateKeyPem: device.privateKeyPem, deviceId: device.id, method: "POST", path, body });
  return { path, body, headers: { ...headers, "Content-Type": "application/json" } };
}

export async function postDeviceEvent(base: string, device: Device, event: DeviceEventBody): Promise<EventAnswer> {
  const req = signedEventRequest(device, event);
  return (await relayJson<EventAnswer>(base, "POST", req.path, { rawBody: req.body, headers: req.headers })).body;
}

export interface OperationView {
  id: string;
  kind: string;
  status: "queued" | "submitted" | "confirmed" | "failed";
  txHash?: Hex;
  blockNumber?: number;
  error?: { code: string; message: string };
}

export async function getOperation(base: string, id: string): Promise<OperationView> {
  return (await relayJson<OperationView>(base, "GET", `/v1/operations/${id}`)).body;
}

export async function customerNonces(base: string, customer: Address): Promise<{ ledger: bigint; points: bigint }> {
  const { body } = await relayJson<{ ledger: string; points: string }>(base, "GET", `/v1/customers/${customer}/nonces`);
  return { ledger: BigInt(body.ledger), points: BigInt(body.points) };
}
