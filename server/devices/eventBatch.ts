import type { Address } from "viem";
import type { Env } from "../config";
import { procedure, type Queryable } from "../store/db";
import { HttpError, sendResults, validationError, type Sent } from "../http/errors";
import { consentGrantedSql } from "../consent/gate";
import { PURPOSE_OF_EVENT, type DeviceEventKind } from "../consent/purposes";
import { walletOfCard } from "../customers/cards";
import { brandOf, deviceOf, type Brand, type BrandRow, type Device, type DeviceRow } from "../brands/registry";
import { signatureHash } from "./auth";
import { signerAmongAsync, verifyAhead } from "./deviceLookup";
import { decodeSignature } from "./signing";
import { EVENT_KINDS, deviceEventSchema, type DeviceEvent, type EventAnswer, type EventOutcome, type DropReason } from "./events";

/** A device request whose headers passed the checks that need nothing looked up (auth.ts, readDeviceHeaders). */
export interface EventRequest {
  deviceId: string;
  timestamp: string;
  /** The X-Signature header as sent (a malformed one is answered as a bad signature). */
  signature: string;
  /** The canonical request the device signed (client/device/canonicalRequest.ts). */
  canonical: string;
  /** The store named by the path. */
  storeId: string | undefined;
  /** The JSON body: validated only once the signature is verified and recorded (its 400 comes after a 401 or 409). */
  body: unknown;
}

export type EventResult =
  /** Handled in the batch: answer once the batch's transaction has committed. */
  | { kind: "done"; outcome: EventOutcome; device: Device; brand: Brand; event: DeviceEvent }
  /** Authenticated and recorded, but handled on its own (purchase, return: per-receipt locks, chain reads). */
  | { kind: "alone"; device: Device; brand: Brand; event: DeviceEvent }
  | { kind: "error"; error: HttpError };

/** The body as the batch reads it: the event, or the 400 it earns. */
function parseEvent(body: unknown): { event: DeviceEvent } | { error: HttpError } {
  const kind = (body as { kind?: unknown } | undefined)?.kind;
  if (typeof kind !== "string" || !(EVENT_KINDS as readonly string[]).includes(kind)) {
    return { error: new HttpError(400, "invalid_event_kind", `kind must be one of ${EVENT_KINDS.join(", ")}`) };
  }
  const r = deviceEventSchema.safeParse(body);
  return r.success ? { event: r.data } : { error: validationError(r.error) };
}

/** The settings a batch reads. */
export type EventBatchConfig = Pick<Env, "DEVICE_CLOCK_TOLERANCE_SECONDS" | "CARD_TOKEN_PEPPER">;

const BAD_SIGNATURE = () => new HttpError(401, "bad_device_signature", "X-Signature does not verify with the device's key over the canonical request");

type DeviceBrandRow = DeviceRow & { [K in keyof BrandRow as `b_${K}`]: BrandRow[K] | null };

/**
 * Handles the device events that arrived together, in the caller's one transaction, with four multi-row
 * statements whatever their count (five on PostgreSQL, with the event ids' advisory locks): devices and brands;
 * signatures recorded and stored answers read; the consent gate with the previous visits; every write (group
 * commit; DeviceEventBatcher answers them after the commit). Per event, the decisions and their order are those of one event on its own:
 *
 * 1. device known, signature valid over the canonical request (401 bad_device_signature, an unknown device
 *    indistinguishably), signature recorded against replay (409 replayed_signature; within the batch, the
 *    first use wins), device enabled and of the path's store (403), body valid (400), brand enabled (403);
 * 2. purchases and returns go on alone (`alone`); presences and scans: an event id already answered (in the
 *    database or earlier in this batch) gets that answer again (`duplicate`); otherwise the customer is
 *    resolved (unknown card: dropped), the consent gate read in one statement for the batch (no consent:
 *    dropped), the visit or scan stored, and every answer stored.
 *
 * Reads happen after the batch was formed, so a revocation accepted before an event arrived is seen.
 * A database error fails the whole batch (the transaction rolls back); the batcher then handles each
 * event alone.
 */
export async function handleEventBatch(
  tx: Queryable,
  config: EventBatchConfig,
  sent: readonly EventRequest[],
  opts: { locks: boolean; verified?: readonly ReadonlyMap<string, boolean>[] },
): Promise<EventResult[]> {
  const requests = sent.map((r) => ({ ...r, signature: decodeSignature(r.signature), parsed: parseEvent(r.body) }));
  const results = new Array<EventResult>(requests.length);
  const { rows: found } = await tx.query<DeviceBrandRow>(
    `SELECT d.id, d.brand, d.store_id, d.name, d.public_key, d.disabled, d.created_at,
            b.address AS b_address, b.name AS b_name, b.points_per_unit::text AS b_points_per_unit, b.operator AS b_operator,
            b.receipt_salt AS b_receipt_salt, b.disabled AS b_disabled, b.max_purchase_amount::text AS b_max_purchase_amount, b.created_at AS b_created_at
       FROM relay_devices d LEFT JOIN relay_brands b ON b.address = d.brand WHERE d.id = ANY($1::text[])`,
    [[...new Set(requests.map((r) => r.deviceId))]],
  );
  // Device ids are scoped per brand: an id names up to one device per brand, the signer is the one whose key verifies.
  const withId = new Map<string, DeviceBrandRow[]>();
  for (const r of found) withId.set(r.id, [...(withId.get(r.id) ?? []), r]);
  const signers = new Array<DeviceBrandRow | undefined>(requests.length);

  // 1. Signatures: verified (an unknown device is verified against a key nobody holds), then recorded.
  const hashes = new Array<string | undefined>(requests.length);
  const firstUse = new Map<string, number>();
  // Verified side by side on the thread pool (or before the transaction: `opts.verified`, for the keys of the rows
  // read then); decided below in request order with the rows read now (the first use of a signature wins).
  const verified = await Promise.all(
    requests.map((r, i) => signerAmongAsync(withId.get(r.deviceId) ?? [], (d) => d.public_key, r.canonical, r.signature, opts.verified?.[i])),
  );
  requests.forEach((r, i) => {
    const row = verified[i];
    signers[i] = row;
    if (!row) {
      results[i] = { kind: "error", error: BAD_SIGNATURE() };
      return;
    }
    const hash = signatureHash(r.signature!);
    if (firstUse.has(hash)) {
      results[i] = { kind: "error", error: replayed() };
      return;
    }
    firstUse.set(hash, i);
    hashes[i] = hash;
  });
  if (firstUse.size === 0) return results;
  // Presences and scans whose device is known: their event ids are locked (PostgreSQL: one event id at a time per
  // brand, across transactions and instances) and their stored answers read with the signatures' record, in one
  // statement; a request refused below only leaves its lock until the commit.
  const candidates = new Map<string, { brand: string; eventId: string }>();
  requests.forEach((r, i) => {
    const row = signers[i];
    if (results[i] || !row?.b_address || "error" in r.parsed || r.parsed.event.kind === "purchase" || r.parsed.event.kind === "return") return;
    candidates.set(`event:${row.b_address}:${r.parsed.event.eventId}`, { brand: row.b_address, eventId: r.parsed.event.eventId });
  });
  if (opts.locks && candidates.size > 0) {
    await tx.query("SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM unnest($1::text[]) AS k", [[...candidates.keys()].sort()]);
  }
  const order = [...firstUse.values()];
  const cand = [...candidates.values()];
  const { rows: recordedOrPrior } = await tx.query<{ recorded: string | null; brand: string | null; event_id: string | null; status: number | null; response: EventAnswer | string | null }>(
    `WITH recorded AS (
       INSERT INTO relay_device_signatures (signature_hash, device_id, expires_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT (signature_hash) DO NOTHING RETURNING signature_hash)
     SELECT signature_hash AS recorded, NULL AS brand, NULL AS event_id, NULL::int AS status, NULL::jsonb AS response FROM recorded
     UNION ALL
     SELECT NULL, e.brand, e.event_id, e.status, e.response FROM unnest($4::text[], $5::text[]) AS q(brand, event_id)
       CROSS JOIN LATERAL (SELECT * FROM relay_device_events e WHERE e.brand = q.brand AND e.event_id = q.event_id LIMIT 1) e`,
    [
      order.map((i) => hashes[i]!),
      order.map((i) => requests[i]!.deviceId),
      order.map((i) => Number(requests[i]!.timestamp) + config.DEVICE_CLOCK_TOLERANCE_SECONDS + 1),
      cand.map((c) => c.brand),
      cand.map((c) => c.eventId),
    ],
  );
  const newlyRecorded = new Set(recordedOrPrior.filter((r) => r.recorded !== null).map((r) => r.recorded!));
  for (const i of order) if (!newlyRecorded.has(hashes[i]!)) results[i] = { kind: "error", error: replayed() };
  const prior = new Map(recordedOrPrior.filter((r) => r.recorded === null).map((r) => [`event:${r.brand}:${r.event_id}`, r]));

  // The checks after the signature is recorded (a refused request cannot be replayed inside the window either).
  const batched: { i: number; device: Device; brand: Brand; event: DeviceEvent }[] = [];
  requests.forEach((r, i) => {
    if (results[i]) return;
    const row = signers[i]!;
    const device = deviceOf(row);
    if (device.disabled) return void (results[i] = { kind: "error", error: new HttpError(403, "device_disabled", "this device is disabled") });
    if (r.storeId !== undefined && r.storeId !== device.storeId) {
      return void (results[i] = { kind: "error", error: new HttpError(403, "device_store_mismatch", "this device is not registered to this store") });
    }
    if ("error" in r.parsed) return void (results[i] = { kind: "error", error: r.parsed.error });
    if (row.b_address === null) return void (results[i] = { kind: "error", error: BAD_SIGNATURE() });
    const brand = brandOf({
      address: row.b_address,
      name: row.b_name!,
      points_per_unit: row.b_points_per_unit!,
      operator: row.b_operator!,
      receipt_salt: row.b_receipt_salt!,
      disabled: row.b_disabled!,
      max_purchase_amount: row.b_max_purchase_amount,
      created_at: row.b_created_at!,
    });
    if (brand.disabled) return void (results[i] = { kind: "error", error: new HttpError(403, "brand_disabled", "this device's brand is disabled on this relay") });
    const event = r.parsed.event;
    if (event.kind === "purchase" || event.kind === "return") return void (results[i] = { kind: "alone", device, brand, event });
    batched.push({ i, device, brand, event });
  });
  if (batched.length === 0) return results;

  // An event id already answered (in the database, or earlier in this batch) gets that answer again.
  const keyOf = (b: { brand: Brand; event: DeviceEvent }) => `event:${b.brand.address}:${b.event.eventId}`;
  const firstOf = new Map<string, number>();
  const fresh: { i: number; device: Device; brand: Brand; event: DeviceEvent; subject?: Address }[] = [];
  const repeats: { i: number; first: number }[] = [];
  for (const b of batched) {
    const key = keyOf(b);
    const p = prior.get(key);
    if (p) {
      const body = typeof p.response === "string" ? (JSON.parse(p.response) as EventAnswer) : p.response!;
      results[b.i] = { kind: "done", outcome: { status: p.status!, body, duplicate: true }, device: b.device, brand: b.brand, event: b.event };
    } else if (firstOf.has(key)) {
      repeats.push({ i: b.i, first: firstOf.get(key)! });
    } else {
      firstOf.set(key, b.i);
      const named = b.event.customer.wallet
        ? (b.event.customer.wallet.toLowerCase() as Address)
        : await walletOfCard(tx, config, b.brand.address, b.event.customer.cardToken!);
      fresh.push({ ...b, subject: named });
    }
  }

  // The consent gate, one row per event, and for a granted presence the customer's previous visits, balance
  // and display name: one statement.
  const gated = fresh.filter((f) => f.subject && PURPOSE_OF_EVENT[f.event.kind as DeviceEventKind]);
  const { rows: gate } = gated.length
    ? await tx.query<{ i: number; granted: boolean; seen_at: Date | null; n: number; balance: string | null; display_name: string | null }>(
        `WITH g AS MATERIALIZED (
           SELECT q.*, ${consentGrantedSql("q.subject", "q.controller", "q.purpose", "$5")} AS granted
             FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[]) WITH ORDINALITY AS q(subject, controller, purpose, presence, i))
         SELECT g.i::int AS i, g.granted, v.last_seen AS seen_at, COALESCE(v.visits, 0) AS n, p.balance::text AS balance, d.display_name
           FROM g
           LEFT JOIN relay_visit_counts v ON g.granted AND g.presence AND v.brand = g.controller AND v.subject = g.subject
           LEFT JOIN points_balances p ON g.granted AND g.presence AND p.customer = g.subject
           LEFT JOIN relay_display_names d ON g.granted AND g.presence AND d.brand = g.controller AND d.subject = g.subject`,
        [
          gated.map((f) => f.subject!),
          gated.map((f) => f.brand.address),
          gated.map((f) => PURPOSE_OF_EVENT[f.event.kind as DeviceEventKind]!.id.toLowerCase()),
          gated.map((f) => f.event.kind === "presence"),
          Math.floor(Date.now() / 1000),
        ],
      )
    : { rows: [] };
  const refused = new Set<number>();
  const seen = new Map<string, { last: Date | null; n: number; points: string; displayName: string | null }>();
  for (const r of gate) {
    const f = gated[Number(r.i) - 1]!;
    if (!r.granted) refused.add(f.i);
    else if (f.event.kind === "presence" && !seen.has(`${f.brand.address}:${f.subject}`)) {
      seen.set(`${f.brand.address}:${f.subject}`, { last: r.seen_at, n: Number(r.n), points: r.balance ?? "0", displayName: r.display_name });
    }
  }

  const visits: { brand: string; store: string; subject: string; at: Date }[] = [];
  const scans: { brand: string; store: string; subject: string; product: string }[] = [];
  for (const f of fresh) {
    const accept = { accepted: true as const, eventId: f.event.eventId, kind: f.event.kind };
    let outcome: EventOutcome;
    if (!f.subject) outcome = drop(f.event, "unknown_card");
    else if (refused.has(f.i)) outcome = drop(f.event, "no_consent");
    else if (f.event.kind === "presence") {
      const s = seen.get(`${f.brand.address}:${f.subject}`)!;
      const seenAt = new Date();
      visits.push({ brand: f.brand.address, store: f.device.storeId, subject: f.subject, at: seenAt });
      outcome = {
        status: 202,
        body: accept,
        duplicate: false,
        recognised: {
          storeId: f.device.storeId,
          brand: f.brand.address,
          customer: f.subject,
          seenAt: seenAt.toISOString(),
          lastVisit: s.last ? new Date(s.last).toISOString() : null,
          points: s.points,
          visitCount: s.n + 1,
          displayName: s.displayName,
          tier: null,
        },
      };
      // A second presence of the customer in this batch sees this one as its previous visit.
      s.last = seenAt;
      s.n += 1;
    } else {
      scans.push({ brand: f.brand.address, store: f.device.storeId, subject: f.subject, product: (f.event as Extract<DeviceEvent, { kind: "scan" }>).productCode });
      outcome = { status: 202, body: accept, duplicate: false };
    }
    results[f.i] = { kind: "done", outcome, device: f.device, brand: f.brand, event: f.event };
  }
  for (const r of repeats) {
    const first = results[r.first]!;
    results[r.i] = first.kind === "done" ? { ...first, outcome: { status: first.outcome.status, body: first.outcome.body, duplicate: true } } : first;
  }

  // Every write of the batch in one statement.
  const answers = fresh.map((f) => ({ f, r: results[f.i] as Extract<EventResult, { kind: "done" }> }));
  if (answers.length === 0) return results;
  await tx.query(
    `WITH visits AS (
       INSERT INTO relay_visits (brand, store_id, subject, seen_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])),
     scans AS (
       INSERT INTO relay_scans (brand, store_id, subject, product_code, scanned_at)
       SELECT b, s, c, p, now() FROM unnest($5::text[], $6::text[], $7::text[], $8::text[]) AS q(b, s, c, p))
     INSERT INTO relay_device_events (brand, event_id, device_id, kind, status, response)
     SELECT b, e, d, k, s, r::jsonb FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[]) AS q(b, e, d, k, s, r)`,
    [
      visits.map((v) => v.brand),
      visits.map((v) => v.store),
      visits.map((v) => v.subject),
      visits.map((v) => v.at.toISOString()),
      scans.map((v) => v.brand),
      scans.map((v) => v.store),
      scans.map((v) => v.subject),
      scans.map((v) => v.product),
      answers.map((a) => a.f.brand.address),
      answers.map((a) => a.f.event.eventId),
      answers.map((a) => a.f.device.id),
      answers.map((a) => a.f.event.kind),
      answers.map((a) => a.r.outcome.status),
      answers.map((a) => JSON.stringify(a.r.outcome.body)),
    ],
  );
  return results;
}

function replayed(): HttpError {
  return new HttpError(409, "replayed_signature", "this signature was already used: sign each request afresh");
}

function drop(event: DeviceEvent, reason: DropReason): EventOutcome {
  return { status: 202, body: { accepted: true, eventId: event.eventId, kind: event.kind, dropped: reason }, duplicate: false, dropped: reason };
}

/**
 * A batch in its one transaction, as a procedure: in PGlite's worker thread when PGlite runs there (the whole
 * batch is one message each way, db.ts `Procedure`), in the relay's thread otherwise. Advisory locks order event
 * ids across connections; PGlite has only one.
 *
 * The signatures are checked before the transaction begins (verifyAhead), so that it does not hold a connection
 * while the thread pool works: PGlite's one connection serves the whole relay, and in the purchase benchmark a
 * batch's transaction waited 2.2 ms of its 3.5 on the checks. The transaction decides with the devices as it
 * reads them; a key it finds that was not checked ahead (a device registered meanwhile) is checked then.
 */
export const eventBatch = procedure(
  __filename,
  "eventBatch",
  async (db, { config, requests }: { config: EventBatchConfig; requests: EventRequest[] }): Promise<Sent<EventResult>[]> => {
    const verified = await verifyAhead(db, requests.map((r) => ({ deviceId: r.deviceId, canonical: r.canonical, signature: decodeSignature(r.signature) })));
    return sendResults(await db.transaction((tx) => handleEventBatch(tx, config, requests, { locks: db.kind === "postgres", verified })));
  },
);
