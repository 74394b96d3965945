import type { Address, Hex } from "viem";
import type { Env } from "../config";
import type { Queryable } from "../store/db";
import { enqueueOperation } from "../chain/outbox";
import { HttpError } from "../http/errors";
import { pointsToReverse, receiptIdOf } from "../brands/earning";
import type { Brand } from "../brands/registry";
import { earningsFor, type BasketItem, type IssuanceReason } from "./earn";
import { getProgramme, runningCampaigns } from "./programme";
import { campaignReceiptId, welcomeReceiptId } from "./receiptIds";

/** One issuance of a purchase, as the device's answer lists it. */
export interface IssuancePart {
  reason: IssuanceReason;
  campaign: string | null;
  points: string;
  receiptId: Hex;
}

export interface PurchaseResult {
  receiptId: Hex;
  /** Every part's points together. */
  points: string;
  /** The first part's issue, when the points went on chain at once (no return window). */
  operationId?: string;
  /** ISO 8601: when the pending points go on chain (return window). */
  pendingUntil?: string;
  issuances: IssuancePart[];
}

export interface ReturnResult {
  receiptId: Hex;
  /** Points taken back in all: cancelled while pending plus reversed on chain. */
  points: string;
  /** Of which cancelled while pending, without a transaction. */
  cancelled: string;
  /** The first reversal queued on chain, if any. */
  operationId?: string;
}

type IssuanceRow = { receipt_id: string; reason: IssuanceReason; points: string; cancelled_points: string; reversed_points: string; operation_id: string | null };

/**
 * Queues the issue of one issuance row (inside the caller's transaction) and binds it to the operation. The
 * first issue's idempotency key is `issue:<receiptId>`; a reward queued again after a failed issue passes its
 * `attempt` (1, 2...), stored on the row, and its key is `issue:<receiptId>:<attempt>` (rewardRetry.ts).
 */
export async function queueIssuance(tx: Queryable, i: { brand: Address; operator: Address; receiptId: string; subject: string; points: bigint; attempt?: number }): Promise<string> {
  const attempt = i.attempt ?? 0;
  const { id } = await enqueueOperation(tx, {
    kind: "issue",
    contract: "points",
    functionName: "issue",
    args: [i.brand, i.subject, i.points, i.receiptId],
    signer: i.operator,
    subject: i.subject as Address,
    controller: i.brand,
    idempotencyKey: attempt === 0 ? `issue:${i.receiptId}` : `issue:${i.receiptId}:${attempt}`,
  });
  await tx.query("UPDATE relay_issuances SET operation_id = $3, attempt = $4 WHERE brand = $1 AND receipt_id = $2", [i.brand, i.receiptId, id, attempt]);
  return id;
}

/**
 * A purchase's points, inside the device event's transaction: the base rate, running campaigns and the
 * welcome bonus, each its own issuance (own receipt id and reason). Without a return window they are
 * queued on chain at once; with one they are recorded as pending, due when the window closes, and the
 * issuer (issuer.ts) queues them then.
 */
export async function recordPurchase(
  tx: Queryable,
  brand: Brand,
  subject: Address,
  event: { receipt: string; amount: string; items?: readonly BasketItem[] },
  /** Called with the points the purchase would earn before anything is recorded: throws to refuse it (the brand's backing). */
  refuse?: (points: bigint) => Promise<void>,
): Promise<PurchaseResult> {
  const receiptId = receiptIdOf(brand.receiptSalt, brand.address, event.receipt).toLowerCase() as Hex;
  const seen = await tx.query("SELECT 1 FROM relay_purchases WHERE brand = $1 AND receipt_id = $2", [brand.address, receiptId]);
  if (seen.rows.length > 0) throw new HttpError(409, "duplicate_receipt", "this receipt already earned points (under another event id)");
  const programme = await getProgramme(tx, brand.address);
  const now = new Date();
  let welcome = 0n;
  if (programme.welcomeBonus > 0n) {
    const before = await tx.query("SELECT 1 FROM relay_purchases WHERE brand = $1 AND subject = $2 LIMIT 1", [brand.address, subject]);
    if (before.rows.length === 0) welcome = programme.welcomeBonus;
  }
  const parts = earningsFor({ amount: event.amount, items: event.items, pointsPerUnit: brand.pointsPerUnit, campaigns: await runningCampaigns(tx, brand.address, now), welcome, now });
  if (parts.length === 0) return { receiptId, points: "0", issuances: [] };
  await refuse?.(parts.reduce((sum, p) => sum + p.points, 0n));

  const dueAt = new Date(now.getTime() + programme.returnWindowSeconds * 1000);
  const recorded: IssuancePart[] = [];
  for (const part of parts) {
    const partReceipt =
      part.reason === "purchase" ? receiptId : part.reason === "campaign" ? campaignReceiptId(receiptId, part.campaign!) : welcomeReceiptId(brand.address, subject);
    // The welcome bonus is once per customer and brand: a concurrent first purchase that got it first wins.
    const { rows } = await tx.query(
      `INSERT INTO relay_issuances (brand, receipt_id, purchase_receipt_id, subject, reason, campaign, points, due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING receipt_id`,
      [brand.address, partReceipt, receiptId, subject, part.reason, part.campaign, part.points.toString(), dueAt.toISOString()],
    );
    if (rows.length > 0) recorded.push({ reason: part.reason, campaign: part.campaign, points: part.points.toString(), receiptId: partReceipt });
  }
  const earned = recorded.filter((p) => p.reason !== "welcome").reduce((s, p) => s + BigInt(p.points), 0n);
  const total = recorded.reduce((s, p) => s + BigInt(p.points), 0n);
  let operationId: string | undefined;
  if (programme.returnWindowSeconds === 0) {
    for (const p of recorded) {
      const id = await queueIssuance(tx, { brand: brand.address, operator: brand.operator, receiptId: p.receiptId, subject, points: BigInt(p.points) });
      operationId ??= id;
    }
  }
  await tx.query("INSERT INTO relay_purchases (brand, receipt_id, subject, amount, points, operation_id) VALUES ($1, $2, $3, $4, $5, $6)", [
    brand.address,
    receiptId,
    subject,
    event.amount,
    earned.toString(),
    operationId ?? null,
  ]);
  return {
    receiptId,
    points: total.toString(),
    ...(operationId ? { operationId } : { pendingUntil: dueAt.toISOString() }),
    issuances: recorded,
  };
}

/**
 * A return of `amount` of the purchase `receiptId` (already checked to be the customer's). Each part of
 * the purchase gives back its share, proportional and rounded down (pointsToReverse); the welcome
 * bonus only once the purchase's other points are all given back. A part still pending is reduced
 * without a transaction; a part on chain is reversed on chain as before.
 */
export async function recordReturn(
  tx: Queryable,
  config: Env,
  brand: Brand,
  subject: Address,
  event: { eventId: string; amount: string },
  purchase: { receiptId: Hex; amount: string },
): Promise<ReturnResult> {
  const { rows: parts } = await tx.query<IssuanceRow>(
    `SELECT receipt_id, reason, points::text AS points, cancelled_points::text AS cancelled_points, reversed_points::text AS reversed_points, operation_id::text AS operation_id
       FROM relay_issuances WHERE brand = $1 AND purchase_receipt_id = $2 ORDER BY created_at, receipt_id FOR UPDATE`,
    [brand.address, purchase.receiptId],
  );
  const left = (p: IssuanceRow) => BigInt(p.points) - BigInt(p.cancelled_points) - BigInt(p.reversed_points);
  const takes = new Map<string, bigint>();
  for (const p of parts) {
    if (p.reason === "welcome") continue;
    takes.set(p.receipt_id, pointsToReverse({ earned: BigInt(p.points), alreadyReversed: BigInt(p.points) - left(p), purchased: purchase.amount, returned: event.amount }));
  }
  const welcome = parts.find((p) => p.reason === "welcome");
  if (welcome && parts.every((p) => p.reason === "welcome" || left(p) === takes.get(p.receipt_id))) takes.set(welcome.receipt_id, left(welcome));

  let cancelled = 0n;
  let reversed = 0n;
  let issuesAvoided = 0;
  let reversalsAvoided = 0;
  let operationId: string | undefined;
  for (const p of parts) {
    const take = takes.get(p.receipt_id) ?? 0n;
    if (take === 0n) continue;
    if (p.operation_id === null) {
      cancelled += take;
      reversalsAvoided++;
      if (take === left(p)) issuesAvoided++;
      await tx.query("UPDATE relay_issuances SET cancelled_points = cancelled_points + $3 WHERE brand = $1 AND receipt_id = $2", [brand.address, p.receipt_id, take.toString()]);
    } else {
      reversed += take;
      const { id } = await enqueueOperation(tx, {
        kind: "reverse",
        contract: "points",
        functionName: "reverse",
        args: [p.receipt_id, subject, take],
        signer: brand.operator,
        subject,
        controller: brand.address,
        idempotencyKey: p.receipt_id === purchase.receiptId ? `reverse:${brand.address}:${event.eventId}` : `reverse:${brand.address}:${event.eventId}:${p.receipt_id}`,
      });
      operationId ??= id;
      await tx.query("UPDATE relay_issuances SET reversed_points = reversed_points + $3 WHERE brand = $1 AND receipt_id = $2", [brand.address, p.receipt_id, take.toString()]);
    }
  }
  const fromPurchase = parts.filter((p) => p.reason !== "welcome").reduce((s, p) => s + (takes.get(p.receipt_id) ?? 0n), 0n);
  await tx.query("UPDATE relay_purchases SET reversed_points = reversed_points + $3 WHERE brand = $1 AND receipt_id = $2", [brand.address, purchase.receiptId, fromPurchase.toString()]);
  if (cancelled > 0n) {
    const gas = BigInt(issuesAvoided) * BigInt(config.LOYALTY_ISSUE_GAS) + BigInt(reversalsAvoided) * BigInt(config.LOYALTY_REVERSE_GAS);
    await tx.query(
      `INSERT INTO relay_window_savings (brand, returns, points, issues_avoided, reversals_avoided, gas_saved) VALUES ($1, 1, $2, $3, $4, $5)
       ON CONFLICT (brand) DO UPDATE SET returns = relay_window_savings.returns + 1, points = relay_window_savings.points + EXCLUDED.points,
         issues_avoided = relay_window_savings.issues_avoided + EXCLUDED.issues_avoided, reversals_avoided = relay_window_savings.reversals_avoided + EXCLUDED.reversals_avoided,
         gas_saved = relay_window_savings.gas_saved + EXCLUDED.gas_saved`,
      [brand.address, cancelled.toString(), issuesAvoided, reversalsAvoided, gas.toString()],
    );
  }
  return { receiptId: purchase.receiptId, points: (cancelled + reversed).toString(), cancelled: cancelled.toString(), ...(operationId ? { operationId } : {}) };
}
