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
 * Renews the lease, takes the endpoint's head delivery if it is due, counts the attempt and logs its start,
 * in one statement. Null when the lease is lost, the endpoint is disabled or gone, or nothing is due.
 */
export async function beginAttempt(db: Queryable, endpointId: string, owner: string, leaseMs: number): Promise<Begun | null> {
  const { rows } = await db.query<{
    id: number;
    attempt: number;
    age_ms: number;
    event_id: string;
    body: string;
    url: string;
    secret: string;
    previous_secret: string | null;
    previous_valid: boolean | null;
  }>(
    `WITH ep AS (
       UPDATE webhook_endpoints SET lease_until = now() + ${interval}
       WHERE id = $1 AND lease_owner = $3 AND enabled
       RETURNING url, secret, previous_secret, previous_secret_until > now() AS previous_valid
     ), head AS (
       SELECT d.id, d.attempts + 1 AS attempt, d.event_seq, d.next_attempt_at <= now() AS due,
         (extract(epoch FROM now() - d.created_at) * 1000)::float8 AS age_ms
       FROM webhook_deliveries d
       WHERE d.endpoint_id = $1 AND d.status = 'pending' AND EXISTS (SELECT 1 FROM ep)
       ORDER BY d.id LIMIT 1 FOR UPDATE
     ), counted AS (
       UPDATE webhook_deliveries d SET attempts = head.attempt, updated_at = now() FROM head WHERE d.id = head.id AND head.due
     ), logged AS (
       INSERT INTO webhook_attempts (delivery_id, attempt) SELECT id, attempt FROM head WHERE due
     )
     SELECT head.id, head.attempt, head.age_ms, ev.id AS event_id, ev.body, ep.url, ep.secret, ep.previous_secret, ep.previous_valid
     FROM head JOIN webhook_events ev ON ev.seq = head.event_seq CROSS JOIN ep WHERE head.due`,
    [endpointId, leaseMs, owner],
  );
  const r = rows[0];
  if (!r) return null;
  const secrets = [r.secret, ...(r.previous_secret && r.previous_valid ? [r.previous_secret] : [])];
  return { deliveryId: r.id, attempt: r.attempt, ageMs: Number(r.age_ms), eventId: r.event_id, body: r.body, url: r.url, secrets };
}

export type Verdict = { kind: "delivered" } | { kind: "retry"; delayMs: number } | { kind: "given_up" };

/**
 * Records an attempt's outcome and what follows, in one statement: delivered, retried after `delayMs`, or
 * given up (and the endpoint disabled once `disableAfter` deliveries in a row were given up; 0: never). A
 * delivery cancelled meanwhile (its event retracted) stays cancelled. Returns whether this disabled the
 * endpoint.
 */
export async function finishAttempt(
  db: Queryable,
  p: { endpointId: string; begun: Begun; outcome: SendOutcome; verdict: Verdict; disableAfter: number },
): Promise<{ disabled: boolean }> {
  const { begun, outcome, verdict } = p;
  const status = verdict.kind === "delivered" ? "delivered" : verdict.kind === "given_up" ? "failed" : "pending";
  const { rows } = await db.query<{ disabled: boolean }>(
    `WITH logged AS (
       UPDATE webhook_attempts SET duration_ms = $3, status_code = $4, error = $5, response_excerpt = $6 WHERE delivery_id = $1 AND attempt = $2
     ), delivery AS (
       UPDATE webhook_deliveries SET status = $7, last_status = $4, last_error = $8, updated_at = now(),
         next_attempt_at = CASE WHEN $7 = 'pending' THEN now() + make_interval(secs => $9::float8 / 1000) ELSE next_attempt_at END,
         finished_at = CASE WHEN $7 = 'pending' THEN NULL ELSE now() END
       WHERE id = $1 AND status = 'pending'
     ), before AS (
       SELECT enabled AND $7 = 'failed' AND $11 > 0 AND consecutive_failures + 1 >= $11 AS trips FROM webhook_endpoints WHERE id = $10
     )
     UPDATE webhook_endpoints SET
       consecutive_failures = CASE $7 WHEN 'delivered' THEN 0 WHEN 'failed' THEN consecutive_failures + 1 ELSE consecutive_failures END,
       enabled = enabled AND NOT (SELECT trips FROM before),
       disabled_reason = CASE WHEN (SELECT trips FROM before) THEN 'failing' ELSE disabled_reason END
     WHERE id = $10 RETURNING (SELECT trips FROM before) AS disabled`,
    [
      begun.deliveryId,
      begun.attempt,
      outcome.durationMs,
      outcome.statusCode ?? null,
      outcome.error ?? null,
      outcome.excerpt ?? null,
      status,
      outcome.ok ? null : (outcome.error ?? `HTTP ${outcome.statusCode}`),
      verdict.kind === "retry" ? verdict.delayMs : 0,
      p.endpointId,
      p.disableAfter,
    ],
  );
  return { disabled: rows[0]?.disabled === true };
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
