import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Queryable } from "../store/db";

/** Chain submission's metrics, registered on the relay's shared registry. */
export interface SubmitterMetrics {
  transactions: Counter<"batch">;
  submitted: Counter<"kind">;
  confirmed: Counter<"kind">;
  failed: Counter<"kind" | "stage">;
  replacements: Counter;
  requeued: Counter<"reason">;
  rpcErrors: Counter<"signer">;
  /** Operations per transaction signed. */
  batchSize: Histogram<"batch">;
  /** Batches cut short because their gas would pass BATCH_GAS_MAX or the block's gas limit. */
  batchSplits: Counter;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/**
 * Creates (or reuses, when a second submitter shares the registry) the metrics. The queue depth gauge
 * reads the outbox on every scrape, so it is right across several relay instances.
 */
export function createSubmitterMetrics(registry: Registry, db: Queryable): SubmitterMetrics {
  if (!registry.getSingleMetric("relay_outbox_operations")) {
    new Gauge({
      name: "relay_outbox_operations",
      // The same shared value in every relay process (RELAY_WORKERS): shown once, not summed.
      aggregator: "max",
      help: "Operations in the outbox waiting for the chain, by status (queued: not yet sent; submitted: sent, not yet final)",
      labelNames: ["status"],
      registers: [registry],
      async collect() {
        try {
          const r = await db.query<{ status: string; n: number }>(
            "SELECT status, count(*)::int8 AS n FROM operations WHERE status IN ('queued', 'submitted') GROUP BY status",
          );
          this.reset();
          this.set({ status: "queued" }, 0);
          this.set({ status: "submitted" }, 0);
          for (const row of r.rows) this.set({ status: row.status }, row.n);
        } catch {
          /* database unavailable: keep the last values */
        }
      },
    });
  }
  return {
    transactions: counter(registry, "relay_submitter_transactions_total", "Transactions signed and broadcast (first versions), by batch kind", ["batch"]),
    submitted: counter(registry, "relay_submitter_operations_submitted_total", "Operations placed in a signed transaction", ["kind"]),
    confirmed: counter(registry, "relay_submitter_operations_confirmed_total", "Operations mined at confirmation depth", ["kind"]),
    failed: counter(registry, "relay_submitter_operations_failed_total", "Operations failed, at simulation or by a mined revert", ["kind", "stage"]),
    replacements: counter(registry, "relay_submitter_replacements_total", "Stuck transactions replaced with a higher fee", []),
    requeued: counter(registry, "relay_submitter_operations_requeued_total", "Operations put back in the queue (their transaction reverted as a batch, or its nonce was used elsewhere)", ["reason"]),
    rpcErrors: counter(registry, "relay_submitter_rpc_errors_total", "Submitter steps that failed on the RPC endpoint or the database and were retried", ["signer"]),
    batchSize:
      (registry.getSingleMetric("relay_submitter_batch_operations") as Histogram<"batch"> | undefined) ??
      new Histogram({
        name: "relay_submitter_batch_operations",
        help: "Operations carried by each transaction signed, by batch kind",
        labelNames: ["batch"],
        buckets: [1, 2, 5, 10, 20, 50, 100, 200, 300, 400, 500, 1000],
        registers: [registry],
      }),
    batchSplits: counter(registry, "relay_submitter_batch_splits_total", "Batches cut short to keep their gas under BATCH_GAS_MAX and the block's gas limit", []),
  };
}
