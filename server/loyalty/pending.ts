import type { Address } from "viem";
import type { Queryable } from "../store/db";
import type { IssuanceReason } from "./earn";

/** An issuance the customer is owed and that is not on chain yet (as indexed). */
export interface PendingIssuance {
  brand: string;
  receiptId: string;
  /** What is left after returns inside the window. */
  points: string;
  reason: IssuanceReason;
  campaign: string | null;
  /** ISO 8601: when it goes (or went) to the chain. */
  dueAt: string;
  /** Unix seconds when it was earned. */
  createdAt: number;
}

/**
 * The customer's issuances not yet indexed from the chain: in a return window, or queued and not yet
 * confirmed and indexed; failed ones are left out. Latest first.
 */
export async function pendingIssuances(db: Queryable, customer: Address): Promise<PendingIssuance[]> {
  const { rows } = await db.query<{ brand: string; receipt_id: string; points: string; reason: IssuanceReason; campaign: string | null; due_at: Date | string; created_at: Date | string }>(
    `SELECT i.brand, i.receipt_id, (i.points - i.cancelled_points)::text AS points, i.reason, i.campaign, i.due_at, i.created_at
       FROM relay_issuances i LEFT JOIN operations o ON o.id = i.operation_id
      WHERE i.subject = $1 AND i.points > i.cancelled_points AND (o.status IS NULL OR o.status <> 'failed')
        AND NOT EXISTS (SELECT 1 FROM points_events e WHERE e.customer = $1 AND e.kind = 'issued' AND e.brand = i.brand AND e.ref = i.receipt_id)
      ORDER BY i.created_at DESC, i.receipt_id`,
    [customer],
  );
  return rows.map((r) => ({
    brand: r.brand,
    receiptId: r.receipt_id,
    points: r.points,
    reason: r.reason,
    campaign: r.campaign,
    dueAt: new Date(r.due_at).toISOString(),
    createdAt: Math.floor(new Date(r.created_at).getTime() / 1000),
  }));
}
