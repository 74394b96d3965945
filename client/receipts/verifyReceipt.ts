import { decodeEventLog, formatLog, pad, toHex, TransactionReceiptNotFoundError, zeroHash, type Address, type Hex, type PublicClient, type RpcLog } from "viem";
import { consentLedgerAbi } from "../abis";
import { categoryNames } from "../categories";
import { HISTORY_TOPICS } from "../audit/chainHistory";
import { describeEndpoint, EndpointError } from "../audit/endpoint";
import { ACTION_NAMES } from "../audit/historyChain";
import { nextHead, recordsFromLogs, type HistoryRecord } from "../audit/historyChain";
import { receiptTime, type ConsentReceipt } from "./schema";

/** One field of a receipt compared with the chain. `chain` is null when the chain has no say (format checks). */
export interface ReceiptCheck {
  /** The receipt's field, as a path: `expiresAt`, `evidence.seq`, `categories.names`. */
  field: string;
  ok: boolean;
  receipt: string;
  chain: string | null;
  /** Why it fails, in words (absent when it holds). */
  message?: string;
}

/** Where the previous head was read: none needed (seq 1), the same block's logs, `historyHead` at the block before, earlier logs. */
export type PreviousHeadSource = "start" | "same-block" | "history-head" | "logs";

export interface VerifyReceiptParameters {
  /** A public client of the chain the receipt names (or `rpcUrl`). */
  client: PublicClient;
  /** The endpoint's URL, to name it in errors (only its origin is shown). */
  rpcUrl?: string;
  receipt: ConsentReceipt;
  /** Largest eth_getLogs span when the previous action must be searched for (default 2000). */
  maxRange?: number;
}

export interface VerifyReceiptReturnType {
  /** Every check holds: the action is in the controller's history at that position, with those fields. */
  ok: boolean;
  checks: ReceiptCheck[];
  /** The first check that fails (in the order of `checks`), or null. */
  firstFailure: ReceiptCheck | null;
  /** Where the chain recorded it, when the log was found. */
  chain: {
    blockNumber: bigint;
    blockHash: Hex;
    blockTime: number;
    /** The controller's head before this action, and where it was read. */
    previousHead: Hex | null;
    previousHeadFrom: PreviousHeadSource | null;
    /** Blocks mined on top of it (0: it is in the latest block). */
    confirmations: bigint;
  } | null;
}

const lower = (v: string) => v.toLowerCase();

/**
 * Verifies one receipt against the chain alone: the chain is the one the receipt names; the transaction's
 * log at that index is a ConsentLedger consent action of that ledger; its fields (type, subject,
 * controller, purpose, notice, categories, expiry, actor, block time) are the receipt's; its `seq` and
 * `head` are the receipt's; and that head chains: it is `keccak256(abi.encode(previous head, the
 * action's fields))`, the previous head read from the controller's action `seq - 1` (in the same block,
 * else `historyHead` at the block before, else the logs before it: check `link`). Also: the category names
 * are the bitmap's, and `collectionMethod` is `delegate` exactly when the actor on chain is not the subject.
 * Fields the chain does not hold (recordId, purpose.name, notice.uri, legalBasis) are not checked.
 *
 * Throws EndpointError when the endpoint fails; a receipt the chain contradicts is `ok: false`, never thrown.
 */
export async function verifyReceipt({ client, rpcUrl, receipt, maxRange = 2000 }: VerifyReceiptParameters): Promise<VerifyReceiptReturnType> {
  const endpoint = rpcUrl ? describeEndpoint(rpcUrl) : null;
  const call = <T>(p: Promise<T>) => p.catch((err: unknown) => Promise.reject(EndpointError.wrap(err, endpoint)));
  const checks: ReceiptCheck[] = [];
  const check = (field: string, receiptValue: string, chainValue: string | null, message: string, same = receiptValue === chainValue) => {
    checks.push({ field, ok: same, receipt: receiptValue, chain: chainValue, ...(same ? {} : { message }) });
    return same;
  };
  const done = (chain: VerifyReceiptReturnType["chain"]): VerifyReceiptReturnType => {
    const firstFailure = checks.find((c) => !c.ok) ?? null;
    return { ok: firstFailure === null, checks, firstFailure, chain };
  };
  const ev = receipt.evidence;

  // Checks that need no chain.
  const bitmap = BigInt(receipt.categories.bitmap);
  check("categories.names", receipt.categories.names.join(" "), categoryNames(bitmap).join(" "), "the names are not those of the bitmap", receipt.categories.names.join(" ") === categoryNames(bitmap).join(" "));

  // The chain, the transaction, the log.
  const chainId = await call(client.getChainId());
  if (!check("evidence.chainId", String(ev.chainId), String(chainId), "the endpoint serves another chain")) return done(null);
  const tx = await client.getTransactionReceipt({ hash: ev.transactionHash as Hex }).catch((err: unknown) => {
    if (err instanceof TransactionReceiptNotFoundError) return null;
    throw EndpointError.wrap(err, endpoint);
  });
  if (!check("evidence.transactionHash", lower(ev.transactionHash), tx ? lower(tx.transactionHash) : null, "no such transaction on this chain")) return done(null);
  const log = tx!.logs.find((l) => l.logIndex === ev.logIndex);
  if (!check("evidence.logIndex", String(ev.logIndex), log ? String(log.logIndex) : null, "the transaction has no log at this index")) return done(null);
  if (!check("evidence.ledger", lower(ev.ledger), lower(log!.address), "the log was emitted by another contract")) return done(null);
  let decoded;
  try {
    decoded = decodeEventLog({ abi: consentLedgerAbi, data: log!.data, topics: log!.topics });
  } catch {
    decoded = null;
  }
  const isAction = decoded !== null && ["ConsentGranted", "ConsentRevoked", "AllConsentsRevoked"].includes(decoded.eventName);
  if (!check("evidence.logIndex", String(ev.logIndex), isAction ? String(ev.logIndex) : `${decoded?.eventName ?? "an unknown event"}`, "the log at this index is not a consent action")) return done(null);

  const block = await call(client.getBlock({ blockNumber: log!.blockNumber! }));
  const [rec] = recordsFromLogs([{ ...decoded!, blockNumber: log!.blockNumber, transactionHash: log!.transactionHash, logIndex: log!.logIndex }], new Map([[block.number!, block.timestamp]]));

  // The action's fields.
  check("event.type", receipt.event.type, ACTION_NAMES[rec.action], "the chain recorded another kind of action");
  check("subject", lower(receipt.subject), lower(rec.subject), "another customer on chain");
  check("controller", lower(receipt.controller), lower(rec.controller), "another brand on chain");
  check("purpose.id", lower(receipt.purpose.id), lower(rec.purpose), "another purpose on chain");
  check("notice.hash", lower(receipt.notice.hash), lower(rec.noticeHash), "another notice on chain");
  check("categories.bitmap", receipt.categories.bitmap, rec.categories.toString(), "other categories on chain");
  check("expiresAt", receipt.expiresAt ?? "never", rec.expiresAt === 0 ? "never" : receiptTime(rec.expiresAt), "another expiry on chain");
  check("actor", lower(receipt.actor), lower(rec.actor), "another actor on chain");
  check("event.time", receipt.event.time, receiptTime(rec.timestamp), "the block's time differs");
  check("evidence.seq", ev.seq, rec.seq.toString(), "the action is at another position in the history");
  check("evidence.head", lower(ev.head), lower(rec.head), "the head after the action differs");
  const delegated = lower(rec.actor) !== lower(rec.subject);
  check(
    "collectionMethod",
    receipt.collectionMethod,
    delegated ? "delegate" : "app or in-store",
    delegated ? "a delegate acted on chain (the actor is not the subject)" : "the subject acted on chain, not a delegate",
    delegated === (receipt.collectionMethod === "delegate"),
  );

  // The head chains from the previous one.
  const previous = await previousHead({ client, call, record: rec, ledger: log!.address, maxRange });
  const recomputed = previous.head === null ? null : nextHead(previous.head, rec);
  // The chain's own consistency (an endpoint serving an invented log fails here): the log's head is the previous head extended by this action.
  check("link", lower(rec.head), recomputed, previous.head === null ? `the previous action (seq ${rec.seq - 1n}) was not found` : "the log's head does not chain from the previous head", recomputed === lower(rec.head));
  const latest = await call(client.getBlockNumber({ cacheTime: 0 }));
  return done({
    blockNumber: block.number!,
    blockHash: block.hash!,
    blockTime: Number(block.timestamp),
    previousHead: previous.head,
    previousHeadFrom: previous.from,
    confirmations: latest - block.number!,
  });
}

/** The controller's head before `record`: zero at seq 1, else action seq - 1's head, read as cheaply as the endpoint allows. */
async function previousHead({
  client,
  call,
  record,
  ledger,
  maxRange,
}: {
  client: PublicClient;
  call: <T>(p: Promise<T>) => Promise<T>;
  record: HistoryRecord;
  ledger: Address;
  maxRange: number;
}): Promise<{ head: Hex | null; from: PreviousHeadSource | null }> {
  if (record.seq === 1n) return { head: zeroHash, from: "start" };
  const want = record.seq - 1n;
  const topics = [HISTORY_TOPICS, null, pad(lower(record.controller) as Hex)] as const;
  const logsIn = async (from: bigint, to: bigint) => {
    const raw = (await call(client.request({ method: "eth_getLogs", params: [{ address: ledger, fromBlock: toHex(from), toBlock: toHex(to), topics: topics as never }] }))) as RpcLog[];
    const found = raw.map((l) => formatLog(l)).find((l) => {
      const d = decodeEventLog({ abi: consentLedgerAbi, data: l.data, topics: l.topics });
      return (d.args as { seq?: bigint }).seq === want;
    });
    return found ? (decodeEventLog({ abi: consentLedgerAbi, data: found.data, topics: found.topics }).args as { head: Hex }).head : null;
  };
  const n = record.blockNumber!;
  const sameBlock = await logsIn(n, n);
  if (sameBlock) return { head: sameBlock, from: "same-block" };
  if (n === 0n) return { head: null, from: null };
  try {
    const [head, length] = await client.readContract({ address: ledger, abi: consentLedgerAbi, functionName: "historyHead", args: [record.controller], blockNumber: n - 1n });
    if (BigInt(length) === want) return { head, from: "history-head" };
    return { head: null, from: null };
  } catch {
    // A node without the old state (not an archive node): search the logs backwards.
  }
  for (let to = n - 1n; to >= 0n; to -= BigInt(maxRange)) {
    const from = to - BigInt(maxRange) + 1n > 0n ? to - BigInt(maxRange) + 1n : 0n;
    const head = await logsIn(from, to);
    if (head) return { head, from: "logs" };
    if (from === 0n) break;
  }
  return { head: null, from: null };
}
