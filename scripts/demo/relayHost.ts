import crypto from "node:crypto";
import path from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import type { Hex } from "viem";
import { connectChain } from "../../server/chain/context";
import { writeDeployment, type Deployment } from "../../server/chain/deployment";
import { loadConfig, type Env } from "../../server/config";
import type { RelayDeps } from "../../server/deps";
import { createRelay, type Relay } from "../../server/relay";
import { openDb, type Db } from "../../server/store/db";
import { isWebAppBuilt } from "../../server/http/webApp";

/** A relay running in this process on a loopback port, over its own PGlite folder. */
export interface RelayHost {
  url: string;
  relay: Relay;
  deps: RelayDeps;
  db: Db;
  adminToken: string;
  stop(): Promise<void>;
}

export interface RelayHostOptions {
  rpcUrl: string;
  deployment: Deployment;
  /** Working folder: the deployment file, the PGlite data folder and the relay's log go here. */
  dir: string;
  /** The relay's keys: the first sends by-signature calls, the others act as brand operators. */
  signerKeys: readonly Hex[];
  /** Extra environment variables (README "Configuration"), e.g. BATCHING=false. */
  env?: Record<string, string>;
  /** Log to `<dir>/relay.log` at this level ("silent" for none). */
  logLevel?: string;
  /** Reuse an open database instead of opening `<dir>/pgdata`. */
  db?: Db;
  /** Serve the built web app from this folder (when it holds a build). */
  webDir?: string;
}

/** Builds the relay exactly as `npm run relay` does (config, database, chain check), on loopback. */
export async function startRelayHost(o: RelayHostOptions): Promise<RelayHost> {
  const deploymentFile = path.join(o.dir, "deployment.json");
  writeDeployment(deploymentFile, o.deployment);
  const adminToken = crypto.randomBytes(24).toString("base64url");
  const config: Env = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    RPC_URL: o.rpcUrl,
    DEPLOYMENT_FILE: deploymentFile,
    DATA_DIR: path.join(o.dir, "pgdata"),
    SIGNER_KEYS: o.signerKeys.join(","),
    RELAY_ADMIN_TOKEN: adminToken,
    CARD_TOKEN_PEPPER: crypto.randomBytes(16).toString("hex"),
    LOG_LEVEL: o.logLevel ?? "silent",
    ...o.env,
  });
  const logger =
    config.LOG_LEVEL === "silent"
      ? pino({ level: "silent" })
      : pino({ level: config.LOG_LEVEL, base: { service: "confiance-relay" } }, pino.destination({ dest: path.join(o.dir, "relay.log"), sync: false, mkdir: true }));
  const db = o.db ?? (await openDb({ dataDir: config.DATA_DIR, pgliteWorker: config.PGLITE_WORKER }));
  const chain = await connectChain(config);
  const deps: RelayDeps = { config, db, chain, logger, registry: new Registry() };
  const relay = await createRelay(deps, { web: o.webDir && isWebAppBuilt(o.webDir) ? { dir: o.webDir } : undefined });
  const url = await relay.listen(0, "127.0.0.1");
  return {
    url,
    relay,
    deps,
    db,
    adminToken,
    async stop() {
      await relay.stop();
      if (!o.db) await db.close();
    },
  };
}
