import { categoryNames } from "../categories";
import { purposeName } from "../purposes";
import type { VerifyReceiptReturnType } from "../receipts/verifyReceipt";
import type { ConsentReceipt } from "../receipts/schema";
import type { AuditReport } from "./auditor";
import { describeDiscrepancy } from "./compareExport";
import { ACTION_NAMES } from "./historyChain";
import type { HistoryRecord } from "./historyChain";

/**
 * The printable report of a verification, as a document: a title, the result in one sentence, then
 * sections of facts (label, value), lines and tables. The CLI writes it as Markdown or HTML
 * (`--report FILE`), the auditor's page shows and prints it: one builder, so both say the same.
 */
export interface ReportDocument {
  title: string;
  ok: boolean;
  result: string;
  sections: ReportSection[];
}

export interface ReportSection {
  heading: string;
  facts?: [label: string, value: ReportValue][];
  lines?: string[];
  table?: { columns: string[]; rows: ReportValue[][] };
}

/** Text, or text with a link (a transaction on the explorer). */
export type ReportValue = string | { text: string; href: string };

export interface ReportNames {
  /** A brand's own purpose names (the relay's discovery), when known. */
  purposes?: readonly { id: string; name: string | null }[];
  /** An explorer's transaction URL with `{tx}` for the hash; plain hashes when absent. */
  txUrl?: string;
}

/** How many differences and evidence rows the report lists before saying how many more there are. */
export const REPORT_LIST_LIMIT = 25;

const iso = (t: number | null) => (t === null ? "-" : `${new Date(t * 1000).toISOString().replace(".000Z", "Z")} (${t})`);

/** A transaction hash, linked to the explorer when a template is set. */
export function txText(hash: string | null | undefined, names: ReportNames = {}): ReportValue {
  if (!hash) return "-";
  const href = explorerTxUrl(names.txUrl, hash);
  return href ? { text: hash, href } : hash;
}

/** The explorer's URL of a transaction: `template` with `{tx}` replaced, only for an http(s) template. */
export function explorerTxUrl(template: string | undefined, hash: string): string | null {
  if (!template || !/^https?:\/\//i.test(template) || !template.includes("{tx}")) return null;
  return template.replaceAll("{tx}", hash);
}

function purposeText(id: string, names: ReportNames): string {
  return `${purposeName({ id, purposes: names.purposes }) ?? "(unnamed)"} ${id}`;
}

function recordRow(r: HistoryRecord, names: ReportNames): ReportValue[] {
  return [
    String(r.seq),
    ACTION_NAMES[r.action],
    r.subject.toLowerCase(),
    r.action === 3 ? "all" : purposeText(r.purpose, names),
    iso(r.timestamp),
    r.blockNumber === undefined ? "-" : String(r.blockNumber),
    txText(r.txHash, names),
  ];
}
const RECORD_COLUMNS = ["seq", "action", "subject", "purpose", "time", "block", "transaction"];

/** The report of `runAudit`'s answer; `exportName` is the export's file name when one was checked. */
export function auditReportDocument(r: AuditReport, options: { exportName?: string; names?: ReportNames } = {}): ReportDocument {
  const names = options.names ?? {};
  const s = r.chain.summary;
  const problems: string[] = [];
  if (!r.chain.verified) problems.push("the ledger's logs do not recompute to historyHead");
  if (r.export && !r.export.ok) problems.push(`the export differs from the chain (${r.export.discrepancies.length} difference(s))`);
  const sections: ReportSection[] = [
    {
      heading: "What was checked",
      facts: [
        ["controller (brand)", r.controller],
        ["chain id", String(r.chainId)],
        ["endpoint", r.endpoint ?? "(a client given by the caller)"],
        ["ledger (ConsentLedger)", r.ledger],
        ["blocks read", `${r.fromBlock} to ${r.toBlock}`],
        ["at block", `${r.toBlock}, hash ${r.toBlockHash}, time ${iso(r.toBlockTime)}`],
        ["checked at", iso(r.checkedAt)],
      ],
      lines: [
        "The controller's ConsentGranted, ConsentRevoked and AllConsentsRevoked logs were read from the endpoint, the hash chain " +
          "head' = keccak256(abi.encode(head, action, subject, purpose, categories, expiresAt, noticeHash, actor, timestamp)) was recomputed " +
          "from them and compared with historyHead(controller) read at the same block.",
      ],
    },
    {
      heading: "History",
      facts: [
        ["result", r.chain.verified ? "VERIFIED: the logs recompute to historyHead" : "NOT VERIFIED: the logs do not recompute to historyHead"],
        ["recomputed head", `${r.chain.recomputed.head} (length ${r.chain.recomputed.length})`],
        ["on-chain head", `${r.chain.onChain.head} (length ${r.chain.onChain.length})`],
        ["actions", `${s.actions}: ${s.grants} grants, ${s.revocations} revocations, ${s.revokeAlls} revoke-alls`],
        ["subjects", String(s.subjects)],
        ["first action", iso(s.firstTime)],
        ["last action", iso(s.lastTime)],
        ...(r.chain.firstBrokenPosition !== null ? [["first broken link", `position ${r.chain.firstBrokenPosition}`] as [string, string]] : []),
      ],
      lines: s.purposeIds.map((id) => `purpose ${purposeText(id, names)}`),
    },
  ];
  if (r.export) {
    const e = r.export;
    const listed = e.discrepancies.slice(0, REPORT_LIST_LIMIT).map(describeDiscrepancy);
    if (e.discrepancies.length > REPORT_LIST_LIMIT) listed.push(`… and ${e.discrepancies.length - REPORT_LIST_LIMIT} more`);
    sections.push({
      heading: `Export${options.exportName ? ` ${options.exportName}` : ""}`,
      facts: [
        ["result", e.ok ? "EXPORT VERIFIED: complete, unaltered and in chain order" : `EXPORT REJECTED: ${e.discrepancies.length} difference(s) from the chain`],
        ["records", String(e.records)],
        ["recomputed head", `${e.verification.recomputed.head} (length ${e.verification.recomputed.length})`],
        ...(e.verification.firstBrokenPosition !== null
          ? [["own seq/head", `first disagree with the content at position ${e.verification.firstBrokenPosition}`] as [string, string]]
          : []),
      ],
      lines: listed.length ? listed : ["No difference: every record is the chain's, in the chain's order."],
    });
  }
  if (r.consentAt) {
    const c = r.consentAt;
    sections.push({
      heading: "Consent at a time",
      facts: [
        ["subject", c.subject],
        ["purpose", purposeText(c.purpose, names)],
        ["at", `${iso(c.time)}${c.block !== null ? `, block ${c.block}` : ""}`],
        ["answer", `${c.active ? "ACTIVE" : "NOT ACTIVE"} (${c.reason})`],
        ...(c.grantedAt !== null
          ? ([
              ["granted", iso(c.grantedAt)],
              ["expires", c.expiresAt ? iso(c.expiresAt) : "never"],
              ["categories", `${c.categories} (${categoryNames(BigInt(c.categories ?? "0")).join(", ") || "none"})`],
              ["notice hash", c.noticeHash ?? "-"],
            ] as [string, ReportValue][])
          : []),
      ],
      table: c.evidence.length ? { columns: RECORD_COLUMNS, rows: c.evidence.map((ev) => recordRow(ev, names)) } : undefined,
      lines: c.evidence.length ? undefined : ["No grant of this purpose to this subject up to that time."],
    });
  }
  const result = problems.length
    ? `NOT VERIFIED: ${problems.join("; ")}.`
    : `VERIFIED: ${s.actions} actions recompute to historyHead at block ${r.toBlock}${r.export ? ", and the export is the chain's" : ""}.`;
  return { title: `Consent history audit of ${r.controller}`, ok: r.ok, result, sections };
}

/** The report of `verifyReceipt`'s answer. */
export function receiptReportDocument(
  receipt: ConsentReceipt,
  v: VerifyReceiptReturnType,
  options: { endpoint: string | null; fileName?: string; names?: ReportNames; checkedAt?: number },
): ReportDocument {
  const names = options.names ?? {};
  const failures = v.checks.filter((c) => !c.ok);
  const sections: ReportSection[] = [
    {
      heading: "What was checked",
      facts: [
        ["receipt", `${receipt.recordId}${options.fileName ? ` (${options.fileName})` : ""}`],
        ["chain id", String(receipt.evidence.chainId)],
        ["endpoint", options.endpoint ?? "(a client given by the caller)"],
        ["ledger (ConsentLedger)", receipt.evidence.ledger],
        ["transaction", txText(receipt.evidence.transactionHash, names)],
        ["log index", String(receipt.evidence.logIndex)],
        ...(v.chain
          ? ([
              ["block", `${v.chain.blockNumber}, hash ${v.chain.blockHash}, time ${iso(v.chain.blockTime)}`],
              ["confirmations", String(v.chain.confirmations)],
              ["previous head", `${v.chain.previousHead ?? "not found"}${v.chain.previousHeadFrom ? ` (from ${v.chain.previousHeadFrom})` : ""}`],
            ] as [string, ReportValue][])
          : []),
        ["checked at", iso(options.checkedAt ?? Math.floor(Date.now() / 1000))],
      ],
      lines: [
        "The log at that transaction and index was read from the endpoint and compared field by field with the receipt; its head was " +
          "recomputed from the controller's previous head and the action's fields.",
      ],
    },
    {
      heading: "Receipt",
      facts: [
        ["event", `${receipt.event.type} at ${receipt.event.time}`],
        ["subject", receipt.subject],
        ["controller", receipt.controller],
        ["purpose", receipt.event.type === "revoke-all" ? "all" : purposeText(receipt.purpose.id, { ...names, purposes: receipt.purpose.name ? [{ id: receipt.purpose.id, name: receipt.purpose.name }] : names.purposes })],
        ["position", `seq ${receipt.evidence.seq}, head ${receipt.evidence.head}`],
      ],
    },
    {
      heading: "Checks",
      table: { columns: ["field", "result", "receipt", "chain"], rows: v.checks.map((c) => [c.field, c.ok ? "ok" : `FAILS: ${c.message}`, c.receipt, c.chain ?? "-"]) },
    },
  ];
  const result = v.ok
    ? `RECEIPT VERIFIED: the chain recorded this ${receipt.event.type} at position ${receipt.evidence.seq} of ${receipt.controller}'s history, with these fields.`
    : `RECEIPT REJECTED: ${failures.map((f) => `${f.field} (${f.message})`).join("; ")}.`;
  return { title: `Consent receipt ${receipt.recordId}`, ok: v.ok, result, sections };
}
