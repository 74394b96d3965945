import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A JSON-RPC endpoint in front of a real one that behaves like a restrictive public provider: it refuses
 * eth_getLogs spans wider than `maxLogsSpan` blocks with a range error, and answers every `rateLimitEvery`-th
 * request with HTTP 429. Everything else is forwarded unchanged.
 */
export async function restrictiveProxy(target: string, opts: { maxLogsSpan: number; rateLimitEvery: number }) {
  let count = 0;
  const stats = { rangeRefusals: 0, rateLimited: 0, forwarded: 0 };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const msg = JSON.parse(body) as { id: number; method: string; params: { fromBlock?: string; toBlock?: string }[] };
    if (++count % opts.rateLimitEvery === 0) {
      stats.rateLimited++;
      res.writeHead(429, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32005, message: "rate limit exceeded" } }));
      return;
    }
    if (msg.method === "eth_getLogs") {
      const f = msg.params[0];
      if (f.fromBlock && f.toBlock && Number(f.toBlock) - Number(f.fromBlock) + 1 > opts.maxLogsSpan) {
        stats.rangeRefusals++;
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32602, message: `query exceeds max block range ${opts.maxLogsSpan}` } }),
        );
        return;
      }
    }
    stats.forwarded++;
    const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
    res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, stats, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
