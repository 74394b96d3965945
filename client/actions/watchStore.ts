import { RelayError } from "../errors/relay";
import type { RelayClientBase } from "../relay/createRelayClient";
import type { RecognisedCustomer } from "../relay/types";

export type WatchStoreStatus = "connecting" | "live" | "reconnecting";

export type WatchStoreParameters = {
  /** The brand's API key (sent as a bearer token, never in the URL). */
  apiKey: string;
  /** One of the brand's stores. */
  storeId: string;
  /** Each recognised customer, the moment the store's device reports them. */
  onCustomer(customer: RecognisedCustomer): void;
  /** The connection's state: connecting at first, live once the relay answers, reconnecting after a drop. */
  onStatus?: ((status: WatchStoreStatus) => void) | undefined;
  /** A refusal that retrying will not cure (401 invalid key, 404 unknown store): watching stops. */
  onError?: ((error: RelayError) => void) | undefined;
  /** Stops watching. */
  signal: AbortSignal;
  /** Wait before reconnecting, ms (default: the relay's `retry:` hint, else 1000). */
  retryMs?: number | undefined;
};
export type WatchStoreReturnType = Promise<void>;
export type WatchStoreErrorType = RelayError;

/**
 * Follows a store's staff stream (`GET /v1/brand/stores/{storeId}/stream`, server-sent events) and
 * reconnects by itself when the connection drops (a relay restart, a network change) until `signal`
 * aborts. Only customers who grant the brand in-store recognition are ever sent. Resolves when stopped.
 *
 * @example
 * const stop = new AbortController()
 * void watchStore(relay, { apiKey, storeId: "paris-1", signal: stop.signal, onCustomer: (c) => console.log(c.customer) })
 */
export async function watchStore(client: RelayClientBase, { apiKey, storeId, onCustomer, onStatus, onError, signal, retryMs }: WatchStoreParameters): WatchStoreReturnType {
  const path = `/v1/brand/stores/${encodeURIComponent(storeId)}/stream`;
  let retry = retryMs ?? 1000;
  let first = true;
  while (!signal.aborted) {
    onStatus?.(first ? "connecting" : "reconnecting");
    first = false;
    try {
      const res = await client.fetch(`${client.url}${path}`, { signal, headers: { accept: "text/event-stream", authorization: `Bearer ${apiKey}`, ...client.headers } });
      if (!res.ok) {
        const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
        const error = new RelayError({ status: res.status, code: body?.error?.code ?? `http_${res.status}`, message: body?.error?.message ?? res.statusText, method: "GET", path });
        if (res.status < 500 && res.status !== 429) {
          onError?.(error);
          return;
        }
        throw error;
      }
      onStatus?.("live");
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parseEvent(block);
          if (event.retry !== undefined && retryMs === undefined) retry = event.retry;
          if (event.event === "customer" && event.data) onCustomer(JSON.parse(event.data) as RecognisedCustomer);
        }
      }
    } catch {
      // A dropped connection, a relay restarting (5xx), a garbled event: wait, then connect again.
      if (signal.aborted) return;
    }
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, retry);
      signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

/** One server-sent event block: its `event`, joined `data` lines and `retry`. */
function parseEvent(block: string): { event?: string; data?: string; retry?: number } {
  const out: { event?: string; data?: string; retry?: number } = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
    if (field === "event") out.event = value;
    else if (field === "data") out.data = out.data === undefined ? value : `${out.data}\n${value}`;
    else if (field === "retry" && /^\d+$/.test(value)) out.retry = Number(value);
  }
  return out;
}
