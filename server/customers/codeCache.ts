import type { Address, PublicClient } from "viem";

/**
 * Whether an address holds code, kept `ttlSeconds` per address (at most `maxEntries`, the oldest
 * forgotten first), so junk actions naming the same wallet do not each cost an eth_getCode. Lookups of
 * one address under way are shared.
 */
export class CodeCache {
  private readonly entries = new Map<string, { hasCode: Promise<boolean>; at: number }>();

  constructor(
    private readonly client: PublicClient,
    private readonly ttlSeconds: number,
    private readonly maxEntries = 10_000,
    private readonly onLookup: (cached: boolean) => void = () => undefined,
  ) {}

  async hasCode(address: Address): Promise<boolean> {
    const key = address.toLowerCase();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlSeconds * 1000) {
      this.onLookup(true);
      return hit.hasCode;
    }
    this.onLookup(false);
    const hasCode = this.client.getCode({ address }).then((code) => code !== undefined && code !== "0x");
    this.entries.delete(key);
    this.entries.set(key, { hasCode, at: now });
    hasCode.catch(() => this.entries.delete(key));
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return hasCode;
  }
}
