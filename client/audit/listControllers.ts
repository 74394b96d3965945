import { parseEventLogs, toEventSelector, type Address, type PublicClient } from "viem";
import { consentLedgerAbi } from "../abis";
import { AdaptiveRange, getLogsInRanges } from "./rpcRange";

const PURPOSE_DEFINED = toEventSelector("PurposeDefined(address,bytes32,bytes32,string)");

export interface ControllerSeen {
  controller: Address;
  /** Purposes it defined (distinct ids). */
  purposes: number;
  /** The block of its first PurposeDefined. */
  firstBlock: bigint;
  /** Its history's length now (`historyHead`). */
  actions: bigint;
}

/**
 * The controllers (brands) of a ledger, from its PurposeDefined logs: a grant must name a purpose's
 * current notice, so every controller with a consent history has defined a purpose first. Logs read in
 * bounded ranges that shrink when the endpoint refuses, as for a history; each with its history's length.
 */
export async function listControllers({
  client,
  ledger,
  fromBlock = 0n,
  toBlock,
  maxRange = 2000,
}: {
  client: PublicClient;
  ledger: Address;
  fromBlock?: bigint;
  toBlock?: bigint;
  maxRange?: number;
}): Promise<ControllerSeen[]> {
  const to = toBlock ?? (await client.getBlockNumber({ cacheTime: 0 }));
  const seen = new Map<string, { purposes: Set<string>; firstBlock: bigint }>();
  const logs = await getLogsInRanges({ client, address: ledger, topics: [PURPOSE_DEFINED], fromBlock, toBlock: to, range: new AdaptiveRange(maxRange) });
  for (const log of parseEventLogs({ abi: consentLedgerAbi, logs, eventName: "PurposeDefined" })) {
    const key = log.args.controller.toLowerCase();
    const entry = seen.get(key) ?? { purposes: new Set<string>(), firstBlock: log.blockNumber };
    entry.purposes.add(log.args.purpose.toLowerCase());
    seen.set(key, entry);
  }
  const controllers = [...seen.keys()] as Address[];
  const heads = await Promise.all(
    controllers.map((c) => client.readContract({ address: ledger, abi: consentLedgerAbi, functionName: "historyHead", args: [c], blockNumber: to })),
  );
  return controllers.map((controller, i) => ({
    controller,
    purposes: seen.get(controller)!.purposes.size,
    firstBlock: seen.get(controller)!.firstBlock,
    actions: BigInt(heads[i][1]),
  }));
}
