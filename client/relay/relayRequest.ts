import { RelayConnectionError, RelayError, RelayResponseError } from "../errors/relay";
import type { RelayClientBase } from "./createRelayClient";

export type RelayRequestParameters = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path and query, e.g. "/v1/brands". */
  path: string;
  /** A JSON body (bigints are sent as decimal strings). */
  body?: unknown;
  /** A body sent exactly as given, as application/json (what a device signed). */
  rawBody?: string | undefined;
  /** `Authorization: Bearer ...` (an admin token or a brand API key). */
  bearer?: string | undefined;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
};

export type RelayRequestErrorType = RelayError | RelayConnectionError | RelayResponseError;

/**
 * One request to the relay. A 2xx answer resolves to its JSON body (undefined when empty); a non-2xx
 * answer rejects with a RelayError carrying the status and the relay's code and message.
 *
 * @example
 * const { brands } = await relayRequest<{ brands: unknown[] }>(client, { method: "GET", path: "/v1/admin/brands", bearer: adminToken })
 */
export async function relayRequest<T>(client: RelayClientBase, { method, path, body, rawBody, bearer, headers, signal }: RelayRequestParameters): Promise<T> {
  const url = `${client.url}${path}`;
  const sent = rawBody ?? (body === undefined ? undefined : JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  let res: Response;
  try {
    res = await client.fetch(url, {
      method,
      signal,
      body: sent,
      headers: {
        accept: "application/json",
        ...(sent === undefined ? {} : { "content-type": "application/json" }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...client.headers,
        ...headers,
      },
    });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw new RelayConnectionError({ url: client.url, cause: err });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    if (res.ok) throw new RelayResponseError({ status: res.status, method, path, body: text });
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof e?.code === "string" ? e.code : `http_${res.status}`;
    const message = typeof e?.message === "string" ? e.message : text.slice(0, 200) || res.statusText;
    throw new RelayError({ status: res.status, code, message, method, path });
  }
  return json as T;
}
