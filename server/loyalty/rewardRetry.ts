import type { Address } from "viem";
import type { Queryable } from "../store/db";
import type { BackingAt } from "../devices/backingCache";
import { promisedPoints } from "../devices/purchaseBatch";
import { queueIssuance } from "./purchases";

/**
 * Rewards for consent whose issue failed because the brand's backing was short (the chain's
 * `InsufficientBrandBalance`, recorded as the operation's error code) wait for backing: the loyalty loop
 * queues them again once the brand's `brandBalance` covers them. A failure for any other reason (the receipt
 * already used on chain, the brand suspended or removed, the operator not accepted, a revert the relay could
 * not name) is final: the reward stays recorded as failed.
 */
export const WAITS_FOR_BACKING = "InsufficientBrandBalance";

type Tx = { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> };

/** The rows of rewards waiting for backing, joined to their failed issue (bound by `operation_id`). */
const FROM = "relay_issuances i JOIN operations o ON o.id = i.operation_id";
const WAITING = `i.reason = 'consent-reward' AND o.kind = 'issue' AND o.status = 'failed' AND o.error_code = '${WAITS_FOR_BACKING}'`;

/** The brands that have rewards waiting for backing. */
export async function brandsWaitingForBacking(db: Queryable): Promise<Address[]> {
  const { rows } = await db.query<{ brand: string }>(`SELECT DISTINCT i.brand FROM ${FROM} WHERE ${WAITING} ORDER BY i.brand`);
  return rows.map((r) => r.brand as Address);
}

/** A brand's rewards waiting for backing: how many, and their points (decimal). */
export async function rewardsWaitingForBacking(db: Queryable, brand: Address): Promise<{ count: number; points: string }> {
  const { rows } = await db.query<{ n: number; points: string }>(`SELECT count(*)::int AS n, COALESCE(sum(i.points), 0)::text AS points FROM ${FROM} WHERE ${WAITING} AND i.brand = $1`, [brand]);
  return { count: Number(rows[0]!.n), points: rows[0]!.points };
}

/**
 * Queues again, in one transaction, the brand's rewards waiting for backing that `backing` (its
 * `brandBalance` and `unitValue` at a block) covers, oldest first: what the balance must still pay for is the
 * brand's issues queued or submitted, or confirmed after the block read (as for a purchase batch), and each
 * reward queued here counts against what is left; the first reward that does not fit stops the round (a
 * younger, smaller one does not pass it). Each row is locked, its `attempt` raised, a new issue queued with the
 * idempotency key `issue:<receiptId>:<attempt>` and bound to it in the same transaction: a crash before the
 * commit leaves it waiting as before, one after leaves it queued (no longer bound to a failed issue, so never
 * picked again); the receipt id stays the same, and the chain refuses it a second time. Returns how many it
 * queued.
 */
export async function retryConsentRewards(db: Tx, brand: Address, backing: BackingAt, limit = 200): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ receipt_id: string; subject: string; points: string; attempt: number; operator: string }>(
      `SELECT i.receipt_id, i.subject, i.points::text AS points, i.attempt, b.operator
         FROM ${FROM} JOIN relay_brands b ON b.address = i.brand
        WHERE ${WAITING} AND i.brand = $1
        ORDER BY i.created_at, i.receipt_id LIMIT $2 FOR UPDATE OF i SKIP LOCKED`,
      [brand, limit],
    );
    if (rows.length === 0) return 0;
    let left = backing.balance - (await promisedPoints(tx, brand, backing.blockNumber)) * backing.unitValue;
    let queued = 0;
    for (const r of rows) {
      const points = BigInt(r.points);
      const cost = points * backing.unitValue;
      if (cost > left) break;
      const attempt = Number(r.attempt) + 1;
      await queueIssuance(tx, { brand, operator: r.operator as Address, receiptId: r.receipt_id, subject: r.subject, points, attempt });
      left -= cost;
      queued++;
    }
    return queued;
  });
}
