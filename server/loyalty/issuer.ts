import { Counter, Gauge } from "prom-client";
import type { Address, Hex } from "viem";
import type { RelayDeps, Service } from "../deps";
import type { Queryable } from "../store/db";
import { BackingCache } from "../devices/backingCache";
import { queueIssuance } from "./purchases";
import { consentRewardReceiptId } from "./receiptIds";
import { brandsWaitingForBacking, retryConsentRewards } from "./rewardRetry";

/**
 * Queues on chain every pending issuance whose return window has closed: each row is locked, queued
 * and bound to its operation in one transaction, so a crash before the commit leaves it pending (and
 * it is queued again on restart) and a crash after leaves it queued (and it is never picked again);
 * the outbox's idempotency key `issue:<receiptId>` and the chain's once-per-brand receipts stand behind
 * that. Returns how many rows it queued.
 */
export async function issueDue(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }, limit = 200): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ brand: string; receipt_id: string; subject: string; points: string; operator: string }>(
      `SELECT i.brand, i.receipt_id, i.subject, (i.points - i.cancelled_points)::text AS points, b.operator
         FROM relay_issuances i JOIN relay_brands b ON b.address = i.brand
        WHERE i.operation_id IS NULL AND i.due_at <= now() AND i.points > i.cancelled_points
        ORDER BY i.due_at, i.brand, i.receipt_id LIMIT $1 FOR UPDATE OF i SKIP LOCKED`,
      [limit],
    );
    for (const r of rows) {
      await queueIssuance(tx, { brand: r.brand as Address, operator: r.operator as Address, receiptId: r.receipt_id, subject: r.subject, points: BigInt(r.points) });
    }
    return rows.length;
  });
}

/**
 * Pays the rewards for consent: every consent in force on chain (as indexed) for a purpose the brand
 * rewards, whose customer was never paid for it, gets one issuance (reason "consent-reward") queued at
 * once from the brand's backing. The receipt id is derived from (brand, purpose, customer) and the
 * table holds one reward per (brand, purpose, customer), so it is paid once, ever: revoking and granting
 * again pays nothing more, and a crash at any point pays it at most once. A reward whose issue fails for want
 * of backing is queued again once the backing covers it (rewardRetry.ts). Returns how many it queued.
 */
export async function payConsentRewards(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }, limit = 200): Promise<number> {
  return db.transaction(async (tx) => {
    const now = Math.floor(Date.now() / 1000);
    const { rows } = await tx.query<{ subject: string; controller: string; purpose: string; points: string; operator: string }>(
      `SELECT c.subject, c.controller, c.purpose, r.points::text AS points, b.operator
         FROM consents c
         JOIN relay_purpose_rewards r ON r.brand = c.controller AND r.purpose = c.purpose
         JOIN relay_brands b ON b.address = c.controller
        WHERE c.granted_at > 0 AND c.revoked_at = 0 AND (c.expires_at = 0 OR c.expires_at > $1)
          AND NOT EXISTS (SELECT 1 FROM relay_issuances i WHERE i.brand = c.controller AND i.reason = 'consent-reward' AND i.purpose = c.purpose AND i.subject = c.subject)
        ORDER BY c.block_number, c.subject LIMIT $2`,
      [now, limit],
    );
    let queued = 0;
    for (const r of rows) {
      const receiptId = consentRewardReceiptId(r.controller as Address, r.purpose as Hex, r.subject as Address);
      const inserted = await tx.query(
        `INSERT INTO relay_issuances (brand, receipt_id, subject, reason, purpose, points, due_at) VALUES ($1, $2, $3, 'consent-reward', $4, $5, now())
         ON CONFLICT DO NOTHING RETURNING receipt_id`,
        [r.controller, receiptId, r.subject, r.purpose, r.points],
      );
      if (inserted.rows.length === 0) continue;
      await queueIssuance(tx, { brand: r.controller as Address, operator: r.operator as Address, receiptId, subject: r.subject, points: BigInt(r.points) });
      queued++;
    }
    return queued;
  });
}

/**
 * Rewards waiting for backing, queued again where the brand's backing (read from the chain, once per block:
 * BackingCache) now covers them. A brand whose backing cannot be read is left for the next poll. Returns how
 * many it queued.
 */
export async function retryUnbackedRewards(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> } & Queryable, backing: BackingCache, limit = 200): Promise<number> {
  const brands = await brandsWaitingForBacking(db);
  if (brands.length === 0) return 0;
  const reads = await backing.read(brands);
  let queued = 0;
  for (const brand of brands) {
    const read = reads.get(brand);
    if (read) queued += await retryConsentRewards(db, brand, read, limit);
  }
  return queued;
}

/** The loyalty programme's background part: pending issuances whose window closed, rewards for consent (and those waiting for backing). */
export function startLoyalty(deps: RelayDeps): Service {
  const logger = deps.logger.child({ part: "loyalty" });
  const backing = new BackingCache(deps.chain.client, deps.chain.deployment.points);
  const queued = new Counter({ name: "confiance_loyalty_issuances_queued_total", help: "Issuances the loyalty loop queued on chain", labelNames: ["source"], registers: [deps.registry] });
  const db = deps.db;
  new Gauge({
    name: "confiance_loyalty_pending_points",
    // The same shared value in every relay process (RELAY_WORKERS): shown once, not summed.
    aggregator: "max",
    help: "Points recorded as pending (return window open, not yet queued on chain)",
    registers: [deps.registry],
    async collect() {
      const { rows } = await db.query<{ n: string }>("SELECT COALESCE(sum(points - cancelled_points), 0)::text AS n FROM relay_issuances WHERE operation_id IS NULL");
      this.set(Number(rows[0]!.n));
    },
  });
  const savings = (name: string, help: string, column: string) =>
    new Gauge({
      name,
      help,
      registers: [deps.registry],
      async collect() {
        const { rows } = await db.query<{ n: string }>(`SELECT COALESCE(sum(${column}), 0)::text AS n FROM relay_window_savings`);
        this.set(Number(rows[0]!.n));
      },
    });
  savings("confiance_return_window_gas_saved", "Gas the return window saved: issues and reversals that never went on chain, counted at LOYALTY_ISSUE_GAS / LOYALTY_REVERSE_GAS each", "gas_saved");
  savings("confiance_return_window_transactions_avoided", "Issues and reversals the return window kept off the chain", "issues_avoided + reversals_avoided");

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      // A full batch: more may be due, take them now (each batch is its own transaction).
      for (let due = deps.config.LOYALTY_BATCH_MAX; due === deps.config.LOYALTY_BATCH_MAX && !stopped; ) {
        due = await issueDue(db, deps.config.LOYALTY_BATCH_MAX);
        if (due > 0) queued.inc({ source: "window" }, due);
      }
      const rewards = await payConsentRewards(db, deps.config.LOYALTY_BATCH_MAX);
      if (rewards > 0) queued.inc({ source: "consent-reward" }, rewards);
      const retried = await retryUnbackedRewards(db, backing, deps.config.LOYALTY_BATCH_MAX);
      if (retried > 0) queued.inc({ source: "consent-reward-retry" }, retried);
    } catch (err) {
      logger.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, "loyalty step failed; retried at the next poll");
    }
  };
  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, deps.config.LOYALTY_POLL_MS);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
