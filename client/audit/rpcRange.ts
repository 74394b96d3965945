/**
 * Reading logs from any JSON-RPC endpoint in bounded block ranges. Public endpoints limit eth_getLogs by
 * block span or result size and throttle by rate; each says so in its own words. `classifyRpcError` sorts
 * their complaints into "range" (ask for fewer blocks), "rate" (wait, then retry) and "other", and
 * `AdaptiveRange` halves the span on a range complaint and grows it back after successes.
 */
import { formatLog, toHex, type Address, type Hex, type Log, type PublicClient, type RpcLog } from "viem";

export type RpcErrorKind = "range" | "rate" | "other";

const RATE = /rate.?limit|rate exceeded|too many requests|\b429\b|throttl|exceeded .*capacity|request limit|compute units/i;
const RANGE =
  /block range|response body exceeded|range (is )?too (large|wide|big)|is limited to|too many (results|logs|blocks)|query returned more than|response size|result (set )?(is )?too large|limit exceeded|exceeds? (the )?(max|limit)|max(imum)? (block )?range|\b10000\b|query timeout/i;

/** What an RPC error asks of the caller. */
export function classifyRpcError(err: unknown): RpcErrorKind {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 6; depth++) {
    const o = e as { message?: unknown; details?: unknown; shortMessage?: unknown; status?: unknown; code?: unknown; cause?: unknown };
    for (const v of [o.shortMessage, o.message, o.details]) if (typeof v === "string") parts.push(v);
    if (o.status === 429 || o.code === 429) return "rate";
    // The client's own cap on a response's size (viem's maxResponseBodySize, 10 MB by default): fewer blocks.
    if ((o as { name?: unknown }).name === "ResponseBodyTooLargeError") return "range";
    e = o.cause;
  }
  const text = parts.join(" | ");
  if (RATE.test(text)) return "rate";
  if (RANGE.test(text)) return "range";
  return "other";
}

/** The current block span for eth_getLogs: at most `max`, halved on range complaints, doubled back on success. */
export class AdaptiveRange {
  private span: number;
  private streak = 0;
  shrinks = 0;

  constructor(readonly max: number) {
    this.span = Math.max(1, max);
  }

  get size(): number {
    return this.span;
  }

  /** Halves the span; false when it is already one block (the endpoint refuses even that). */
  shrink(): boolean {
    if (this.span <= 1) return false;
    this.span = Math.max(1, Math.floor(this.span / 2));
    this.streak = 0;
    this.shrinks++;
    return true;
  }

  /** Records a success; after eight in a row the span doubles again (up to `max`). */
  success(): void {
    if (++this.streak < 8) return;
    this.streak = 0;
    this.span = Math.min(this.max, this.span * 2);
  }
}

/** Exponential back-off with jitter for rate complaints and outages: 250 ms doubling up to 30 s. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 250,
    private readonly maxMs = 30_000,
  ) {}

  next(): number {
    const ms = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 20);
    return Math.round(ms / 2 + Math.random() * (ms / 2));
  }

  reset(): void {
    this.attempt = 0;
  }
}

export class RpcGaveUpError extends Error {
  override name = "RpcGaveUpError";
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs `fetch(from, to)` over [fromBlock, toBlock] in spans from `range`, shrinking on range complaints and
 * backing off on rate complaints (up to `maxRetries` consecutive failures of the same span), and hands each
 * span's result to `onChunk` in order.
 */
export async function forEachRange<T>(opts: {
  fromBlock: bigint;
  toBlock: bigint;
  range: AdaptiveRange;
  fetch: (from: bigint, to: bigint) => Promise<T>;
  onChunk: (result: T, from: bigint, to: bigint) => Promise<void> | void;
  maxRetries?: number;
  onRetry?: (kind: RpcErrorKind, err: unknown, waitMs: number) => void;
}): Promise<void> {
  const backoff = new Backoff();
  const maxRetries = opts.maxRetries ?? 8;
  let failures = 0;
  let from = opts.fromBlock;
  while (from <= opts.toBlock) {
    const span = BigInt(opts.range.size);
    const to = from + span - 1n < opts.toBlock ? from + span - 1n : opts.toBlock;
    let result: T;
    try {
      result = await opts.fetch(from, to);
    } catch (err) {
      const kind = classifyRpcError(err);
      if (kind === "range" && opts.range.shrink()) {
        opts.onRetry?.(kind, err, 0);
        continue;
      }
      if (++failures > maxRetries) throw new RpcGaveUpError(`gave up on blocks ${from}-${to}: ${(err as Error).message}`, { cause: err });
      const wait = backoff.next();
      opts.onRetry?.(kind, err, wait);
      await sleep(wait);
      continue;
    }
    failures = 0;
    backoff.reset();
    opts.range.success();
    await opts.onChunk(result, from, to);
    from = to + 1n;
  }
}

/**
 * The logs of `address` matching `topics` over [fromBlock, toBlock], read with eth_getLogs in spans from
 * `range` as `forEachRange` does (shrinking on range complaints, backing off on rate complaints), in chain
 * order. `onChunk` sees each span's logs as it arrives (progress).
 */
export async function getLogsInRanges(opts: {
  client: PublicClient;
  address: Address | Address[];
  topics: (Hex | Hex[] | null)[];
  fromBlock: bigint;
  toBlock: bigint;
  range: AdaptiveRange;
  onChunk?: (logs: Log[], from: bigint, to: bigint) => void;
  onRetry?: (kind: RpcErrorKind, err: unknown, waitMs: number) => void;
}): Promise<Log[]> {
  const out: Log[] = [];
  await forEachRange({
    fromBlock: opts.fromBlock,
    toBlock: opts.toBlock,
    range: opts.range,
    fetch: (from, to) =>
      opts.client.request({ method: "eth_getLogs", params: [{ address: opts.address, fromBlock: toHex(from), toBlock: toHex(to), topics: opts.topics }] }) as Promise<RpcLog[]>,
    onChunk: (chunk, from, to) => {
      const logs = chunk.map((l) => formatLog(l));
      out.push(...logs);
      opts.onChunk?.(logs, from, to);
    },
    onRetry: opts.onRetry,
  });
  return out;
}
