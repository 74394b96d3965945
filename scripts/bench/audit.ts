/**
 * Benchmark (not a test): verification of a 10,000-action consent history.
 *
 * Builds the history on the in-process Hardhat network (subjects batch their grants, revocations and
 * revoke-alls with `multicall`), then times, over several runs, what an auditor does:
 * - from logs: read the controller's logs over HTTP JSON-RPC (bounded ranges, block timestamps),
 *   recompute the chain and compare with historyHead (`runAudit` without an export);
 * - from an export: parse the brand's export (JSON and CSV), recompute it and compare with one
 *   historyHead call (no logs needed);
 * - an export checked record by record against the logs (`runAudit` with the export, as the CLI does);
 * - the recomputation alone (10,000 keccak256 links);
 * - the auditor's page in headless Chromium (scripts/bench/auditPage.ts; BENCH_AUDIT_PAGE=0 leaves it out).
 * Prints the median and the spread (min-max) of each, and returns them.
 *
 *   npm run bench:audit        (BENCH_AUDIT_ACTIONS, BENCH_RUNS to change the size)
 */
import { createPublicClient, encodeFunctionData, http, keccak256, toHex, type Address, type Hex, type PublicClient } from "viem";
import { LocalChain, testAccount } from "../../test/support/chain";
import { deployConfiance } from "../lib/deploy";
import { consentLedgerAbi } from "../../client/abis";
import { runAudit } from "../../server/audit/auditor";
import { fetchControllerHistory } from "../../server/audit/chainHistory";
import { parseExport, toCsv, toExportRecord, toJsonExport } from "../../server/audit/exportFormat";
import { recomputeHead } from "../../server/audit/historyChain";
import { verifyHistory } from "../../server/audit/verify";
import { timeAuditPage } from "./auditPage";
import { helpFromDocComment } from "../lib/usage";

export interface AuditBenchRow {
  measure: string;
  median: number;
  min: number;
  max: number;
  unit: string;
  note: string;
}

export interface AuditBenchResult {
  actions: number;
  subjects: number;
  blocks: number;
  buildSeconds: number;
  runs: number;
  /** One row per timed measure (milliseconds), for the benchmark table. */
  rows: AuditBenchRow[];
}

const SUBJECTS = 10;
const PURPOSES = 20;
const BATCH = 200;

function spread(label: string, note: string, samples: number[]): AuditBenchRow {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { measure: label, median: mid, min: s[0], max: s[s.length - 1], unit: "ms", note };
}

async function timed(runs: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** The calls of one subject: cycles of 20 grants, 10 revocations, one revoke-all (31 actions), cut at `count`. */
function subjectCalls(controller: Address, purposes: Hex[], notices: Hex[], count: number): Hex[] {
  const calls: Hex[] = [];
  for (let k = 0; calls.length < count; k++) {
    const step = k % 31;
    if (step < 20) {
      calls.push(encodeFunctionData({ abi: consentLedgerAbi, functionName: "grant", args: [controller, purposes[step], BigInt(1 + (k % 63)), 0, notices[step]] }));
    } else if (step < 30) {
      calls.push(encodeFunctionData({ abi: consentLedgerAbi, functionName: "revoke", args: [controller, purposes[step - 20]] }));
    } else {
      calls.push(encodeFunctionData({ abi: consentLedgerAbi, functionName: "revokeAll", args: [controller] }));
    }
  }
  return calls;
}

export async function benchAudit(opts: { actions?: number; runs?: number; log?: (line: string) => void } = {}): Promise<AuditBenchResult> {
  const actions = opts.actions ?? Number(process.env.BENCH_AUDIT_ACTIONS ?? 10_000);
  const runs = opts.runs ?? Number(process.env.BENCH_RUNS ?? 5);
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const chain = await LocalChain.start();
  try {
    const t0 = performance.now();
    const deployment = await deployConfiance({ wallet: chain.wallet(0), client: chain.client });
    const controllerIndex = SUBJECTS + 1;
    const controller = testAccount(controllerIndex).address;
    const purposes = Array.from({ length: PURPOSES }, (_, i) => keccak256(toHex(`bench-purpose-${i}`)));
    const notices = purposes.map((p) => keccak256(toHex(`notice of ${p}`)));
    const defs = purposes.map((p, i) =>
      encodeFunctionData({ abi: consentLedgerAbi, functionName: "definePurpose", args: [p, notices[i], `https://bench.example/${i}`] }),
    );
    const send = async (from: number, calls: Hex[]) => {
      const hash = await chain.wallet(from).writeContract({ address: deployment.ledger, abi: consentLedgerAbi, functionName: "multicall", args: [calls] });
      const receipt = await chain.client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`multicall from account ${from} reverted`);
    };
    await send(controllerIndex, defs);
    const perSubject = Math.ceil(actions / SUBJECTS);
    let left = actions;
    for (let s = 1; s <= SUBJECTS && left > 0; s++) {
      const calls = subjectCalls(controller, purposes, notices, Math.min(perSubject, left));
      left -= calls.length;
      for (let i = 0; i < calls.length; i += BATCH) await send(s, calls.slice(i, i + BATCH));
      log(`bench audit: history ${actions - left}/${actions} actions`);
    }
    const buildSeconds = (performance.now() - t0) / 1000;
    const blocks = Number(await chain.client.getBlockNumber()) - deployment.deployBlock;

    // The auditor's own client, with retries (a pooled keep-alive socket may be closed by the server between runs).
    const client = createPublicClient({ transport: http(chain.url, { retryCount: 3 }) }) as PublicClient;
    const history = await fetchControllerHistory({ client, ledger: deployment.ledger, controller, fromBlock: BigInt(deployment.deployBlock) });
    if (history.records.length !== actions) throw new Error(`expected ${actions} records, read ${history.records.length}`);
    if (!verifyHistory(history.records, history.onChain).verified) throw new Error("the benchmark history does not verify");
    const exported = history.records.map(toExportRecord);
    const json = toJsonExport(controller, exported);
    const csv = toCsv(exported);
    const base = { client, ledger: deployment.ledger, controller, fromBlock: BigInt(deployment.deployBlock) };

    log(`bench audit: timing ${runs} runs of each measure`);
    const rows: AuditBenchRow[] = [];
    const measure = (row: AuditBenchRow) => {
      rows.push(row);
      log(`bench audit: ${row.measure}: median ${row.median.toFixed(1)} ms`);
    };
    measure(spread(`audit from logs, ${actions} actions`, "eth_getLogs in ranges + block timestamps + recompute + historyHead, over HTTP", await timed(runs, async () => {
      const r = await runAudit(base);
      if (!r.ok) throw new Error("not verified");
    })));
    for (const [name, text] of [["JSON", json], ["CSV", csv]] as const) {
      measure(spread(`audit of a ${name} export, ${actions} actions`, `parse ${(text.length / 1e6).toFixed(1)} MB + recompute + one historyHead call`, await timed(runs, async () => {
        const records = parseExport(text, controller);
        const [head, length] = await client.readContract({ address: deployment.ledger, abi: consentLedgerAbi, functionName: "historyHead", args: [controller] });
        if (!verifyHistory(records, { head, length: BigInt(length) }).verified) throw new Error("export not verified");
      })));
    }
    measure(spread(`export checked against logs, ${actions} actions`, "as the CLI's --export: logs + export + record-by-record comparison", await timed(runs, async () => {
      const r = await runAudit({ ...base, exportText: json });
      if (!r.ok) throw new Error("export not verified");
    })));
    measure(spread(`recompute only, ${actions} links`, "keccak256 hash chain in TypeScript (@noble/hashes, as in the browser)", await timed(runs, () => recomputeHead(history.records))));
    if (process.env.BENCH_AUDIT_PAGE !== "0") {
      log(`bench audit: the auditor's page in Chromium, ${runs} runs`);
      const page = await timeAuditPage({ rpcUrl: chain.url, ledger: deployment.ledger, controller, fromBlock: deployment.deployBlock, actions, runs });
      measure(spread(`auditor's page verifies ${actions} actions in the browser`, "headless Chromium, click to verdict: logs over HTTP JSON-RPC, block times, recompute in a web worker, historyHead (goal: at most 5 s)", page.samples));
      measure(spread(`auditor's page: the worker's own time`, "request to answer inside the worker", page.workerSamples));
      measure(spread(`auditor's page: longest main-thread task`, "Long Tasks API (0: none of 50 ms or more): the page stays responsive", page.longestTask));
    }
    return { actions, subjects: SUBJECTS, blocks, buildSeconds, runs, rows };
  } finally {
    await chain.stop();
  }
}

export function printAuditBench(r: AuditBenchResult): void {
  console.log(`\nAudit verification: ${r.actions} actions by ${r.subjects} subjects in ${r.blocks} blocks (built in ${r.buildSeconds.toFixed(1)} s), ${r.runs} runs each`);
  console.log("| measure | median | spread (min-max) | note |\n|---|---|---|---|");
  for (const row of r.rows) {
    console.log(`| ${row.measure} | ${row.median.toFixed(1)} ${row.unit} | ${row.min.toFixed(1)}-${row.max.toFixed(1)} ${row.unit} | ${row.note} |`);
  }
}

if (require.main === module) {
  helpFromDocComment(__filename);
  benchAudit()
    .then((r) => {
      printAuditBench(r);
      process.exit(0);
    })
    .catch((err: Error) => {
      console.error(`bench audit failed: ${err.stack}`);
      process.exit(1);
    });
}
