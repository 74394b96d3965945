import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { artifact } from "./artifacts";
import type { Deployment } from "../../server/chain/deployment";

export interface DeployOptions {
  wallet: WalletClient<Transport, Chain | undefined, Account>;
  client: PublicClient;
  /** Governance admin of CoalitionPoints; the deployer when omitted. */
  governance?: Address;
  /** An existing settlement ERC-20; a fresh MockStablecoin (6 decimals) when omitted. */
  settlement?: Address;
  /** Settlement units backing one point; 10,000 (0.01 of a 6-decimal stablecoin) when omitted. */
  unitValue?: bigint;
}

async function deployContract(opts: DeployOptions, name: string, args: readonly unknown[] = []) {
  const { abi, bytecode } = artifact(name);
  const hash = await opts.wallet.deployContract({ abi, bytecode, args, account: opts.wallet.account, chain: opts.wallet.chain });
  const receipt = await opts.client.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error(`deployment of ${name} failed in ${hash}`);
  return { address: receipt.contractAddress, block: Number(receipt.blockNumber), hash: hash as Hex };
}

/** Deploys ConsentLedger, CoalitionPoints and, unless one is given, a MockStablecoin as settlement asset. */
export async function deployConfiance(opts: DeployOptions): Promise<Deployment> {
  const governance = opts.governance ?? opts.wallet.account.address;
  const unitValue = opts.unitValue ?? 10_000n;
  const ledger = await deployContract(opts, "ConsentLedger");
  const settlement = opts.settlement ?? (await deployContract(opts, "mocks/MockStablecoin")).address;
  const points = await deployContract(opts, "CoalitionPoints", [settlement, unitValue, governance]);
  return {
    chainId: await opts.client.getChainId(),
    ledger: ledger.address,
    points: points.address,
    settlement,
    deployBlock: ledger.block,
    unitValue: unitValue.toString(),
    governance,
  };
}
