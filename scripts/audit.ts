/**
 * The auditor's command: verifies a controller's consent history, or one consent receipt, from a JSON-RPC
 * endpoint alone.
 *
 *   npm run audit -- --rpc URL (--ledger ADDRESS | --deployment FILE) --controller ADDRESS [--from-block N] [--to-block N]
 *                    [--export FILE] [--at TIME|now|block:N --subject ADDRESS --purpose NAME_OR_ID] [--json] [--report FILE]
 *   npm run audit -- --rpc URL --receipt FILE [--json] [--report FILE]
 *
 * Exit status (docs/audit.md): 0 verified (and, with --at, the consent was active); 1 verification failed
 * (history, export or receipt); 2 bad arguments or an unreadable file; 3 the endpoint failed; 4 verified,
 * but the consent was not active at that time.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { isAddress, type Address } from "viem";
import {
  auditClient,
  auditReportDocument,
  AuditInputError,
  categoryNames,
  describeDiscrepancy,
  describeEndpoint,
  EndpointError,
  ExportFormatError,
  InvalidReceiptError,
  parseReceipt,
  parseTime,
  purposeName,
  receiptReportDocument,
  reportHtml,
  reportJson,
  reportMarkdown,
  resolvePurpose,
  runAudit,
  verifyReceipt,
  type AuditReport,
  type ConsentQuery,
  type ReportDocument,
  type VerifyReceiptReturnType,
} from "../client";
import { DeploymentError, readDeployment } from "../server/chain/deployment";

/** The exit statuses, documented in docs/audit.md. */
const EXIT = { verified: 0, failed: 1, usage: 2, endpoint: 3, notActive: 4 } as const;

const USAGE = `usage: npm run audit -- --rpc URL (--ledger ADDRESS | --deployment FILE) --controller ADDRESS
  [--from-block N] [--to-block N] [--max-range N] [--export FILE]
  [--at TIME|now|block:N --subject ADDRESS --purpose NAME_OR_ID] [--json] [--report FILE.html|FILE.md] [--explorer URL_WITH_{tx}]
or:    npm run audit -- --rpc URL --receipt FILE [--json] [--report FILE] [--explorer URL_WITH_{tx}]
exit status: 0 verified (and active, with --at); 1 verification failed; 2 bad arguments or unreadable file;
             3 the endpoint failed; 4 verified, but the consent was not active at that time`;

class UsageError extends Error {
  override name = "UsageError";
}

const iso = (t: number | null) => (t === null ? "-" : `${new Date(t * 1000).toISOString()} (${t})`);
/** A purpose by name with its id beside it (the auditor has the chain only: known names). */
const purpose = (id: string) => `${purposeName({ id }) ?? "(unnamed)"} ${id}`;
const categories = (bitmap: string) => `${bitmap} (${categoryNames(BigInt(bitmap)).join(", ") || "none"})`;

function printHuman(r: AuditReport, exportFile?: string): void {
  const s = r.chain.summary;
  const out: string[] = [];
  out.push(`Controller ${r.controller}, ledger ${r.ledger} on chain ${r.chainId}, blocks ${r.fromBlock}-${r.toBlock}`);
  out.push(`  at block ${r.toBlock} ${r.toBlockHash} (${iso(r.toBlockTime)}), endpoint ${r.endpoint}`);
  out.push(
    `History: ${s.actions} actions (${s.grants} grants, ${s.revocations} revocations, ${s.revokeAlls} revoke-alls), ` +
      `${s.subjects} subjects, ${s.purposes} purposes`,
  );
  for (const id of s.purposeIds) out.push(`  purpose ${purpose(id)}`);
  out.push(`  first ${iso(s.firstTime)}, last ${iso(s.lastTime)}`);
  out.push(`  recomputed head ${r.chain.recomputed.head} (length ${r.chain.recomputed.length})`);
  out.push(`  on-chain head   ${r.chain.onChain.head} (length ${r.chain.onChain.length})`);
  out.push(r.chain.verified ? "VERIFIED: the logs recompute to historyHead." : "NOT VERIFIED: the logs do not recompute to historyHead.");
  if (r.export) {
    const e = r.export;
    out.push(`Export ${exportFile}: ${e.records} records`);
    out.push(`  recomputed head ${e.verification.recomputed.head} (length ${e.verification.recomputed.length})`);
    for (const d of e.discrepancies) out.push(`  ${describeDiscrepancy(d)}`);
    if (e.verification.firstBrokenPosition !== null) {
      out.push(`  the export's own seq/head first disagree with its content at position ${e.verification.firstBrokenPosition}`);
    }
    out.push(e.ok ? "EXPORT VERIFIED: complete, unaltered and in chain order." : `EXPORT REJECTED: ${e.discrepancies.length} difference(s) from the chain.`);
  }
  if (r.consentAt) {
    const c = r.consentAt;
    const when = `${iso(c.time)}${c.block !== null ? ` (block ${c.block})` : ""}`;
    out.push(`Consent of ${c.subject} to ${c.controller} for ${purpose(c.purpose)} at ${when}: ${c.active ? "ACTIVE" : "NOT ACTIVE"} (${c.reason})`);
    if (c.grantedAt !== null) out.push(`  granted ${iso(c.grantedAt)}, expires ${c.expiresAt ? iso(c.expiresAt) : "never"}, categories ${categories(c.categories ?? "0")}`);
    for (const ev of c.evidence) {
      out.push(`  evidence: seq ${ev.seq} ${["", "grant", "revoke", "revoke-all"][ev.action]} at ${iso(ev.timestamp)} block ${ev.blockNumber} tx ${ev.txHash}`);
    }
  }
  process.stdout.write(out.join("\n") + "\n");
}

function printReceipt(v: VerifyReceiptReturnType, file: string): void {
  const out = [`Receipt ${file}`];
  for (const c of v.checks) out.push(`  ${c.ok ? "ok  " : "FAIL"} ${c.field}: ${c.receipt}${c.ok ? "" : ` (chain: ${c.chain ?? "-"}; ${c.message})`}`);
  if (v.chain) out.push(`  block ${v.chain.blockNumber} ${v.chain.blockHash} (${iso(v.chain.blockTime)}), ${v.chain.confirmations} confirmations, previous head from ${v.chain.previousHeadFrom ?? "-"}`);
  out.push(v.ok ? "RECEIPT VERIFIED: the action is in the controller's history at that position, with those fields." : `RECEIPT REJECTED at ${v.firstFailure!.field}.`);
  process.stdout.write(out.join("\n") + "\n");
}

function writeReport(file: string, doc: ReportDocument): void {
  const text = /\.(md|markdown)$/i.test(file) ? reportMarkdown(doc) : reportHtml(doc);
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    throw new UsageError(`cannot write the report ${file}: ${(err as Error).message}`);
  }
  process.stderr.write(`report written to ${file}\n`);
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

const block = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} must be a block number`);
  return BigInt(v);
};

/** --at: `now` (the audited block), `block:N`, unix seconds or ISO 8601. */
function consentQuery(at: string, subject: string, purposeArg: string): ConsentQuery {
  if (!isAddress(subject)) throw new UsageError("--subject must be an address");
  if (!purposeArg) throw new UsageError("--purpose must be a name or a 0x id");
  const base = { subject: subject as Address, purpose: resolvePurpose(purposeArg) };
  if (at === "now") return base;
  const b = /^block:(\d+)$/.exec(at);
  if (b) return { ...base, block: BigInt(b[1]) };
  return { ...base, time: parseTime(at) };
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      rpc: { type: "string" },
      ledger: { type: "string" },
      deployment: { type: "string" },
      controller: { type: "string" },
      "from-block": { type: "string" },
      "to-block": { type: "string" },
      "max-range": { type: "string" },
      export: { type: "string" },
      at: { type: "string" },
      subject: { type: "string" },
      purpose: { type: "string" },
      receipt: { type: "string" },
      report: { type: "string" },
      explorer: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (args.help) {
    process.stdout.write(USAGE + "\n");
    return EXIT.verified;
  }
  const rpc = args.rpc ?? process.env.RPC_URL;
  if (!rpc) throw new UsageError("--rpc is required (or RPC_URL)");
  const names = { txUrl: args.explorer ?? process.env.EXPLORER_TX_URL };
  const maxRange = args["max-range"] === undefined ? undefined : Number(block(args["max-range"], "--max-range"));
  if (maxRange === 0) throw new UsageError("--max-range must be at least 1");

  if (args.receipt) {
    const receipt = parseReceipt(readText(args.receipt, "the receipt"));
    const v = await verifyReceipt({ client: auditClient(rpc), rpcUrl: rpc, receipt, maxRange });
    if (args.json) process.stdout.write(reportJson(v) + "\n");
    else printReceipt(v, args.receipt);
    if (args.report) writeReport(args.report, receiptReportDocument(receipt, v, { endpoint: describeEndpoint(rpc), fileName: args.receipt, names }));
    return v.ok ? EXIT.verified : EXIT.failed;
  }

  let ledger = args.ledger;
  let fromBlock = block(args["from-block"], "--from-block");
  let chainId: number | undefined;
  if (args.deployment) {
    const dep = readDeployment(args.deployment);
    if (ledger && ledger.toLowerCase() !== dep.ledger.toLowerCase()) throw new UsageError(`--ledger ${ledger} is not the deployment's ledger ${dep.ledger}`);
    ledger = dep.ledger;
    fromBlock ??= BigInt(dep.deployBlock);
    chainId = dep.chainId;
  }
  if (!ledger || !isAddress(ledger)) throw new UsageError("--ledger must be an address (or give --deployment)");
  if (!args.controller || !isAddress(args.controller)) throw new UsageError("--controller must be an address");
  const toBlock = block(args["to-block"], "--to-block");
  const exportText = args.export ? readText(args.export, "the export") : undefined;
  let at: ConsentQuery | undefined;
  if (args.at !== undefined || args.subject !== undefined || args.purpose !== undefined) {
    if (!args.at || !args.subject || !args.purpose) throw new UsageError("--at, --subject and --purpose go together");
    at = consentQuery(args.at, args.subject, args.purpose);
  }

  const client = auditClient(rpc);
  if (chainId !== undefined) {
    // Before reading any log: a deployment file of another network names an unrelated address.
    const served = await client.getChainId().catch((err: unknown) => Promise.reject(EndpointError.wrap(err, describeEndpoint(rpc))));
    if (served !== chainId) throw new UsageError(`the deployment file is for chain ${chainId}, but the endpoint ${describeEndpoint(rpc)} serves chain ${served}`);
  }
  let lastProgress = 0;
  const report = await runAudit({
    client,
    rpcUrl: rpc,
    ledger: ledger as Address,
    controller: args.controller as Address,
    fromBlock,
    toBlock,
    maxRange,
    exportText,
    at,
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastProgress < 500 && p.done !== p.total) return;
      lastProgress = now;
      process.stderr.write(`${p.phase === "logs" ? "logs: block" : "timestamps: block"} ${p.done}/${p.total}, ${p.records} records\n`);
    },
    onRetry: (kind, err, waitMs) =>
      process.stderr.write(`endpoint ${describeEndpoint(rpc)}: ${kind} complaint (${(err as Error).message.split("\n")[0]}); retrying in ${waitMs} ms\n`),
  });
  if (args.json) process.stdout.write(reportJson(report) + "\n");
  else printHuman(report, args.export);
  if (args.report) writeReport(args.report, auditReportDocument(report, { exportName: args.export, names }));
  if (!report.ok) return EXIT.failed;
  if (report.consentAt && !report.consentAt.active) return EXIT.notActive;
  return EXIT.verified;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    if (err instanceof UsageError || err instanceof AuditInputError || err instanceof DeploymentError || err instanceof InvalidReceiptError || err instanceof ExportFormatError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      process.exit(EXIT.usage);
    }
    if (err instanceof EndpointError) {
      process.stderr.write(`audit failed: ${err.message}\n`);
      process.exit(EXIT.endpoint);
    }
    process.stderr.write(`audit failed: ${err.stack}\n`);
    process.exit(EXIT.endpoint);
  },
);
