import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { writeDeployment, type Deployment } from "../../server/chain/deployment";
import { freePort } from "../lib/localChain";
import { waitFor } from "../demo/wait";

export class RelayProcessError extends Error {
  override name = "RelayProcessError";
}

/** `npm run relay` (server/main.ts) as a child process: its own event loop and PGlite, as in production. */
export interface RelayProcess {
  url: string;
  adminToken: string;
  pid: number;
  /** Indexer lag in blocks, from /healthz. */
  lag(): Promise<number>;
  stop(): Promise<void>;
}

const ROOT = path.join(__dirname, "..", "..");

export async function startRelayProcess(o: { rpcUrl: string; deployment: Deployment; dir: string; signerKeys: readonly Hex[]; env?: Record<string, string> }): Promise<RelayProcess> {
  fs.mkdirSync(o.dir, { recursive: true });
  const deploymentFile = path.join(o.dir, "deployment.json");
  writeDeployment(deploymentFile, o.deployment);
  const port = await freePort();
  const adminToken = crypto.randomBytes(24).toString("base64url");
  const log = fs.openSync(path.join(o.dir, "relay.log"), "a");
  const child: ChildProcess = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join("server", "main.ts")], {
    cwd: ROOT,
    stdio: ["ignore", log, log],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      RPC_URL: o.rpcUrl,
      DEPLOYMENT_FILE: deploymentFile,
      DATA_DIR: path.join(o.dir, "pgdata"),
      SIGNER_KEYS: o.signerKeys.join(","),
      RELAY_ADMIN_TOKEN: adminToken,
      LOG_LEVEL: "warn",
      ...o.env,
    },
  });
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  const url = `http://127.0.0.1:${port}`;
  const health = async (): Promise<{ status: string; indexer: { lag?: number } } | undefined> => {
    if (exited !== undefined) throw new RelayProcessError(`relay exited with code ${exited}; see ${path.join(o.dir, "relay.log")}`);
    try {
      const res = await fetch(`${url}/healthz`);
      return (await res.json()) as { status: string; indexer: { lag?: number } };
    } catch {
      return undefined;
    }
  };
  await waitFor(async () => (await health())?.status === "ok", "the relay process to answer /healthz", 60_000, 100);
  return {
    url,
    adminToken,
    pid: child.pid!,
    async lag() {
      return (await health())?.indexer.lag ?? Number.POSITIVE_INFINITY;
    },
    async stop() {
      if (exited !== undefined) return;
      const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await done;
      clearTimeout(timer);
      fs.closeSync(log);
    },
  };
}
