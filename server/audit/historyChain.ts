/**
 * The per-controller consent history chain of ConsentLedger, recomputed off chain.
 *
 * Every grant, revocation and revoke-all concerning a controller extends its chain on chain:
 *
 *   head' = keccak256(abi.encode(head, uint8 action, address subject, bytes32 purpose, uint64 categories,
 *                                uint40 expiresAt, bytes32 noticeHash, address actor, uint40 timestamp))
 *
 * starting from the zero hash; `length` counts the actions. Fields that do not apply to an action are zero
 * (a revocation has no categories, expiry or notice; a revoke-all has no purpose either). Recomputing the
 * chain from an export (or from logs alone) and comparing it with one `historyHead(controller)` call
 * detects any omitted, altered or reordered record.
 *
 * Pure functions, no I/O: the auditor CLI, the audit API and the tests share them.
 */
import { encodeAbiParameters, keccak256, zeroHash, type Address, type Hex } from "viem";

/** The `action` byte hashed into each link. */
export enum HistoryAction {
  Grant = 1,
  Revoke = 2,
  RevokeAll = 3,
}

/** One link of a controller's history: the hashed fields, plus where it came from. */
export interface HistoryRecord {
  action: HistoryAction;
  controller: Address;
  subject: Address;
  /** Zero hash for a revoke-all. */
  purpose: Hex;
  /** uint64 bitmap; 0n for revocations. */
  categories: bigint;
  /** uint40 unix time, 0 = no expiry; 0 for revocations. */
  expiresAt: number;
  /** Zero hash for revocations. */
  noticeHash: Hex;
  /** Who authorised it: the subject calling directly, or the signer (subject or delegate) of a by-sig action. */
  actor: Address;
  /** Block timestamp of the transaction (uint40). */
  timestamp: number;
  /** 1-based position in the controller's chain, as emitted. */
  seq: bigint;
  /** Head after this record, as emitted. */
  head: Hex;
  blockNumber?: bigint;
  txHash?: Hex;
  logIndex?: number;
}

/** The fields that enter the hash; `seq` and `head` are outputs of the chain, not inputs. */
export type HistoryLink = Pick<
  HistoryRecord,
  "action" | "subject" | "purpose" | "categories" | "expiresAt" | "noticeHash" | "actor" | "timestamp"
>;

const LINK_PARAMS = [
  { type: "bytes32" },
  { type: "uint8" },
  { type: "address" },
  { type: "bytes32" },
  { type: "uint64" },
  { type: "uint40" },
  { type: "bytes32" },
  { type: "address" },
  { type: "uint40" },
] as const;

/** The head after appending `record` to a chain whose head is `prevHead`. */
export function nextHead(prevHead: Hex, record: HistoryLink): Hex {
  return keccak256(
    encodeAbiParameters(LINK_PARAMS, [
      prevHead,
      record.action,
      record.subject,
      record.purpose,
      record.categories,
      record.expiresAt,
      record.noticeHash,
      record.actor,
      record.timestamp,
    ]),
  );
}

/** Recomputes a whole chain from the zero hash, in the order given. Compare with `historyHead(controller)`. */
export function recomputeHead(records: readonly HistoryLink[]): { head: Hex; length: bigint } {
  let head: Hex = zeroHash;
  for (const r of records) head = nextHead(head, r);
  return { head, length: BigInt(records.length) };
}

/**
 * Index of the first record whose emitted `seq` or `head` disagrees with the recomputation from the
 * records before it (an altered, missing or reordered record shows up at or just after that point), or -1.
 */
export function firstBrokenLink(records: readonly HistoryRecord[]): number {
  let head: Hex = zeroHash;
  for (let i = 0; i < records.length; i++) {
    head = nextHead(head, records[i]);
    if (records[i].seq !== BigInt(i + 1) || records[i].head.toLowerCase() !== head.toLowerCase()) return i;
  }
  return -1;
}

/** The shape of a decoded viem log (`parseEventLogs`, `getContractEvents`) that this module reads. */
export interface ConsentEventLog {
  eventName: string;
  /** The decoded arguments (viem types them per event; read here by name). */
  args: unknown;
  blockNumber: bigint | null;
  transactionHash: Hex | null;
  logIndex: number | null;
}

/**
 * Turns decoded ConsentGranted / ConsentRevoked / AllConsentsRevoked logs into history records (other
 * events are skipped), ordered by block and log index. Events carry no time, so `blockTimestamps` maps each
 * block number to its timestamp; a missing block is an error.
 */
export function recordsFromLogs(
  logs: readonly ConsentEventLog[],
  blockTimestamps: ReadonlyMap<bigint, bigint | number>,
): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  for (const log of logs) {
    const a = log.args as Record<string, unknown>;
    let action: HistoryAction;
    if (log.eventName === "ConsentGranted") action = HistoryAction.Grant;
    else if (log.eventName === "ConsentRevoked") action = HistoryAction.Revoke;
    else if (log.eventName === "AllConsentsRevoked") action = HistoryAction.RevokeAll;
    else continue;
    if (log.blockNumber === null) throw new Error(`${log.eventName} log is pending (no block number)`);
    const ts = blockTimestamps.get(log.blockNumber);
    if (ts === undefined) throw new Error(`no timestamp for block ${log.blockNumber}`);
    const grant = action === HistoryAction.Grant;
    out.push({
      action,
      controller: a.controller as Address,
      subject: a.subject as Address,
      purpose: action === HistoryAction.RevokeAll ? zeroHash : (a.purpose as Hex),
      categories: grant ? BigInt(a.categories as bigint) : 0n,
      expiresAt: grant ? Number(a.expiresAt) : 0,
      noticeHash: grant ? (a.noticeHash as Hex) : zeroHash,
      actor: a.actor as Address,
      timestamp: Number(ts),
      seq: BigInt(a.seq as bigint),
      head: a.head as Hex,
      blockNumber: log.blockNumber,
      txHash: log.transactionHash ?? undefined,
      logIndex: log.logIndex ?? undefined,
    });
  }
  return out.sort((x, y) =>
    x.blockNumber !== y.blockNumber
      ? x.blockNumber! < y.blockNumber!
        ? -1
        : 1
      : (x.logIndex ?? 0) - (y.logIndex ?? 0),
  );
}
