import type { Db } from "../store/db";
import type { Env } from "../config";

/** A request waiting for its batch, and how to answer it. */
export interface Waiting<R, A> {
  request: R;
  resolve(answer: A): void;
  reject(err: unknown): void;
}

/** What a batcher reports per batch (metrics). */
export type BatchObserver = (b: { size: number; seconds: number; fallback: boolean }) => void;

/**
 * The queue of a group commit (device events: batcher.ts; purchases: purchaseBatcher.ts): requests that arrive
 * while the database is busy with earlier ones wait here, and `run` handles those waiting together as soon as
 * a slot is free. No timer: a request that finds a free slot starts a batch at the end of the event loop's
 * turn (with whatever else arrived in it), so a quiet relay adds no latency; under load the batches grow by
 * themselves (up to DEVICE_EVENT_BATCH_MAX), and at most DEVICE_EVENT_BATCHES run at once (one on PGlite,
 * which has one connection). A batch whose transaction has ended hands its slot to the requests that waited
 * meanwhile before its own are answered, so the database is not left idle while this thread writes answers.
 */
export abstract class GroupCommit<R, A> {
  private readonly queue: Waiting<R, A>[] = [];
  private running = 0;
  private scheduled = false;
  private readonly slots: number;
  private readonly max: number;

  constructor(
    protected readonly db: Db,
    protected readonly config: Env,
    /** Batches at once on PGlite (default one: its one connection runs one transaction at a time). */
    pgliteSlots = 1,
  ) {
    this.slots = db.kind === "pglite" ? pgliteSlots : config.DEVICE_EVENT_BATCHES;
    this.max = config.DEVICE_EVENT_BATCH_MAX;
  }

  submit(request: R): Promise<A> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Handles one batch and answers each of its requests (resolve or reject), whatever happens. `release` frees
   * its slot and starts the next batch at once: call it as soon as the batch's transaction has ended and
   * before answering, so that the database works on the next batch while this thread writes the answers
   * (otherwise the slot is freed when `run` ends).
   */
  protected abstract run(batch: Waiting<R, A>[], release: () => void): Promise<void>;

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
      let released = false;
      // The requests waiting now arrived while this batch ran: they start the next one at once.
      const release = () => {
        if (released) return;
        released = true;
        this.running--;
        this.pump();
      };
      this.run(batch, release).finally(release);
    }
  }
}
