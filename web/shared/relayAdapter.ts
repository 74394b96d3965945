/**
 * TEMPORARY ADAPTER: the few relay calls the web app needs before the client module (`client/`, its
 * relay client) lands. Replace every import of this file by the client module's functions and delete
 * it; nothing else in web/ calls the relay directly. Same origin: the relay serves the app.
 */
import type { Address, Hex } from "viem";

/** A refusal by the relay: its HTTP status and `{ error: { code, message } }`. */
export class RelayError extends Error {
  override name = "RelayError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The relay could not be reached (network down, relay stopped). */
export class RelayUnreachableError extends Error {
  override name = "RelayUnreachableError";
}

/** GET /v1/config. */
export interface RelayConfig {
  chainId: number;
  /** JSON-RPC endpoint for reads and for a wallet adding the chain; null when the relay publishes none. */
  rpcUrl: string | null;
  ledger: Address;
  points: Address;
  settlementAsset: Address;
  unitValue: string;
  deployBlock: number;
}

/** One brand of GET /v1/brands (the fields this app shows so far). */
export interface RelayBrand {
  address: Address;
  name: string;
  purposes: { id: Hex; name?: string }[];
}

/** GET /v1/operations/{id}. */
export interface RelayOperation {
  id: string;
  status: "queued" | "submitted" | "confirmed" | "failed";
  txHash?: Hex;
  blockNumber?: number;
  error?: { code: string; message: string };
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}) } });
  } catch (err) {
    throw new RelayUnreachableError((err as Error).message);
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  if (!res.ok) throw new RelayError(res.status, body?.error?.code ?? `http_${res.status}`, body?.error?.message ?? res.statusText);
  return body as T;
}

export function getConfig(): Promise<RelayConfig> {
  return call<RelayConfig>("/v1/config");
}

/** The brands this relay serves; none while the relay has no /v1/brands route. */
export async function getBrands(): Promise<RelayBrand[]> {
  try {
    return (await call<{ brands: RelayBrand[] }>("/v1/brands")).brands;
  } catch (err) {
    if (err instanceof RelayError && err.code === "route_not_found") return [];
    throw err;
  }
}

/** The nonces the customer's next signed ledger, SetDelegate (the ledger's delegate lane) and points actions carry. */
export async function getNonces(customer: Address): Promise<{ ledger: bigint; points: bigint; delegate: bigint }> {
  const n = await call<{ ledger: string; points: string; delegate?: string }>(`/v1/customers/${customer}/nonces`);
  return { ledger: BigInt(n.ledger), points: BigInt(n.points), delegate: BigInt(n.delegate ?? n.ledger) };
}

/** Posts a signed customer action (e.g. "/v1/consents/set-delegate"); resolves to its operation id. */
export async function postSignedAction(path: `/v1/${string}`, body: Record<string, string | number>): Promise<string> {
  return (await call<{ operationId: string }>(path, { method: "POST", body: JSON.stringify(body) })).operationId;
}

export function getOperation(id: string): Promise<RelayOperation> {
  return call<RelayOperation>(`/v1/operations/${encodeURIComponent(id)}`);
}
