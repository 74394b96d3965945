import { encodeEventTopics, erc20Abi, pad, parseEventLogs, zeroHash, type Abi, type Address, type Hex } from "viem";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { PURPOSES } from "../../client/purposes";
import { AdaptiveRange, getLogsInRanges } from "../../server/indexer/rpcRange";
import type { Ctx } from "./context";

/**
 * Everything on chain about the coalition or one brand, read at one block. Views give the values; logs (from the
 * deployment's block) give the lists the contracts do not enumerate (brands, governance holders, operators,
 * purposes), each then checked against a view at that block.
 */
export const BRAND_STATUS = ["none", "admitted", "suspended"] as const;

export interface BrandSummary {
  address: Address;
  status: (typeof BRAND_STATUS)[number];
  balance: bigint;
  acceptsRedemptions: boolean;
}

export interface CoalitionState {
  block: bigint;
  governance: Address[];
  treasury: Address;
  unitValue: bigint;
  paused: boolean;
  transfersEnabled: boolean;
  expiryPeriod: number;
  pendingExpiry: { period: number; effectiveAt: number } | null;
  tiers: bigint[];
  totalSupply: bigint;
  reserve: bigint;
  brands: BrandSummary[];
}

export interface PurposeState {
  id: Hex;
  /** The short name when it is one of the known purposes. */
  name?: string;
  noticeHash: Hex;
  noticeURI: string;
  /** How many notice versions the brand published. */
  versions: number;
}

export interface BrandState extends BrandSummary {
  block: bigint;
  operators: Address[];
  proposed: Address[];
  /** The brand's own settlement-asset wallet, and what CoalitionPoints may take from it. */
  wallet: bigint;
  allowance: bigint;
  /** Undefined when the ledger's address is not known. */
  purposes?: PurposeState[];
}

const KNOWN_PURPOSES = new Map<string, string>([
  [PURPOSES.inStoreRecognition, "in-store-recognition"],
  [PURPOSES.loyalty, "loyalty"],
  [PURPOSES.shoppingList, "shopping-list"],
]);

/** Logs of `address` with these topics, from the deployment's block to `toBlock`, in bounded ranges, decoded with `abi`. */
async function logs(ctx: Ctx, address: Address, abi: Abi, topics: (Hex | Hex[] | null)[], toBlock: bigint) {
  const raw = await getLogsInRanges({ client: ctx.client, address, topics, fromBlock: ctx.fromBlock, toBlock, range: new AdaptiveRange(10_000) });
  return parseEventLogs({ abi, logs: raw });
}

const selector = (abi: Abi, eventName: string) => encodeEventTopics({ abi, eventName } as never)[0] as Hex;
const unique = (xs: Address[]) => [...new Set(xs)];

export async function readCoalition(ctx: Ctx): Promise<CoalitionState> {
  const { client, points } = ctx;
  const block = await client.getBlockNumber({ cacheTime: 0 });
  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    client.readContract({ address: points, abi: coalitionPointsAbi, functionName, args, blockNumber: block } as never) as Promise<T>;
  const [roleLogs, brandLogs] = await Promise.all([
    logs(ctx, points, coalitionPointsAbi, [selector(coalitionPointsAbi, "RoleGranted"), zeroHash], block),
    logs(ctx, points, coalitionPointsAbi, [[selector(coalitionPointsAbi, "BrandAdmitted"), selector(coalitionPointsAbi, "BrandSuspended")]], block),
  ]);
  const holders = unique(roleLogs.map((l) => (l.args as { account: Address }).account));
  const governance: Address[] = [];
  for (const h of holders) if (await read<boolean>("hasRole", [zeroHash, h])) governance.push(h);
  const brands: BrandSummary[] = [];
  for (const b of unique(brandLogs.map((l) => (l.args as { brand: Address }).brand))) brands.push(await brandSummary(ctx, b, block));
  const [treasury, unitValue, paused, transfersEnabled, expiryPeriod, pending, tiers, totalSupply, reserve] = await Promise.all([
    read<Address>("treasury"),
    read<bigint>("unitValue"),
    read<boolean>("paused"),
    read<boolean>("transfersEnabled"),
    read<number>("expiryPeriod"),
    read<readonly [number, number]>("pendingExpiryPeriod"),
    read<readonly bigint[]>("tiers"),
    read<bigint>("totalSupply"),
    read<bigint>("reserve"),
  ]);
  return {
    block,
    governance,
    treasury,
    unitValue,
    paused,
    transfersEnabled,
    expiryPeriod: Number(expiryPeriod),
    pendingExpiry: pending[1] === 0 ? null : { period: Number(pending[0]), effectiveAt: Number(pending[1]) },
    tiers: [...tiers],
    totalSupply,
    reserve,
    brands,
  };
}

async function brandSummary(ctx: Ctx, brand: Address, block: bigint): Promise<BrandSummary> {
  const read = <T>(functionName: string) =>
    ctx.client.readContract({ address: ctx.points, abi: coalitionPointsAbi, functionName, args: [brand], blockNumber: block } as never) as Promise<T>;
  const [status, balance, acceptsRedemptions] = await Promise.all([read<number>("brandStatus"), read<bigint>("brandBalance"), read<boolean>("acceptsRedemptions")]);
  return { address: brand, status: BRAND_STATUS[status] ?? "none", balance, acceptsRedemptions };
}

export async function readBrand(ctx: Ctx, brand: Address): Promise<BrandState> {
  const { client, points, ledger } = ctx;
  const block = await client.getBlockNumber({ cacheTime: 0 });
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    client.readContract({ address: points, abi: coalitionPointsAbi, functionName, args, blockNumber: block } as never) as Promise<T>;
  const operatorLogs = await logs(ctx, points, coalitionPointsAbi, [[selector(coalitionPointsAbi, "OperatorProposed"), selector(coalitionPointsAbi, "OperatorSet")], pad(brand)], block);
  const operators: Address[] = [];
  const proposed: Address[] = [];
  for (const op of unique(operatorLogs.map((l) => (l.args as { operator: Address }).operator))) {
    if (await read<boolean>("isOperator", [brand, op])) operators.push(op);
    else if (await read<boolean>("isOperatorProposed", [brand, op])) proposed.push(op);
  }
  const asset = (functionName: "balanceOf" | "allowance", args: readonly Address[]) =>
    client.readContract({ address: ctx.settlement.address, abi: erc20Abi, functionName, args, blockNumber: block } as never) as Promise<bigint>;
  const [summary, wallet, allowance] = await Promise.all([brandSummary(ctx, brand, block), asset("balanceOf", [brand]), asset("allowance", [brand, points])]);
  let purposes: PurposeState[] | undefined;
  if (ledger) {
    const defined = await logs(ctx, ledger, consentLedgerAbi, [selector(consentLedgerAbi, "PurposeDefined"), pad(brand)], block);
    const versions = new Map<Hex, number>();
    for (const l of defined) {
      const id = (l.args as { purpose: Hex }).purpose;
      versions.set(id, (versions.get(id) ?? 0) + 1);
    }
    purposes = [];
    for (const [id, count] of versions) {
      const [noticeHash, noticeURI] = (await client.readContract({ address: ledger, abi: consentLedgerAbi, functionName: "purposeOf", args: [brand, id], blockNumber: block })) as readonly [Hex, string];
      purposes.push({ id, name: KNOWN_PURPOSES.get(id.toLowerCase()), noticeHash, noticeURI, versions: count });
    }
  }
  return { ...summary, block, operators, proposed, wallet, allowance, purposes };
}
