import { getAddress, pad, toEventSelector, type Address, type Hex, type Log, type PublicClient } from "viem";
import { consentLedgerAbi } from "../abis";
import { recordsFromLogs, type ConsentEventLog, type HistoryRecord } from "./historyChain";
import { AdaptiveRange, getLogsInRanges, type RpcErrorKind } from "./rpcRange";

/**
 * A controller's consent history read straight from a JSON-RPC endpoint: the ConsentGranted,
 * ConsentRevoked and AllConsentsRevoked logs of one ConsentLedger whose controller topic is the
 * controller, in bounded block ranges, with each block's timestamp, plus `historyHead(controller)` read at
 * the last block fetched (so logs and head describe the same chain). No relay, no database.
 */
export interface ChainHistory {
  controller: Address;
  records: HistoryRecord[];
  fromBlock: bigint;
  toBlock: bigint;
  /** The hash and time of `toBlock`: the block the history and the head were read at. */
  toBlockHash: Hex;
  toBlockTime: number;
  onChain: { head: Hex; length: bigint };
}

export interface FetchHistoryOptions {
  client: PublicClient;
  ledger: Address;
  controller: Address;
  fromBlock?: bigint;
  /** Defaults to the latest block. */
  toBlock?: bigint;
  /** Largest eth_getLogs span; halved when the endpoint complains. Default 2000. */
  maxRange?: number;
  /** Parallel eth_getBlockByNumber calls for timestamps. Default 8. */
  concurrency?: number;
  onProgress?: (p: { phase: "logs" | "blocks"; done: bigint | number; total: bigint | number; records: number }) => void;
  onRetry?: (kind: RpcErrorKind, err: unknown, waitMs: number) => void;
}

/** The topic0 of the three consent actions (ConsentGranted, ConsentRevoked, AllConsentsRevoked). */
export const HISTORY_TOPICS = [
  toEventSelector("ConsentGranted(address,address,bytes32,uint64,uint40,bytes32,address,uint64,bytes32)"),
  toEventSelector("ConsentRevoked(address,address,bytes32,address,uint64,bytes32)"),
  toEventSelector("AllConsentsRevoked(address,address,address,uint64,bytes32)"),
];

export async function fetchControllerHistory(opts: FetchHistoryOptions): Promise<ChainHistory> {
  const { client, ledger } = opts;
  const controller = opts.controller.toLowerCase() as Address;
  const toBlock = opts.toBlock ?? (await client.getBlockNumber({ cacheTime: 0 }));
  const fromBlock = opts.fromBlock ?? 0n;
  let seen = 0;
  const logs = await getLogsInRanges({
    client,
    address: ledger,
    topics: [HISTORY_TOPICS, null, pad(controller)],
    fromBlock,
    toBlock,
    range: new AdaptiveRange(opts.maxRange ?? 2000),
    onChunk: (chunk, _from, to) => {
      seen += chunk.length;
      opts.onProgress?.({ phase: "logs", done: to - fromBlock + 1n, total: toBlock - fromBlock + 1n, records: seen });
    },
    onRetry: opts.onRetry,
  });
  const decoded = logs.map(decodeConsentLog).filter((l): l is ConsentEventLog => l !== null);
  const timestamps = await blockTimestamps(client, decoded.flatMap((l) => (l.blockNumber === null ? [] : [l.blockNumber])), opts.concurrency ?? 8, (done, total) =>
    opts.onProgress?.({ phase: "blocks", done, total, records: decoded.length }),
  );
  const records = recordsFromLogs(decoded, timestamps);
  const [[head, length], last] = await Promise.all([
    client.readContract({ address: ledger, abi: consentLedgerAbi, functionName: "historyHead", args: [controller], blockNumber: toBlock }),
    client.getBlock({ blockNumber: toBlock }),
  ]);
  return {
    controller,
    records,
    fromBlock,
    toBlock,
    toBlockHash: last.hash,
    toBlockTime: Number(last.timestamp),
    onChain: { head, length: BigInt(length) },
  };
}

/**
 * One ConsentGranted, ConsentRevoked or AllConsentsRevoked log decoded as viem's `parseEventLogs` decodes it
 * (checksummed addresses, bigint uint64s, number uint40), or null for another event. Written out for these
 * three events (indexed topics, then fixed 32-byte words of data), it is several times faster than the
 * generic ABI decoder, which counts for a 10,000-action history in the browser; test/audit/audit.test.ts
 * checks it against `parseEventLogs` on real logs.
 */
export function decodeConsentLog(log: Log): ConsentEventLog | null {
  const [sig, subjectTopic, controllerTopic, purposeTopic] = log.topics;
  const word = (i: number) => log.data.slice(2 + 64 * i, 2 + 64 * (i + 1));
  const address = (w: string) => getAddress(`0x${w.slice(24)}`);
  const base = { blockNumber: log.blockNumber, transactionHash: log.transactionHash, logIndex: log.logIndex };
  const subject = subjectTopic && address(subjectTopic.slice(2));
  const controller = controllerTopic && address(controllerTopic.slice(2));
  if (sig === HISTORY_TOPICS[0] && log.data.length === 2 + 64 * 6 && purposeTopic) {
    const args = {
      subject,
      controller,
      purpose: purposeTopic,
      categories: BigInt(`0x${word(0)}`),
      expiresAt: Number(BigInt(`0x${word(1)}`)),
      noticeHash: `0x${word(2)}` as Hex,
      actor: address(word(3)),
      seq: BigInt(`0x${word(4)}`),
      head: `0x${word(5)}` as Hex,
    };
    return { ...base, eventName: "ConsentGranted", args };
  }
  if (sig === HISTORY_TOPICS[1] && log.data.length === 2 + 64 * 3 && purposeTopic) {
    return { ...base, eventName: "ConsentRevoked", args: { subject, controller, purpose: purposeTopic, actor: address(word(0)), seq: BigInt(`0x${word(1)}`), head: `0x${word(2)}` as Hex } };
  }
  if (sig === HISTORY_TOPICS[2] && log.data.length === 2 + 64 * 3 && controllerTopic) {
    return { ...base, eventName: "AllConsentsRevoked", args: { subject, controller, actor: address(word(0)), seq: BigInt(`0x${word(1)}`), head: `0x${word(2)}` as Hex } };
  }
  return null;
}

/** Timestamps of the given blocks (deduplicated), fetched with bounded concurrency. */
export async function blockTimestamps(
  client: PublicClient,
  blocks: Iterable<bigint>,
  concurrency: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Map<bigint, bigint>> {
  const wanted = [...new Set(blocks)];
  const out = new Map<bigint, bigint>();
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const n = wanted[next++];
      const block = await client.getBlock({ blockNumber: n });
      out.set(n, block.timestamp);
      if (out.size % 100 === 0 || out.size === wanted.length) onProgress?.(out.size, wanted.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, wanted.length)) }, worker));
  return out;
}
