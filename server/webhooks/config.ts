import { z } from "zod";

/**
 * The webhooks' configuration (README "Configuration"), merged into the relay's environment schema. Times
 * are milliseconds unless the name says otherwise.
 */
const int = (min: number) => z.coerce.number().int().min(min);
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const webhookEnvShape = {
  /** One request's limit: connecting, sending and the answer's status and first bytes. */
  WEBHOOK_TIMEOUT_MS: int(100).max(60_000).default(10_000),
  /** Endpoints delivered to at once by one relay instance (each endpoint one request at a time). */
  WEBHOOK_CONCURRENCY: int(1).max(256).default(8),
  /** How often the delivery loop looks for due deliveries. */
  WEBHOOK_POLL_MS: int(10).default(500),
  /** First retry after about this long; each further retry waits twice as long, up to the maximum. */
  WEBHOOK_RETRY_BASE_MS: int(10).default(5_000),
  WEBHOOK_RETRY_MAX_MS: int(10).default(3_600_000),
  /** A delivery is given up (failed) after this many attempts or once it is this old, whichever first. */
  WEBHOOK_MAX_ATTEMPTS: int(1).max(100).default(16),
  WEBHOOK_MAX_AGE_MS: int(1000).default(86_400_000),
  /** The relay disables an endpoint after this many deliveries in a row were given up (0: never). */
  WEBHOOK_DISABLE_AFTER_FAILURES: int(0).default(5),
  /** After a secret rotation, the old secret keeps signing beside the new one for this long (default). */
  WEBHOOK_ROTATION_GRACE_SECONDS: int(0).max(7 * 86_400).default(86_400),
  /** Endpoints allowed per brand. */
  WEBHOOK_MAX_ENDPOINTS: int(1).max(1000).default(10),
  /** Allow `http://` and `https://` endpoints on loopback (127.0.0.0/8, ::1, localhost): development and tests. */
  WEBHOOK_ALLOW_LOOPBACK: bool.default(false),
  /** Allow endpoints on private networks (10/8, 172.16/12, 192.168/16, fc00::/7, link-local...); https still required. */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** How often the relay looks for consents whose expiry has passed. */
  WEBHOOK_EXPIRY_POLL_MS: int(50).default(1_000),
  /** Delivered, failed and cancelled deliveries (and their attempts) are kept this many days. */
  WEBHOOK_RETENTION_DAYS: int(1).default(30),
};

export const webhookEnvSchema = z.object(webhookEnvShape);
export type WebhookConfig = z.infer<typeof webhookEnvSchema>;
