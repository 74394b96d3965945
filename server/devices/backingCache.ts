import type { Address, PublicClient } from "viem";
import { coalitionPointsAbi } from "../../client/abis";

/** A brand's backing on chain (CoalitionPoints' brandBalance) at a block, and the settlement units behind one point. */
export interface BackingAt {
  balance: bigint;
  unitValue: bigint;
  blockNumber: bigint;
}

/**
 * The brands' backing for the purchase batches, read once per block: each batch asks the chain for its
 * latest block number (one small call, started after the batch was formed, so a deposit or withdrawal mined
 * before its purchases arrived is seen, as when each purchase read the chain itself), and a brand's
 * `brandBalance` is read again only when that block is not the one of its last read. A read names its block,
 * and a batch counts the issues the balance does not reflect yet: queued, submitted, or confirmed in a later
 * block (purchaseBatch.ts). When the chain cannot be read the check is skipped, as for one purchase alone.
 */
export class BackingCache {
  private readonly last = new Map<string, BackingAt>();
  private unitValue: Promise<bigint> | undefined;

  constructor(
    private readonly client: PublicClient,
    private readonly points: Address,
  ) {}

  /** Each brand's backing at the chain's latest block; a brand's entry is undefined when it could not be read. */
  async read(brands: readonly Address[]): Promise<Map<string, BackingAt | undefined>> {
    const out = new Map<string, BackingAt | undefined>();
    let head: bigint;
    try {
      head = await this.client.getBlockNumber({ cacheTime: 0 });
    } catch {
      for (const b of brands) out.set(b, undefined);
      return out;
    }
    await Promise.all(
      brands.map(async (brand) => {
        const known = this.last.get(brand);
        if (known?.blockNumber === head) return void out.set(brand, known);
        const value = await this.readAt(brand, head).catch(() => undefined);
        if (value) this.last.set(brand, value);
        out.set(brand, value);
      }),
    );
    return out;
  }

  private async readAt(brand: Address, blockNumber: bigint): Promise<BackingAt> {
    // unitValue is fixed at deployment: read once.
    this.unitValue ??= this.client.readContract({ address: this.points, abi: coalitionPointsAbi, functionName: "unitValue" }).catch((err: unknown) => {
      this.unitValue = undefined;
      throw err;
    });
    const [balance, unitValue] = await Promise.all([
      this.client.readContract({ address: this.points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [brand], blockNumber }),
      this.unitValue,
    ]);
    return { balance, unitValue, blockNumber };
  }
}
