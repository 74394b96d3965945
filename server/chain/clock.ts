import type { PublicClient } from "viem";

interface Seen {
  /** When (wall clock, ms) the block was asked for, then when its answer arrived. */
  at: number;
  timestamp: Promise<bigint>;
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
  let seen = latest.get(client);
  if (fresh || !seen || Date.now() - seen.at > maxAgeMs) {
    const entry: Seen = { at: Date.now(), timestamp: client.getBlock({ blockTag: "latest" }).then((b) => ((entry.at = Date.now()), b.timestamp)) };
    seen = entry;
    latest.set(client, seen);
    seen.timestamp.catch(() => latest.get(client) === seen && latest.delete(client));
  }
  const block = await seen.timestamp;
  return block > wall ? block : wall;
}
