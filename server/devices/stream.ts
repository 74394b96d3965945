import type { Request, Response } from "express";
import type { HttpContext } from "../http/context";

const HEARTBEAT_MS = 15_000;

/**
 * Serves one staff stream: `event: customer` with the RecognisedCustomer JSON for each recognition in
 * the store, published right after the presence event commits. Only consenting customers are ever
 * published (the gate runs before), so nothing else can reach a stream. A comment line every 15 s keeps
 * proxies from closing an idle stream. A stream beyond STREAMS_PER_BRAND or STREAMS_TOTAL is refused
 * (429 `stream_limit`); the brand's streams end when its API key is rotated or it is disabled.
 */
export function staffStream(ctx: HttpContext, brand: string, storeId: string, req: Request, res: Response): void {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    ctx.metrics.streamClients.dec();
    ctx.streams.delete(res);
  };
  ctx.streams.add(res, {
    brand,
    storeId,
    end: () => {
      close();
      res.end();
    },
  });
  res.status(200);
  res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
  res.setHeader("Cache-Control", "no-cache, no-transform");
  res.setHeader("Connection", "keep-alive");
  res.setHeader("X-Accel-Buffering", "no");
  res.flushHeaders();
  res.write(`retry: 2000\n: connected to store ${storeId}\n\n`);
  let id = 0;
  const unsubscribe = ctx.bus.subscribe(brand, storeId, (event) => {
    id += 1;
    res.write(`id: ${id}\nevent: customer\ndata: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
  heartbeat.unref();
  ctx.metrics.streamClients.inc();
  req.on("close", close);
}
