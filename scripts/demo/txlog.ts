import type { Hex, PublicClient } from "viem";
import { ChainActionError } from "./errors";

/** One mined transaction the demo caused or observed. */
export interface TxRecord {
  label: string;
  hash: Hex;
  gas: bigint;
  block: bigint;
  /** Who paid for it: the sender's role in the journey. */
  paidBy: string;
}

/** Every transaction of the journey, in order, for the step accounts and the summary. */
export class TxLog {
  readonly records: TxRecord[] = [];

  constructor(private readonly client: PublicClient) {}

  /** Waits for `hash` to be mined successfully and records it. */
  async record(label: string, hash: Hex, paidBy: string): Promise<TxRecord> {
    const receipt = await this.client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new ChainActionError(`${label}: transaction ${hash} reverted`);
    const rec: TxRecord = { label, hash, gas: receipt.gasUsed, block: receipt.blockNumber, paidBy };
    this.records.push(rec);
    return rec;
  }

  /** Records an already mined transaction (e.g. one the relay sent) without duplicating it. */
  async observe(label: string, hash: Hex, paidBy: string): Promise<TxRecord> {
    const known = this.records.find((r) => r.hash === hash);
    if (known) return known;
    return this.record(label, hash, paidBy);
  }

  totalGas(): bigint {
    return this.records.reduce((s, r) => s + r.gas, 0n);
  }
}
