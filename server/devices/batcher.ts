import type { Db } from "../store/db";
import type { Env } from "../config";
import { handleEventBatch, type EventRequest, type EventResult } from "./eventBatch";

interface Waiting {
  request: EventRequest;
  resolve(result: EventResult): void;
  reject(err: unknown): void;
}

/** What the batcher reports per batch (metrics). */
export type BatchObserver = (b: { size: number; seconds: number; fallback: boolean }) => void;

/**
 * Group commit for device events: requests that arrive while the database is busy with earlier ones wait
 * here, and are handled together in ONE transaction (handleEventBatch) as soon as a slot is free; each is
 * answered only once that transaction has committed, so every 2xx is durable. No timer: a request that finds
 * a free slot starts a batch at the end of the event loop's turn (with whatever else arrived in it), so a
 * quiet relay adds no latency; under load the batches
 * grow by themselves (up to DEVICE_EVENT_BATCH_MAX), and at most DEVICE_EVENT_BATCHES run at once (one on
 * PGlite, which has one connection).
 *
 * If a batch's transaction fails (a database error: nothing of it is kept), each of its requests is handled
 * again alone, so one failing event does not fail the others.
 */
export class DeviceEventBatcher {
  private readonly queue: Waiting[] = [];
  private running = 0;
  private scheduled = false;
  private readonly slots: number;
  private readonly max: number;

  constructor(
    private readonly db: Db,
    private readonly config: Env,
    private readonly observe?: BatchObserver,
  ) {
    this.slots = db.kind === "pglite" ? 1 : config.DEVICE_EVENT_BATCHES;
    this.max = config.DEVICE_EVENT_BATCH_MAX;
  }

  submit(request: EventRequest): Promise<EventResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Starts the next batches once the event loop has read every request that is ready (setImmediate runs
   * after the I/O callbacks of this turn), so that the requests that arrived together go in one batch. This
   * matters most with PGlite in the relay's thread (PGLITE_WORKER=false), which answers through microtasks
   * only: a batch started at once would run to its commit before the requests that arrived with it are even
   * parsed. PGlite in its worker, like PostgreSQL, answers in later turns, while the requests that keep
   * arriving wait here for the next batch.
   */
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

  private handle(requests: readonly EventRequest[]): Promise<EventResult[]> {
    // Advisory locks order event ids across connections; PGlite has only one.
    return this.db.transaction((tx) => handleEventBatch(tx, this.config, requests, { locks: this.db.kind === "postgres" }));
  }

  private async run(batch: Waiting[]): Promise<void> {
    const t0 = performance.now();
    try {
      const results = await this.handle(batch.map((w) => w.request));
      batch.forEach((w, i) => w.resolve(results[i]!));
      this.observe?.({ size: batch.length, seconds: (performance.now() - t0) / 1000, fallback: false });
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
    }
    this.observe?.({ size: batch.length, seconds: (performance.now() - t0) / 1000, fallback: true });
    for (const w of batch) {
      try {
        const [result] = await this.handle([w.request]);
        w.resolve(result!);
      } catch (err) {
        w.reject(err);
      }
    }
  }
}
