import { BlockNotFoundError, type Address, type Log, type PublicClient } from "viem";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { coalitionPointsAbi } from "../../client/abis";
import type { Db } from "../store/db";
import { decodeRange } from "./decode";
import { indexerMetrics, type IndexerMetrics } from "./metrics";
import { AdaptiveRange, Backoff, classifyRpcError, sleep } from "./rpcRange";
import { readCursor, rewindTo, storeRange, type BlockRow, type Cursor } from "./store";
import { queueChainEvents, retractChainEvents } from "../webhooks/chainEvents";

export interface IndexerStatus {
  indexedBlock: number;
  headBlock: number;
  lag: number;
}

export interface IndexerOptions {
  client: PublicClient;
  db: Db;
  logger: Logger;
  registry: Registry;
  contracts: { ledger: Address; points: Address };
  deployBlock: number;
  /** Index up to head - confirmations. */
  confirmations: number;
  /** Largest eth_getLogs span in blocks. */
  maxRange: number;
  /** Wait between polls once caught up. */
  pollMs: number;
  /** Blocks below the cursor whose hashes are kept to find the common ancestor of a reorganisation. */
  reorgWindow?: number;
}

/** One pass of the loop: moved forward, nothing to do, rewound, or try again at once. */
export type StepResult = "advanced" | "idle" | "reorg" | "retry";

export class IndexerStoppedError extends Error {
  override name = "IndexerStoppedError";
}

const LOCK_KEY = 727_275;

/**
 * Follows ConsentLedger's and CoalitionPoints' logs from the deployment block into the database, behind a
 * confirmation depth, one bounded range per database transaction (events, derived rows and cursor commit
 * together). Before each range it checks the stored cursor's hash and that the range's first block builds
 * on it; a range is stored only if the chain did not change while it was read (the last block's hash is
 * read before and after). On a mismatch it walks back the stored block hashes to the newest one the chain
 * still has (the common ancestor), deletes everything stored after it and recomputes what that touched.
 */
export class ChainIndexer {
  readonly metrics: IndexerMetrics;
  private readonly range: AdaptiveRange;
  private readonly backoff = new Backoff();
  private unitValue: bigint | undefined;
  private head = -1;
  private indexed: number;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wakeUp = new AbortController();
  private waiters: { armed: boolean; resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly opts: IndexerOptions) {
    this.metrics = indexerMetrics(opts.registry);
    this.range = new AdaptiveRange(opts.maxRange);
    this.indexed = opts.deployBlock - 1;
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp.abort();
    await this.loop;
    for (const w of this.waiters.splice(0)) w.reject(new IndexerStoppedError("indexer stopped"));
  }

  async status(): Promise<IndexerStatus> {
    try {
      this.noteHead(Number(await this.opts.client.getBlockNumber({ cacheTime: 0 })));
    } catch {
      /* endpoint down: report the last head seen */
    }
    const cursor = await readCursor(this.opts.db);
    this.indexed = cursor?.blockNumber ?? this.opts.deployBlock - 1;
    const headBlock = Math.max(this.head, 0);
    return { indexedBlock: this.indexed, headBlock, lag: Math.max(0, headBlock - this.indexed) };
  }

  /** Resolves after a full pass, started after this call, found the index up to head - confirmations. */
  caughtUp(): Promise<void> {
    if (this.stopped) return Promise.reject(new IndexerStoppedError("indexer stopped"));
    return new Promise((resolve, reject) => {
      this.waiters.push({ armed: false, resolve, reject });
      this.wake();
    });
  }

  /** Runs passes until one finds nothing to do (for tests and one-shot rebuilds; not with `start`). */
  async syncToHead(): Promise<void> {
    for (;;) if ((await this.step()) === "idle") return;
  }

  private wake(): void {
    this.wakeUp.abort();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.wakeUp.signal.aborted) this.wakeUp = new AbortController();
      for (const w of this.waiters) w.armed = true;
      let result: StepResult;
      try {
        result = await this.step();
        this.backoff.reset();
      } catch (err) {
        const kind = classifyRpcError(err);
        this.metrics.rpcErrors.inc({ kind });
        const wait = this.backoff.next();
        this.opts.logger.warn({ err, kind, retryInMs: wait }, "indexer step failed");
        await sleep(wait, this.stopSignal());
        continue;
      }
      if (result === "idle") {
        const ready = this.waiters.filter((w) => w.armed);
        this.waiters = this.waiters.filter((w) => !w.armed);
        for (const w of ready) w.resolve();
        if (!this.waiters.length) await sleep(this.opts.pollMs, this.wakeUp.signal);
      }
    }
  }

  private stopSignal(): AbortSignal {
    return this.wakeUp.signal;
  }

  private noteHead(head: number): void {
    this.head = head;
    this.metrics.headBlock.set(head);
    this.metrics.lag.set(Math.max(0, head - this.indexed));
  }

  private noteIndexed(block: number): void {
    this.indexed = block;
    this.metrics.indexedBlock.set(block);
    this.metrics.lag.set(Math.max(0, this.head - block));
  }

  private async header(n: number): Promise<BlockRow> {
    const b = await this.opts.client.getBlock({ blockNumber: BigInt(n) });
    if (!b.hash) throw new Error(`block ${n} has no hash`);
    return { blockNumber: n, blockHash: b.hash.toLowerCase(), parentHash: b.parentHash.toLowerCase(), timestamp: Number(b.timestamp) };
  }

  /** The block, or null when the chain has none at that height (it got shorter). */
  private async headerOrNull(n: number): Promise<BlockRow | null> {
    try {
      return await this.header(n);
    } catch (err) {
      if (err instanceof BlockNotFoundError) return null;
      throw err;
    }
  }

  private async getUnitValue(): Promise<bigint> {
    this.unitValue ??= await this.opts.client.readContract({
      address: this.opts.contracts.points,
      abi: coalitionPointsAbi,
      functionName: "unitValue",
    });
    return this.unitValue;
  }

  /** One pass: check the cursor, then read, check and store at most one range. */
  async step(): Promise<StepResult> {
    const { client, db, confirmations, deployBlock, contracts } = this.opts;
    const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
    this.noteHead(head);
    const target = head - confirmations;
    const cursor = await readCursor(db);
    this.noteIndexed(cursor?.blockNumber ?? deployBlock - 1);
    if (cursor) {
      const onChain = cursor.blockNumber <= head ? await this.headerOrNull(cursor.blockNumber) : null;
      if (onChain?.blockHash !== cursor.blockHash) {
        await this.rewind(cursor, head);
        return "reorg";
      }
    }
    const from = cursor ? cursor.blockNumber + 1 : deployBlock;
    if (from > target) return "idle";
    const to = Math.min(target, from + this.range.size - 1);
    const unitValue = await this.getUnitValue();

    const last = await this.header(to);
    const first = from === to ? last : await this.header(from);
    if (cursor && first.parentHash !== cursor.blockHash) {
      await this.rewind(cursor, head);
      return "reorg";
    }
    let logs: Log[];
    try {
      logs = await client.getLogs({ address: [contracts.ledger, contracts.points], fromBlock: BigInt(from), toBlock: BigInt(to) });
    } catch (err) {
      if (classifyRpcError(err) === "range" && this.range.shrink()) {
        this.metrics.rangeShrinks.inc();
        this.opts.logger.info({ from, to, span: this.range.size }, "endpoint refused the block range; halving it");
        return "retry";
      }
      throw err;
    }
    this.range.success();

    const headers = new Map<number, BlockRow>([[from, first], [to, last]]);
    const wanted = [...new Set(logs.map((l) => Number(l.blockNumber)))].filter((n) => !headers.has(n));
    for (let i = 0; i < wanted.length; i += 8) {
      for (const h of await Promise.all(wanted.slice(i, i + 8).map((n) => this.header(n)))) headers.set(h.blockNumber, h);
    }
    for (const l of logs) {
      if (l.blockHash?.toLowerCase() !== headers.get(Number(l.blockNumber))?.blockHash) return "retry";
    }
    if ((await this.header(to)).blockHash !== last.blockHash) return "retry";

    const timestamps = new Map([...headers.values()].map((h) => [BigInt(h.blockNumber), BigInt(h.timestamp)]));
    const decoded = decodeRange(logs, contracts, timestamps);
    const logBlocks = new Set(logs.map((l) => Number(l.blockNumber)));
    const blocks = [...headers.values()].filter((h) => h.blockNumber === to || logBlocks.has(h.blockNumber));
    const next: Cursor = { blockNumber: to, blockHash: last.blockHash };
    const window = this.opts.reorgWindow ?? Math.max(1024, confirmations * 4);

    const stored = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
      const now = await readCursor(tx);
      if ((now?.blockNumber ?? null) !== (cursor?.blockNumber ?? null) || now?.blockHash !== cursor?.blockHash) return false;
      await queueChainEvents(tx, decoded);
      await storeRange(tx, decoded, blocks, next, { unitValue, keepBlocksFrom: to - window });
      return true;
    });
    if (!stored) return "retry";
    this.metrics.events.inc({ table: "consent_history" }, decoded.history.length);
    this.metrics.events.inc({ table: "delegate_events" }, decoded.delegates.length);
    this.metrics.events.inc({ table: "purpose_notices" }, decoded.notices.length);
    this.metrics.events.inc({ table: "points_events" }, decoded.points.length);
    this.noteIndexed(to);
    this.opts.logger.debug({ from, to, logs: logs.length }, "indexed range");
    return "advanced";
  }

  /** Finds the newest stored block the chain still has and deletes everything stored after it. */
  private async rewind(cursor: Cursor, head: number): Promise<void> {
    const { rows } = await this.opts.db.query<{ block_number: number; block_hash: string }>(
      "SELECT block_number, block_hash FROM indexer_blocks WHERE block_number <= $1 ORDER BY block_number DESC",
      [cursor.blockNumber],
    );
    let ancestor: Cursor | null = null;
    for (const r of rows) {
      if (r.block_number > head) continue;
      if ((await this.headerOrNull(r.block_number))?.blockHash === r.block_hash) {
        ancestor = { blockNumber: r.block_number, blockHash: r.block_hash };
        break;
      }
    }
    const unitValue = await this.getUnitValue();
    const removed = await this.opts.db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
      const now = await readCursor(tx);
      if (now?.blockNumber !== cursor.blockNumber || now.blockHash !== cursor.blockHash) return -1;
      await retractChainEvents(tx, ancestor?.blockNumber ?? -1);
      return rewindTo(tx, ancestor, unitValue);
    });
    if (removed < 0) return;
    const back = ancestor?.blockNumber ?? this.opts.deployBlock - 1;
    this.metrics.reorgs.inc();
    this.metrics.reorgDepth.set(cursor.blockNumber - back);
    this.noteIndexed(back);
    const log = { from: cursor.blockNumber, to: back, depth: cursor.blockNumber - back, removedEvents: removed };
    if (ancestor) this.opts.logger.warn(log, "chain reorganisation: rewound to the common ancestor");
    else this.opts.logger.error(log, "chain reorganisation deeper than the stored block hashes: rebuilding from the deployment block");
  }
}
