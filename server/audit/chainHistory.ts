import { pad, parseEventLogs, toEventSelector, type Address, type Hex, type PublicClient } from "viem";
import { consentLedgerAbi } from "../../client/abis";
import { recordsFromLogs, type HistoryRecord } from "./historyChain";
import { AdaptiveRange, getLogsInRanges, type RpcErrorKind } from "../indexer/rpcRange";

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

const HISTORY_TOPICS = [
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
  const decoded = parseEventLogs({ abi: consentLedgerAbi, logs, eventName: ["ConsentGranted", "ConsentRevoked", "AllConsentsRevoked"] });
  const timestamps = await blockTimestamps(client, decoded.map((l) => l.blockNumber), opts.concurrency ?? 8, (done, total) =>
    opts.onProgress?.({ phase: "blocks", done, total, records: decoded.length }),
  );
  const records = recordsFromLogs(decoded as never, timestamps);
  const [head, length] = await client.readContract({
    address: ledger,
    abi: consentLedgerAbi,
    functionName: "historyHead",
    args: [controller],
    blockNumber: toBlock,
  });
  return { controller, records, fromBlock, toBlock, onChain: { head, length: BigInt(length) } };
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
