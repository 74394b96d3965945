import type { Db, Queryable } from "../store/db";
import type { SendOutcome } from "./send";

/**
 * The delivery queue's bookkeeping, for the delivery loop (dispatcher.ts). An endpoint is delivered to by
 * one relay instance at a time (a lease on its row, renewed at every attempt), one delivery at a time, in
 * id order: its head is its pending delivery with the lowest id, and it is due when its next attempt time
 * has come. Every attempt is logged before its request is sent and completed after.
 */
export interface Begun {
  deliveryId: number;
  /** This attempt's number (1-based). */
  attempt: number;
  /** Milliseconds since the delivery was queued. */
  ageMs: number;
  eventId: string;
  body: string;
  url: string;
  /** Secrets that sign: the current one, and the previous one during a rotation's grace period. */
  secrets: string[];
}

const interval = "make_interval(secs => $2::float8 / 1000)";

/** Leases up to `limit` enabled endpoints whose head delivery is due and that no instance holds; returns their ids. */
export async function claimEndpoints(db: Db, owner: string, limit: number, leaseMs: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE webhook_endpoints SET lease_owner = $1, lease_until = now() + ${interval}
     WHERE id IN (
       SELECT e.id FROM webhook_endpoints e
       CROSS JOIN LATERAL (
         SELECT d.next_attempt_at FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' ORDER BY d.id LIMIT 1
       ) head
       WHERE e.enabled AND (e.lease_until IS NULL OR e.lease_until < now()) AND head.next_attempt_at <= now()
       ORDER BY head.next_attempt_at LIMIT $3
       FOR UPDATE OF e SKIP LOCKED)
     RETURNING id::text AS id`,
    [owner, leaseMs, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Renews the lease, takes the endpoint's head delivery if it is due, counts the attempt and logs its start.
 * Null when the lease is lost, the endpoint is disabled or gone, or nothing is due.
 */
export async function beginAttempt(db: Db, endpointId: string, owner: string, leaseMs: number): Promise<Begun | null> {
  return db.transaction(async (tx) => {
    const ep = await tx.query<{ url: string; secret: string; previous_secret: string | null; previous_valid: boolean | null }>(
      `UPDATE webhook_endpoints SET lease_until = now() + ${interval}
       WHERE id = $1 AND lease_owner = $3 AND enabled
       RETURNING url, secret, previous_secret, previous_secret_until > now() AS previous_valid`,
      [endpointId, leaseMs, owner],
    );
    const endpoint = ep.rows[0];
    if (!endpoint) return null;
    const head = await tx.query<{ id: number; attempts: number; due: boolean; age_ms: number; event_id: string; body: string }>(
      `SELECT d.id, d.attempts, d.next_attempt_at <= now() AS due, (extract(epoch FROM now() - d.created_at) * 1000)::float8 AS age_ms,
         ev.id AS event_id, ev.body
       FROM webhook_deliveries d JOIN webhook_events ev ON ev.seq = d.event_seq
       WHERE d.endpoint_id = $1 AND d.status = 'pending' ORDER BY d.id LIMIT 1 FOR UPDATE OF d`,
      [endpointId],
    );
    const d = head.rows[0];
    if (!d || !d.due) return null;
    const attempt = d.attempts + 1;
    await tx.query("UPDATE webhook_deliveries SET attempts = $2, updated_at = now() WHERE id = $1", [d.id, attempt]);
    await tx.query("INSERT INTO webhook_attempts (delivery_id, attempt) VALUES ($1, $2)", [d.id, attempt]);
    const secrets = [endpoint.secret, ...(endpoint.previous_secret && endpoint.previous_valid ? [endpoint.previous_secret] : [])];
    return { deliveryId: d.id, attempt, ageMs: Number(d.age_ms), eventId: d.event_id, body: d.body, url: endpoint.url, secrets };
  });
}

export type Verdict = { kind: "delivered" } | { kind: "retry"; delayMs: number } | { kind: "given_up" };

/**
 * Records an attempt's outcome and what follows: delivered, retried after `delayMs`, or given up (and the
 * endpoint disabled once `disableAfter` deliveries in a row were given up; 0: never). A delivery cancelled
 * meanwhile (its event retracted) stays cancelled. Returns whether this disabled the endpoint.
 */
export async function finishAttempt(
  db: Db,
  p: { endpointId: string; begun: Begun; outcome: SendOutcome; verdict: Verdict; disableAfter: number },
): Promise<{ disabled: boolean }> {
  const { begun, outcome, verdict } = p;
  return db.transaction(async (tx) => {
    await tx.query(
      "UPDATE webhook_attempts SET duration_ms = $3, status_code = $4, error = $5, response_excerpt = $6 WHERE delivery_id = $1 AND attempt = $2",
      [begun.deliveryId, begun.attempt, outcome.durationMs, outcome.statusCode ?? null, outcome.error ?? null, outcome.excerpt ?? null],
    );
    const last = [begun.deliveryId, outcome.statusCode ?? null, outcome.error ?? (outcome.ok ? null : `HTTP ${outcome.statusCode}`)];
    if (verdict.kind === "delivered") {
      await tx.query(
        `UPDATE webhook_deliveries SET status = 'delivered', last_status = $2, last_error = NULL, finished_at = now(), updated_at = now()
         WHERE id = $1 AND status = 'pending'`,
        last.slice(0, 2),
      );
      await tx.query("UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0", [p.endpointId]);
      return { disabled: false };
    }
    if (verdict.kind === "retry") {
      await tx.query(
        `UPDATE webhook_deliveries SET last_status = $2, last_error = $3, next_attempt_at = now() + make_interval(secs => $4::float8 / 1000), updated_at = now()
         WHERE id = $1 AND status = 'pending'`,
        [...last, verdict.delayMs],
      );
      return { disabled: false };
    }
    await tx.query(
      `UPDATE webhook_deliveries SET status = 'failed', last_status = $2, last_error = $3, finished_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'pending'`,
      last,
    );
    const r = await tx.query<{ disabled: boolean }>(
      `WITH before AS (SELECT enabled AND $2 > 0 AND consecutive_failures + 1 >= $2 AS trips FROM webhook_endpoints WHERE id = $1)
       UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
         enabled = enabled AND NOT (SELECT trips FROM before),
         disabled_reason = CASE WHEN (SELECT trips FROM before) THEN 'failing' ELSE disabled_reason END,
         updated_at = now()
       WHERE id = $1 RETURNING (SELECT trips FROM before) AS disabled`,
      [p.endpointId, p.disableAfter],
    );
    return { disabled: r.rows[0]?.disabled === true };
  });
}

export async function releaseLease(db: Queryable, endpointId: string, owner: string): Promise<void> {
  await db.query("UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2", [endpointId, owner]);
}

/** PGlite is one process: leases left by a previous run of it (killed) belong to nobody. */
export async function clearLeases(db: Queryable): Promise<void> {
  await db.query("UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL");
}

/** Deletes finished deliveries (and their attempts) older than `days`, then events no delivery refers to any more. */
export async function pruneFinished(db: Queryable, days: number): Promise<number> {
  const d = await db.query(
    "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND finished_at < now() - make_interval(days => $1::int)",
    [days],
  );
  await db.query(
    `DELETE FROM webhook_events ev WHERE ev.created_at < now() - make_interval(days => $1::int)
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = ev.seq)
       AND NOT (ev.operation_id IS NOT NULL AND ev.matched_seq IS NULL
                AND EXISTS (SELECT 1 FROM operations o WHERE o.id::text = ev.operation_id AND o.status <> 'failed'))`,
    [days],
  );
  return d.rowCount;
}
