/**
 * The auditor's command: verifies a controller's consent history from a JSON-RPC endpoint alone.
 *
 *   npm run audit -- --rpc URL --ledger ADDRESS --controller ADDRESS [--from-block N] [--to-block N]
 *                    [--export FILE] [--at TIME --subject ADDRESS --purpose NAME_OR_ID] [--json] [--max-range N]
 *
 * Exit status: 0 the history (and the export, if given) agrees with historyHead; 1 it does not;
 * 2 bad arguments or an unreadable export; 3 the endpoint failed. docs/audit.md explains each check.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { isAddress, type Address } from "viem";
import { AuditInputError, parseTime, purposeId, reportJson, runAudit, type AuditReport } from "../server/audit/auditor";
import { describeDiscrepancy } from "../server/audit/compareExport";
import { ExportFormatError } from "../server/audit/exportFormat";
import { categoryNames, purposeName } from "../client";

const USAGE = `usage: npm run audit -- --rpc URL --ledger ADDRESS --controller ADDRESS
  [--from-block N] [--to-block N] [--max-range N] [--export FILE]
  [--at TIME --subject ADDRESS --purpose NAME_OR_ID] [--json]`;

const iso = (t: number | null) => (t === null ? "-" : `${new Date(t * 1000).toISOString()} (${t})`);
/** A purpose by name with its id beside it (the auditor has the chain only: known names). */
const purpose = (id: string) => `${purposeName({ id }) ?? "(unnamed)"} ${id}`;
const categories = (bitmap: string) => `${bitmap} (${categoryNames(BigInt(bitmap)).join(", ") || "none"})`;

function printHuman(r: AuditReport, exportFile?: string): void {
  const s = r.chain.summary;
  const out: string[] = [];
  out.push(`Controller ${r.controller}, ledger ${r.ledger} on chain ${r.chainId}, blocks ${r.fromBlock}-${r.toBlock}`);
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
    out.push(`Consent of ${c.subject} to ${c.controller} for ${purpose(c.purpose)} at ${iso(c.time)}: ${c.active ? "ACTIVE" : "NOT ACTIVE"} (${c.reason})`);
    if (c.grantedAt !== null) out.push(`  granted ${iso(c.grantedAt)}, expires ${c.expiresAt ? iso(c.expiresAt) : "never"}, categories ${categories(c.categories ?? "0")}`);
    for (const ev of c.evidence) {
      out.push(`  evidence: seq ${ev.seq} ${["", "grant", "revoke", "revoke-all"][ev.action]} at ${iso(ev.timestamp)} block ${ev.blockNumber} tx ${ev.txHash}`);
    }
  }
  process.stdout.write(out.join("\n") + "\n");
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        rpc: { type: "string" },
        ledger: { type: "string" },
        controller: { type: "string" },
        "from-block": { type: "string" },
        "to-block": { type: "string" },
        "max-range": { type: "string" },
        export: { type: "string" },
        at: { type: "string" },
        subject: { type: "string" },
        purpose: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const fail = (msg: string) => {
    process.stderr.write(`${msg}\n${USAGE}\n`);
    return 2;
  };
  const rpc = args.rpc ?? process.env.RPC_URL;
  if (!rpc) return fail("--rpc is required");
  if (!args.ledger || !isAddress(args.ledger)) return fail("--ledger must be an address");
  if (!args.controller || !isAddress(args.controller)) return fail("--controller must be an address");
  const block = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new AuditInputError(`${name} must be a block number`);
    return BigInt(v);
  };
  let exportText: string | undefined;
  let at;
  let fromBlock, toBlock, maxRange;
  try {
    fromBlock = block(args["from-block"], "--from-block");
    toBlock = block(args["to-block"], "--to-block");
    maxRange = args["max-range"] === undefined ? undefined : Number(block(args["max-range"], "--max-range"));
    if (args.export) {
      try {
        exportText = fs.readFileSync(args.export, "utf8");
      } catch (err) {
        throw new AuditInputError(`cannot read ${args.export}: ${(err as Error).message}`);
      }
    }
    if (args.at !== undefined || args.subject !== undefined || args.purpose !== undefined) {
      if (!args.at || !args.subject || !args.purpose) throw new AuditInputError("--at, --subject and --purpose go together");
      if (!isAddress(args.subject)) throw new AuditInputError("--subject must be an address");
      at = { time: parseTime(args.at), subject: args.subject as Address, purpose: purposeId(args.purpose) };
    }
  } catch (err) {
    return fail((err as Error).message);
  }

  let lastProgress = 0;
  let report: AuditReport;
  try {
    report = await runAudit({
      rpcUrl: rpc,
      ledger: args.ledger as Address,
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
      onRetry: (kind, err, waitMs) => process.stderr.write(`endpoint ${kind} complaint (${(err as Error).message.split("\n")[0]}); retrying in ${waitMs} ms\n`),
    });
  } catch (err) {
    if (err instanceof ExportFormatError) return fail(err.message);
    process.stderr.write(`audit failed: ${(err as Error).message.split("\n")[0]}\n`);
    return 3;
  }
  if (args.json) process.stdout.write(reportJson(report) + "\n");
  else printHuman(report, args.export);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`audit failed: ${(err as Error).stack}\n`);
    process.exit(3);
  },
);
