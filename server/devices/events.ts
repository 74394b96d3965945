import { z } from "zod";
import type { Address, Hex } from "viem";
import type { Env } from "../config";
import type { Queryable } from "../store/db";
import { isConsentGranted } from "../consent/gate";
import { PURPOSE_OF_EVENT, type DeviceEventKind } from "../consent/purposes";
import { cardTokenSchema, walletOfCard } from "../customers/cards";
import { HttpError } from "../http/errors";
import { addressSchema, currencyAmountSchema, idSchema } from "../http/schemas";
import type { RecognisedCustomer } from "./bus";
import { displayNameOf } from "../personal/displayNames";
import { basketItemsSchema, issuancePartSchema } from "../loyalty/schemas";
import { receiptIdOf } from "../brands/earning";
import { recordPurchase, recordReturn } from "../loyalty/purchases";
import type { Brand, Device } from "../brands/registry";
import { checkPurchaseAmount } from "../brands/purchaseBound";

export const EVENT_KINDS = ["presence", "purchase", "return", "scan"] as const;

export const customerRefSchema = z
  .object({ wallet: addressSchema.optional(), cardToken: cardTokenSchema.optional() })
  .strict()
  .refine((c) => (c.wallet === undefined) !== (c.cardToken === undefined), {
    message: "name the customer by exactly one of wallet or cardToken",
    params: { code: "invalid_customer" },
  })
  .meta({ id: "CustomerRef", description: "the customer: a wallet address, or a loyalty card token linked to one" });

const receiptSchema = z
  .string()
  .refine((v) => v.length >= 1 && v.length <= 128, { message: "expected 1-128 characters", params: { code: "invalid_receipt" } })
  .meta({ description: "the till's receipt number; only its salted hash (receiptId) leaves the relay" });

const base = { eventId: idSchema("invalid_event_id").meta({ description: "unique per brand; a re-sent event id gets the first answer" }), customer: customerRefSchema };

export const deviceEventSchema = z
  .discriminatedUnion("kind", [
    z.object({ ...base, kind: z.literal("presence") }).strict(),
    z.object({ ...base, kind: z.literal("purchase"), receipt: receiptSchema, amount: currencyAmountSchema, items: basketItemsSchema.optional() }).strict(),
    z.object({ ...base, kind: z.literal("return"), receipt: receiptSchema, amount: currencyAmountSchema }).strict(),
    z
      .object({
        ...base,
        kind: z.literal("scan"),
        productCode: z
          .string()
          .refine((v) => /^[A-Za-z0-9._-]{1,64}$/.test(v), { message: "expected 1-64 letters, digits, '.', '_' or '-'", params: { code: "invalid_product_code" } }),
      })
      .strict(),
  ])
  .meta({ id: "DeviceEvent" });

export type DeviceEvent = z.infer<typeof deviceEventSchema>;

export const eventAnswerSchema = z
  .object({
    accepted: z.literal(true),
    eventId: z.string(),
    kind: z.enum(EVENT_KINDS),
    dropped: z.enum(["no_consent", "unknown_card"]).optional().meta({ description: "present when the event was acknowledged and dropped" }),
    receiptId: z.string().optional(),
    points: z.string().optional(),
    operationId: z.string().optional(),
    pendingUntil: z.string().optional().meta({ description: "purchase in a return window: when its pending points go on chain (ISO 8601)" }),
    cancelled: z.string().optional().meta({ description: "return: of `points`, those taken back while pending, without a transaction" }),
    issuances: z.array(issuancePartSchema).optional().meta({ description: "purchase: each issuance with its reason" }),
  })
  .meta({ id: "DeviceEventAnswer" });

export type EventAnswer = z.infer<typeof eventAnswerSchema>;

export type DropReason = "no_consent" | "unknown_card";

export interface EventOutcome {
  status: number;
  body: EventAnswer;
  /** True when this is the stored answer to an earlier request with the same event id. */
  duplicate: boolean;
  dropped?: DropReason;
  /** A recognition to publish to the store's staff stream once committed. */
  recognised?: RecognisedCustomer;
}

/**
 * Handles one authenticated device event inside the caller's transaction: the stored answer for a
 * known event id; otherwise resolve the customer, check consent, do the kind's work (visit, scan,
 * queued issue / reverse), and store the answer. A dropped event stores nothing but its answer, which
 * does not name the customer.
 */
/** The brand's backing on chain and the settlement units behind one point (CoalitionPoints' brandBalance, unitValue). */
export type BackingReader = (brand: Address) => Promise<{ balance: bigint; unitValue: bigint }>;

export async function handleDeviceEvent(
  tx: Queryable,
  config: Env,
  brand: Brand,
  device: Device,
  event: DeviceEvent,
  backing?: BackingReader,
): Promise<EventOutcome> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`event:${brand.address}:${event.eventId}`]);
  const prior = await tx.query<{ status: number; response: EventAnswer }>(
    "SELECT status, response FROM relay_device_events WHERE brand = $1 AND event_id = $2",
    [brand.address, event.eventId],
  );
  if (prior.rows[0]) {
    const r = prior.rows[0];
    const response = typeof r.response === "string" ? (JSON.parse(r.response) as EventAnswer) : r.response;
    return { status: r.status, body: response, duplicate: true };
  }

  const purpose = PURPOSE_OF_EVENT[event.kind as DeviceEventKind];
  let outcome: EventOutcome;
  const named = event.customer.wallet
    ? (event.customer.wallet.toLowerCase() as Address)
    : await walletOfCard(tx, config, brand.address, event.customer.cardToken!);
  // A return reverses the points of the customer the purchase recorded, whoever the card now names (an
  // unlinked card does not dodge it); the customer given is only checked where it still resolves.
  const purchaser = event.kind === "return" ? await purchaserOf(tx, brand, event.receipt) : undefined;
  if (purchaser && named && named !== purchaser) throw new HttpError(422, "receipt_customer_mismatch", "this receipt earned points for another customer");
  const subject = purchaser ?? named;
  if (!subject) {
    outcome = drop(event, "unknown_card");
  } else if (purpose && !(await isConsentGranted(tx, { subject, controller: brand.address, purpose: purpose.id }))) {
    outcome = drop(event, "no_consent");
  } else {
    outcome = await process(tx, brand, device, event, subject, config, backing);
  }
  await tx.query(
    "INSERT INTO relay_device_events (brand, event_id, device_id, kind, status, response) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
    [brand.address, event.eventId, device.id, event.kind, outcome.status, JSON.stringify(outcome.body)],
  );
  return outcome;
}

/** The customer a purchase of this receipt recorded, if any. */
async function purchaserOf(tx: Queryable, brand: Brand, receipt: string): Promise<Address | undefined> {
  const receiptId = receiptIdOf(brand.receiptSalt, brand.address, receipt).toLowerCase();
  const { rows } = await tx.query<{ subject: string }>("SELECT subject FROM relay_purchases WHERE brand = $1 AND receipt_id = $2", [brand.address, receiptId]);
  return rows[0]?.subject as Address | undefined;
}

function drop(event: DeviceEvent, reason: DropReason): EventOutcome {
  return { status: 202, body: { accepted: true, eventId: event.eventId, kind: event.kind, dropped: reason }, duplicate: false, dropped: reason };
}

/**
 * 422 insufficient_backing: the brand's backing on chain does not cover these points on top of its
 * issues accepted and not yet settled (so the issue would fail on chain). Skipped when the chain cannot be read.
 */
async function refuseUnbacked(tx: Queryable, brand: Address, points: bigint, backing: BackingReader): Promise<void> {
  // Advisory: while the chain cannot be read the purchase is still accepted (nothing accepted is lost; an issue
  // that then fails for want of backing frees its receipt, and the till can send the purchase again).
  const read = await backing(brand).catch(() => undefined);
  if (!read) return;
  const { balance, unitValue } = read;
  // Summed in the database (args[2] is the points, stored as {"$bigint": "..."}): one row back, however long the queue.
  const pending = await tx.query<{ promised: string }>(
    `SELECT COALESCE(sum(COALESCE(args->2->>'$bigint', args->>2)::numeric), 0)::text AS promised
       FROM operations WHERE kind = 'issue' AND controller = $1 AND status IN ('queued', 'submitted')`,
    [brand],
  );
  const promised = BigInt(pending.rows[0]!.promised);
  const needed = (promised + points) * unitValue;
  if (needed > balance) throw insufficientBacking(balance, needed);
}

/** 422 insufficient_backing: `needed` (settlement units for these points and the brand's pending issues) is above its `balance`. */
export function insufficientBacking(balance: bigint, needed: bigint): HttpError {
  return new HttpError(422, "insufficient_backing", `the brand's backing (${balance}) does not cover these points and its pending issues (${needed}): the brand must deposit first`);
}

async function process(
  tx: Queryable,
  brand: Brand,
  device: Device,
  event: DeviceEvent,
  subject: Address,
  config: Env,
  backing: BackingReader | undefined,
): Promise<EventOutcome> {
  const accepted = { accepted: true as const, eventId: event.eventId, kind: event.kind };
  switch (event.kind) {
    case "presence": {
      const previous = await tx.query<{ seen_at: Date | null; n: number }>("SELECT max(last_seen) AS seen_at, COALESCE(max(visits), 0) AS n FROM relay_visit_counts WHERE brand = $1 AND subject = $2", [
        brand.address,
        subject,
      ]);
      const seenAt = new Date();
      await tx.query("INSERT INTO relay_visits (brand, store_id, subject, seen_at) VALUES ($1, $2, $3, $4)", [brand.address, device.storeId, subject, seenAt]);
      const balance = await tx.query<{ balance: string }>("SELECT balance::text AS balance FROM points_balances WHERE customer = $1", [subject]);
      const last = previous.rows[0]?.seen_at;
      return {
        status: 202,
        body: accepted,
        duplicate: false,
        recognised: {
          storeId: device.storeId,
          brand: brand.address,
          customer: subject,
          seenAt: seenAt.toISOString(),
          lastVisit: last ? new Date(last).toISOString() : null,
          points: balance.rows[0]?.balance ?? "0",
          visitCount: Number(previous.rows[0]?.n ?? 0) + 1,
          displayName: await displayNameOf(tx, brand.address, subject),
          tier: null,
        },
      };
    }
    case "scan": {
      await tx.query("INSERT INTO relay_scans (brand, store_id, subject, product_code, scanned_at) VALUES ($1, $2, $3, $4, now())", [
        brand.address,
        device.storeId,
        subject,
        event.productCode,
      ]);
      return { status: 202, body: accepted, duplicate: false };
    }
    case "purchase": {
      checkPurchaseAmount(config, brand, event.amount);
      const receiptId = receiptIdOf(brand.receiptSalt, brand.address, event.receipt).toLowerCase() as Hex;
      // One receipt at a time (concurrent purchases of it on PostgreSQL: the later one sees the first and answers 409).
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`receipt:${brand.address}:${receiptId}`]);
      const r = await recordPurchase(tx, brand, subject, event, backing ? (points) => refuseUnbacked(tx, brand.address, points, backing) : undefined);
      return { status: 202, body: { ...accepted, ...r }, duplicate: false };
    }
    case "return": {
      const receiptId = receiptIdOf(brand.receiptSalt, brand.address, event.receipt).toLowerCase() as Hex;
      const { rows } = await tx.query<{ subject: string; amount: string | null; points: string; reversed_points: string; issued: string | null }>(
        `SELECT p.subject, p.amount::text AS amount, p.points::text AS points, p.reversed_points::text AS reversed_points, o.status AS issued
           FROM relay_purchases p LEFT JOIN operations o ON o.id::text = p.operation_id
          WHERE p.brand = $1 AND p.receipt_id = $2 FOR UPDATE OF p`,
        [brand.address, receiptId],
      );
      const purchase = rows[0];
      if (!purchase || purchase.issued === "failed") throw new HttpError(404, "receipt_not_found", "no purchase with points for this receipt");
      // issued is null while the brand's return window holds the points back (recordReturn cancels them, no transaction).
      if (purchase.issued !== null && purchase.issued !== "confirmed") {
        throw new HttpError(409, "purchase_not_issued", "the points of this purchase are not issued yet: send the return again once its operation is confirmed");
      }
      if (purchase.subject !== subject) throw new HttpError(422, "receipt_customer_mismatch", "this receipt earned points for another customer");
      if (purchase.amount === null) throw new HttpError(409, "return_window_closed", "this purchase's till amount was erased (past RETURN_WINDOW_DAYS, or at the customer's request): its points cannot be reversed by amount");
      const earned = BigInt(purchase.points);
      const alreadyReversed = BigInt(purchase.reversed_points);
      if (alreadyReversed >= earned) throw new HttpError(409, "receipt_fully_reversed", "every point of this receipt was already reversed");
      const r = await recordReturn(tx, config, brand, subject, event, { receiptId, amount: purchase.amount });
      return { status: 202, body: { ...accepted, ...r }, duplicate: false };
    }
  }
}
