import fs from "node:fs";
import os from "node:os";
import type { GasSection } from "../gas/report";
import type { AuditFigures } from "./auditTime";
import type { EventsResult } from "./events";
import type { LatencyResult } from "./latency";
import type { MachineSpeed } from "./machineSpeed";
import { BUCKETS, type ProfileSummary } from "./profile";
import type { DrainResult } from "./purchases";
import type { TwoRelaysResult } from "./twoRelays";
import type { BenchSettings } from "./settings";
import { fmt, type Figure } from "./stats";

export interface BenchResults {
  settings: BenchSettings;
  startedAt: Date;
  seconds: number;
  gas: GasSection[];
  /** The relay's figures on each database (PGlite, then PostgreSQL when DATABASE_URL is set). */
  relays: RelayDbFigures[];
  /** Two relay processes on one PostgreSQL (only with DATABASE_URL). */
  twoRelays?: TwoRelaysResult;
  /** Device events through one relay command with RELAY_WORKERS processes on PostgreSQL (only with DATABASE_URL). */
  workers?: { count: number; events: EventsResult[] };
  latency: LatencyResult;
  consent: { rows: number; checks: number; perSecond: Figure };
  audit: AuditFigures;
  /** The customer's wallet page (scripts/bench/walletPage.ts). */
  walletPage: { jsGzip: number; interactive: Figure; revoke: Figure };
  relayEnv: Record<string, string>;
  /** os.loadavg() when the run started: other work on the machine shows here. */
  loadAverage: number[];
  /** This machine's single-thread speed at the start (machineSpeed.ts). */
  speed: MachineSpeed;
}

/** One database's relay figures. */
export interface RelayDbFigures {
  db: "pglite" | "postgres";
  events: EventsResult[];
  purchasesBatched: Figure;
  purchasesUnbatched: Figure;
  /** Purchases accepted alone, then the queue drained to the chain alone. */
  drain: DrainResult;
  /** Peak resident memory (VmHWM) of the relay process that served the device events and purchases. */
  peakRssBytes?: number;
  /**
   * CPU seconds (user and system, from /proc and process.cpuUsage) per device event accepted by the relay, over
   * every events run, and per purchase over the batched purchase runs: the relay's (all its threads), the
   * benchmark process's (tills and chain), PostgreSQL's processes' (on PostgreSQL only).
   */
  cpu: { perEvent: number; perPurchase: { relay: number; bench: number; postgres?: number } };
  /** Device events the size was measured over, and the growth extrapolated to a million. */
  eventsForSize: number;
  bytesPerMillionEvents: number;
  profile?: ProfileSummary;
}

/**
 * The figures of docs/BENCHMARKS.md before issue 13 (full run of 2026-11-26T12:59Z, PGlite only), shown
 * beside the new ones. Keyed by measure.
 */
export const BEFORE: Record<string, string> = {
  "device events accepted, 1 concurrent client": "129 /s (97-187)",
  "device events accepted, 8 concurrent clients": "169 /s (158-182)",
  "device events accepted, 64 concurrent clients": "175 /s (155-196)",
  "request latency p50, 1 concurrent client": "6.0 ms",
  "request latency p99, 1 concurrent client": "19.0 ms",
  "request latency p50, 8 concurrent clients": "43.0 ms",
  "request latency p99, 8 concurrent clients": "97.0 ms",
  "request latency p50, 64 concurrent clients": "90.0 ms",
  "request latency p99, 64 concurrent clients": "4,272.0 ms",
  "purchases to confirmed issuance, BATCHING=true": "95 /s (70-98)",
  "purchases to confirmed issuance, BATCHING=false": "20 /s (17-21)",
  "presence to staff stream, p50": "10.3 ms (9.4-10.5)",
  "presence to staff stream, p99": "32.9 ms (21.6-51.7)",
  "consent checks (gate function on PGlite)": "636 /s (585-691)",
  "audit from logs, 10000 actions": "994.2 ms",
  "audit of a JSON export, 10000 actions": "563.9 ms",
  "audit of a CSV export, 10000 actions": "540.2 ms",
  "export checked against logs, 10000 actions": "1,653.2 ms",
  "recompute only, 10000 links": "468.6 ms",
  "auditor's page verifies 10000 actions in the browser": "1,939.1 ms",
  "auditor's page: the worker's own time": "1,286.0 ms",
  "auditor's page: longest main-thread task": "0.0 ms",
};

interface Row {
  measure: string;
  median: string;
  spread: string;
  note: string;
}

function row(measure: string, f: Figure, unit: string, note: string, digits = 0): Row {
  return { measure, median: `${fmt(f.median, digits)} ${unit}`, spread: `${fmt(f.min, digits)}-${fmt(f.max, digits)}`, note: `${note}; ${f.runs.length} runs` };
}

export function performanceRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  rows.push(row("presence to staff stream, p50", r.latency.p50, "ms", `${r.latency.samples} sequential presences per run, device request to SSE arrival`, 1));
  rows.push(row("presence to staff stream, p99", r.latency.p99, "ms", `same samples`, 1));
  rows.push(row("consent checks (gate function on PGlite)", r.consent.perSecond, "/s", `${r.consent.checks} sequential isConsentGranted calls per run over ${fmt(r.consent.rows)} indexed consents`));
  rows.push({ measure: "JavaScript shipped for the wallet page `/`, gzip", median: `${fmt(r.walletPage.jsGzip / 1000, 1)} kB`, spread: "", note: "scripts index.html loads (level 9); goal at most 250 kB" });
  rows.push(row("wallet page: navigation to interactive", r.walletPage.interactive, "ms", "headless Chromium on loopback, wallet reconnecting, until the first consent button of the brand's purposes is on screen", 0));
  rows.push(row("wallet page: click on Revoke to on chain", r.walletPage.revoke, "ms", "signed in the injected wallet, queued by the relay, mined by the local chain, shown as confirmed", 0));
  if (r.audit.available) {
    for (const a of r.audit.rows) rows.push({ measure: a.measure, median: `${fmt(a.median, 1)} ${a.unit}`, spread: `${fmt(a.min, 1)}-${fmt(a.max, 1)}`, note: `${a.note}; ${r.settings.runs} runs` });
  } else {
    rows.push({ measure: "audit verification, 10,000 actions", median: "not measured", spread: "", note: r.audit.reason ?? "" });
  }
  return rows;
}

export function markdownTable(rows: Row[]): string {
  const lines = ["| measure | median | spread (min-max) | before | how |", "|---|---:|---:|---:|---|"];
  for (const x of rows) lines.push(`| ${x.measure} | ${x.median} | ${x.spread} | ${BEFORE[x.measure] ?? ""} | ${x.note} |`);
  return lines.join("\n");
}

/** A relay measure on each database: median and spread per database, the figure before, how. */
interface RelayRow {
  measure: string;
  cells: { median: string; spread: string }[];
  note: string;
}

const DB_NAMES: Record<RelayDbFigures["db"], string> = { pglite: "PGlite", postgres: "PostgreSQL" };

function cell(f: Figure | undefined, unit: string, digits = 0): { median: string; spread: string } {
  if (!f) return { median: "", spread: "" };
  return { median: `${fmt(f.median, digits)} ${unit}`, spread: `${fmt(f.min, digits)}-${fmt(f.max, digits)}` };
}

const plural = (c: number) => `${c} concurrent client${c > 1 ? "s" : ""}`;

export function relayRows(r: BenchResults): RelayRow[] {
  const rows: RelayRow[] = [];
  const each = (measure: string, pick: (d: RelayDbFigures) => { median: string; spread: string }, note: string) => rows.push({ measure, cells: r.relays.map(pick), note });
  const s = r.settings;
  for (const [i, c] of s.concurrency.entries()) {
    each(`device events accepted, ${plural(c)}`, (d) => cell(d.events[i]?.accepted, "/s"), `${s.eventRequests[c] ?? 500} signed presence events per run; ${s.runs} runs`);
  }
  for (const [i, c] of s.concurrency.entries()) {
    each(`request latency p50, ${plural(c)}`, (d) => cell(d.events[i]?.latencyP50, "ms", 1), "same runs (autocannon)");
    each(`request latency p99, ${plural(c)}`, (d) => cell(d.events[i]?.latencyP99, "ms", 1), "same runs (autocannon)");
  }
  each("purchases to confirmed issuance, BATCHING=true", (d) => cell(d.purchasesBatched, "/s"), `end to end: ${s.purchasesBatched} purchases by ${s.purchaseClients} tills per run, until totalSupply on chain includes them; bounded by the intake below; ${s.runs} runs`);
  each("purchases to confirmed issuance, BATCHING=false", (d) => cell(d.purchasesUnbatched, "/s"), `${s.purchasesUnbatched} purchases by ${s.purchaseClients} tills per run, one issue transaction each; ${s.runs} runs`);
  each("purchases accepted (intake alone)", (d) => cell(d.drain.intake, "/s"), `${s.drainPurchases} purchases by ${s.purchaseClients} tills per run, to a relay without the brand's operator key (their issues wait in the outbox); ${s.drainRuns} runs`);
  each(
    "queued purchases to confirmed issuance, BATCHING=true (chain side)",
    (d) => cell(d.drain.drain, "/s"),
    `the same ${s.drainPurchases} queued issues, the relay restarted with the key: issues confirmed after the first transaction landed, over the time from it to totalSupply including them all (steady state: every transaction but the first, so a run of few transactions measures few); from the loop's start instead (a just-started relay): ${r.relays.map((d) => `${DB_NAMES[d.db]} ${fmt(d.drain.fromStart.median)} /s`).join(", ")}; ${r.relays.map((d) => `${DB_NAMES[d.db]} ${d.drain.transactions} transactions`).join(", ")} per run; ${s.drainRuns} runs`,
  );
  each(
    "chain side batched ÷ unbatched",
    (d) => ({ median: `${fmt(d.drain.drain.median / d.purchasesUnbatched.median, 1)}×`, spread: "" }),
    "medians of the two rows above (unbatched: one transaction per purchase, so its end-to-end rate is its chain rate); goal at least 10×",
  );
  const ms = (seconds: number) => `${fmt(seconds * 1000, 2)} ms`;
  each("CPU per device event accepted, relay", (d) => ({ median: ms(d.cpu.perEvent), spread: "" }), "user and system time of the relay process (all its threads) over every device-events run above, per event");
  each(
    "CPU per purchase to confirmed issuance: relay / tills and chain / PostgreSQL",
    (d) => ({ median: [d.cpu.perPurchase.relay, d.cpu.perPurchase.bench, d.cpu.perPurchase.postgres].filter((x) => x !== undefined).map(ms).join(" / "), spread: "" }),
    "over the batched runs above: the relay process (all its threads), the benchmark process (the tills, the in-process chain), PostgreSQL's processes; on two cores their sum bounds the rate (1,000 purchases/s needs at most 2 ms)",
  );
  each("relay process peak memory (RSS)", (d) => ({ median: d.peakRssBytes === undefined ? "n/a" : `${fmt(d.peakRssBytes / 2 ** 20)} MiB`, spread: "" }), "VmHWM of the relay child that served the events, the purchases (and on PGlite the staff stream and wallet page)");
  each(
    "database size per million device events",
    (d) => ({ median: `${fmt(d.bytesPerMillionEvents / 2 ** 30, 2)} GiB`, spread: "" }),
    `growth over the ${fmt(r.relays[0]?.eventsForSize ?? 0)} presence events of the runs above, times a million / that count: PGlite folder (data and WAL); PostgreSQL pg_total_relation_size of every table of the relay's schema`,
  );
  return rows;
}

export function relayTable(r: BenchResults): string {
  const head = ["measure", ...r.relays.flatMap((d) => [DB_NAMES[d.db], "spread"]), "before (PGlite)", "how"];
  const lines = [`| ${head.join(" | ")} |`, `|---|${r.relays.map(() => "---:|---:|").join("")}---:|---|`];
  for (const x of relayRows(r)) lines.push(`| ${x.measure} | ${x.cells.map((c) => `${c.median} | ${c.spread}`).join(" | ")} | ${BEFORE[x.measure] ?? ""} | ${x.note} |`);
  return lines.join("\n");
}

/** Where the relay's CPU time went (self time, busy samples only), per database. */
export function profileTable(r: BenchResults): string {
  const with_ = r.relays.filter((d) => d.profile);
  if (with_.length === 0) return "(no profile)";
  const lines = [`| where | ${with_.map((d) => DB_NAMES[d.db]).join(" | ")} |`, `|---|${with_.map(() => "---:|").join("")}`];
  for (const b of BUCKETS) lines.push(`| ${b} | ${with_.map((d) => `${fmt(d.profile!.shares[b] * 100, 1)} %`).join(" | ")} |`);
  lines.push(`| threads profiled | ${with_.map((d) => d.profile!.threads).join(" | ")} |`);
  lines.push(`| busy / idle (s, all threads) | ${with_.map((d) => `${fmt(d.profile!.busyMs / 1000, 1)} / ${fmt(d.profile!.idleMs / 1000, 1)}`).join(" | ")} |`);
  const tops = with_.map((d) => `${DB_NAMES[d.db]}: ${d.profile!.top.map((t) => `${t.where} ${fmt(t.ms / 1000, 1)} s`).join(", ")}`);
  return `${lines.join("\n")}\n\nBusiest files (self time): ${tops.join("; ")}.`;
}

export function workersTable(w: BenchResults["workers"]): string {
  if (!w) return "Not measured: DATABASE_URL was not set.";
  const lines = ["| measure | figure | spread | how |", "|---|---:|---:|---|"];
  for (const e of w.events) {
    lines.push(`| device events accepted, ${e.concurrency} clients, ${w.count} processes | ${fmt(e.accepted.median)} /s | ${fmt(e.accepted.min)}-${fmt(e.accepted.max)} | ${fmt(e.requests)} signed presence events per run |`);
    lines.push(`| request latency p50 / p99, ${e.concurrency} clients, ${w.count} processes | ${fmt(e.latencyP50.median, 1)} / ${fmt(e.latencyP99.median, 1)} ms | p99 ${fmt(e.latencyP99.min, 1)}-${fmt(e.latencyP99.max, 1)} | |`);
  }
  return lines.join("\n");
}

export function twoRelaysTable(t: TwoRelaysResult | undefined): string {
  if (!t) return "Not measured: DATABASE_URL was not set.";
  const e = t.events;
  const p = t.purchases;
  return [
    "| measure | figure | how |",
    "|---|---:|---|",
    `| device events accepted, both relays together | ${fmt(e.perSecond)} /s | ${fmt(e.accepted)} signed presence events (half through each relay, each with half the clients), ${fmt(e.seconds, 1)} s |`,
    `| presence events stored | ${fmt(e.stored)} | rows added to relay_device_events: one per accepted event (equal to the accepted count) |`,
    `| purchases to confirmed issuance, both relays together | ${fmt(p.perSecond)} /s | ${fmt(p.accepted)} purchases (half through each relay), until totalSupply includes them, ${fmt(p.seconds, 1)} s |`,
    `| PointsIssued events on chain / distinct receipts | ${fmt(p.issuedOnChain)} / ${fmt(p.distinctReceipts)} | for ${fmt(p.accepted)} accepted purchases: each issued exactly once |`,
    `| issue operations confirmed | ${fmt(p.confirmedOperations)} | outbox rows, for ${fmt(p.accepted)} purchases |`,
    `| totalSupply increase / points accepted | ${p.supplyDelta.toString()} / ${p.points.toString()} | |`,
    `| instances holding signer leases | ${t.leaseOwners} | one loop per key at a time (server/chain/lease.ts) |`,
  ].join("\n");
}

export function gasMarkdown(sections: GasSection[]): string {
  const titles: Record<string, string> = {
    ledger: "ConsentLedger, single actions",
    "ledger-batch": "ConsentLedger, batched (multicall of signed actions)",
    points: "CoalitionPoints, single and batched",
    baseline: "Baseline: plain OpenZeppelin ERC-20, same run",
  };
  return sections
    .map((s) => [`### ${titles[s.name] ?? s.name}`, "", "| action | gas |", "|---|---:|", ...s.rows.map((r) => `| ${r.action} | ${r.gas.toLocaleString("en-US")} |`)].join("\n"))
    .join("\n\n");
}

export function machineLine(r: BenchResults): string {
  const cpus = os.cpus();
  const s = r.speed;
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}, ${r.startedAt.toISOString()}, load average ${r.loadAverage.map((l) => fmt(l, 1)).join(" / ")} at start; one thread at start: Ed25519 verification ${fmt(s.ed25519VerifyUs, 1)} µs, keccak-256 (JavaScript) ${fmt(s.keccakUs, 1)} µs, JSON round trip of a purchase event ${fmt(s.jsonRoundTripUs, 1)} µs`;
}

/** Coalition points beside the plain ERC-20 doing the same kind of write (rows looked up by their action's start). */
const PAIRS: [points: string, baseline: string][] = [
  ["issue to a new customer", "mint to a new holder"],
  ["issue to an existing customer", "mint to an existing holder"],
  ["issueBatch of 100, new customers", "mint to a new holder"],
  ["issueBatch of 100, existing customers", "mint to an existing holder"],
  ["transfer to a new holder", "transfer to a new holder"],
  ["transfer to an existing holder", "transfer to an existing holder"],
];

export function gasComparison(sections: GasSection[]): string {
  const find = (name: string, start: string) => sections.find((s) => s.name === name)?.rows.find((r) => r.action.startsWith(start));
  const lines = ["| CoalitionPoints action | gas | plain ERC-20 | gas | ratio |", "|---|---:|---|---:|---:|"];
  for (const [p, b] of PAIRS) {
    const pr = find("points", p);
    const br = find("baseline", b);
    if (!pr || !br) continue;
    lines.push(`| ${pr.action} | ${pr.gas.toLocaleString("en-US")} | ${br.action} | ${br.gas.toLocaleString("en-US")} | ${(Number(pr.gas) / Number(br.gas)).toFixed(2)} |`);
  }
  return lines.join("\n");
}

export function writeBenchmarksMd(file: string, r: BenchResults): void {
  const env = Object.entries(r.relayEnv).map(([k, v]) => `${k}=${v}`).join(", ");
  const text = `# Benchmarks

Produced by \`npm run bench\` (\`scripts/bench.ts\`) in one run; every figure below was measured in that run.
Rerun it to refresh this file. \`BENCH_QUICK=1 npm run bench\` runs a small version (development only).

- Machine: ${machineLine(r)}.
- Run: ${r.settings.quick ? "QUICK (small counts: not for comparison)" : "full"}, ${fmt(r.seconds)} s in all.
- Each relay figure is the median of its runs, with the spread (min-max of the runs), on ${r.relays.map((d) => DB_NAMES[d.db]).join(" and ")}${r.relays.some((d) => d.db === "postgres") ? " (a schema of its own per relay in `DATABASE_URL`'s database, PostgreSQL on the same machine)" : ""}.
- "before": the figures of this file before issue 13 (full run of 2026-11-26T12:59Z, PGlite, on the machine of that day: same size, not the same machine; this project's machines have differed by up to 2× in speed from one day to the next, and by 3× within a day).
- The runs before this file's: 2026-11-27T15:47Z (commit \`ca21bf8\`, this file's machine, before the device signatures were checked ahead of the batch's transaction) gave, at 64 clients, 3,075 (PGlite) and 2,986 (PostgreSQL) device events/s with p99 58 and 39 ms, and 975 and 1,236 purchases/s; 2026-11-27T13:02Z (commit \`a8689bc\`, 2 cores "Intel(R) Xeon(R) Processor", about 2.2 times slower in one thread: Ed25519 verification 145.2 µs, keccak-256 (JavaScript) 17.4 µs) gave 1,135 and 1,009 device events/s with p99 128 and 158 ms, and 412 and 362 purchases/s; 2026-11-27T10:47Z (commit \`f4fcc2d\`, a 2-core AMD EPYC, single-thread speed not recorded) gave 3,196 and 3,271 device events/s with p99 52 and 39 ms, and 953 and 986 purchases/s. The last two ran 1,000 purchases per run where this file's runs 3,000. Set figures from different machines side by side through the CPU time per event and per purchase (table below) and the single-thread speed above, not through the rates alone.

## Set-up

Everything runs on this one machine over loopback, with real parts only:

- the chain is the in-process Hardhat network (automine: each transaction is mined at once) served over HTTP
  JSON-RPC on 127.0.0.1, in the benchmark process;
- the relay is \`npm run relay\` (\`server/main.ts\`, with \`--max-semi-space-size=64\` as \`npm start\` runs it) as a child process with its own PGlite folder or PostgreSQL
  schema, its submitter and its indexer running (${env}); the profile summary comes from another relay of the
  same kind, started for it under \`node --cpu-prof\` (which slows it down), not from the one measured;
- the load generator for device events is autocannon in the benchmark process, with bounded request counts; every
  device request is signed on its own (Ed25519, \`CONFIANCE-DEVICE-V1\`, its own nonce) with a unique event id, just
  before the run that sends it (well inside the relay's clock tolerance), so the generator spends the run sending
  rather than signing on the cores it shares with the relay; purchases are sent by tills in the benchmark process
  through the client module (each signed as it is sent, its answer checked) over node:http with kept-alive
  connections (\`server/http/nodeFetch.ts\`, the relay's RPC transport too: the platform's fetch cost them half as much CPU again);
- device events are \`presence\` events of customers who granted in-store recognition on chain, so each one is
  authenticated, validated, consent-checked and stored (visit row, event answer, signature for replay
  protection) in one database transaction before the 202;
- purchases are \`purchase\` events of customers who granted loyalty; the clock stops when \`totalSupply()\` on
  chain includes every issued point (the relay's submitter sent and confirmed the \`issue\`/\`issueBatch\` calls);
  end to end, the rate is bounded by the relay's intake of purchases, so the chain side is also measured alone:
  a relay without the brand's operator key accepts the purchases (their issues wait in the outbox), then it is
  restarted with the key and the queue is drained; purchases are handled in group commits of their own
  (\`server/devices/purchaseBatch.ts\`, the brand's backing read off the requests' path), and issue batches after
  the first of a key are sent with a computed gas limit instead of a gas estimate (\`server/chain/batchGas.ts\`);
- the consent gate is \`isConsentGranted\` (\`server/consent/gate.ts\`) called directly against PGlite in the bench's own thread (\`PGLITE_WORKER=false\`: one call at a time, so the figure is the gate's, not the thread crossing's).

The relay and the load generator share the machine's cores, so these are figures for one small machine, not
a capacity plan. The chain is what scales beyond one machine: several relays share one PostgreSQL, and the contracts serve every relay alike.

## Relay

${relayTable(r)}

### Where the relay's time goes

CPU profiles (\`node --cpu-prof\`, one per thread: the main thread, and PGlite's worker thread where the database
runs on PGlite) of a relay started for the profile alone, serving one run of device events at the top concurrency
and one of purchases; its figures are not reported (the profiler slows it down). Self time
of each sample bucketed by its own function and file (\`scripts/bench/profile.ts\`), summed over the threads: signature checks
(@noble/curves, node:crypto verify), database (PGlite and its WebAssembly, \`pg\`, server/store), JSON (parse,
stringify, body parsing), HTTP and sockets (express, node:http/net/stream, socket writes of responses and of \`pg\`),
chain RPC (viem and its fetch), start-up (ts-node compiling the relay, module loading), garbage collection, other
(the relay's own code and the rest). Idle time is left out of the shares.

${profileTable(r)}

### Two relay instances on one PostgreSQL

Two relay processes with the same keys and one \`DATABASE_URL\` schema, loaded at the same time; after the load,
the counts that show nothing was done twice (the bench fails if any differs).

${twoRelaysTable(r.twoRelays)}

### Several processes of one relay (RELAY_WORKERS)

One relay command (\`RELAY_WORKERS\`, docs/relay.md "Several processes") whose worker processes serve one port
on PostgreSQL, loaded as the single relay above; the accepted count is checked against the sum of the workers'
counters.

${workersTable(r.workers)}

## Latency, consent gate, wallet page and audit

${markdownTable(performanceRows(r))}

## Gas per action

Gas is deterministic for a given contract and compiler: measured once in this run from the receipts
(\`gasUsed\`, including the 21,000 base and calldata), with a plain OpenZeppelin ERC-20 measured in the same run as
the baseline. \`docs/gas.md\` has the same actions with what each writes and why.

### Points beside a plain ERC-20

Issuing a point also debits the brand's backing, records the receipt id once and keeps activity for expiry;
the ratio is what that costs over a bare mint or transfer.

${gasComparison(r.gas)}

${gasMarkdown(r.gas)}
`;
  fs.writeFileSync(file, text);
}
