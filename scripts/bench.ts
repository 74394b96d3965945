/**
 * `npm run bench`: gas per action beside a plain ERC-20; the relay's device-event throughput at 1, 8 and 64
 * clients, purchases to confirmed issuance with and without batching, presence-to-staff-stream latency;
 * consent checks per second; audit verification time. Prints a table and writes docs/BENCHMARKS.md.
 * `BENCH_QUICK=1` runs small counts for development.
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
import { gasComparison, machineLine, markdownTable, performanceRows, writeBenchmarksMd, type BenchResults } from "./bench/report";
import { benchSettings } from "./bench/settings";
import { setUpBenchWorld } from "./bench/world";
import { timeWalletPage } from "./bench/walletPage";
import { figure } from "./bench/stats";
import { helpFromDocComment } from "./lib/usage";

/** Relay settings for the in-process chain (mines each transaction at once, cannot reorganise). */
const RELAY_ENV: Record<string, string> = {
  INDEXER_CONFIRMATIONS: "0",
  INDEXER_POLL_MS: "100",
  CONFIRMATIONS: "1",
  SUBMITTER_POLL_MS: "50",
  // The load comes from one machine through few devices: the per-client and per-device limits would measure themselves.
  RATE_LIMIT_PER_CLIENT: "100000000",
  RATE_LIMIT_PER_DEVICE: "100000000",
  RATE_LIMIT_PER_API_KEY: "100000000",
  CUSTOMER_ACTIONS_PER_CLIENT: "0",
};

const note = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const settings = benchSettings();
  const startedAt = new Date();
  const loadAverage = os.loadavg();
  const t0 = performance.now();
  await hre.run("compile", { quiet: true });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "confiance-bench-"));
  note(`bench (${settings.quick ? "quick" : "full"}) in ${dir}`);

  note("gas: measuring every action and the plain ERC-20 baseline");
  const gas = [...(await measureLedger()), ...(await measurePoints())];

  note(`chain: deploying, ${settings.customers} customers grant recognition and loyalty`);
  const world = await setUpBenchWorld(settings.customers);
  const customers = customerAddresses(world);

  note("relay (BATCHING=true): device events, staff stream latency, purchases");
  const a = await openRelaySession(world, dir, "relay-batching", { ...RELAY_ENV, BATCHING: "true" });
  let events, latency, purchasesBatched, walletPage;
  try {
    events = await benchEvents({ url: a.relay.url, device: a.beacon, customers, concurrency: settings.concurrency, requests: settings.eventRequests, runs: settings.runs });
    latency = await benchStaffLatency({ url: a.relay.url, apiKey: a.apiKey, device: a.beacon, customers, samples: settings.latencySamples, runs: settings.runs });
    purchasesBatched = await benchPurchases({ url: a.relay.url, client: world.chain.client, deployment: world.coalition.deployment, till: a.till, customers, count: settings.purchasesBatched, clients: settings.purchaseClients, runs: settings.runs });
    note("wallet page: bundle, navigation to interactive, revoke to on chain (headless Chromium)");
    const w = await timeWalletPage({ url: a.relay.url, apiKey: a.apiKey, brand: world.brand.address as `0x${string}`, chainId: world.coalition.deployment.chainId, rpcUrl: world.chain.url, runs: settings.runs });
    walletPage = { jsGzip: w.jsGzip, interactive: figure(w.interactive), revoke: figure(w.revoke) };
  } finally {
    await a.relay.stop();
  }

  note("relay (BATCHING=false): purchases");
  const b = await openRelaySession(world, dir, "relay-no-batching", { ...RELAY_ENV, BATCHING: "false" });
  let purchasesUnbatched;
  try {
    purchasesUnbatched = await benchPurchases({ url: b.relay.url, client: world.chain.client, deployment: world.coalition.deployment, till: b.till, customers, count: settings.purchasesUnbatched, clients: settings.purchaseClients, runs: settings.runs });
  } finally {
    await b.relay.stop();
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
    events,
    latency,
    purchasesBatched,
    purchasesUnbatched,
    consent,
    audit,
    walletPage: walletPage!,
    relayEnv: RELAY_ENV,
    loadAverage,
  };
  console.log(`\nConfiance benchmarks: ${machineLine(results)}\n`);
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
