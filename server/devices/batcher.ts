import type { Db } from "../store/db";
import type { Env } from "../config";
import { receiveResults } from "../http/errors";
import { eventBatch, type EventBatchConfig, type EventRequest, type EventResult } from "./eventBatch";
import { GroupCommit, type BatchObserver, type Waiting } from "./groupCommit";

/**
 * Group commit for device events (the queue: groupCommit.ts): the requests waiting together are handled in ONE
 * transaction (handleEventBatch), each answered only once that transaction has committed, so every 2xx is
 * durable. The batch runs where the database is (the `eventBatch` procedure: in PGlite's worker thread when
 * PGlite runs there), so this thread only parses requests and answers them.
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

  private readonly batchConfig: EventBatchConfig = {
    DEVICE_CLOCK_TOLERANCE_SECONDS: this.config.DEVICE_CLOCK_TOLERANCE_SECONDS,
    CARD_TOKEN_PEPPER: this.config.CARD_TOKEN_PEPPER,
  };

  private async handle(requests: EventRequest[]): Promise<EventResult[]> {
    return receiveResults<EventResult>(await this.db.run(eventBatch, { config: this.batchConfig, requests }));
  }

  protected async run(batch: Waiting<EventRequest, EventResult>[], release: () => void): Promise<void> {
    const t0 = performance.now();
    try {
      const results = await this.handle(batch.map((w) => w.request));
      release();
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
