import http from "node:http";
import type { AddressInfo } from "node:net";

type RpcMessage = { id: number; method: string; params?: unknown[] };

/**
 * A JSON-RPC endpoint in front of a real node that counts what it forwards, per method and per eth_call
 * selector (the first 4 bytes of `data`), and can hold chosen calls for a while (a slow provider). Single
 * and batched requests are forwarded unchanged.
 */
export async function countingProxy(target: string, opts: { delayMs?: (msg: RpcMessage) => number } = {}) {
  const methods = new Map<string, number>();
  const selectors = new Map<string, number>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const parsed = JSON.parse(body) as RpcMessage | RpcMessage[];
    let delay = 0;
    for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
      methods.set(msg.method, (methods.get(msg.method) ?? 0) + 1);
      if (msg.method === "eth_call") {
        const data = String((msg.params?.[0] as { data?: string; input?: string })?.data ?? (msg.params?.[0] as { input?: string })?.input ?? "");
        const selector = data.slice(0, 10).toLowerCase();
        selectors.set(selector, (selectors.get(selector) ?? 0) + 1);
      }
      delay = Math.max(delay, opts.delayMs?.(msg) ?? 0);
    }
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    try {
      const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (!res.destroyed) res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** How many requests of this method were forwarded. */
    calls: (method: string) => methods.get(method) ?? 0,
    /** How many requests were forwarded in all. */
    total: () => [...methods.values()].reduce((a, b) => a + b, 0),
    /** How many eth_calls of this 4-byte selector were forwarded. */
    callsTo: (selector: string) => selectors.get(selector.toLowerCase()) ?? 0,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
