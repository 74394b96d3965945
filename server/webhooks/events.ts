import crypto from "node:crypto";
import type { Queryable } from "../store/db";

/**
 * The events a brand's endpoints can subscribe to, their bodies, and `queueEvents`, which stores events
 * and one delivery per subscribed endpoint inside the caller's transaction (the one that stores the
 * event's cause), so an event is queued if and only if its cause is stored.
 *
 * Body (Standard Webhooks shape): `{ "type", "timestamp" (ISO 8601, when it was queued), "data" }`.
 * No personal data: the wallet address and what the event is about (docs/webhooks.md lists every field).
 */
export const EVENT_TYPES = [
  "consent.granted",
  "consent.revoked",
  "consent.expired",
  "consent.notice_renewed",
  "points.issued",
  "points.reversed",
  "points.redeemed",
  "data_request.received",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Sent, whatever the endpoint subscribed to, to every endpoint that may have received an event whose
 * block a chain reorganisation abandoned.
 */
export const RETRACTED = "event.retracted";

export type AnyEventType = EventType | typeof RETRACTED;

/** Where a chain-origin event's cause is. */
export interface ChainLocation {
  blockNumber: number;
  blockHash: string;
  txHash: string;
  logIndex: number;
}

export interface NewEvent {
  brand: string;
  type: AnyEventType;
  /** The wallet the event is about. */
  subject?: string;
  data: Record<string, unknown>;
  /** Names the cause: one live event per brand and cause (a second queueing is a no-op). */
  sourceKey: string;
  /** Chain-origin events: the cause's block (a rewind past it retracts the event). */
  blockNumber?: number;
  /** A revocation accepted by the relay: its operation and purpose (undefined: revoke-all). */
  operationId?: string;
  purpose?: string;
  /** Deliver to exactly these endpoints (retractions), instead of the brand's subscribers. */
  endpoints?: readonly string[];
}

const QUEUE_LOCK = 727_276;

/**
 * Serialises queueing: taken (last, after any other lock) by every transaction that queues events or
 * deliveries, so that sequence numbers, and so delivery order, follow commit order.
 */
export async function lockQueue(tx: Queryable): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock($1)", [QUEUE_LOCK]);
}

/** A purpose id with its name (the brand's own, else a known one: `purposeNamer`) when it has one. */
export function purposeFields(purpose: string | null, name: string | null): { purpose: string | null; purposeName?: string } {
  if (purpose === null) return { purpose: null };
  return name ? { purpose: purpose.toLowerCase(), purposeName: name } : { purpose: purpose.toLowerCase() };
}

export const isoSeconds = (unix: number) => new Date(unix * 1000).toISOString();

export function newEventId(): string {
  return `msg_${crypto.randomBytes(16).toString("hex")}`;
}

/** Per brand, its enabled endpoints with the types each subscribes to. */
export type Subscribers = Map<string, { id: string; types: string[] }[]>;

/** The enabled endpoints of `brands`. */
export async function subscribersOf(tx: Queryable, brands: readonly string[]): Promise<Subscribers> {
  const out: Subscribers = new Map();
  if (brands.length === 0) return out;
  const { rows } = await tx.query<{ id: string; brand: string; event_types: string[] }>(
    "SELECT id::text AS id, brand, event_types FROM webhook_endpoints WHERE enabled AND brand = ANY($1::text[]) ORDER BY created_at, id",
    [[...new Set(brands)]],
  );
  for (const r of rows) {
    const list = out.get(r.brand) ?? [];
    list.push({ id: r.id, types: r.event_types });
    out.set(r.brand, list);
  }
  return out;
}

/**
 * Queues `events` in order, each with one delivery per enabled endpoint of its brand subscribed to its
 * type (or per endpoint in `event.endpoints`); an event no endpoint takes is not stored. Returns the
 * number of events stored. Call inside the transaction that stores the events' causes; `known`: the
 * brands' subscribers when the caller has just read them in it.
 */
export async function queueEvents(tx: Queryable, events: readonly NewEvent[], known?: Subscribers): Promise<number> {
  if (events.length === 0) return 0;
  const subscribers = known ?? (await subscribersOf(tx, events.filter((e) => !e.endpoints).map((e) => e.brand)));
  const targets = events.map((e) => e.endpoints ?? (subscribers.get(e.brand) ?? []).filter((s) => s.types.includes(e.type)).map((s) => s.id));
  const kept = events.map((e, i) => ({ e, to: targets[i]! })).filter((x) => x.to.length > 0);
  if (kept.length === 0) return 0;
  await lockQueue(tx);
  const now = new Date().toISOString();
  const ids = kept.map(() => newEventId());
  const inserted = await tx.query<{ seq: number; id: string }>(
    `INSERT INTO webhook_events (id, brand, type, subject, body, source_key, block_number, operation_id, purpose)
     SELECT id, brand, type, subject, body, source_key, block_number, operation_id, purpose
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[])
       WITH ORDINALITY AS t(id, brand, type, subject, body, source_key, block_number, operation_id, purpose, ord)
     ORDER BY ord
     ON CONFLICT (brand, source_key) WHERE NOT retracted DO NOTHING
     RETURNING seq, id`,
    [
      ids,
      kept.map((x) => x.e.brand),
      kept.map((x) => x.e.type),
      kept.map((x) => x.e.subject?.toLowerCase() ?? null),
      kept.map((x) => JSON.stringify({ type: x.e.type, timestamp: now, data: x.e.data })),
      kept.map((x) => x.e.sourceKey),
      kept.map((x) => x.e.blockNumber ?? null),
      kept.map((x) => x.e.operationId ?? null),
      kept.map((x) => x.e.purpose?.toLowerCase() ?? null),
    ],
  );
  const seqOf = new Map(inserted.rows.map((r) => [r.id, r.seq]));
  const endpointIds: string[] = [];
  const eventSeqs: number[] = [];
  kept.forEach((x, i) => {
    const seq = seqOf.get(ids[i]!);
    if (seq === undefined) return;
    for (const endpoint of x.to) {
      endpointIds.push(endpoint);
      eventSeqs.push(seq);
    }
  });
  if (endpointIds.length) {
    await tx.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_seq)
       SELECT endpoint_id, event_seq FROM unnest($1::uuid[], $2::bigint[]) WITH ORDINALITY AS t(endpoint_id, event_seq, ord) ORDER BY ord`,
      [endpointIds, eventSeqs],
    );
  }
  return inserted.rows.length;
}

// ------------------------------------------------------------------------------------------------ bodies

/** What a customer's data request (access or erasure) says, for `data_request.received`. */
export interface DataRequestReceived {
  /** The relay's id of the request. */
  requestId: string;
  /** The customer's wallet. */
  subject: string;
  kind: "access" | "erase";
  /** The brand it names, or every brand of this relay. */
  brand: string | "all";
  /** Unix seconds the relay received it. */
  receivedAt: number;
}

/**
 * Queues `data_request.received` for the named brand, or for every brand of this relay when the request
 * names all of them. Call inside the transaction that records the request.
 */
export async function emitDataRequestReceived(tx: Queryable, r: DataRequestReceived): Promise<number> {
  const brands =
    r.brand === "all"
      ? (await tx.query<{ address: string }>("SELECT address FROM relay_brands ORDER BY address")).rows.map((b) => b.address)
      : [r.brand.toLowerCase()];
  return queueEvents(
    tx,
    brands.map((brand) => ({
      brand,
      type: "data_request.received" as const,
      subject: r.subject,
      sourceKey: `data-request:${r.requestId}`,
      data: {
        brand,
        subject: r.subject.toLowerCase(),
        requestId: r.requestId,
        kind: r.kind,
        scope: r.brand === "all" ? "all" : "brand",
        receivedAt: isoSeconds(r.receivedAt),
      },
    })),
  );
}
