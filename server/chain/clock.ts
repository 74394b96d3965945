import type { PublicClient } from "viem";

/**
 * "Now" for checking a signed deadline or expiry before queueing: the later of this machine's clock and
 * the chain's latest block time, in unix seconds. The contract checks against block time, so a chain
 * running ahead of the wall clock (a test network whose time was moved, a drifting L2 sequencer) must not
 * make the relay accept what the chain will refuse; a chain lagging behind it only makes the relay stricter.
 */
export async function chainNow(client: PublicClient): Promise<bigint> {
  const wall = BigInt(Math.floor(Date.now() / 1000));
  const block = await client.getBlock({ blockTag: "latest" });
  return block.timestamp > wall ? block.timestamp : wall;
}
