import path from "node:path";
import { getAddress, maxUint256, type Address, type Hex } from "viem";
import { noticeHash, type Notice } from "../../client/notices";
import { readNoticeFile } from "../coalition/definePurpose";
import { deployConfiance } from "../lib/deploy";
import { coalitionPointsAbi, consentLedgerAbi, mockStablecoinAbi } from "../../client/abis";
import type { Deployment } from "../../server/chain/deployment";
import { purposeId } from "../../client/purposes";
import { testAccount, type ChainWallet, type LocalChain } from "../lib/localChain";
import type { TxLog } from "./txlog";

/** A partner brand of the demo: its wallet (controller and brand address), its purposes and earning rule. */
export interface BrandSpec {
  key: string;
  name: string;
  accountIndex: number;
  /** Test account of the brand's operator key, held by the relay (an operator acts for one brand only). */
  operatorIndex: number;
  purposes: readonly string[];
  pointsPerUnit: string;
  store: { id: string; name: string };
  /** Settlement units (6-decimal stablecoin) deposited as backing. */
  deposit: bigint;
}

export interface OnChainBrand extends BrandSpec {
  address: Address;
  operator: Address;
  wallet: ChainWallet;
  notices: Record<string, { hash: Hex; uri: string; notice: Notice }>;
}

export interface Coalition {
  deployment: Deployment;
  governance: ChainWallet;
  brands: OnChainBrand[];
}

export const USD = 1_000_000n;

export const NOTICES_DIR = path.join(__dirname, "notices");

/**
 * The notice a customer reads before granting `purpose` to a brand: the document in
 * scripts/demo/notices/<brand>/<purpose>.json, whose hash goes on chain and which the relay serves.
 */
export function noticeOf(brand: BrandSpec, purpose: string): { hash: Hex; uri: string; notice: Notice } {
  const notice = readNoticeFile(path.join(NOTICES_DIR, brand.key, `${purpose}.json`));
  const controller = testAccount(brand.accountIndex).address;
  if (getAddress(notice.controller.address) !== controller) throw new Error(`the ${brand.key} ${purpose} notice names ${notice.controller.address}, not the brand's ${controller}`);
  return { hash: noticeHash(notice), uri: `https://${brand.key}.example/notices/${purpose}/v${notice.version}.json`, notice };
}

/**
 * Deploys ConsentLedger, CoalitionPoints and a settlement stablecoin; governance admits each brand; each
 * brand buys stablecoin, deposits backing, names its operator (a relay key, which accepts the role) and defines its
 * purposes.
 */
export async function setUpCoalition(p: {
  chain: LocalChain;
  governanceIndex: number;
  brands: readonly BrandSpec[];
  log: TxLog;
}): Promise<Coalition> {
  const { chain, log } = p;
  const governance = chain.wallet(p.governanceIndex);
  const deployment = await deployConfiance({ wallet: governance, client: chain.client });
  const brands: OnChainBrand[] = [];
  for (const spec of p.brands) {
    const wallet = chain.wallet(spec.accountIndex);
    const address = wallet.account.address;
    const operator = testAccount(spec.operatorIndex).address;
    await log.record(
      `admitBrand(${spec.key})`,
      await governance.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "admitBrand", args: [address] }),
      "governance",
    );
    await log.record(
      `stablecoin.mint(${spec.key}, ${usd(spec.deposit * 10n)})`,
      await governance.writeContract({ address: deployment.settlement, abi: mockStablecoinAbi, functionName: "mint", args: [address, spec.deposit * 10n] }),
      "governance",
    );
    await log.record(
      "stablecoin.approve(CoalitionPoints)",
      await wallet.writeContract({ address: deployment.settlement, abi: mockStablecoinAbi, functionName: "approve", args: [deployment.points, maxUint256] }),
      spec.key,
    );
    await log.record(
      `deposit(${usd(spec.deposit)})`,
      await wallet.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "deposit", args: [spec.deposit] }),
      spec.key,
    );
    await log.record(
      "setOperator(relay operator key)",
      await wallet.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "setOperator", args: [operator, true] }),
      spec.key,
    );
    await log.record(
      `acceptOperator(${spec.key})`,
      await chain.wallet(spec.operatorIndex).writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "acceptOperator", args: [address] }),
      "relay",
    );
    const notices: OnChainBrand["notices"] = {};
    for (const purpose of spec.purposes) {
      const n = noticeOf(spec, purpose);
      await log.record(
        `definePurpose(${purpose})`,
        await wallet.writeContract({ address: deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId(purpose), n.hash, n.uri] }),
        spec.key,
      );
      notices[purpose] = n;
    }
    brands.push({ ...spec, address, operator, wallet, notices });
  }
  return { deployment, governance, brands };
}

/** A brand's settlement balance inside CoalitionPoints (what backs its future issuance). */
export async function brandBalance(chain: LocalChain, deployment: Deployment, brand: Address): Promise<bigint> {
  return chain.client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [brand] });
}

export async function pointsOf(chain: LocalChain, deployment: Deployment, customer: Address): Promise<bigint> {
  return chain.client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [customer] });
}

export async function reserveOf(chain: LocalChain, deployment: Deployment): Promise<bigint> {
  return chain.client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "reserve" });
}

/** "$1,234.56" from 6-decimal settlement units. */
export function usd(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const whole = (abs / USD).toLocaleString("en-US");
  const cents = ((abs % USD) / 10_000n).toString().padStart(2, "0");
  return `${neg ? "-" : ""}$${whole}.${cents}`;
}
