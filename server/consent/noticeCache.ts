import type { Address, Hex, PublicClient } from "viem";
import { consentLedgerAbi } from "../../client/abis";
import { chainHead } from "../chain/clock";

/**
 * Each purpose's current notice hash on ConsentLedger (`purposeOf(controller, purpose)`), read once per
 * block and kept for that block: a flood of grants naming one purpose costs one eth_call per block, not
 * one per request. The block is the latest one as `chainHead` last read it (once per CHAIN_CACHE_MS,
 * the read chain time already makes), keyed by its hash; the notice is read at the latest block (that one
 * or a newer one: never older). A notice changed in a block the relay has not seen yet is picked up at
 * the next read of the head (at most CHAIN_CACHE_MS later); a grant
 * signed for it meanwhile is refused 422 stale_notice and can be sent again. Reads under way are shared;
 * at most `maxEntries` purposes are kept (the oldest forgotten first).
 */
export class NoticeCache {
  private readonly entries = new Map<string, { block: Hex; notice: Promise<Hex> }>();

  constructor(
    private readonly client: PublicClient,
    private readonly ledger: Address,
    private readonly maxEntries = 10_000,
    private readonly onLookup: (cached: boolean) => void = () => undefined,
  ) {}

  /**
   * The purpose's notice hash (lower case) at the latest block; the zero hash when it is not defined.
   * With `expected`: a cached answer that differs from it is read again from the chain before it is
   * believed, so a notice published a moment ago (in a block the cached head is older than) is accepted
   * at once; only a matching answer, the common case, is served from the cache.
   */
  async current(controller: Address, purpose: Hex, expected?: Hex): Promise<Hex> {
    const head = await chainHead(this.client);
    const key = `${controller.toLowerCase()}:${purpose.toLowerCase()}`;
    const hit = this.entries.get(key);
    if (hit && hit.block === head.hash) {
      const notice = await hit.notice;
      if (expected === undefined || notice === expected.toLowerCase()) {
        this.onLookup(true);
        return notice;
      }
    }
    this.onLookup(false);
    const notice = this.client
      .readContract({ address: this.ledger, abi: consentLedgerAbi, functionName: "purposeOf", args: [controller, purpose] })
      .then(([hash]) => hash.toLowerCase() as Hex);
    this.entries.delete(key);
    this.entries.set(key, { block: head.hash, notice });
    notice.catch(() => this.entries.get(key)?.notice === notice && this.entries.delete(key));
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return notice;
  }
}
