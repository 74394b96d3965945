import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Queryable } from "../store/db";

/** The webhooks' Prometheus metrics, registered once per registry. */
export interface WebhookMetrics {
  /** Attempts by outcome: delivered, retrying (failed, tried again later), given_up (failed for good). */
  attempts: Counter<"outcome">;
  duration: Histogram;
  disabled: Counter;
  expired: Counter;
}

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * The queue gauges read the database on every scrape (right across several relay instances): deliveries
 * waiting (to enabled endpoints) and the age of the oldest of them.
 */
export function webhookMetrics(registry: Registry, db: Queryable): WebhookMetrics {
  const waiting = async () => {
    const { rows } = await db.query<{ n: number; oldest: number | null }>(
      `SELECT count(*)::int8 AS n, extract(epoch FROM now() - min(d.created_at))::float8 AS oldest
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.status = 'pending' AND e.enabled`,
    );
    return rows[0]!;
  };
  once(registry, "relay_webhook_queue_depth", () =>
    new Gauge({
      name: "relay_webhook_queue_depth",
      // The same shared value in every relay process (RELAY_WORKERS): shown once, not summed.
      aggregator: "max",
      help: "Deliveries waiting to be made to enabled endpoints",
      registers: [registry],
      async collect() {
        this.set(await waiting().then((r) => r.n, () => 0));
      },
    }),
  );
  once(registry, "relay_webhook_oldest_pending_age_seconds", () =>
    new Gauge({
      name: "relay_webhook_oldest_pending_age_seconds",
      // The same shared value in every relay process (RELAY_WORKERS): shown once, not summed.
      aggregator: "max",
      help: "Age of the oldest delivery still waiting (0 when none)",
      registers: [registry],
      async collect() {
        this.set(await waiting().then((r) => r.oldest ?? 0, () => 0));
      },
    }),
  );
  return {
    attempts: once(registry, "relay_webhook_deliveries_total", () =>
      new Counter({ name: "relay_webhook_deliveries_total", help: "Delivery attempts by outcome: delivered, retrying, given_up", labelNames: ["outcome"], registers: [registry] }),
    ),
    duration: once(registry, "relay_webhook_attempt_duration_seconds", () =>
      new Histogram({ name: "relay_webhook_attempt_duration_seconds", help: "Time of one delivery attempt", buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] }),
    ),
    disabled: once(registry, "relay_webhook_endpoints_disabled_total", () =>
      new Counter({ name: "relay_webhook_endpoints_disabled_total", help: "Endpoints the relay disabled after repeated given-up deliveries", registers: [registry] }),
    ),
    expired: once(registry, "relay_webhook_expiries_total", () =>
      new Counter({ name: "relay_webhook_expiries_total", help: "consent.expired events queued by the expiry job", registers: [registry] }),
    ),
  };
}
