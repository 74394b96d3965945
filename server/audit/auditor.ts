import { createPublicClient, http, keccak256, toHex, type Address, type Hex, type PublicClient } from "viem";
import { fetchControllerHistory, type FetchHistoryOptions } from "./chainHistory";
import { compareExport, type Discrepancy } from "./compareExport";
import { consentAt, type ConsentAtAnswer } from "./consentAt";
import { parseExport } from "./exportFormat";
import { verifyHistory, type HistoryVerification } from "./verify";

/**
 * The auditor's independent check, from a JSON-RPC endpoint alone: recompute a controller's history chain
 * from the ledger's logs and compare it with `historyHead`; optionally check a history export against
 * the chain and locate every difference; optionally answer whether one consent was active at a time.
 */
export interface AuditOptions {
  rpcUrl?: string;
  client?: PublicClient;
  ledger: Address;
  controller: Address;
  fromBlock?: bigint;
  toBlock?: bigint;
  maxRange?: number;
  /** The text of a history export (the audit API's JSON or CSV). */
  exportText?: string;
  at?: { time: number; subject: Address; purpose: Hex };
  onProgress?: FetchHistoryOptions["onProgress"];
  onRetry?: FetchHistoryOptions["onRetry"];
}

export interface ExportCheck {
  records: number;
  /** The export's own records recompute to the on-chain head (it is complete, unaltered and in order). */
  verification: HistoryVerification;
  /** Where it differs from the chain's logs (empty for an honest export). */
  discrepancies: Discrepancy[];
  ok: boolean;
}

export interface AuditReport {
  ok: boolean;
  chainId: number;
  ledger: Address;
  controller: Address;
  fromBlock: bigint;
  toBlock: bigint;
  chain: HistoryVerification;
  export?: ExportCheck;
  consentAt?: ConsentAtAnswer;
}

export class AuditInputError extends Error {
  override name = "AuditInputError";
}

/** A purpose given as a 0x bytes32 id, or as its name (hashed with keccak256, the ledger's convention). */
export function purposeId(nameOrId: string): Hex {
  if (/^0x[0-9a-fA-F]{64}$/.test(nameOrId)) return nameOrId.toLowerCase() as Hex;
  if (!nameOrId) throw new AuditInputError("empty purpose");
  return keccak256(toHex(nameOrId));
}

/** A time given as unix seconds or as an ISO 8601 date. */
export function parseTime(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new AuditInputError(`not a time: ${text} (unix seconds or ISO 8601)`);
  return Math.floor(ms / 1000);
}

export async function runAudit(opts: AuditOptions): Promise<AuditReport> {
  const client =
    opts.client ??
    (createPublicClient({ transport: http(opts.rpcUrl, { retryCount: 2, timeout: 30_000 }) }) as PublicClient);
  const exported = opts.exportText === undefined ? undefined : parseExport(opts.exportText, opts.controller);
  const chainId = await client.getChainId();
  const history = await fetchControllerHistory({
    client,
    ledger: opts.ledger,
    controller: opts.controller,
    fromBlock: opts.fromBlock,
    toBlock: opts.toBlock,
    maxRange: opts.maxRange,
    onProgress: opts.onProgress,
    onRetry: opts.onRetry,
  });
  const chain = verifyHistory(history.records, history.onChain);
  const report: AuditReport = {
    ok: chain.verified,
    chainId,
    ledger: opts.ledger,
    controller: history.controller,
    fromBlock: history.fromBlock,
    toBlock: history.toBlock,
    chain,
  };
  if (exported) {
    const verification = verifyHistory(exported, history.onChain);
    const discrepancies = compareExport(history.records, exported);
    const ok = verification.verified && discrepancies.length === 0;
    report.export = { records: exported.length, verification, discrepancies, ok };
    report.ok &&= ok;
  }
  if (opts.at) {
    report.consentAt = consentAt(history.records, { ...opts.at, controller: history.controller });
  }
  return report;
}

/** JSON with bigints as decimal strings. */
export function reportJson(report: AuditReport): string {
  return JSON.stringify(report, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}
