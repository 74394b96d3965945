import { Gauge, type Registry } from "prom-client";
import { formatEther, type Address, type PublicClient } from "viem";

/** One signer's native balance as last read, and whether it is below the configured floor. */
export interface SignerBalance {
  address: Address;
  /** Balance in wei, as a decimal string. */
  wei: string;
  /** Balance below SIGNER_LOW_BALANCE_ETH: the signer may soon fail to pay for gas. */
  low: boolean;
}

export interface SignerBalancesParameters {
  client: PublicClient;
  addresses: readonly Address[];
  /** Below this many wei a signer is reported low. */
  lowWei: bigint;
  registry: Registry;
  /** Reads are reused for this long, so scrapes and health checks cost at most one call per signer per interval. */
  maxAgeMs?: number;
}

/**
 * The relay's signers' balances: a `relay_signer_balance_wei{signer}` gauge and a low-balance gauge
 * read at each scrape, and the same figures for `/healthz`. Reads are cached for `maxAgeMs`.
 */
export class SignerBalances {
  readonly #client: PublicClient;
  readonly #addresses: readonly Address[];
  readonly #lowWei: bigint;
  readonly #maxAgeMs: number;
  #last?: { at: number; balances: Promise<SignerBalance[]> };

  constructor({ client, addresses, lowWei, registry, maxAgeMs = 2_000 }: SignerBalancesParameters) {
    this.#client = client;
    this.#addresses = addresses;
    this.#lowWei = lowWei;
    this.#maxAgeMs = maxAgeMs;
    if (registry.getSingleMetric("relay_signer_balance_wei")) return;
    const read = () => this.read();
    new Gauge({
      name: "relay_signer_balance_wei",
      // The same shared value in every relay process (RELAY_WORKERS): shown once, not summed.
      aggregator: "max",
      help: "Native balance of each relay signer, in wei (pays the gas of relayed actions and issuance)",
      labelNames: ["signer"],
      registers: [registry],
      async collect() {
        try {
          for (const b of await read()) this.set({ signer: b.address }, Number(b.wei));
        } catch {
          /* RPC unavailable: keep the last values */
        }
      },
    });
    new Gauge({
      name: "relay_signer_balance_low",
      // The same shared value in every relay process (RELAY_WORKERS): shown once, not summed.
      aggregator: "max",
      help: "1 when a relay signer's balance is below SIGNER_LOW_BALANCE_ETH, else 0",
      labelNames: ["signer"],
      registers: [registry],
      async collect() {
        try {
          for (const b of await read()) this.set({ signer: b.address }, b.low ? 1 : 0);
        } catch {
          /* RPC unavailable: keep the last values */
        }
      },
    });
  }

  /** The floor, in ether, for messages. */
  get lowEther(): string {
    return formatEther(this.#lowWei);
  }

  /** Every signer's balance, read at most once per `maxAgeMs`. */
  read(): Promise<SignerBalance[]> {
    const now = Date.now();
    if (this.#last && now - this.#last.at < this.#maxAgeMs) return this.#last.balances;
    const balances = Promise.all(
      this.#addresses.map(async (address) => {
        const wei = await this.#client.getBalance({ address });
        return { address, wei: wei.toString(), low: wei < this.#lowWei };
      }),
    );
    this.#last = { at: now, balances };
    balances.catch(() => {
      if (this.#last?.balances === balances) this.#last = undefined;
    });
    return balances;
  }
}
