import { zeroAddress, type Address, type Log } from "viem";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { recordsFromLogs, type HistoryRecord } from "../audit/historyChain";
import { createLogDecoder } from "./logDecoder";

/**
 * Turns one range's raw logs of both contracts into the rows the indexer stores. Every row carries its
 * chain location (block number and hash, log index, transaction) and its block's timestamp.
 */
export interface Location {
  blockNumber: number;
  blockHash: string;
  logIndex: number;
  txHash: string;
  timestamp: number;
}

export interface HistoryRow extends Location {
  record: HistoryRecord;
}

export interface DelegateRow extends Location {
  subject: string;
  delegate: string;
  until: number;
}

export interface NoticeRow extends Location {
  controller: string;
  purpose: string;
  noticeHash: string;
  noticeUri: string;
}

export type PointsKind =
  | "issued"
  | "reversed"
  | "redeemed"
  | "expired"
  | "deposited"
  | "withdrawn"
  | "transfer"
  | "brand_admitted"
  | "brand_suspended"
  | "operator_set"
  | "redemptions_accepted";

export interface PointsRow extends Location {
  kind: PointsKind;
  brand: string | null;
  customer: string | null;
  counterparty: string | null;
  amount: string;
  ref: string | null;
}

export interface DecodedRange {
  history: HistoryRow[];
  delegates: DelegateRow[];
  notices: NoticeRow[];
  points: PointsRow[];
}

export class DecodeError extends Error {
  override name = "DecodeError";
}

const lc = (a: unknown): string => String(a).toLowerCase();

// Addresses come out lowercase (every row stores them so): see logDecoder.ts.
const decodeLedgerLogs = createLogDecoder(consentLedgerAbi);
const decodePointsLogs = createLogDecoder(coalitionPointsAbi);

export function decodeRange(
  logs: readonly Log[],
  contracts: { ledger: Address; points: Address },
  timestamps: ReadonlyMap<bigint, bigint>,
): DecodedRange {
  const ledger = contracts.ledger.toLowerCase();
  const points = contracts.points.toLowerCase();
  const ledgerLogs = logs.filter((l) => l.address.toLowerCase() === ledger);
  const pointsLogs = logs.filter((l) => l.address.toLowerCase() === points);
  const out: DecodedRange = { history: [], delegates: [], notices: [], points: [] };

  const locate = (l: { blockNumber: bigint | null; blockHash: string | null; logIndex: number | null; transactionHash: string | null }): Location => {
    if (l.blockNumber === null || l.blockHash === null || l.logIndex === null || l.transactionHash === null) {
      throw new DecodeError("pending log in a mined range");
    }
    const ts = timestamps.get(l.blockNumber);
    if (ts === undefined) throw new DecodeError(`no timestamp for block ${l.blockNumber}`);
    return { blockNumber: Number(l.blockNumber), blockHash: lc(l.blockHash), logIndex: l.logIndex, txHash: lc(l.transactionHash), timestamp: Number(ts) };
  };

  const ledgerEvents = decodeLedgerLogs(ledgerLogs);
  const hashes = new Map<string, Log>();
  for (const l of ledgerLogs) hashes.set(`${l.blockNumber}:${l.logIndex}`, l);
  for (const rec of recordsFromLogs(ledgerEvents as never, timestamps)) {
    const raw = hashes.get(`${rec.blockNumber}:${rec.logIndex}`);
    if (!raw) throw new DecodeError(`history log ${rec.blockNumber}:${rec.logIndex} not found`);
    out.history.push({ ...locate(raw), record: rec });
  }
  for (const e of ledgerEvents) {
    if (e.eventName === "DelegateSet") {
      out.delegates.push({ ...locate(e), subject: lc(e.args.subject), delegate: lc(e.args.delegate), until: Number(e.args.until) });
    } else if (e.eventName === "PurposeDefined") {
      out.notices.push({
        ...locate(e),
        controller: lc(e.args.controller),
        purpose: lc(e.args.purpose),
        noticeHash: lc(e.args.noticeHash),
        noticeUri: e.args.noticeURI,
      });
    }
  }

  const row = (e: Parameters<typeof locate>[0], kind: PointsKind, f: Partial<Omit<PointsRow, keyof Location | "kind">>): PointsRow => ({
    ...locate(e),
    kind,
    brand: f.brand ?? null,
    customer: f.customer ?? null,
    counterparty: f.counterparty ?? null,
    amount: f.amount ?? "0",
    ref: f.ref ?? null,
  });
  for (const e of decodePointsLogs(pointsLogs)) {
    switch (e.eventName) {
      case "PointsIssued":
        out.points.push(row(e, "issued", { brand: lc(e.args.brand), customer: lc(e.args.customer), amount: e.args.points.toString(), ref: lc(e.args.receiptId) }));
        break;
      case "PointsReversed":
        out.points.push(row(e, "reversed", { brand: lc(e.args.brand), customer: lc(e.args.customer), amount: e.args.points.toString(), ref: lc(e.args.receiptId) }));
        break;
      case "PointsRedeemed":
        out.points.push(row(e, "redeemed", { brand: lc(e.args.brand), customer: lc(e.args.customer), amount: e.args.points.toString(), ref: lc(e.args.orderRef) }));
        break;
      case "PointsExpired":
        out.points.push(row(e, "expired", { customer: lc(e.args.customer), amount: e.args.points.toString() }));
        break;
      case "Deposited":
        out.points.push(row(e, "deposited", { brand: lc(e.args.brand), amount: e.args.amount.toString() }));
        break;
      case "Withdrawn":
        out.points.push(row(e, "withdrawn", { brand: lc(e.args.brand), counterparty: lc(e.args.to), amount: e.args.amount.toString() }));
        break;
      case "Transfer":
        if (e.args.from !== zeroAddress && e.args.to !== zeroAddress) {
          out.points.push(row(e, "transfer", { customer: lc(e.args.from), counterparty: lc(e.args.to), amount: e.args.value.toString() }));
        }
        break;
      case "BrandAdmitted":
        out.points.push(row(e, "brand_admitted", { brand: lc(e.args.brand) }));
        break;
      case "BrandSuspended":
        out.points.push(row(e, "brand_suspended", { brand: lc(e.args.brand) }));
        break;
      case "RedemptionsAccepted":
        out.points.push(row(e, "redemptions_accepted", { brand: lc(e.args.brand), amount: e.args.accepted ? "1" : "0" }));
        break;
      case "OperatorSet":
        out.points.push(row(e, "operator_set", { brand: lc(e.args.brand), counterparty: lc(e.args.operator), amount: e.args.allowed ? "1" : "0" }));
        break;
      default:
        break;
    }
  }
  return out;
}
