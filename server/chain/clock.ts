import type { Hex, PublicClient } from "viem";

/** The latest block as last read: what per-block caches (chain time, purpose notices) key on. */
export interface ChainHead {
  number: bigint;
  /** Its hash: unlike the number, never the same for two different blocks (a reorg, a test chain reverted). */
  hash: Hex;
  timestamp: bigint;
}

interface Seen {
  /** When (wall clock, ms) the block was asked for, then when its answer arrived. */
  at: number;
  head: Promise<ChainHead>;
}

const latest = new WeakMap<PublicClient, Seen>();
let maxAgeMs = 1000;

/** How long one read of the latest block's time serves every caller (CHAIN_CACHE_MS; 0: read each time). */
export function setChainTimeCache(ms: number): void {
  maxAgeMs = ms;
}

/**
 * "Now" for checking a signed deadline or expiry before queueing: the later of this machine's clock and
 * the chain's latest block time, in unix seconds. The contract checks against block time, so a chain
 * running ahead of the wall clock (a test network whose time was moved, a drifting L2 sequencer) must not
 * make the relay accept what the chain will refuse; a chain lagging behind it only makes the relay stricter.
 *
 * The block's time is read once per CHAIN_CACHE_MS (default 1 s, about a block) and shared by every
 * request meanwhile, concurrent ones included: a flood of signed actions costs one RPC call a second here.
 * `fresh` reads it anew (where a second's staleness would matter: the relay's own short deadlines).
 */
export async function chainNow(client: PublicClient, { fresh = false }: { fresh?: boolean } = {}): Promise<bigint> {
  const wall = BigInt(Math.floor(Date.now() / 1000));
  const block = (await chainHead(client, { fresh })).timestamp;
  return block > wall ? block : wall;
}

/**
 * Lets go of the latest block read through `client`, for a chain whose history went back under the relay (a
 * test network reverted to a snapshot): without it, for up to CHAIN_CACHE_MS, "now" is the time of a block
 * that no longer exists, which may be days ahead.
 */
export function forgetChainHead(client: PublicClient): void {
  latest.delete(client);
}

/**
 * The latest block (number, hash, time), read once per CHAIN_CACHE_MS and shared by every caller
 * meanwhile, concurrent ones included. Per-block caches key on its hash.
 */
export async function chainHead(client: PublicClient, { fresh = false }: { fresh?: boolean } = {}): Promise<ChainHead> {
  let seen = latest.get(client);
  if (fresh || !seen || Date.now() - seen.at > maxAgeMs) {
    const entry: Seen = {
      at: Date.now(),
      head: client.getBlock({ blockTag: "latest" }).then((b) => {
        entry.at = Date.now();
        return { number: b.number, hash: b.hash, timestamp: b.timestamp };
      }),
    };
    seen = entry;
    latest.set(client, seen);
    seen.head.catch(() => latest.get(client) === seen && latest.delete(client));
  }
  return seen.head;
}
