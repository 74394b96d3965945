import type { Db } from "../store/db";
import type { Env } from "../config";
import { handleEventBatch, type EventRequest, type EventResult } from "./eventBatch";
import { GroupCommit, type BatchObserver, type Waiting } from "./groupCommit";

/**
 * Group commit for device events (the queue: groupCommit.ts): the requests waiting together are handled in ONE
 * transaction (handleEventBatch), each answered only once that transaction has committed, so every 2xx is
 * durable.
 *
 * If a batch's transaction fails (a database error: nothing of it is kept), each of its requests is handled
 * again alone, so one failing event does not fail the others.
 */
export class DeviceEventBatcher extends GroupCommit<EventRequest, EventResult> {
  constructor(
    db: Db,
    config: Env,
    private readonly observe?: BatchObserver,
  ) {
    super(db, config);
  }

  private handle(requests: readonly EventRequest[]): Promise<EventResult[]> {
    // Advisory locks order event ids across connections; PGlite has only one.
    return this.db.transaction((tx) => handleEventBatch(tx, this.config, requests, { locks: this.db.kind === "postgres" }));
  }

  protected async run(batch: Waiting<EventRequest, EventResult>[]): Promise<void> {
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
