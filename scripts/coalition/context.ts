import fs from "node:fs";
import path from "node:path";
import { createWalletClient, erc20Abi, getAddress, http, isAddress, type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { coalitionPointsAbi } from "../../client/abis";
import { DeploymentError, readDeployment } from "../../server/chain/deployment";
import { connectChain } from "../lib/rpcChain";
import { ChainError, shortMessage, UsageError } from "./errors";
import { loadAccount } from "./keys";

/** Where the commands act: the options every command takes (docs/coalition.md, "Where"). */
export interface WhereOptions {
  rpc?: string;
  deployment?: string;
  points?: string;
  ledger?: string;
  "from-block"?: string;
}

export interface Settlement {
  address: Address;
  symbol: string;
  decimals: number;
}

/** What a command runs with: the chain, the contracts, the settlement asset, and the signing key when it needs one. */
export interface Ctx {
  rpcUrl: string;
  chain: Chain;
  client: PublicClient;
  points: Address;
  /** ConsentLedger, when the deployment file or --ledger names it. */
  ledger?: Address;
  /** First block to read logs from (the deployment's block, --from-block, else 0). */
  fromBlock: bigint;
  settlement: Settlement;
  account?: PrivateKeyAccount;
  wallet?: WalletClient<Transport, Chain, Account>;
  /** Prints one line of the result (stdout). */
  out: (line?: string) => void;
}

const DEFAULT_DEPLOYMENT = path.join(__dirname, "..", "..", "deployments", "localhost.json");

function address(value: string, flag: string): Address {
  if (!isAddress(value)) throw new UsageError(`${flag} must be an address, not ${value}`);
  return getAddress(value);
}

/** Connects to the chain and the deployment, reads the settlement asset and, when `needsKey`, loads the key. */
export async function connect(
  env: NodeJS.ProcessEnv,
  opts: WhereOptions & { keystore?: string; from?: string },
  needsKey: boolean,
  out: Ctx["out"],
): Promise<Ctx> {
  const file = opts.deployment ?? env.DEPLOYMENT_FILE ?? (opts.points || !fs.existsSync(DEFAULT_DEPLOYMENT) ? undefined : DEFAULT_DEPLOYMENT);
  let deployment;
  if (file) {
    try {
      deployment = readDeployment(file);
    } catch (err) {
      if (err instanceof DeploymentError) throw new UsageError(err.message);
      throw err;
    }
  }
  const points = opts.points ? address(opts.points, "--points") : deployment?.points;
  const ledger = opts.ledger ? address(opts.ledger, "--ledger") : deployment?.ledger;
  if (!points) throw new UsageError("no deployment: give --deployment FILE (as `npm run deploy` writes it; or DEPLOYMENT_FILE), or --points ADDRESS [--ledger ADDRESS]");
  const fromBlockText = opts["from-block"];
  if (fromBlockText !== undefined && !/^\d+$/.test(fromBlockText)) throw new UsageError(`--from-block must be a block number, not ${fromBlockText}`);
  const fromBlock = BigInt(fromBlockText ?? deployment?.deployBlock ?? 0);
  const account = needsKey ? await loadAccount(env, opts) : undefined;

  const rpcUrl = opts.rpc ?? env.RPC_URL ?? "http://127.0.0.1:8545";
  let chain: Chain;
  let client: PublicClient;
  try {
    ({ chain, client } = await connectChain(rpcUrl, { pollingMs: 250 }));
  } catch (err) {
    throw new ChainError(`cannot reach the chain at ${rpcUrl}: ${shortMessage(err)}`);
  }
  if (deployment && !opts.points && deployment.chainId !== chain.id) {
    throw new ChainError(`the deployment file ${file} is for chain ${deployment.chainId}, but ${rpcUrl} is chain ${chain.id}`);
  }
  let settlement: Settlement;
  try {
    if (!(await client.getCode({ address: points }))) throw new ChainError(`no contract at ${points} on chain ${chain.id} (${rpcUrl}): wrong deployment file or endpoint?`);
    const asset = await client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "settlementAsset" });
    const [symbol, decimals] = await Promise.all([
      client.readContract({ address: asset, abi: erc20Abi, functionName: "symbol" }),
      client.readContract({ address: asset, abi: erc20Abi, functionName: "decimals" }),
    ]);
    settlement = { address: asset, symbol, decimals };
  } catch (err) {
    if (err instanceof ChainError) throw err;
    throw new ChainError(`cannot read CoalitionPoints at ${points} on ${rpcUrl}: ${shortMessage(err)}`);
  }
  const wallet = account ? createWalletClient({ account, chain, transport: http(rpcUrl) }) : undefined;
  return { rpcUrl, chain, client, points, ledger, fromBlock, settlement, account, wallet, out };
}

/** The ledger's address, or a usage error naming what the command needs it for. */
export function needLedger(ctx: Ctx, what: string): Address {
  if (!ctx.ledger) throw new UsageError(`${what} needs ConsentLedger's address: give --deployment FILE or --ledger ADDRESS`);
  return ctx.ledger;
}
