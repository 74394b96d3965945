import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Hex } from "viem";
import { writeDeployment, type Deployment } from "../../server/chain/deployment";
import { freePort } from "../lib/localChain";
import { waitFor } from "../demo/wait";

export class RelayProcessError extends Error {
  override name = "RelayProcessError";
}

/** Where a bench relay keeps its data: its own PGlite folder, or its own schema in a PostgreSQL database. */
export type BenchDb = { kind: "pglite" } | { kind: "postgres"; url: string };

/** `npm run relay` (server/main.ts) as a child process: its own event loop and database, as in production. */
export interface RelayProcess {
  url: string;
  adminToken: string;
  pid: number;
  /** The child's DATABASE_URL (a schema of its own), or undefined on PGlite. */
  databaseUrl?: string;
  /** Indexer lag in blocks, from /healthz. */
  lag(): Promise<number>;
  /** Peak resident memory of the process so far (VmHWM, bytes), or undefined where /proc is missing. */
  peakRss(): number | undefined;
  /** Bytes the relay's data takes: the PGlite folder, or the relations of its PostgreSQL schema. */
  dbSize(): Promise<number>;
  /** Stops the process (SIGTERM); returns the CPU profile files it wrote when profiling, one per thread. */
  stop(): Promise<string[]>;
}

const ROOT = path.join(__dirname, "..", "..");

/** A fresh schema in the database of `base`, and the URL whose connections use it. */
export async function freshSchema(base: string, name: string): Promise<{ url: string; schema: string }> {
  const schema = `bench_${name.replace(/[^a-z0-9]/gi, "_")}_${crypto.randomBytes(4).toString("hex")}`.toLowerCase();
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { url: url.toString(), schema };
}

export async function dropSchema(base: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

/** Total size of every relation (tables, indexes, TOAST) in a schema. */
export async function schemaSize(base: string, schema: string): Promise<number> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const r = await admin.query<{ n: string }>(
      `SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [schema],
    );
    return Number(r.rows[0]!.n);
  } finally {
    await admin.end();
  }
}

function folderSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += folderSize(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** A process's name and CPU time (user + system, every thread, seconds) from its /proc/<pid>/stat line (Linux). */
function parseStat(stat: string): { name: string; cpu: number } {
  // The name is in parentheses and may hold spaces or parentheses itself: the fields follow the last ")".
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  return { name: stat.slice(stat.indexOf("(") + 1, close), cpu: (Number(fields[11]) + Number(fields[12])) / 100 };
}

/** CPU time (user + system, every thread) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  return parseStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8")).cpu;
}

/** CPU time (user + system) every process named `name` on this machine has used so far, from /proc (Linux). */
export function cpuSecondsOfAll(name: string): number {
  let total = 0;
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = parseStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
      if (stat.name === name) total += stat.cpu;
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

function vmHwm(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function startRelayProcess(o: {
  rpcUrl: string;
  deployment: Deployment;
  dir: string;
  signerKeys: readonly Hex[];
  env?: Record<string, string>;
  /** PGlite (a folder in `dir`, the default) or PostgreSQL. */
  db?: BenchDb;
  /** An existing schema to share (a second instance on the same PostgreSQL database). */
  shareDatabaseUrl?: string;
  /** Write a V8 CPU profile (node --cpu-prof) into `dir` when the process stops. */
  cpuProfile?: boolean;
}): Promise<RelayProcess> {
  fs.mkdirSync(o.dir, { recursive: true });
  const deploymentFile = path.join(o.dir, "deployment.json");
  writeDeployment(deploymentFile, o.deployment);
  const port = await freePort();
  const adminToken = crypto.randomBytes(24).toString("base64url");
  const log = fs.openSync(path.join(o.dir, "relay.log"), "a");
  const dataDir = path.join(o.dir, "pgdata");
  let schema: { url: string; schema: string } | undefined;
  let databaseUrl = o.shareDatabaseUrl;
  if (!databaseUrl && o.db?.kind === "postgres") {
    schema = await freshSchema(o.db.url, path.basename(o.dir));
    databaseUrl = schema.url;
  }
  const profileDir = path.join(o.dir, "cpu-profile");
  // The node flags of `npm start` and `npm run relay` (package.json): a larger young generation for a server's many short-lived objects.
  const args = [...(o.cpuProfile ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []), "--max-semi-space-size=64", "-r", "ts-node/register/transpile-only", path.join("server", "main.ts")];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", log, log],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      RPC_URL: o.rpcUrl,
      DEPLOYMENT_FILE: deploymentFile,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir }),
      SIGNER_KEYS: o.signerKeys.join(","),
      RELAY_ADMIN_TOKEN: adminToken,
      LOG_LEVEL: "warn",
      ...o.env,
    },
  });
  let exited: number | null | undefined;
  let peak: number | undefined;
  const sampler = setInterval(() => {
    const v = vmHwm(child.pid!);
    if (v !== undefined) peak = v;
  }, 500);
  sampler.unref();
  child.once("exit", (code) => {
    exited = code;
    clearInterval(sampler);
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
    databaseUrl,
    async lag() {
      return (await health())?.indexer.lag ?? Number.POSITIVE_INFINITY;
    },
    peakRss() {
      if (exited === undefined) peak = vmHwm(child.pid!) ?? peak;
      return peak;
    },
    async dbSize() {
      if (schema && o.db?.kind === "postgres") return schemaSize(o.db.url, schema.schema);
      if (databaseUrl) throw new RelayProcessError("the size of a shared schema is measured by its owner");
      return folderSize(dataDir);
    },
    async stop() {
      if (exited === undefined) {
        peak = vmHwm(child.pid!) ?? peak;
        const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await done;
        clearTimeout(timer);
        fs.closeSync(log);
      }
      if (schema && o.db?.kind === "postgres") await dropSchema(o.db.url, schema.schema).catch(() => undefined);
      if (!o.cpuProfile || !fs.existsSync(profileDir)) return [];
      // One file per thread (node names them by thread id: the main thread's sorts first, then PGlite's worker).
      return fs
        .readdirSync(profileDir)
        .filter((n) => n.endsWith(".cpuprofile"))
        .sort()
        .map((n) => path.join(profileDir, n));
    },
  };
}
