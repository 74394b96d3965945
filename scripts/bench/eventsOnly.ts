/**
 * The device-events figure alone, for working on the relay's hot path: a chain with CUSTOMERS consenting
 * customers (16), one relay process (PGlite, or PostgreSQL in a schema of its own, dropped at the end,
 * when DATABASE_URL is set; DEVICE_EVENT_BATCHES and DEVICE_EVENT_BATCH_MAX are passed on), RUNS autocannon runs (3) of REQUESTS presence events (2000) at CLIENTS
 * connections (64), and the CPU time per request of the relay and of this process. PROFILE=dir writes the relay's CPU profile during the load there (cpuProfile.cjs). Not part of
 * `npm run bench`:
 *
 *   npx ts-node --transpile-only scripts/bench/eventsOnly.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx ts-node --transpile-only scripts/bench/eventsOnly.ts
 */
import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { benchEvents } from "./events";
import { customerAddresses, openRelaySession } from "./relaySession";
import { cpuSeconds } from "./relayProcess";
import { setUpBenchWorld } from "./world";
import { fmtFigure } from "./stats";

const RELAY_ENV: Record<string, string> = {
  INDEXER_CONFIRMATIONS: "0",
  INDEXER_POLL_MS: "100",
  CONFIRMATIONS: "1",
  SUBMITTER_POLL_MS: "50",
  RATE_LIMIT_PER_CLIENT: "100000000",
  RATE_LIMIT_PER_DEVICE: "100000000",
  RATE_LIMIT_PER_API_KEY: "100000000",
  CUSTOMER_ACTIONS_PER_CLIENT: "0",
};

async function main(): Promise<void> {
  const clients = Number(process.env.CLIENTS ?? 64);
  const requests = Number(process.env.REQUESTS ?? 2000);
  const runs = Number(process.env.RUNS ?? 3);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "confiance-events-"));
  const base = process.env.DATABASE_URL;
  const schema = `bench_events_${crypto.randomBytes(4).toString("hex")}`;
  const env: Record<string, string> = { ...RELAY_ENV };
  // The group commit's settings, when given, go to the relay.
  for (const name of ["DEVICE_EVENT_BATCHES", "DEVICE_EVENT_BATCH_MAX", "RELAY_WORKERS", "PGLITE_WORKER"]) if (process.env[name]) env[name] = process.env[name]!;
  if (base) {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const u = new URL(base);
    u.searchParams.set("options", `-c search_path=${schema}`);
    env.DATABASE_URL = u.toString();
  }
  // RELAY_NODE_OPTIONS: node flags for the relay process (for instance --max-semi-space-size=64).
  if (process.env.RELAY_NODE_OPTIONS) env.NODE_OPTIONS = process.env.RELAY_NODE_OPTIONS;
  if (process.env.PROFILE) {
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} -r ${path.join(__dirname, "cpuProfile.cjs")}`.trim();
    env.CPU_PROFILE_DIR = path.resolve(process.env.PROFILE);
    env.CPU_PROFILE_ON_SIGNAL = "1";
  }
  const world = await setUpBenchWorld(Number(process.env.CUSTOMERS ?? 16));
  const session = await openRelaySession(world, dir, "relay", env);
  try {
    if (process.env.PROFILE) process.kill(session.relay.pid, "SIGUSR2");
    const cpu0 = { relay: cpuSeconds(session.relay.pid), bench: process.cpuUsage() };
    const [r] = await benchEvents({ url: session.relay.url, device: session.beacon, customers: customerAddresses(world), concurrency: [clients], requests: { [clients]: requests }, runs });
    const relayCpu = cpuSeconds(session.relay.pid) - cpu0.relay;
    const b = process.cpuUsage(cpu0.bench);
    const sent = requests * runs;
    console.log(
      `CPU per request: relay ${((relayCpu * 1000) / sent).toFixed(3)} ms (all its threads), this process (load generator, chain) ${((b.user + b.system) / 1000 / sent).toFixed(3)} ms (the runs and the signing before each)`,
    );
    const metrics = await (await fetch(`${session.relay.url}/metrics`)).text();
    const batch = (name: string) => Number(metrics.split("\n").find((l) => l.startsWith(`relay_device_event_batch_size_${name}{fallback="false"}`))?.split(" ")[1] ?? NaN);
    console.log(`group commit: ${batch("count")} batches, ${(batch("sum") / batch("count")).toFixed(1)} events per batch on average`);
    console.log(
      `${base ? "postgres" : "pglite"}, ${clients} clients, ${requests} presence events x ${runs} runs: ${fmtFigure(r!.accepted)} accepted/s, p50 ${fmtFigure(r!.latencyP50)} ms, p99 ${fmtFigure(r!.latencyP99)} ms`,
    );
  } finally {
    await session.relay.stop();
    await world.chain.stop();
    await fs.rm(dir, { recursive: true, force: true });
    if (base) {
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  }
  process.exit(0);
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.name}: ${err.message}`);
  process.exit(1);
});
