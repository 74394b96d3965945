import type { Db } from "../store/db";
import type { Env } from "../config";
import { handleDeviceEvent, type BackingReader, type EventOutcome } from "./events";
import type { BackingAt, BackingCache } from "./backingCache";
import { handlePurchaseBatch, type BackingReads, type PurchaseRequest, type PurchaseResult } from "./purchaseBatch";

interface Waiting {
  request: PurchaseRequest;
  resolve(outcome: EventOutcome): void;
  reject(err: unknown): void;
}

/**
 * Group commit for purchases (once the device-event batch has authenticated them): purchases that arrive
 * while the database is busy with earlier ones wait here and are handled together in ONE transaction
 * (purchaseBatch.ts) as soon as a slot is free, each answered once it has committed (every 2xx is durable).
 * As DeviceEventBatcher: no timer, batches of up to DEVICE_EVENT_BATCH_MAX, at most DEVICE_EVENT_BATCHES at
 * once (one on PGlite). The brands' backing is read before the transaction opens (BackingCache: the chain's
 * block number per batch, a brand's balance once per block), so a transaction never waits on the chain.
 *
 * A purchase the batch leaves `alone` (its event id or receipt came earlier in the batch), and every purchase
 * of a batch whose transaction failed (a database error: nothing of it is kept), is handled on its own
 * afterwards (events.ts handleDeviceEvent), in arrival order.
 */
export class PurchaseBatcher {
  private readonly queue: Waiting[] = [];
  private running = 0;
  private scheduled = false;
  private readonly slots: number;
  private readonly max: number;

  constructor(
    private readonly db: Db,
    private readonly config: Env,
    /** For a purchase handled alone. */
    private readonly backing: BackingReader | undefined,
    /** For the batches: the backing per block. */
    private readonly cache: BackingCache | undefined,
    private readonly observe?: (b: { size: number; seconds: number; fallback: boolean }) => void,
  ) {
    this.slots = db.kind === "pglite" ? 1 : config.DEVICE_EVENT_BATCHES;
    this.max = config.DEVICE_EVENT_BATCH_MAX;
  }

  submit(request: PurchaseRequest): Promise<EventOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.slots) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.slots && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.max);
      this.running++;
      this.run(batch).finally(() => {
        this.running--;
        this.schedule();
      });
    }
  }

  private async readBacking(batch: readonly Waiting[]): Promise<BackingReads> {
    if (!this.cache) return new Map<string, BackingAt | undefined>();
    // Advisory (as one purchase alone): while the chain cannot be read the purchases are still accepted.
    return this.cache.read([...new Set(batch.map((w) => w.request.brand.address))]);
  }

  private alone(w: Waiting): Promise<void> {
    const { brand, device, event } = w.request;
    return this.db
      .transaction((tx) => handleDeviceEvent(tx, this.config, brand, device, event, this.backing))
      .then(w.resolve, w.reject);
  }

  private async run(batch: Waiting[]): Promise<void> {
    const t0 = performance.now();
    let results: PurchaseResult[] | undefined;
    try {
      const backing = await this.readBacking(batch);
      results = await this.db.transaction((tx) =>
        handlePurchaseBatch(tx, this.config, batch.map((w) => w.request), backing, { locks: this.db.kind === "postgres" }),
      );
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
    }
    this.observe?.({ size: batch.length, seconds: (performance.now() - t0) / 1000, fallback: results === undefined });
    const later: Waiting[] = [];
    batch.forEach((w, i) => {
      const r = results?.[i];
      if (!r || r.kind === "alone") later.push(w);
      else if (r.kind === "done") w.resolve(r.outcome);
      else w.reject(r.error);
    });
    for (const w of later) await this.alone(w);
  }
}
