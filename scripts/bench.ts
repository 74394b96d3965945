/**
 * `npm run bench`: gas per action beside a plain ERC-20; the relay's device-event throughput at 1, 8 and 64
 * clients, purchases to confirmed issuance with and without batching (end to end, and the chain side
 * alone), on PGlite and, when DATABASE_URL is set, on PostgreSQL, with each relay process's peak memory,
 * database size per million events and a CPU profile summary; two relay processes on one PostgreSQL;
 * presence-to-staff-stream latency; consent checks per second; audit verification time. Prints a table and
 * writes docs/BENCHMARKS.md. `BENCH_QUICK=1` runs small counts for development.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { measureLedger } from "./gas/ledger";
import { measurePoints } from "./gas/points";
import { renderTable } from "./gas/report";
import { runAuditBench } from "./bench/auditTime";
import { benchConsentGate } from "./bench/consentGate";
import { benchEvents } from "./bench/events";
import { benchStaffLatency } from "./bench/latency";
import { benchPurchases } from "./bench/purchases";
import { customerAddresses, openRelaySession } from "./bench/relaySession";
import { gasComparison, machineLine, markdownTable, performanceRows, profileTable, relayTable, twoRelaysTable, workersTable, writeBenchmarksMd, type BenchResults } from "./bench/report";
import { benchDatabases, benchSettings, RELAY_ENV } from "./bench/settings";
import { benchPurchaseDrain } from "./bench/purchases";
import { cpuSeconds, cpuSecondsOfAll, dropSchema, freshSchema } from "./bench/relayProcess";
import { measureMachineSpeed } from "./bench/machineSpeed";
import { summariseProfile } from "./bench/profile";
import { benchTwoRelays } from "./bench/twoRelays";
import type { RelayDbFigures } from "./bench/report";
import { setUpBenchWorld } from "./bench/world";
import { timeWalletPage } from "./bench/walletPage";
import { figure } from "./bench/stats";
import { helpFromDocComment } from "./lib/usage";
import { buildWeb } from "./lib/webBuild";

const note = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const settings = benchSettings();
  const startedAt = new Date();
  const loadAverage = os.loadavg();
  // Before anything else runs: this machine's single-thread speed, to set these figures beside other machines'.
  const speed = measureMachineSpeed();
  const t0 = performance.now();
  await hre.run("compile", { quiet: true });
  // Before any relay starts: a relay serves the web app only when its build was there at start (the wallet page).
  await buildWeb({ ifStale: true, quiet: true });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "confiance-bench-"));
  note(`bench (${settings.quick ? "quick" : "full"}) in ${dir}`);

  note("gas: measuring every action and the plain ERC-20 baseline");
  const gas = [...(await measureLedger()), ...(await measurePoints())];

  note(`chain: deploying, ${settings.customers} customers grant recognition and loyalty`);
  const world = await setUpBenchWorld(settings.customers);
  const customers = customerAddresses(world);

  let latency, walletPage;
  const relays: RelayDbFigures[] = [];
  const topClients = settings.concurrency[settings.concurrency.length - 1]!;
  for (const db of benchDatabases()) {
    note(`relay on ${db.kind} (BATCHING=true): device events${db.kind === "pglite" ? ", staff stream latency, wallet page" : ""}, purchases`);
    const a = await openRelaySession(world, dir, `relay-${db.kind}`, { ...RELAY_ENV, BATCHING: "true" }, { db });
    let events, purchasesBatched, sizeBefore, sizeAfter, peakRss, cpu;
    try {
      sizeBefore = await a.relay.dbSize();
      const relayCpu0 = cpuSeconds(a.relay.pid);
      events = await benchEvents({ url: a.relay.url, device: a.beacon, customers, concurrency: settings.concurrency, requests: settings.eventRequests, runs: settings.runs });
      // Every event of the runs and of benchEvents' warm-up (100).
      const perEvent = (cpuSeconds(a.relay.pid) - relayCpu0) / events.reduce((n, e) => n + e.requests * settings.runs, 100);
      sizeAfter = await a.relay.dbSize();
      if (db.kind === "pglite") {
        latency = await benchStaffLatency({ url: a.relay.url, apiKey: a.apiKey, device: a.beacon, customers, samples: settings.latencySamples, runs: settings.runs });
      }
      const before = { relay: cpuSeconds(a.relay.pid), bench: process.cpuUsage(), postgres: cpuSecondsOfAll("postgres") };
      purchasesBatched = await benchPurchases({ url: a.relay.url, client: world.chain.client, deployment: world.coalition.deployment, till: a.till, customers, count: settings.purchasesBatched, clients: settings.purchaseClients, runs: settings.runs });
      const purchases = settings.purchasesBatched * settings.runs;
      const benchCpu = process.cpuUsage(before.bench);
      cpu = {
        perEvent,
        perPurchase: {
          relay: (cpuSeconds(a.relay.pid) - before.relay) / purchases,
          bench: (benchCpu.user + benchCpu.system) / 1e6 / purchases,
          postgres: db.kind === "postgres" ? (cpuSecondsOfAll("postgres") - before.postgres) / purchases : undefined,
        },
      };
      if (db.kind === "pglite") {
        note("wallet page: bundle, navigation to interactive, revoke to on chain (headless Chromium)");
        const w = await timeWalletPage({ url: a.relay.url, apiKey: a.apiKey, brand: world.brand.address as `0x${string}`, chainId: world.coalition.deployment.chainId, rpcUrl: world.chain.url, runs: settings.runs });
        walletPage = { jsGzip: w.jsGzip, interactive: figure(w.interactive), revoke: figure(w.revoke) };
      }
      peakRss = a.relay.peakRss();
    } finally {
      await a.relay.stop();
    }

    // The profiler slows the relay down: it profiles a relay of its own, not the one measured above.
    note(`relay on ${db.kind} under node --cpu-prof: one run of device events at ${topClients} clients and one of purchases, for the profile`);
    const prof = await openRelaySession(world, dir, `relay-profile-${db.kind}`, { ...RELAY_ENV, BATCHING: "true" }, { db, cpuProfile: true });
    let profileFiles: string[];
    try {
      await benchEvents({ url: prof.relay.url, device: prof.beacon, customers, concurrency: [topClients], requests: settings.eventRequests, runs: 1 });
      await benchPurchases({ url: prof.relay.url, client: world.chain.client, deployment: world.coalition.deployment, till: prof.till, customers, count: settings.purchasesBatched, clients: settings.purchaseClients, runs: 1 });
    } finally {
      profileFiles = await prof.relay.stop();
    }
    const eventsStored = 100 + settings.concurrency.reduce((n, c) => n + (settings.eventRequests[c] ?? 500) * settings.runs, 0);

    note(`relay on ${db.kind} (BATCHING=false): purchases`);
    const b = await openRelaySession(world, dir, `relay-no-batching-${db.kind}`, { ...RELAY_ENV, BATCHING: "false" }, { db });
    let purchasesUnbatched;
    try {
      purchasesUnbatched = await benchPurchases({ url: b.relay.url, client: world.chain.client, deployment: world.coalition.deployment, till: b.till, customers, count: settings.purchasesUnbatched, clients: settings.purchaseClients, runs: settings.runs });
    } finally {
      await b.relay.stop();
    }

    note(`relay on ${db.kind}: ${settings.drainPurchases} purchases queued, then the queue to confirmed issuance (the chain side alone)`);
    const shared = db.kind === "postgres" ? await freshSchema(db.url, "drain") : undefined;
    let drain;
    try {
      drain = await benchPurchaseDrain({ world, dir, name: `drain-${db.kind}`, env: { ...RELAY_ENV, BATCHING: "true" }, db, databaseUrl: shared?.url, count: settings.drainPurchases, clients: settings.purchaseClients, runs: settings.drainRuns });
    } finally {
      if (shared && db.kind === "postgres") await dropSchema(db.url, shared.schema);
    }
    note(`  ${db.kind}: purchases ${purchasesBatched.median.toFixed(0)}/s end to end, intake ${drain.intake.median.toFixed(0)}/s, chain side ${drain.drain.median.toFixed(0)}/s, unbatched ${purchasesUnbatched.median.toFixed(0)}/s`);
    relays.push({
      db: db.kind,
      events,
      purchasesBatched,
      purchasesUnbatched,
      drain,
      peakRssBytes: peakRss,
      cpu: cpu!,
      eventsForSize: eventsStored,
      bytesPerMillionEvents: ((sizeAfter - sizeBefore) / eventsStored) * 1_000_000,
      profile: profileFiles.length > 0 ? summariseProfile(profileFiles) : undefined,
    });
  }

  const pgUrl = process.env.DATABASE_URL;
  let twoRelays;
  if (pgUrl) {
    note("two relay processes on one PostgreSQL: device events and purchases through both, then the exactly-once checks");
    twoRelays = await benchTwoRelays({ world, dir, env: { ...RELAY_ENV, BATCHING: "true" }, baseUrl: pgUrl, events: settings.twoRelayEvents, purchases: settings.twoRelayPurchases, clients: settings.twoRelayClients });
  }

  let workers;
  if (pgUrl) {
    const count = 2;
    note(`one relay command with RELAY_WORKERS=${count} on PostgreSQL: device events`);
    const w = await openRelaySession(world, dir, "relay-workers", { ...RELAY_ENV, BATCHING: "true", RELAY_WORKERS: String(count) }, { db: { kind: "postgres", url: pgUrl } });
    try {
      workers = { count, events: await benchEvents({ url: w.relay.url, device: w.beacon, customers, concurrency: [topClients], requests: settings.eventRequests, runs: settings.runs }) };
    } finally {
      await w.relay.stop();
    }
  }

  note("consent gate on PGlite");
  const consent = await benchConsentGate({ dataDir: path.join(dir, "gate-pgdata"), rows: settings.consentRows, checks: settings.consentChecks, runs: settings.runs });

  note("audit: benchAudit()");
  const audit = await runAuditBench(settings.runs);

  const results: BenchResults = {
    settings,
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    gas,
    relays,
    twoRelays,
    workers,
    latency: latency!,
    consent,
    audit,
    walletPage: walletPage!,
    relayEnv: RELAY_ENV,
    loadAverage,
    speed,
  };
  console.log(`\nConfiance benchmarks: ${machineLine(results)}\n`);
  console.log(relayTable(results));
  console.log(`\n${profileTable(results)}\n\n${twoRelaysTable(results.twoRelays)}\n\n${workersTable(results.workers)}\n`);
  console.log(markdownTable(performanceRows(results)));
  for (const s of gas) console.log(`\ngas: ${s.name}\n${renderTable(s.rows)}`);
  console.log(`\ngas: points beside the plain ERC-20\n${gasComparison(gas)}`);
  const file = path.join(__dirname, "..", "docs", "BENCHMARKS.md");
  writeBenchmarksMd(file, results);
  console.log(`\nwrote docs/BENCHMARKS.md (${results.seconds.toFixed(0)} s)`);
  await world.chain.stop();
  await fs.rm(dir, { recursive: true, force: true });
  process.exit(0);
}

helpFromDocComment(__filename);
main().catch((err: Error) => {
  console.error(`\nbench failed: ${err.name}: ${err.message}`);
  if (process.env.DEBUG) console.error(err.stack);
  process.exit(1);
});
