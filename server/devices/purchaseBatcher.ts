import type { Db } from "../store/db";
import type { Env } from "../config";
import { handleDeviceEvent, type BackingReader, type EventOutcome } from "./events";
import type { BackingAt, BackingCache } from "./backingCache";
import { receiveResults } from "../http/errors";
import { purchaseBatch, type BackingReads, type PurchaseBatchConfig, type PurchaseRequest, type PurchaseResult } from "./purchaseBatch";
import { GroupCommit, type BatchObserver, type Waiting } from "./groupCommit";

/**
 * Group commit for purchases (once the device-event batch has authenticated them): purchases that arrive
 * while the database is busy with earlier ones wait here and are handled together in ONE transaction
 * (purchaseBatch.ts, a procedure: in PGlite's worker thread when PGlite runs there) as soon as a slot is free,
 * each answered once it has committed (every 2xx is durable). The queue is DeviceEventBatcher's
 * (groupCommit.ts): no timer, batches of up to DEVICE_EVENT_BATCH_MAX, at most DEVICE_EVENT_BATCHES at once
 * (two on PGlite, so that a batch's chain read overlaps the transaction before it). The brands' backing is read
 * before the transaction opens (BackingCache: the chain's block number per batch, a brand's balance once per
 * block), so a transaction never waits on the chain.
 *
 * A purchase the batch leaves `alone` (its event id or receipt came earlier in the batch), and every purchase
 * of a batch whose transaction failed (a database error: nothing of it is kept), is handled on its own
 * afterwards (events.ts handleDeviceEvent), in arrival order.
 */
export class PurchaseBatcher extends GroupCommit<PurchaseRequest, EventOutcome> {
  constructor(
    db: Db,
    config: Env,
    /** For a purchase handled alone. */
    private readonly backing: BackingReader | undefined,
    /** For the batches: the backing per block. */
    private readonly cache: BackingCache | undefined,
    private readonly observe?: BatchObserver,
  ) {
    // Two batches at once even on PGlite: one's chain read overlaps the other's transaction (PGlite runs the
    // transactions one after the other, so each still sees every purchase committed before it).
    super(db, config, 2);
  }

  private readonly batchConfig: PurchaseBatchConfig = { CARD_TOKEN_PEPPER: this.config.CARD_TOKEN_PEPPER, PURCHASE_MAX_AMOUNT: this.config.PURCHASE_MAX_AMOUNT };

  private async readBacking(batch: readonly Waiting<PurchaseRequest, EventOutcome>[]): Promise<BackingReads> {
    if (!this.cache) return new Map<string, BackingAt | undefined>();
    // Advisory (as one purchase alone): while the chain cannot be read the purchases are still accepted.
    return this.cache.read([...new Set(batch.map((w) => w.request.brand.address))]);
  }

  private alone(w: Waiting<PurchaseRequest, EventOutcome>): Promise<void> {
    const { brand, device, event } = w.request;
    return this.db
      .transaction((tx) => handleDeviceEvent(tx, this.config, brand, device, event, this.backing))
      .then(w.resolve, w.reject);
  }

  protected async run(batch: Waiting<PurchaseRequest, EventOutcome>[], release: () => void): Promise<void> {
    const t0 = performance.now();
    let results: PurchaseResult[] | undefined;
    try {
      const backing = await this.readBacking(batch);
      results = receiveResults<PurchaseResult>(await this.db.run(purchaseBatch, { config: this.batchConfig, requests: batch.map((w) => w.request), backing }));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
    }
    this.observe?.({ size: batch.length, seconds: (performance.now() - t0) / 1000, fallback: results === undefined });
    // Purchases handled alone keep the slot: they come before the purchases that arrived after them.
    if (results?.every((r) => r.kind !== "alone")) release();
    const later: Waiting<PurchaseRequest, EventOutcome>[] = [];
    batch.forEach((w, i) => {
      const r = results?.[i];
      if (!r || r.kind === "alone") later.push(w);
      else if (r.kind === "done") w.resolve(r.outcome);
      else w.reject(r.error);
    });
    for (const w of later) await this.alone(w);
  }
}
