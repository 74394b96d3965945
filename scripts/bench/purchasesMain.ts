/**
 * Purchases to confirmed issuance alone (development of the submitter): `npx ts-node --transpile-only
 * scripts/bench/purchasesMain.ts` [BENCH_DB=postgres] [PURCHASES=600] [RUNS=2] [BATCHING=true] [PROFILE=1].
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { benchPurchaseDrain, benchPurchases } from "./purchases";
import { cpuSeconds, cpuSecondsOfAll, dropSchema, freshSchema } from "./relayProcess";
import { customerAddresses, openRelaySession } from "./relaySession";
import { setUpBenchWorld } from "./world";
import { RELAY_ENV } from "./settings";

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "confiance-purchases-"));
  const world = await setUpBenchWorld(64);
  const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const db = process.env.BENCH_DB === "postgres" ? { kind: "postgres" as const, url } : { kind: "pglite" as const };
  if (process.env.DRAIN) {
    const shared = db.kind === "postgres" ? await freshSchema(url, "drain") : undefined;
    const d = await benchPurchaseDrain({ world, dir, name: "drain", env: { ...RELAY_ENV, BATCHING: process.env.BATCHING ?? "true" }, db, databaseUrl: shared?.url, count: Number(process.env.DRAIN), clients: Number(process.env.CLIENTS ?? 8), runs: Number(process.env.RUNS ?? 2) });
    console.log("intake/s", d.intake.runs.map((x) => x.toFixed(0)).join(", "), "drain/s (steady)", d.drain.runs.map((x) => x.toFixed(0)).join(", "), "from start", d.fromStart.runs.map((x) => x.toFixed(0)).join(", "), "txs", d.transactions, "dir", dir);
    if (shared) await dropSchema(url, shared.schema);
    await world.chain.stop();
    process.exit(0);
  }
  const s = await openRelaySession(world, dir, "relay", { ...RELAY_ENV, BATCHING: process.env.BATCHING ?? "true" }, { db, cpuProfile: process.env.PROFILE === "1" });
  try {
    const cpu0 = { relay: cpuSeconds(s.relay.pid), bench: process.cpuUsage(), postgres: cpuSecondsOfAll("postgres"), wall: performance.now() };
    const count = Number(process.env.PURCHASES ?? 600);
    const f = await benchPurchases({ url: s.relay.url, client: world.chain.client, deployment: world.coalition.deployment, till: s.till, customers: customerAddresses(world), count, clients: Number(process.env.CLIENTS ?? 8), runs: Number(process.env.RUNS ?? 2) });
    const wall = (performance.now() - cpu0.wall) / 1000;
    const relayCpu = cpuSeconds(s.relay.pid) - cpu0.relay;
    const b = process.cpuUsage(cpu0.bench);
    const benchCpu = (b.user + b.system) / 1e6;
    console.log("purchases/s", f.runs.map((x) => x.toFixed(0)).join(", "), "peak RSS MB", ((s.relay.peakRss() ?? 0) / 2 ** 20).toFixed(0));
    const postgresCpu = cpuSecondsOfAll("postgres") - cpu0.postgres;
    const per = (seconds: number) => ((seconds * 1000) / (count * f.runs.length)).toFixed(2);
    console.log(
      `CPU over ${wall.toFixed(1)} s of runs: relay ${relayCpu.toFixed(1)} s (all its threads), this process (tills, chain) ${benchCpu.toFixed(1)} s, PostgreSQL's processes ${postgresCpu.toFixed(1)} s; per purchase ${per(relayCpu)}, ${per(benchCpu)} and ${per(postgresCpu)} ms`,
    );
  } finally {
    const prof = await s.relay.stop();
    if (prof.length > 0) console.log("profiles (one per thread):", prof.join(" "));
    console.log("dir", dir);
  }
  await world.chain.stop();
  process.exit(0);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
