/**
 * `npm run relay` (from TypeScript) or `npm start` (compiled by `npm run build`): loads the configuration
 * (environment, then `.env` for what the environment does not set; README "Configuration"), opens the database
 * (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL), connects to the chain, and serves the relay (with
 * the web app in WEB_DIR when it is built; `npm run relay` builds it first) until SIGTERM or SIGINT, on
 * which it stops accepting requests, lets the submitter and the indexer finish their current step,
 * closes the database and exits 0. A second signal exits at once.
 *
 * With RELAY_WORKERS > 1 (PostgreSQL only) this process is the primary of that many relay processes
 * serving one port (server/startup/workers.ts); each of them runs the rest of this file.
 */
import cluster from "node:cluster";
import pino from "pino";
import { collectDefaultMetrics, Registry } from "prom-client";
import { ConfigError, loadConfig, redactedConfig } from "./config";
import { connectChain } from "./chain/context";
import { openDb } from "./store/db";
import { createRelay } from "./relay";
import { isWebAppBuilt } from "./http/webApp";
import { loadEnvFile } from "./config/envFile";
import { configurationHelp } from "./config/help";
import { clusterMetricsOfWorker, startWorkers, WorkerStartError, type PrimaryMessage, type WorkerMessage } from "./startup/workers";

const USAGE = `usage: npm run relay (TypeScript) | npm start (after npm run build)

Serves the Confiance relay: device and customer APIs, the web app, the submitter and the indexer.
Configuration comes from the environment, then from .env in the working directory (or ENV_FILE) for
what the environment does not set; see .env.example and README.md (Configuration). Variables:
`;

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(`${USAGE}${configurationHelp()}\n`);
    return;
  }
  let config;
  try {
    loadEnvFile();
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const worker = cluster.isWorker ? Number(process.env.RELAY_WORKER_INDEX ?? cluster.worker?.id) : undefined;
  const logger = pino({ level: config.LOG_LEVEL, base: { service: "confiance-relay", ...(worker !== undefined ? { worker, pid: process.pid } : {}) } });
  if (config.RELAY_WORKERS > 1 && cluster.isPrimary) return runPrimary(config.RELAY_WORKERS, logger);
  if (worker === undefined) logger.info({ config: redactedConfig(config) }, "starting");
  let stop: ((why: "database failed") => void) | undefined;
  let dbFailed = false;
  const db = await openDb({
    databaseUrl: config.DATABASE_URL,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR,
    pgliteWorker: config.PGLITE_WORKER,
    // PGlite's worker thread died: every query now fails, so the relay stops (exit status 1) for its supervisor to restart it.
    onWorkerError: (err) => {
      logger.fatal({ err: { name: err.name, message: err.message } }, "database failed");
      dbFailed = true;
      stop?.("database failed");
    },
  });
  const chain = await connectChain(config);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const web = isWebAppBuilt(config.WEB_DIR) ? { dir: config.WEB_DIR } : undefined;
  if (!web) logger.warn({ dir: config.WEB_DIR }, "no built web app here (npm run build:web): serving the API only");
  const relay = await createRelay({ config, db, chain, logger, registry }, { web, metrics: worker !== undefined ? clusterMetricsOfWorker(registry) : undefined });
  const url = await relay.listen();
  const startupMs = Math.round(process.uptime() * 1000);
  logger.info({ url, chainId: chain.chainId, ledger: chain.deployment.ledger, points: chain.deployment.points, database: db.kind, startupMs }, "relay listening");
  if (worker !== undefined) process.send?.({ listening: { url, startupMs } } satisfies WorkerMessage);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals | "database failed") => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "stopping");
    relay
      .stop()
      .then(() => db.close())
      .then(
        () => {
          logger.info("stopped");
          process.exit(0);
        },
        (err: Error) => {
          logger.error({ err: { name: err.name, message: err.message } }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  stop = shutdown;
  if (dbFailed) shutdown("database failed");
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  if (worker !== undefined) {
    // The primary's order to stop, or the primary gone: stop once, as on SIGTERM.
    const once = () => {
      if (!stopping) shutdown("SIGTERM");
    };
    process.on("message", (m: PrimaryMessage) => m && "stop" in m && once());
    process.on("disconnect", once);
  }
}

/** RELAY_WORKERS > 1: this process starts the workers, and stops them on SIGTERM or SIGINT. */
async function runPrimary(count: number, logger: pino.Logger): Promise<void> {
  logger.info({ workers: count }, "starting relay workers");
  let workers;
  try {
    workers = await startWorkers(count, logger);
  } catch (err) {
    if (err instanceof WorkerStartError) {
      process.stderr.write(`relay failed to start: ${err.message}\n`);
      process.exit(err.exitCode || 1);
    }
    throw err;
  }
  logger.info({ url: workers.url, workers: count, startupMs: workers.startupMs }, "relay listening");
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping relay workers");
    workers.stop().then((clean) => {
      logger.info({ clean }, "stopped");
      process.exit(clean ? 0 : 1);
    });
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((err: Error) => {
  process.stderr.write(`relay failed to start: ${err.name}: ${err.message}\n`);
  process.exit(1);
});
