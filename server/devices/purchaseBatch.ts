import crypto from "node:crypto";
import type { Address, Hex } from "viem";
import type { Env } from "../config";
import { procedure, type Queryable } from "../store/db";
import { HttpError, sendResults, type Sent } from "../http/errors";
import { consentGrantedSql } from "../consent/gate";
import { PURPOSE_OF_EVENT } from "../consent/purposes";
import { walletOfCard } from "../customers/cards";
import { receiptIdOf } from "../brands/earning";
import { checkPurchaseAmount } from "../brands/purchaseBound";
import type { Brand, Device } from "../brands/registry";
import { enqueueOperations, type NewOperation } from "../chain/outbox";
import { earningsFor, type Campaign } from "../loyalty/earn";
import { getProgramme, runningCampaigns, type Programme } from "../loyalty/programme";
import { campaignReceiptId, welcomeReceiptId } from "../loyalty/receiptIds";
import type { IssuancePart } from "../loyalty/purchases";
import type { BackingAt } from "./backingCache";
import { insufficientBacking, type DeviceEvent, type EventAnswer, type EventOutcome } from "./events";

export type PurchaseEvent = Extract<DeviceEvent, { kind: "purchase" }>;

/** An authenticated purchase (its device, signature and brand checked in the device-event batch). */
export interface PurchaseRequest {
  brand: Brand;
  device: Device;
  event: PurchaseEvent;
}

/** The brands' backing on chain at the latest block when the batch formed (backingCache.ts; undefined: not read, the check is skipped). */
export type BackingReads = ReadonlyMap<string, BackingAt | undefined>;

export type PurchaseResult =
  /** Answer once the batch's transaction has committed. */
  | { kind: "done"; outcome: EventOutcome }
  /** Refused (409, 422): nothing of it was stored. */
  | { kind: "error"; error: HttpError }
  /** Its event id or its receipt is already in this batch: handled on its own once the batch has committed (events.ts). */
  | { kind: "alone" };

/** The settings a purchase batch reads. */
export type PurchaseBatchConfig = Pick<Env, "CARD_TOKEN_PEPPER" | "PURCHASE_MAX_AMOUNT">;

interface Candidate {
  i: number;
  req: PurchaseRequest;
  receiptId: Hex;
  subject?: Address;
}

interface Accepted {
  c: Candidate;
  subject: Address;
  parts: { reason: IssuancePart["reason"]; campaign: string | null; points: bigint; receiptId: Hex }[];
  dueAt: Date;
  queue: boolean;
}

/**
 * The purchases that arrived together, in the caller's one transaction, with a few multi-row statements
 * whatever their count (group commit; PurchaseBatcher answers them after the commit). Per purchase, the
 * decisions and their order are those of one purchase on its own (events.ts handleDeviceEvent, recordPurchase):
 * an event id already answered gets that answer again (`duplicate`); the customer is resolved (unknown card:
 * dropped) and the consent gate read (no consent: dropped); the amount bound (422 amount_too_large); a receipt
 * that already earned points (409 duplicate_receipt); the points (base rate, running campaigns, welcome bonus on the
 * customer's first purchase at the brand); the brand's backing (422 insufficient_backing: its backing on chain must
 * cover these points on top of its issues not yet settled, the batch's earlier purchases included); then every
 * write. A purchase whose event id or receipt comes again later in the batch: the later one is handled alone,
 * after the commit, so it sees the first as it would have.
 *
 * PostgreSQL (`locks`): the event ids and receipts are locked as one at a time would lock them, in one sorted
 * statement, before anything is read.
 */
export async function handlePurchaseBatch(
  tx: Queryable,
  config: PurchaseBatchConfig,
  requests: readonly PurchaseRequest[],
  backing: BackingReads,
  opts: { locks: boolean },
): Promise<PurchaseResult[]> {
  const results = new Array<PurchaseResult>(requests.length);
  const events = new Set<string>();
  const receipts = new Set<string>();
  const candidates: Candidate[] = [];
  requests.forEach((req, i) => {
    const eventKey = `event:${req.brand.address}:${req.event.eventId}`;
    const receiptId = receiptIdOf(req.brand.receiptSalt, req.brand.address, req.event.receipt).toLowerCase() as Hex;
    const receiptKey = `receipt:${req.brand.address}:${receiptId}`;
    if (events.has(eventKey) || receipts.has(receiptKey)) return void (results[i] = { kind: "alone" });
    events.add(eventKey);
    receipts.add(receiptKey);
    candidates.push({ i, req, receiptId });
  });
  if (opts.locks) await tx.query("SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM unnest($1::text[]) AS k", [[...events, ...receipts].sort()]);

  for (const c of candidates) {
    const customer = c.req.event.customer;
    c.subject = customer.wallet ? (customer.wallet.toLowerCase() as Address) : await walletOfCard(tx, config, c.req.brand.address, customer.cardToken!);
  }
  const purpose = PURPOSE_OF_EVENT.purchase!.id.toLowerCase();
  // Per purchase in one statement: its stored answer, the consent gate, whether its receipt earned points, whether
  // the customer bought at the brand before.
  const { rows } = await tx.query<{ i: number; status: number | null; response: EventAnswer | string | null; granted: boolean; seen: boolean; bought: boolean }>(
    `SELECT q.i::int AS i, e.status, e.response,
            (q.subject IS NOT NULL AND ${consentGrantedSql("q.subject", "lower(q.brand)", "$5", "$6")}) AS granted,
            s.seen IS NOT NULL AS seen,
            EXISTS (SELECT 1 FROM relay_purchases p WHERE q.subject IS NOT NULL AND p.brand = q.brand AND p.subject = q.subject) AS bought
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS q(brand, event_id, subject, receipt, i)
       LEFT JOIN relay_device_events e ON e.brand = q.brand AND e.event_id = q.event_id
       -- A lookup of each receipt in relay_purchases' key. As an EXISTS the planner may hash the whole table once per
       -- batch instead, whenever its statistics (say, of a table that grew since the last ANALYZE) make that look cheaper.
       LEFT JOIN LATERAL (SELECT true AS seen FROM relay_purchases p WHERE p.brand = q.brand AND p.receipt_id = q.receipt LIMIT 1) s ON true`,
    [
      candidates.map((c) => c.req.brand.address),
      candidates.map((c) => c.req.event.eventId),
      candidates.map((c) => c.subject ?? null),
      candidates.map((c) => c.receiptId),
      purpose,
      Math.floor(Date.now() / 1000),
    ],
  );
  const read = new Map(rows.map((r) => [Number(r.i) - 1, r]));

  const now = new Date();
  const programmes = new Map<string, { programme: Programme; campaigns: Campaign[]; promised?: bigint }>();
  const programmeOf = async (brand: Address) => {
    let p = programmes.get(brand);
    if (!p) {
      p = { programme: await getProgramme(tx, brand), campaigns: await runningCampaigns(tx, brand, now) };
      const read = backing.get(brand);
      if (read) p.promised = await promisedPoints(tx, brand, read.blockNumber);
      programmes.set(brand, p);
    }
    return p;
  };

  const boughtNow = new Set<string>();
  const accepted: Accepted[] = [];
  const stored: { c: Candidate; outcome: EventOutcome }[] = [];
  for (const [k, c] of candidates.entries()) {
    const r = read.get(k)!;
    const { brand, event } = c.req;
    const answer = { accepted: true as const, eventId: event.eventId, kind: event.kind };
    if (r.status !== null) {
      const body = typeof r.response === "string" ? (JSON.parse(r.response) as EventAnswer) : r.response!;
      results[c.i] = { kind: "done", outcome: { status: r.status, body, duplicate: true } };
      continue;
    }
    if (!c.subject || !r.granted) {
      const reason = c.subject ? "no_consent" : "unknown_card";
      const outcome: EventOutcome = { status: 202, body: { ...answer, dropped: reason }, duplicate: false, dropped: reason };
      stored.push({ c, outcome });
      results[c.i] = { kind: "done", outcome };
      continue;
    }
    try {
      checkPurchaseAmount(config, brand, event.amount);
      if (r.seen) throw new HttpError(409, "duplicate_receipt", "this receipt already earned points (under another event id)");
      const p = await programmeOf(brand.address);
      const customerKey = `${brand.address}:${c.subject}`;
      const welcome = p.programme.welcomeBonus > 0n && !r.bought && !boughtNow.has(customerKey) ? p.programme.welcomeBonus : 0n;
      const parts = earningsFor({ amount: event.amount, items: event.items, pointsPerUnit: brand.pointsPerUnit, campaigns: p.campaigns, welcome, now });
      if (parts.length === 0) {
        const outcome: EventOutcome = { status: 202, body: { ...answer, receiptId: c.receiptId, points: "0", issuances: [] }, duplicate: false };
        stored.push({ c, outcome });
        results[c.i] = { kind: "done", outcome };
        continue;
      }
      const points = parts.reduce((sum, part) => sum + part.points, 0n);
      const chain = backing.get(brand.address);
      const queue = p.programme.returnWindowSeconds === 0;
      if (chain && p.promised !== undefined) {
        const needed = (p.promised + points) * chain.unitValue;
        if (needed > chain.balance) throw insufficientBacking(chain.balance, needed);
        // Queued at once: the next purchases of the batch count them as pending issues.
        if (queue) p.promised += points;
      }
      boughtNow.add(customerKey);
      accepted.push({
        c,
        subject: c.subject,
        dueAt: new Date(now.getTime() + p.programme.returnWindowSeconds * 1000),
        queue,
        parts: parts.map((part) => ({
          reason: part.reason,
          campaign: part.campaign,
          points: part.points,
          receiptId:
            part.reason === "purchase" ? c.receiptId : part.reason === "campaign" ? campaignReceiptId(c.receiptId, part.campaign!) : welcomeReceiptId(brand.address, c.subject!),
        })),
      });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      results[c.i] = { kind: "error", error: err };
    }
  }

  await recordAccepted(tx, accepted, (a, outcome) => {
    stored.push({ c: a.c, outcome });
    results[a.c.i] = { kind: "done", outcome };
  });
  if (stored.length > 0) {
    await tx.query(
      `INSERT INTO relay_device_events (brand, event_id, device_id, kind, status, response)
       SELECT b, e, d, k, s, r::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[]) AS q(b, e, d, k, s, r)`,
      [
        stored.map((s) => s.c.req.brand.address),
        stored.map((s) => s.c.req.event.eventId),
        stored.map((s) => s.c.req.device.id),
        stored.map((s) => s.c.req.event.kind),
        stored.map((s) => s.outcome.status),
        stored.map((s) => JSON.stringify(s.outcome.body)),
      ],
    );
  }
  return results;
}

/**
 * Points of the brand's issues that its balance at `blockNumber` does not reflect: accepted and not yet
 * settled (queued or submitted), or confirmed in a later block.
 */
export async function promisedPoints(tx: Queryable, brand: Address, blockNumber: bigint): Promise<bigint> {
  const { rows } = await tx.query<{ promised: string }>(
    `SELECT COALESCE(sum(COALESCE(args->2->>'$bigint', args->>2)::numeric), 0)::text AS promised FROM (
       SELECT args FROM operations WHERE kind = 'issue' AND controller = $1 AND status IN ('queued', 'submitted')
       UNION ALL
       SELECT args FROM operations WHERE kind = 'issue' AND controller = $1 AND status = 'confirmed' AND block_number > $2) o`,
    [brand, Number(blockNumber)],
  );
  return BigInt(rows[0]!.promised);
}

/**
 * Every accepted purchase's writes, in three statements and the outbox's: its issuances (a welcome bonus a
 * concurrent first purchase got first is left out), bound to their issues (no return window: queued at once,
 * under ids drawn here so that each issuance is written once, already naming its issue), and the purchase.
 */
async function recordAccepted(tx: Queryable, accepted: readonly Accepted[], answer: (a: Accepted, outcome: EventOutcome) => void): Promise<void> {
  if (accepted.length === 0) return;
  const parts = accepted.flatMap((a) => a.parts.map((part) => ({ a, part, operationId: a.queue ? crypto.randomUUID() : null })));
  const inserted = await tx.query<{ brand: string; receipt_id: string }>(
    `INSERT INTO relay_issuances (brand, receipt_id, purchase_receipt_id, subject, reason, campaign, points, due_at, operation_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::timestamptz[], $9::uuid[])
     ON CONFLICT DO NOTHING RETURNING brand, receipt_id`,
    [
      parts.map((x) => x.a.c.req.brand.address),
      parts.map((x) => x.part.receiptId),
      parts.map((x) => x.a.c.receiptId),
      parts.map((x) => x.a.subject),
      parts.map((x) => x.part.reason),
      parts.map((x) => x.part.campaign),
      parts.map((x) => x.part.points.toString()),
      parts.map((x) => x.a.dueAt.toISOString()),
      parts.map((x) => x.operationId),
    ],
  );
  const keyOf = (brand: string, receiptId: string) => `${brand}:${receiptId}`;
  const recorded = new Set(inserted.rows.map((r) => keyOf(r.brand, r.receipt_id)));
  const queued = parts.filter((x) => x.operationId !== null && recorded.has(keyOf(x.a.c.req.brand.address, x.part.receiptId)));
  const ops: NewOperation[] = queued.map(({ a, part, operationId }) => ({
    id: operationId!,
    kind: "issue",
    contract: "points",
    functionName: "issue",
    args: [a.c.req.brand.address, a.subject, part.points, part.receiptId],
    signer: a.c.req.brand.operator,
    subject: a.subject,
    controller: a.c.req.brand.address,
    idempotencyKey: `issue:${part.receiptId}`,
  }));
  const ids = await enqueueOperations(tx, ops);
  const operationOf = new Map(queued.map((x, k) => [keyOf(x.a.c.req.brand.address, x.part.receiptId), ids[k]!.id]));
  // An issue queued before under the same idempotency key keeps its first id (enqueueOperations): bound to that one.
  const rebound = queued.filter((x, k) => ids[k]!.id !== x.operationId);
  if (rebound.length > 0) {
    await tx.query(
      `UPDATE relay_issuances i SET operation_id = q.id::uuid FROM unnest($1::text[], $2::text[], $3::text[]) AS q(brand, receipt_id, id)
        WHERE i.brand = q.brand AND i.receipt_id = q.receipt_id`,
      [rebound.map((x) => x.a.c.req.brand.address), rebound.map((x) => x.part.receiptId), rebound.map((x) => operationOf.get(keyOf(x.a.c.req.brand.address, x.part.receiptId))!)],
    );
  }
  const purchases = accepted.map((a) => {
    const brand = a.c.req.brand.address;
    const mine = a.parts.filter((part) => recorded.has(keyOf(brand, part.receiptId)));
    const earned = mine.filter((part) => part.reason !== "welcome").reduce((s, part) => s + part.points, 0n);
    const total = mine.reduce((s, part) => s + part.points, 0n);
    const operationId = a.queue ? mine.map((part) => operationOf.get(keyOf(brand, part.receiptId))).find((id) => id !== undefined) : undefined;
    return { a, earned, total, operationId, issuances: mine };
  });
  await tx.query(
    `INSERT INTO relay_purchases (brand, receipt_id, subject, amount, points, operation_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::text[])`,
    [
      purchases.map((p) => p.a.c.req.brand.address),
      purchases.map((p) => p.a.c.receiptId),
      purchases.map((p) => p.a.subject),
      purchases.map((p) => p.a.c.req.event.amount),
      purchases.map((p) => p.earned.toString()),
      purchases.map((p) => p.operationId ?? null),
    ],
  );
  for (const p of purchases) {
    const { event } = p.a.c.req;
    const body: EventAnswer = {
      accepted: true,
      eventId: event.eventId,
      kind: event.kind,
      receiptId: p.a.c.receiptId,
      points: p.total.toString(),
      ...(p.operationId ? { operationId: p.operationId } : { pendingUntil: p.a.dueAt.toISOString() }),
      issuances: p.issuances.map((part) => ({ reason: part.reason, campaign: part.campaign, points: part.points.toString(), receiptId: part.receiptId })),
    };
    answer(p.a, { status: 202, body, duplicate: false });
  }
}

/**
 * A purchase batch in its one transaction, as a procedure: in PGlite's worker thread when PGlite runs there (db.ts
 * `Procedure`), in the relay's thread otherwise. The backing was read from the chain beforehand (BackingCache).
 */
export const purchaseBatch = procedure(
  __filename,
  "purchaseBatch",
  async (db, { config, requests, backing }: { config: PurchaseBatchConfig; requests: PurchaseRequest[]; backing: BackingReads }): Promise<Sent<PurchaseResult>[]> =>
    sendResults(await db.transaction((tx) => handlePurchaseBatch(tx, config, requests, backing, { locks: db.kind === "postgres" }))),
);
