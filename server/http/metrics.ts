import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { RequestHandler } from "express";

/** The HTTP side's metrics, registered on the relay's shared registry. */
export interface HttpMetrics {
  requests: Counter<"method" | "route" | "status">;
  duration: Histogram<"method" | "route">;
  deviceEvents: Counter<"kind" | "outcome" | "reason">;
  streamClients: Gauge;
  rateLimited: Counter<"limit">;
  /** Device events per group-commit transaction (server/devices/batcher.ts). */
  deviceEventBatch: Histogram<"fallback">;
  purchaseBatch: Histogram<"fallback">;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: new Counter({
      name: "relay_http_requests_total",
      help: "HTTP requests answered, by route pattern and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "relay_http_request_duration_seconds",
      help: "HTTP request duration",
      labelNames: ["method", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    deviceEvents: new Counter({
      name: "relay_device_events_total",
      help: "Device events by kind and outcome (accepted, dropped, duplicate) with the drop reason",
      labelNames: ["kind", "outcome", "reason"],
      registers: [registry],
    }),
    streamClients: new Gauge({
      name: "relay_staff_stream_clients",
      help: "Open staff streams (server-sent events)",
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: "relay_rate_limited_total",
      help: "Requests refused 429 by a rate limit (client, device, api_key, audit)",
      labelNames: ["limit"],
      registers: [registry],
    }),
    deviceEventBatch: new Histogram({
      name: "relay_device_event_batch_size",
      help: "Device events handled per group-commit transaction; fallback=true when the batch failed and each event was handled alone",
      labelNames: ["fallback"],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    purchaseBatch: new Histogram({
      name: "relay_purchase_batch_size",
      help: "Purchases handled per group-commit transaction, once authenticated; fallback=true when the batch failed and each purchase was handled alone",
      labelNames: ["fallback"],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
  };
}

/** Counts every answered request by its route pattern (never the raw URL: ids would explode the labels). */
export function requestMetrics(metrics: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.duration.startTimer();
    res.on("finish", () => {
      const pattern = res.locals.routePattern as string | undefined;
      const route = pattern ?? (req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : "unmatched");
      metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      end({ method: req.method, route });
    });
    next();
  };
}
