import { createPublicClient, http, type Address, type Hex, type PublicClient } from "viem";
import { fetchControllerHistory, type FetchHistoryOptions } from "./chainHistory";
import { compareExport, type Discrepancy } from "./compareExport";
import { consentAt, type ConsentAtAnswer } from "./consentAt";
import { describeEndpoint, EndpointError } from "./endpoint";
import { parseExport } from "./exportFormat";
import { verifyHistory, type HistoryVerification } from "./verify";

/**
 * The auditor's independent check, from a JSON-RPC endpoint alone: recompute a controller's history chain
 * from the ledger's logs and compare it with `historyHead`; optionally check a history export against
 * the chain and locate every difference; optionally answer whether one consent was active at a time.
 * Runs in Node (the CLI, the relay's tests, the benchmark) and in the browser (the auditor's page).
 */
export interface AuditOptions {
  /** The JSON-RPC endpoint (named, without its path, in errors); or `client`. */
  rpcUrl?: string;
  client?: PublicClient;
  ledger: Address;
  controller: Address;
  fromBlock?: bigint;
  toBlock?: bigint;
  maxRange?: number;
  /** The text of a history export (the audit API's JSON or CSV). */
  exportText?: string;
  /** Was this consent active: at a unix time, at a block (its records up to it, at its time), or at the audited block ("now"). */
  at?: ConsentQuery;
  onProgress?: FetchHistoryOptions["onProgress"];
  onRetry?: FetchHistoryOptions["onRetry"];
}

/** One consent and the moment asked about: `time` (unix seconds), `block`, or neither for the audited block's time. */
export interface ConsentQuery {
  subject: Address;
  purpose: Hex;
  time?: number;
  block?: bigint;
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
  /** The history (and the export, when given) agree with historyHead. Says nothing of `consentAt.active`. */
  ok: boolean;
  chainId: number;
  /** The endpoint's origin (its path, which may hold an API key, left out). */
  endpoint: string | null;
  ledger: Address;
  controller: Address;
  fromBlock: bigint;
  toBlock: bigint;
  /** Hash and time of the block the history and the head were read at. */
  toBlockHash: Hex;
  toBlockTime: number;
  /** When the check ran (unix seconds, the auditor's clock). */
  checkedAt: number;
  chain: HistoryVerification;
  export?: ExportCheck;
  consentAt?: ConsentAtAnswer & { block: bigint | null };
}

export class AuditInputError extends Error {
  override name = "AuditInputError";
}

/** A time given as unix seconds or as an ISO 8601 date. */
export function parseTime(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new AuditInputError(`not a time: ${text} (unix seconds or ISO 8601)`);
  return Math.floor(ms / 1000);
}

/** A public client for `rpcUrl` as the auditor uses it: retries, a generous timeout, batched JSON-RPC. */
export function auditClient(rpcUrl: string): PublicClient {
  return createPublicClient({ transport: http(rpcUrl, { retryCount: 2, timeout: 30_000, batch: { batchSize: 100 } }) }) as PublicClient;
}

export async function runAudit(opts: AuditOptions): Promise<AuditReport> {
  if (!opts.client && !opts.rpcUrl) throw new AuditInputError("an endpoint is needed: rpcUrl or client");
  const client = opts.client ?? auditClient(opts.rpcUrl!);
  const endpoint = opts.rpcUrl ? describeEndpoint(opts.rpcUrl) : null;
  const exported = opts.exportText === undefined ? undefined : parseExport(opts.exportText, opts.controller);
  const onEndpoint = <T>(p: Promise<T>) => p.catch((err: unknown) => Promise.reject(EndpointError.wrap(err, endpoint)));
  const [chainId, history] = await onEndpoint(
    Promise.all([
      client.getChainId(),
      fetchControllerHistory({
        client,
        ledger: opts.ledger,
        controller: opts.controller,
        fromBlock: opts.fromBlock,
        toBlock: opts.toBlock,
        maxRange: opts.maxRange,
        onProgress: opts.onProgress,
        onRetry: opts.onRetry,
      }),
    ]),
  );
  const chain = verifyHistory(history.records, history.onChain);
  const report: AuditReport = {
    ok: chain.verified,
    chainId,
    endpoint,
    ledger: opts.ledger,
    controller: history.controller,
    fromBlock: history.fromBlock,
    toBlock: history.toBlock,
    toBlockHash: history.toBlockHash,
    toBlockTime: history.toBlockTime,
    checkedAt: Math.floor(Date.now() / 1000),
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
    const { subject, purpose, block } = opts.at;
    let time = opts.at.time ?? history.toBlockTime;
    if (block !== undefined) {
      if (block > history.toBlock) throw new AuditInputError(`block ${block} is after the audited range (to block ${history.toBlock})`);
      time = Number((await onEndpoint(client.getBlock({ blockNumber: block }))).timestamp);
    }
    const answer = consentAt(history.records, { subject, purpose, controller: history.controller, time, block });
    report.consentAt = { ...answer, block: block ?? (opts.at.time === undefined ? history.toBlock : null) };
  }
  return report;
}

/** JSON with bigints as decimal strings. */
export function reportJson(report: unknown): string {
  return JSON.stringify(report, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}
