import fs from "node:fs";
import os from "node:os";
import type { GasSection } from "../gas/report";
import type { AuditFigures } from "./auditTime";
import type { EventsResult } from "./events";
import type { LatencyResult } from "./latency";
import type { BenchSettings } from "./settings";
import { fmt, type Figure } from "./stats";

export interface BenchResults {
  settings: BenchSettings;
  startedAt: Date;
  seconds: number;
  gas: GasSection[];
  events: EventsResult[];
  latency: LatencyResult;
  purchasesBatched: Figure;
  purchasesUnbatched: Figure;
  consent: { rows: number; checks: number; perSecond: Figure };
  audit: AuditFigures;
  /** The customer's wallet page (scripts/bench/walletPage.ts). */
  walletPage: { jsGzip: number; interactive: Figure; revoke: Figure };
  relayEnv: Record<string, string>;
  /** os.loadavg() when the run started: other work on the machine shows here. */
  loadAverage: number[];
}

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
  for (const e of r.events) {
    rows.push(row(`device events accepted, ${e.concurrency} concurrent client${e.concurrency > 1 ? "s" : ""}`, e.accepted, "/s", `${e.requests} signed presence events per run; request latency p50 ${fmt(e.latencyP50.median, 1)} ms, p99 ${fmt(e.latencyP99.median, 1)} ms`));
  }
  rows.push(row("purchases to confirmed issuance, BATCHING=true", r.purchasesBatched, "/s", `${r.settings.purchasesBatched} purchases by ${r.settings.purchaseClients} tills per run, until totalSupply on chain includes them`));
  rows.push(row("purchases to confirmed issuance, BATCHING=false", r.purchasesUnbatched, "/s", `${r.settings.purchasesUnbatched} purchases by ${r.settings.purchaseClients} tills per run, one issue transaction each`));
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
  const lines = ["| measure | median | spread (min-max) | how |", "|---|---:|---:|---|"];
  for (const x of rows) lines.push(`| ${x.measure} | ${x.median} | ${x.spread} | ${x.note} |`);
  return lines.join("\n");
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
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}, ${r.startedAt.toISOString()}, load average ${r.loadAverage.map((l) => fmt(l, 1)).join(" / ")} at start`;
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
- Each relay figure is the median of ${r.settings.runs} runs, with the spread (min-max of the runs).

## Set-up

Everything runs on this one machine over loopback, with real parts only:

- the chain is the in-process Hardhat network (automine: each transaction is mined at once) served over HTTP
  JSON-RPC on 127.0.0.1, in the benchmark process;
- the relay is \`npm run relay\` (\`server/main.ts\`) as a child process with its own PGlite folder, its submitter
  and its indexer running (${env});
- the load generator is autocannon in the benchmark process, with bounded request counts; every device request
  is freshly signed (Ed25519, \`CONFIANCE-DEVICE-V1\`) with a unique event id (autocannon's \`setupRequest\` hook);
- device events are \`presence\` events of customers who granted in-store recognition on chain, so each one is
  authenticated, validated, consent-checked and stored (visit row, event answer, signature for replay
  protection) in one database transaction before the 202;
- purchases are \`purchase\` events of customers who granted loyalty; the clock stops when \`totalSupply()\` on
  chain includes every issued point (the relay's submitter sent and confirmed the \`issue\`/\`issueBatch\` calls);
- the consent gate is \`isConsentGranted\` (\`server/consent/gate.ts\`) called directly against PGlite.

The relay and the load generator share the machine's cores, so these are figures for one small machine, not
a capacity plan. The chain is what scales beyond one machine: several relays share one PostgreSQL, and the contracts serve every relay alike.

## Relay and audit

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
