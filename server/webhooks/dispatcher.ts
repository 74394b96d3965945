import crypto from "node:crypto";
import type { Logger } from "pino";
import type { Db } from "../store/db";
import type { Service } from "../deps";
import type { WebhookConfig } from "./config";
import type { WebhookMetrics } from "./metrics";
import { beginAttempt, claimEndpoints, clearLeases, finishAttempt, releaseLease, type Verdict } from "./queue";
import { givesUp, retryDelayMs } from "./retry";
import { sendWebhook } from "./send";
import { sleep } from "../indexer/rpcRange";
import { webhookHeaders } from "./signing";

/**
 * The delivery loop. Every WEBHOOK_POLL_MS it leases up to WEBHOOK_CONCURRENCY endpoints (less those it is
 * already working on) whose head delivery is due, and works on each until nothing more is due: one signed
 * POST at a time, in queue order, a failed attempt rescheduling the same delivery (holding back the later
 * ones) until it is delivered or given up. A delivery is marked delivered only after a 2xx answer, so a
 * stop or a crash in between sends it again (at least once). Stopping lets the requests in flight end.
 */
export interface DispatcherOptions {
  db: Db;
  config: WebhookConfig;
  logger: Logger;
  metrics: WebhookMetrics;
}

/** Deliveries made to one endpoint per lease before it is handed back (so many endpoints share the loop fairly). */
const PER_LEASE = 100;
/** The lease outlives one attempt's timeout by this much. */
const LEASE_MARGIN_MS = 5_000;

export class WebhookDispatcher implements Service {
  private readonly owner = `webhooks-${crypto.randomUUID()}`;
  private readonly active = new Set<Promise<void>>();
  private stopped = false;
  private readonly wake = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: DispatcherOptions) {}

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.loop;
  }

  private get leaseMs(): number {
    return this.opts.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS;
  }

  private async run(): Promise<void> {
    const { db, config, logger } = this.opts;
    if (db.kind === "pglite") await clearLeases(db).catch((err: Error) => logger.warn({ err: { message: err.message } }, "clearing webhook leases failed"));
    while (!this.stopped) {
      const free = config.WEBHOOK_CONCURRENCY - this.active.size;
      if (free > 0) {
        try {
          for (const id of await claimEndpoints(db, this.owner, free, this.leaseMs)) {
            const work: Promise<void> = this.work(id).finally(() => this.active.delete(work));
            this.active.add(work);
          }
        } catch (err) {
          logger.warn({ err: { message: (err as Error).message } }, "webhook queue unavailable");
        }
      }
      await sleep(config.WEBHOOK_POLL_MS, this.wake.signal);
    }
    await Promise.all(this.active);
  }

  private async work(endpointId: string): Promise<void> {
    const { db, config, logger, metrics } = this.opts;
    const policy = { allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE };
    try {
      for (let n = 0; n < PER_LEASE && !this.stopped; n++) {
        const begun = await beginAttempt(db, endpointId, this.owner, this.leaseMs);
        if (!begun) break;
        const headers = webhookHeaders({ id: begun.eventId, timestamp: Math.floor(Date.now() / 1000), body: begun.body, secrets: begun.secrets });
        const outcome = await sendWebhook({ url: begun.url, body: begun.body, headers, timeoutMs: config.WEBHOOK_TIMEOUT_MS, policy });
        const retry = { baseMs: config.WEBHOOK_RETRY_BASE_MS, maxMs: config.WEBHOOK_RETRY_MAX_MS, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, maxAgeMs: config.WEBHOOK_MAX_AGE_MS };
        const verdict: Verdict = outcome.ok
          ? { kind: "delivered" }
          : givesUp(begun.attempt, begun.ageMs + outcome.durationMs, retry)
            ? { kind: "given_up" }
            : { kind: "retry", delayMs: retryDelayMs(begun.attempt, retry) };
        const { disabled } = await finishAttempt(db, { endpointId, begun, outcome, verdict, disableAfter: config.WEBHOOK_DISABLE_AFTER_FAILURES });
        metrics.attempts.inc({ outcome: verdict.kind === "retry" ? "retrying" : verdict.kind });
        metrics.duration.observe(outcome.durationMs / 1000);
        if (!outcome.ok) {
          logger.info({ endpointId, deliveryId: begun.deliveryId, attempt: begun.attempt, status: outcome.statusCode, error: outcome.error, verdict: verdict.kind }, "webhook attempt failed");
        }
        if (disabled) {
          metrics.disabled.inc();
          logger.warn({ endpointId, failures: config.WEBHOOK_DISABLE_AFTER_FAILURES }, "webhook endpoint disabled after repeated given-up deliveries");
        }
        if (verdict.kind === "retry") break;
      }
    } catch (err) {
      logger.warn({ endpointId, err: { message: (err as Error).message } }, "webhook delivery step failed");
    } finally {
      await releaseLease(db, endpointId, this.owner).catch(() => undefined);
    }
  }
}
