import type { RelayDeps, Service } from "../deps";
import { chainNow } from "../chain/clock";
import { WebhookDispatcher } from "./dispatcher";
import { startExpiryJob } from "./expiry";
import { webhookMetrics } from "./metrics";
import { pruneFinished } from "./queue";

export { webhooksRouter } from "./routes";
export { queueChainEvents, retractChainEvents } from "./chainEvents";
export { queueAcceptedOperation } from "./relayEvents";
export { emitDataRequestReceived, EVENT_TYPES, RETRACTED, type DataRequestReceived, type EventType } from "./events";

const PRUNE_EVERY_MS = 3_600_000;

/**
 * The webhooks' background parts: the delivery loop, the expiry job (consent.expired) and the hourly
 * pruning of the delivery log past WEBHOOK_RETENTION_DAYS.
 */
export function startWebhooks(deps: RelayDeps): Service {
  const logger = deps.logger.child({ part: "webhooks" });
  const metrics = webhookMetrics(deps.registry, deps.db);
  const dispatcher = new WebhookDispatcher({ db: deps.db, config: deps.config, logger, metrics }).start();
  const expiry = startExpiryJob({
    db: deps.db,
    now: () => chainNow(deps.chain.client).then(Number, () => Math.floor(Date.now() / 1000)),
    pollMs: deps.config.WEBHOOK_EXPIRY_POLL_MS,
    logger,
    onQueued: (n) => metrics.expired.inc(n),
  });
  const prune = setInterval(() => {
    pruneFinished(deps.db, deps.config.WEBHOOK_RETENTION_DAYS).catch((err: Error) => logger.warn({ err: { message: err.message } }, "pruning the webhook log failed"));
  }, PRUNE_EVERY_MS);
  prune.unref();
  return {
    async stop() {
      clearInterval(prune);
      await Promise.all([dispatcher.stop(), expiry.stop()]);
    },
  };
}
