import { createPublicClient, http, type Address, type Hex, type PublicClient } from "viem";
import { fetchControllerHistory, type ChainHistory, type FetchHistoryOptions } from "./chainHistory";
import { compareExport, type Discrepancy } from "./compareExport";
import { consentAt, type ConsentAtAnswer } from "./consentAt";
import { describeEndpoint, EndpointError } from "./endpoint";
import { parseExport } from "./exportFormat";
import type { HistoryRecord } from "./historyChain";
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
  return (await auditHistory(opts)).report;
}

/** `runAudit`, also answering the history it read (the auditor's page keeps it for later questions). */
export async function auditHistory(opts: AuditOptions): Promise<{ report: AuditReport; history: ChainHistory }> {
  if (!opts.client && !opts.rpcUrl) throw new AuditInputError("an endpoint is needed: rpcUrl or client");
  const client = opts.client ?? auditClient(opts.rpcUrl!);
  const endpoint = opts.rpcUrl ? describeEndpoint(opts.rpcUrl) : null;
  const exported = opts.exportText === undefined ? undefined : parseExport(opts.exportText, opts.controller);
  const [chainId, history] = await onEndpoint(
    endpoint,
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
    report.export = checkExport(history, exported);
    report.ok &&= report.export.ok;
  }
  if (opts.at) report.consentAt = await consentAtQuery({ client, endpoint, history, query: opts.at });
  return { report, history };
}

/** Checks an export (parsed) against a history read from the chain: its own recomputation, then record by record. */
export function checkExport(history: Pick<ChainHistory, "records" | "onChain">, exported: readonly HistoryRecord[]): ExportCheck {
  const verification = verifyHistory(exported, history.onChain);
  const discrepancies = compareExport(history.records, exported);
  return { records: exported.length, verification, discrepancies, ok: verification.verified && discrepancies.length === 0 };
}

/** Answers a consent question from a history read from the chain (a block's time is read from the endpoint). */
export async function consentAtQuery({
  client,
  endpoint = null,
  history,
  query,
}: {
  client: PublicClient;
  endpoint?: string | null;
  history: ChainHistory;
  query: ConsentQuery;
}): Promise<NonNullable<AuditReport["consentAt"]>> {
  const { subject, purpose, block } = query;
  let time = query.time ?? history.toBlockTime;
  if (block !== undefined) {
    if (block > history.toBlock) throw new AuditInputError(`block ${block} is after the audited range (to block ${history.toBlock})`);
    time = Number((await onEndpoint(endpoint, client.getBlock({ blockNumber: block }))).timestamp);
  }
  const answer = consentAt(history.records, { subject, purpose, controller: history.controller, time, block });
  return { ...answer, block: block ?? (query.time === undefined ? history.toBlock : null) };
}

function onEndpoint<T>(endpoint: string | null, p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => Promise.reject(EndpointError.wrap(err, endpoint)));
}

/** JSON with bigints as decimal strings. */
export function reportJson(report: unknown): string {
  return JSON.stringify(report, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}
