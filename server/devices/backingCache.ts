import type { Address, PublicClient } from "viem";
import { coalitionPointsAbi } from "../../client/abis";

/** A brand's backing on chain (CoalitionPoints' brandBalance) at a block, and the settlement units behind one point. */
export interface BackingAt {
  balance: bigint;
  unitValue: bigint;
  blockNumber: bigint;
}

/**
 * The brands' backing for the purchase batches, read from the chain off the requests' path. A read names
 * its block, so a batch can count exactly the issues the balance does not reflect yet: those queued,
 * submitted, or confirmed in a later block (purchaseBatch.ts); an older read is therefore still a sound
 * check, only blind to deposits and withdrawals since (a purchase it would refuse is checked again with a
 * fresh read, events.ts). The last read is served while a new one is fetched in the background once it is
 * older than `maxAgeMs` (CHAIN_CACHE_MS); only a brand's first read is waited for. A failed read leaves the
 * last one in place; with none, the check is skipped (as for one purchase when the chain cannot be read).
 */
export class BackingCache {
  private readonly entries = new Map<string, { at: number; value?: BackingAt; pending?: Promise<BackingAt | undefined> }>();
  private unitValue: Promise<bigint> | undefined;

  constructor(
    private readonly client: PublicClient,
    private readonly points: Address,
    private readonly maxAgeMs: number,
  ) {}

  /** The last read of the brand's backing (a new one fetched meanwhile when it is stale); undefined when none could be read. */
  async get(brand: Address): Promise<BackingAt | undefined> {
    const entry = this.entries.get(brand);
    if (entry?.value) {
      if (Date.now() - entry.at > this.maxAgeMs) void this.refresh(brand);
      return entry.value;
    }
    return this.refresh(brand);
  }

  private refresh(brand: Address): Promise<BackingAt | undefined> {
    let entry = this.entries.get(brand);
    if (!entry) this.entries.set(brand, (entry = { at: 0 }));
    const e = entry;
    e.pending ??= this.read(brand)
      .then((value) => {
        e.value = value;
        e.at = Date.now();
        return value;
      })
      .catch(() => e.value)
      .finally(() => {
        e.pending = undefined;
      });
    return e.pending;
  }

  private async read(brand: Address): Promise<BackingAt> {
    // unitValue is fixed at deployment: read once.
    this.unitValue ??= this.client.readContract({ address: this.points, abi: coalitionPointsAbi, functionName: "unitValue" }).catch((err: unknown) => {
      this.unitValue = undefined;
      throw err;
    });
    const blockNumber = await this.client.getBlockNumber({ cacheTime: 0 });
    const [balance, unitValue] = await Promise.all([
      this.client.readContract({ address: this.points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [brand], blockNumber }),
      this.unitValue,
    ]);
    return { balance, unitValue, blockNumber };
  }
}
