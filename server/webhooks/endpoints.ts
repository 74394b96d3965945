import type { Db, Queryable } from "../store/db";
import { lockQueue } from "./events";
import { newSecret } from "./signing";

/**
 * A brand's endpoints and their delivery log, as the brand API reads and changes them. Every function
 * takes the calling brand and touches only its rows: another brand's endpoint or delivery is "not found".
 */
export interface EndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  /** "failing" when the relay disabled it after repeated given-up deliveries. */
  disabledReason: string | null;
  consecutiveFailures: number;
  /** End of the rotation grace period while the previous secret still signs. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: "pending" | "delivered" | "failed" | "cancelled";
  manual: boolean;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface AttemptView {
  attempt: number;
  startedAt: string;
  /** null while in flight, or when the relay stopped during it. */
  durationMs: number | null;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
}

export class EndpointLimitError extends Error {
  override name = "EndpointLimitError";
}

type EndpointRow = {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
  previous_secret_until: Date | null;
  created_at: Date;
  updated_at: Date;
};

const ENDPOINT_COLUMNS =
  "id::text AS id, url, description, event_types, enabled, disabled_reason, consecutive_failures, CASE WHEN previous_secret_until > now() THEN previous_secret_until END AS previous_secret_until, created_at, updated_at";

const endpointOf = (r: EndpointRow): EndpointView => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  consecutiveFailures: r.consecutive_failures,
  previousSecretExpiresAt: r.previous_secret_until ? r.previous_secret_until.toISOString() : null,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isId = (id: string) => /^[1-9]\d{0,15}$/.test(id);

export interface NewEndpoint {
  url: string;
  eventTypes: readonly string[];
  description: string;
  enabled: boolean;
}

/** Creates an endpoint with a new secret, returned once; refuses a brand's endpoint beyond `max`. */
export async function createEndpoint(db: Db, brand: string, e: NewEndpoint, max: number): Promise<{ endpoint: EndpointView; secret: string }> {
  const secret = newSecret();
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`webhook-endpoints:${brand}`]);
    const { rows } = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_endpoints WHERE brand = $1", [brand]);
    if (rows[0]!.n >= max) throw new EndpointLimitError(`a brand has at most ${max} endpoints`);
    const r = await tx.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (brand, url, description, event_types, enabled, secret) VALUES ($1, $2, $3, $4::text[], $5, $6)
       RETURNING ${ENDPOINT_COLUMNS}`,
      [brand, e.url, e.description, [...e.eventTypes], e.enabled, secret],
    );
    return { endpoint: endpointOf(r.rows[0]!), secret };
  });
}

export async function listEndpoints(db: Queryable, brand: string): Promise<EndpointView[]> {
  const { rows } = await db.query<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE brand = $1 ORDER BY created_at, id`, [brand]);
  return rows.map(endpointOf);
}

export async function getEndpoint(db: Queryable, brand: string, id: string): Promise<EndpointView | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE brand = $1 AND id = $2`, [brand, id]);
  return rows[0] ? endpointOf(rows[0]) : undefined;
}

/** Changes what is given; enabling clears the failure count and the relay's reason. */
export async function updateEndpoint(
  db: Queryable,
  brand: string,
  id: string,
  patch: Partial<NewEndpoint>,
): Promise<EndpointView | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints SET
       url = COALESCE($3, url),
       description = COALESCE($4, description),
       event_types = COALESCE($5::text[], event_types),
       enabled = COALESCE($6, enabled),
       consecutive_failures = CASE WHEN $6 THEN 0 ELSE consecutive_failures END,
       disabled_reason = CASE WHEN $6 THEN NULL ELSE disabled_reason END,
       updated_at = now()
     WHERE brand = $1 AND id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
    [brand, id, patch.url ?? null, patch.description ?? null, patch.eventTypes ? [...patch.eventTypes] : null, patch.enabled ?? null],
  );
  return rows[0] ? endpointOf(rows[0]) : undefined;
}

/** Deletes an endpoint with its deliveries and their log. */
export async function deleteEndpoint(db: Queryable, brand: string, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  return (await db.query("DELETE FROM webhook_endpoints WHERE brand = $1 AND id = $2", [brand, id])).rowCount > 0;
}

/**
 * A new secret, returned once; the current one becomes the previous one and keeps signing for
 * `graceSeconds` (0: stops at once). A secret still in its grace period from an earlier rotation stops.
 */
export async function rotateSecret(
  db: Queryable,
  brand: string,
  id: string,
  graceSeconds: number,
): Promise<{ endpoint: EndpointView; secret: string } | undefined> {
  if (!UUID.test(id)) return undefined;
  const secret = newSecret();
  const { rows } = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints SET previous_secret = CASE WHEN $4 > 0 THEN secret END,
       previous_secret_until = CASE WHEN $4 > 0 THEN now() + make_interval(secs => $4::float8) END,
       secret = $3, updated_at = now()
     WHERE brand = $1 AND id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
    [brand, id, secret, graceSeconds],
  );
  return rows[0] ? { endpoint: endpointOf(rows[0]), secret } : undefined;
}

type DeliveryRow = {
  id: number;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryView["status"];
  manual: boolean;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
};

const deliverySelect = (extra = "") => `SELECT d.id, d.endpoint_id::text AS endpoint_id, ev.id AS event_id, ev.type AS event_type, d.status, d.manual,
    d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.finished_at${extra}
  FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_events ev ON ev.seq = d.event_seq`;

const deliveryOf = (r: DeliveryRow): DeliveryView => ({
  id: String(r.id),
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  manual: r.manual,
  attempts: r.attempts,
  nextAttemptAt: r.status === "pending" ? r.next_attempt_at.toISOString() : null,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
});

/** An endpoint's deliveries, newest first: at most `limit`, with ids below `before` when given. */
export async function listDeliveries(
  db: Queryable,
  brand: string,
  endpointId: string,
  q: { status?: DeliveryView["status"]; limit: number; before?: string },
): Promise<DeliveryView[]> {
  if (!UUID.test(endpointId)) return [];
  const { rows } = await db.query<DeliveryRow>(
    `${deliverySelect()} WHERE e.brand = $1 AND d.endpoint_id = $2 AND ($3::text IS NULL OR d.status = $3) AND ($4::bigint IS NULL OR d.id < $4)
     ORDER BY d.id DESC LIMIT $5`,
    [brand, endpointId, q.status ?? null, q.before ?? null, q.limit],
  );
  return rows.map(deliveryOf);
}

/** One delivery with its attempts and the event's body. */
export async function getDelivery(
  db: Queryable,
  brand: string,
  id: string,
): Promise<(DeliveryView & { payload: unknown; attemptLog: AttemptView[] }) | undefined> {
  if (!isId(id)) return undefined;
  const { rows } = await db.query<DeliveryRow & { body: string }>(
    `${deliverySelect(", ev.body")} WHERE e.brand = $1 AND d.id = $2`,
    [brand, id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const attempts = await db.query<{ attempt: number; started_at: Date; duration_ms: number | null; status_code: number | null; error: string | null; response_excerpt: string | null }>(
    "SELECT attempt, started_at, duration_ms, status_code, error, response_excerpt FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt",
    [row.id],
  );
  return {
    ...deliveryOf(row),
    payload: JSON.parse(row.body),
    attemptLog: attempts.rows.map((a) => ({
      attempt: a.attempt,
      startedAt: a.started_at.toISOString(),
      durationMs: a.duration_ms,
      statusCode: a.status_code,
      error: a.error,
      responseExcerpt: a.response_excerpt,
    })),
  };
}

export type RedeliverResult = { delivery: DeliveryView } | { refused: "not_found" | "endpoint_disabled" | "event_retracted" };

/** Queues the delivery's event again to the same endpoint, behind what is already queued there (same webhook-id). */
export async function redeliver(db: Db, brand: string, id: string): Promise<RedeliverResult> {
  if (!isId(id)) return { refused: "not_found" };
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ endpoint_id: string; event_seq: number; enabled: boolean; retracted: boolean }>(
      `SELECT d.endpoint_id::text AS endpoint_id, d.event_seq, e.enabled, ev.retracted
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_events ev ON ev.seq = d.event_seq
       WHERE e.brand = $1 AND d.id = $2`,
      [brand, id],
    );
    const d = rows[0];
    if (!d) return { refused: "not_found" };
    if (!d.enabled) return { refused: "endpoint_disabled" };
    if (d.retracted) return { refused: "event_retracted" };
    await lockQueue(tx);
    const inserted = await tx.query<{ id: number }>(
      "INSERT INTO webhook_deliveries (endpoint_id, event_seq, manual) VALUES ($1, $2, true) RETURNING id",
      [d.endpoint_id, d.event_seq],
    );
    const view = await tx.query<DeliveryRow>(`${deliverySelect()} WHERE d.id = $1`, [inserted.rows[0]!.id]);
    return { delivery: deliveryOf(view.rows[0]!) };
  });
}
