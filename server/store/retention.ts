import { Gauge, type Registry } from "prom-client";
import type { Env } from "../config";
import type { Queryable } from "./db";

/** What one pruning pass removed. */
export interface Pruned {
  failedOperations: number;
  deviceSignatures: number;
  eventAnswers: number;
  purchaseAmounts: number;
}

type RetentionConfig = Pick<Env, "RETENTION_FAILED_OPERATIONS_DAYS" | "RETENTION_EVENT_ANSWERS_HOURS" | "RETURN_WINDOW_DAYS">;

/**
 * One retention pass: failed operations (and their nonce rows) older than RETENTION_FAILED_OPERATIONS_DAYS,
 * device signatures whose timestamp can no longer pass the window, stored device-event answers older than
 * RETENTION_EVENT_ANSWERS_HOURS (at least 24: a till re-sending an event within a day gets its first
 * answer), and till amounts of purchases older than RETURN_WINDOW_DAYS (the points stay).
 */
export async function pruneRetained(db: Queryable, config: RetentionConfig, now = new Date()): Promise<Pruned> {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const day = 86_400_000;
  const failed = await db.query<{ id: string }>("DELETE FROM operations WHERE status = 'failed' AND updated_at < $1 RETURNING id::text AS id", [
    ago(config.RETENTION_FAILED_OPERATIONS_DAYS * day),
  ]);
  if (failed.rows.length > 0) await db.query("DELETE FROM relay_customer_actions WHERE operation_id = ANY($1)", [failed.rows.map((r) => r.id)]);
  const signatures = await db.query("DELETE FROM relay_device_signatures WHERE expires_at < $1", [Math.floor(now.getTime() / 1000)]);
  await db.query("DELETE FROM relay_signed_messages WHERE expires_at < $1", [Math.floor(now.getTime() / 1000)]);
  const answers = await db.query("DELETE FROM relay_device_events WHERE created_at < $1", [ago(Math.max(24, config.RETENTION_EVENT_ANSWERS_HOURS) * 3_600_000)]);
  const amounts = await db.query("UPDATE relay_purchases SET amount = NULL WHERE amount IS NOT NULL AND created_at < $1", [ago(config.RETURN_WINDOW_DAYS * day)]);
  return { failedOperations: failed.rows.length, deviceSignatures: signatures.rowCount, eventAnswers: answers.rowCount, purchaseAmounts: amounts.rowCount };
}

/** Tables whose rows are counted at each scrape (the ones that grow with traffic). */
const COUNTED = ["operations", "relay_device_signatures", "relay_device_events", "relay_purchases", "relay_customer_actions", "relay_visits", "consent_history", "webhook_deliveries"];

/** relay_table_bytes{table} for every table of the schema and relay_table_rows{table} for the growing ones, read at each scrape. */
export function tableSizeMetrics(registry: Registry, db: Queryable): void {
  new Gauge({
    name: "relay_table_bytes",
    // The same shared value in every relay process (RELAY_WORKERS): shown once, not summed.
    aggregator: "max",
    help: "On-disk size of each relay table with its indexes (pg_total_relation_size)",
    labelNames: ["table"],
    registers: [registry],
    async collect() {
      const { rows } = await db.query<{ name: string; bytes: number }>(
        "SELECT tablename AS name, pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass)::bigint AS bytes FROM pg_tables WHERE schemaname = current_schema()",
      );
      for (const r of rows) this.set({ table: r.name }, Number(r.bytes));
    },
  });
  new Gauge({
    name: "relay_table_rows",
    // The same shared value in every relay process (RELAY_WORKERS): shown once, not summed.
    aggregator: "max",
    help: "Rows of the relay tables that grow with traffic",
    labelNames: ["table"],
    registers: [registry],
    async collect() {
      for (const table of COUNTED) {
        const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`).catch(() => undefined);
        if (r) this.set({ table }, r.rows[0]!.n);
      }
    },
  });
}
