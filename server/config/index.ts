import { z } from "zod";
import { webhookEnvShape } from "../webhooks/config";
import { limitsEnvShape } from "./limits";

/**
 * The relay's whole configuration, read from environment variables and validated at start. Every
 * variable is documented in README.md (Configuration). Secrets (signer keys, keystore password, admin
 * token, card-token pepper) are never logged: see `redactedConfig`.
 */
const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 0x-prefixed 32-byte hex private key");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "a 0x-prefixed 20-byte hex address");
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const int = (min: number) => z.coerce.number().int().min(min);

export const envSchema = z.object({
  // HTTP
  HOST: z.string().default("127.0.0.1"),
  PORT: int(0).max(65535).default(8080),
  BODY_LIMIT: z.string().default("64kb"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  RELAY_ADMIN_TOKEN: z.string().min(24, "at least 24 characters").optional(),
  DEVICE_CLOCK_TOLERANCE_SECONDS: int(1).default(300),
  // Device events' group commit (docs/relay.md, "Device events: group commit"): most events per transaction,
  // and transactions at once on PostgreSQL (PGlite: one)
  DEVICE_EVENT_BATCH_MAX: int(1).default(128),
  DEVICE_EVENT_BATCHES: int(1).default(2),
  // Relay processes serving one port (node:cluster), each a full instance on the shared PostgreSQL (docs/relay.md, "Several processes")
  RELAY_WORKERS: int(1).max(64).default(1),
  CARD_TOKEN_PEPPER: z.string().min(16, "at least 16 characters").optional(),
  WEB_DIR: z.string().default("web/dist"),
  // Abuse limits (docs/relay.md, "Limits"): request rates per window, counted in this instance's memory
  RATE_LIMIT_WINDOW_MS: int(1000).default(60_000),
  RATE_LIMIT_PER_CLIENT: int(1).default(1200),
  RATE_LIMIT_PER_DEVICE: int(1).default(600),
  RATE_LIMIT_PER_API_KEY: int(1).default(1200),
  RATE_LIMIT_AUDIT_PER_CLIENT: int(1).default(120),
  RATE_LIMIT_DELAY_MS: int(0).default(250),
  STREAMS_PER_BRAND: int(1).default(50),
  STREAMS_TOTAL: int(1).default(1000),
  MAX_CONNECTIONS: int(1).default(2000),
  HEADERS_TIMEOUT_MS: int(1000).default(10_000),
  REQUEST_TIMEOUT_MS: int(1000).default(30_000),
  CHAIN_CACHE_MS: int(0).default(1000),
  LINK_MAX_DEADLINE_SECONDS: int(60).default(600),
  // Retention (docs/relay.md, "Retention")
  RETENTION_FAILED_OPERATIONS_DAYS: int(1).default(30),
  RETENTION_EVENT_ANSWERS_HOURS: int(24).default(24 * 30),
  RETURN_WINDOW_DAYS: int(1).default(90),
  RETENTION_PRUNE_INTERVAL_MS: int(1000).default(3_600_000),
  // Storage
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "a postgres:// URL").optional(),
  DATA_DIR: z.string().default("data/relay"),
  /** PostgreSQL: named prepared statements (server/store/pgStatements.ts); false behind a pooler that cannot keep them. */
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  /** PGlite runs in a worker thread of its own (false: in the relay's thread). */
  PGLITE_WORKER: bool.default(true),
  /** PGlite's stand-in for autovacuum (server/store/vacuum.ts): a pass every so often; 0: none. */
  PGLITE_VACUUM_INTERVAL_MS: int(0).default(2_000),
  // Chain
  RPC_URL: z.url().default("http://127.0.0.1:8545"),
  PUBLIC_RPC_URL: z.url().optional(),
  CHAIN_ID: int(1).optional(),
  DEPLOYMENT_FILE: z.string().optional(),
  LEDGER_ADDRESS: address.optional(),
  POINTS_ADDRESS: address.optional(),
  DEPLOY_BLOCK: int(0).optional(),
  SIGNER_KEYS: z
    .string()
    .transform((s) => s.split(",").map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(hexKey))
    .optional(),
  KEYSTORE_FILE: z.string().optional(),
  KEYSTORE_PASSWORD: z.string().optional(),
  /** A signer below this balance (ether) is reported low in /healthz and the metrics. */
  SIGNER_LOW_BALANCE_ETH: z.string().regex(/^\d+(\.\d{1,18})?$/, "an amount of ether such as 0.05").default("0.05"),
  /** Serve reads only: no signer key needed, and every signed action or device event that would send a transaction is refused (503 read_only). */
  READ_ONLY: bool.default(false),
  /** At start, when the chain or the deployment differs from the one the database was built on, empty the relay's tables instead of refusing to start. */
  RESET_ON_CHAIN_CHANGE: bool.default(false),
  // Submission
  CONFIRMATIONS: int(0).default(1),
  BATCH_MAX: int(1).default(400),
  /** A batch transaction's gas limit stays under this (and under the chain's block gas limit): larger batches are split. */
  BATCH_GAS_MAX: int(100_000).default(15_000_000),
  BATCH_WAIT_MS: int(0).default(100),
  BATCHING: bool.default(true),
  STUCK_TIMEOUT_MS: int(1000).default(60_000),
  FEE_BUMP_PERCENT: int(10).default(20),
  SUBMITTER_POLL_MS: int(10).default(500),
  // Indexer
  INDEXER_CONFIRMATIONS: int(0).default(1),
  INDEXER_POLL_MS: int(10).default(1000),
  INDEXER_MAX_RANGE: int(1).default(2000),
  // Loyalty programme (server/loyalty): how often pending points and consent rewards are looked at, and the
  // gas an avoided issue and an avoided reversal count for in the return window's savings (docs/gas.md)
  LOYALTY_POLL_MS: int(10).default(1000),
  LOYALTY_BATCH_MAX: int(1).default(200),
  LOYALTY_ISSUE_GAS: int(0).default(69_101),
  LOYALTY_REVERSE_GAS: int(0).default(53_468),
  // Webhooks (server/webhooks/config.ts)
  ...webhookEnvShape,
  // Limits on customers' actions and the relay's spend (server/config/limits.ts)
  ...limitsEnvShape,
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses and checks the environment; throws a ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Env {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(input);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  if (parsed.success && parsed.data.RELAY_WORKERS > 1 && !parsed.data.DATABASE_URL) {
    issues.push("  RELAY_WORKERS: more than one process needs PostgreSQL (DATABASE_URL): PGlite is the database of one process");
  }
  if (!parsed.success || issues.length > 0) throw new ConfigError(`invalid configuration:\n${issues.join("\n")}`);
  return parsed.data;
}

const SECRET_KEYS = ["SIGNER_KEYS", "KEYSTORE_PASSWORD", "RELAY_ADMIN_TOKEN", "CARD_TOKEN_PEPPER", "DATABASE_URL"] as const;

/** The configuration with its secrets replaced, for logs. */
export function redactedConfig(config: Env): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const k of SECRET_KEYS) if (out[k] !== undefined) out[k] = "[redacted]";
  return out;
}
