import { encodeEventTopics, pad, parseEventLogs, zeroAddress, zeroHash, type Address, type Hex, type PublicClient } from "viem";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import type { Deployment } from "../chain/deployment";
import { AdaptiveRange, getLogsInRanges } from "../indexer/rpcRange";

/** Why a brand cannot work at this relay yet (a refusal), or what will bite later (a warning). */
export interface ReadinessProblem {
  code:
    | "brand_not_admitted"
    | "brand_suspended"
    | "operator_not_accepted"
    | "operator_of_another_brand"
    | "no_purposes_defined"
    | "purpose_not_defined"
    | "no_backing";
  message: string;
}

/** What the chain says about a brand, as the relay needs it: everything `ready` depends on. */
export interface BrandReadiness {
  /** The block the views were read at (decimal). */
  block: string;
  status: "none" | "admitted" | "suspended";
  operator: {
    address: Address;
    /** The key acts for this brand (`operatorBrand(operator) == brand`: it called `acceptOperator`). */
    accepted: boolean;
    /** The brand has proposed the key and the key has not accepted yet. */
    proposed: boolean;
    /** The brand the key acts for now, or null (one key serves at most one brand on CoalitionPoints). */
    actsFor: Address | null;
  };
  /** `brandBalance(brand)` in settlement-asset units (decimal). */
  backing: string;
  /** Purpose ids the brand has published a notice for on ConsentLedger (PurposeDefined logs). */
  purposesOnChain: Hex[];
  /** Ready: no refusal. Warnings do not stop a brand. */
  ready: boolean;
  problems: ReadinessProblem[];
  warnings: ReadinessProblem[];
}

const purposeDefinedTopic = encodeEventTopics({ abi: consentLedgerAbi, eventName: "PurposeDefined" } as never)[0] as Hex;
const STATUS = ["none", "admitted", "suspended"] as const;

/**
 * Reads a brand's on-chain readiness: admitted (not suspended) on CoalitionPoints, `operator` accepted
 * for it (and so for no other brand: the contract lets a key serve one brand), at least one purpose
 * defined on ConsentLedger, and each of `describedPurposes` (the ids the relay describes to customers)
 * defined there with a notice. A brand with no backing is ready with a warning: its issuance waits for
 * a deposit.
 *
 * @param client a public client of the relay's chain
 * @param deployment the contracts' addresses and first block
 * @param brand the brand's address
 * @param operator the relay signer that sends the brand's issue and reverse calls
 * @param describedPurposes purposes the relay describes for it: id and name
 * @param indexed what the relay's index already holds: the purposes the brand defined through block
 *   `throughBlock`; the logs are then read only after it (without it, from the deployment's block)
 */
export async function readBrandReadiness({
  client,
  deployment,
  brand,
  operator,
  describedPurposes = [],
  indexed,
}: {
  client: PublicClient;
  deployment: Deployment;
  brand: Address;
  operator: Address;
  describedPurposes?: readonly { id: Hex; name: string }[];
  indexed?: { purposes: readonly Hex[]; throughBlock: bigint };
}): Promise<BrandReadiness> {
  const block = await client.getBlockNumber({ cacheTime: 0 });
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName, args, blockNumber: block } as never) as Promise<T>;
  const [statusIndex, actsFor, proposed, backing, logs] = await Promise.all([
    read<number>("brandStatus", [brand]),
    read<Address>("operatorBrand", [operator]),
    read<boolean>("isOperatorProposed", [brand, operator]),
    read<bigint>("brandBalance", [brand]),
    getLogsInRanges({
      client,
      address: deployment.ledger,
      topics: [purposeDefinedTopic, pad(brand.toLowerCase() as Hex)],
      fromBlock: indexed && indexed.throughBlock < block ? indexed.throughBlock + 1n : indexed ? block + 1n : BigInt(deployment.deployBlock),
      toBlock: block,
      range: new AdaptiveRange(10_000),
    }),
  ]);
  const onChain = new Map<string, Hex>((indexed?.purposes ?? []).map((p) => [p.toLowerCase(), p.toLowerCase() as Hex]));
  for (const l of parseEventLogs({ abi: consentLedgerAbi, eventName: "PurposeDefined", logs })) {
    const { purpose, noticeHash } = l.args as { purpose: Hex; noticeHash: Hex };
    if (noticeHash !== zeroHash) onChain.set(purpose.toLowerCase(), purpose.toLowerCase() as Hex);
  }
  const status = STATUS[statusIndex] ?? "none";
  const acting = actsFor === zeroAddress ? null : (actsFor.toLowerCase() as Address);
  const accepted = acting === brand.toLowerCase();
  const problems: ReadinessProblem[] = [];
  if (status === "none") problems.push({ code: "brand_not_admitted", message: `governance has not admitted ${brand} on CoalitionPoints (coalition admit)` });
  if (status === "suspended") problems.push({ code: "brand_suspended", message: `${brand} is suspended on CoalitionPoints: it cannot issue points` });
  if (acting && !accepted) {
    problems.push({ code: "operator_of_another_brand", message: `the relay key ${operator} acts for another brand (${acting}); give this brand its own relay key` });
  } else if (!accepted) {
    problems.push({
      code: "operator_not_accepted",
      message: proposed
        ? `${brand} proposed the relay key ${operator}, which has not accepted yet (coalition accept-operator with that key)`
        : `the relay key ${operator} is not ${brand}'s operator (coalition propose-operator by the brand, then accept-operator by the key)`,
    });
  }
  if (onChain.size === 0) problems.push({ code: "no_purposes_defined", message: `${brand} has defined no purpose on ConsentLedger (coalition define-purpose)` });
  for (const p of describedPurposes) {
    if (!onChain.has(p.id.toLowerCase())) problems.push({ code: "purpose_not_defined", message: `purpose ${p.name} (${p.id}) has no notice on ConsentLedger (coalition define-purpose)` });
  }
  const warnings: ReadinessProblem[] = backing === 0n ? [{ code: "no_backing", message: `${brand} has no backing: issuance fails until it deposits (coalition deposit)` }] : [];
  return {
    block: block.toString(),
    status,
    operator: { address: operator.toLowerCase() as Address, accepted, proposed, actsFor: acting },
    backing: backing.toString(),
    purposesOnChain: [...onChain.values()],
    ready: problems.length === 0,
    problems,
    warnings,
  };
}
