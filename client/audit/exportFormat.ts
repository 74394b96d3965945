import { z } from "zod";
import { CsvSyntaxError, readCsvRecords } from "./csv";
import type { Address, Hex } from "viem";
import { ACTION_NAMES, HistoryAction, type ActionName, type HistoryRecord } from "./historyChain";

/**
 * The history export a brand hands an auditor: the audit API's JSON (`{ controller, records: [...] }`, or
 * a bare array of records) or its CSV (one header line, the columns below). Every record carries the
 * hashed fields, its position (`seq`) and the head after it, and where it was mined.
 */
export interface ExportRecord {
  seq: number;
  action: ActionName;
  subject: string;
  purpose: string;
  categories: string;
  expiresAt: number;
  noticeHash: string;
  actor: string;
  timestamp: number;
  head: string;
  blockNumber: number | null;
  txHash: string | null;
  logIndex: number | null;
}

export { ACTION_NAMES, type ActionName } from "./historyChain";
const ACTIONS_BY_NAME: Record<string, HistoryAction> = { grant: 1, revoke: 2, "revoke-all": 3, "1": 1, "2": 2, "3": 3 };

/** CSV columns, in order. */
export const CSV_COLUMNS = [
  "seq",
  "action",
  "subject",
  "purpose",
  "categories",
  "expires_at",
  "notice_hash",
  "actor",
  "timestamp",
  "head",
  "block_number",
  "tx_hash",
  "log_index",
] as const;

export class ExportFormatError extends Error {
  override name = "ExportFormatError";
}

export function toExportRecord(r: HistoryRecord): ExportRecord {
  return {
    seq: Number(r.seq),
    action: ACTION_NAMES[r.action],
    subject: r.subject.toLowerCase(),
    purpose: r.purpose.toLowerCase(),
    categories: r.categories.toString(),
    expiresAt: r.expiresAt,
    noticeHash: r.noticeHash.toLowerCase(),
    actor: r.actor.toLowerCase(),
    timestamp: r.timestamp,
    head: r.head.toLowerCase(),
    blockNumber: r.blockNumber === undefined ? null : Number(r.blockNumber),
    txHash: r.txHash?.toLowerCase() ?? null,
    logIndex: r.logIndex ?? null,
  };
}

const addr = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address");
const b32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hex value");
const uint = z.coerce.number().int().nonnegative();
const optUint = z.preprocess((v) => (v === "" || v === undefined ? null : v), uint.nullable());
const exportRecordSchema = z.object({
  seq: uint,
  action: z.string().refine((a) => a in ACTIONS_BY_NAME, "grant, revoke or revoke-all"),
  subject: addr,
  purpose: b32,
  categories: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String),
  expiresAt: uint,
  noticeHash: b32,
  actor: addr,
  timestamp: uint,
  head: b32,
  blockNumber: optUint.optional().default(null),
  txHash: z.preprocess((v) => (v === "" || v === undefined ? null : v), b32.nullable()).optional().default(null),
  logIndex: optUint.optional().default(null),
});

export function fromExportRecord(e: ExportRecord, controller: Address): HistoryRecord {
  return {
    action: ACTIONS_BY_NAME[e.action],
    controller,
    subject: e.subject.toLowerCase() as Address,
    purpose: e.purpose.toLowerCase() as Hex,
    categories: BigInt(e.categories),
    expiresAt: e.expiresAt,
    noticeHash: e.noticeHash.toLowerCase() as Hex,
    actor: e.actor.toLowerCase() as Address,
    timestamp: e.timestamp,
    seq: BigInt(e.seq),
    head: e.head.toLowerCase() as Hex,
    blockNumber: e.blockNumber === null ? undefined : BigInt(e.blockNumber),
    txHash: (e.txHash ?? undefined) as Hex | undefined,
    logIndex: e.logIndex ?? undefined,
  };
}

/** One CSV row of a record, in the order of CSV_COLUMNS (server/audit/exportFormat.ts writes the file). */
export function csvRow(r: ExportRecord): (string | number)[] {
  return [r.seq, r.action, r.subject, r.purpose, r.categories, r.expiresAt, r.noticeHash, r.actor, r.timestamp, r.head, r.blockNumber ?? "", r.txHash ?? "", r.logIndex ?? ""];
}

export function toJsonExport(controller: string, records: readonly ExportRecord[]): string {
  return JSON.stringify({ controller: controller.toLowerCase(), records }, null, 2) + "\n";
}

/** Parses an export (JSON or CSV, told apart by the first character), checking every field. */
export function parseExport(text: string, controller: Address): HistoryRecord[] {
  const trimmed = text.trimStart();
  let raw: unknown[];
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new ExportFormatError(`export is not valid JSON: ${(err as Error).message}`);
    }
    // One page ({ records }), a bare array of records, or an array of pages.
    const pages = Array.isArray(json) && json.length > 0 && json.every((p) => p && typeof p === "object" && Array.isArray((p as { records?: unknown }).records));
    const list = pages
      ? (json as { records: unknown[] }[]).flatMap((p) => p.records)
      : Array.isArray(json)
        ? json
        : (json as { records?: unknown }).records;
    if (!Array.isArray(list)) throw new ExportFormatError("a JSON export is an array of records, an object with `records`, or an array of such pages");
    raw = list;
  } else {
    let rows: Record<string, string>[];
    try {
      rows = readCsvRecords(trimmed);
    } catch (err) {
      if (!(err instanceof CsvSyntaxError)) throw err;
      throw new ExportFormatError(`export is not valid CSV: ${err.message}`);
    }
    // Pages concatenated as they came keep their repeated header lines: readCsvRecords skips them.
    raw = rows.map((r) => ({
      seq: r.seq,
      action: r.action,
      subject: r.subject,
      purpose: r.purpose,
      categories: r.categories,
      expiresAt: r.expires_at,
      noticeHash: r.notice_hash,
      actor: r.actor,
      timestamp: r.timestamp,
      head: r.head,
      blockNumber: r.block_number,
      txHash: r.tx_hash,
      logIndex: r.log_index,
    }));
  }
  return raw.map((item, i) => {
    const parsed = exportRecordSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ExportFormatError(`export record ${i + 1}: ${issue.path.join(".")}: ${issue.message}`);
    }
    return fromExportRecord(parsed.data as ExportRecord, controller);
  });
}
