/**
 * `npm run deploy`: deploys ConsentLedger and CoalitionPoints (with a MockStablecoin as settlement asset
 * unless SETTLEMENT_ADDRESS names one) to the chain at RPC_URL, and writes
 * deployments/<name>.json (the format of server/chain/deployment.ts) for the relay, the indexer and the
 * scripts.
 *
 * Environment (and `.env` for what it does not set; see .env.example):
 *   RPC_URL              JSON-RPC endpoint (default http://127.0.0.1:8545, i.e. `npm run node`)
 *   DEPLOYER_KEY         0x hex private key of the deployer; else the first key of SIGNER_KEYS, else
 *                        KEYSTORE_FILE + KEYSTORE_PASSWORD (as for the relay); on a local Hardhat chain
 *                        (31337) with none of these, Hardhat's well-known account #0
 *   GOVERNANCE_ADDRESS   governance admin of CoalitionPoints (default: the deployer)
 *   SETTLEMENT_ADDRESS   an existing ERC-20 settlement asset (default: deploy a MockStablecoin)
 *   UNIT_VALUE           settlement units backing one point (default 10000)
 *   DEPLOYMENT_NAME      file name (default: "localhost" on chain 31337, else "chain-<id>"); also --name
 *   DEPLOYMENTS_DIR      folder (default deployments/)
 * The key is never printed.
 */
import path from "node:path";
import { createWalletClient, getAddress, http, type Hex } from "viem";
import { mnemonicToAccount, privateKeyToAccount, type HDAccount, type PrivateKeyAccount } from "viem/accounts";
import { defaultDeploymentName, writeDeployment } from "../server/chain/deployment";
import { loadSigners } from "../server/chain/signers";
import { deployConfiance } from "./lib/deploy";
import { connectChain } from "./lib/rpcChain";
import { helpFromDocComment } from "./lib/usage";
import { loadEnvFile } from "../server/config/envFile";

const HARDHAT_CHAIN_ID = 31337;
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

export class DeployConfigError extends Error {
  override name = "DeployConfigError";
}

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function deployer(env: NodeJS.ProcessEnv, chainId: number): Promise<PrivateKeyAccount | HDAccount> {
  if (env.DEPLOYER_KEY) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(env.DEPLOYER_KEY)) throw new DeployConfigError("DEPLOYER_KEY must be a 0x-prefixed 32-byte hex key");
    return privateKeyToAccount(env.DEPLOYER_KEY as Hex);
  }
  if (env.SIGNER_KEYS || env.KEYSTORE_FILE) {
    const keys = env.SIGNER_KEYS?.split(",").map((k) => k.trim()).filter(Boolean) as Hex[] | undefined;
    const signers = await loadSigners({ SIGNER_KEYS: keys, KEYSTORE_FILE: env.KEYSTORE_FILE, KEYSTORE_PASSWORD: env.KEYSTORE_PASSWORD });
    return signers.defaultAccount;
  }
  if (chainId === HARDHAT_CHAIN_ID) {
    console.warn("deploy: no key given; using Hardhat's well-known account #0 (local chain only)");
    return mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: 0 });
  }
  throw new DeployConfigError("set DEPLOYER_KEY, SIGNER_KEYS or KEYSTORE_FILE (+ KEYSTORE_PASSWORD)");
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const rpcUrl = env.RPC_URL ?? "http://127.0.0.1:8545";
  const { chain, client } = await connectChain(rpcUrl);
  const chainId = chain.id;
  const account = await deployer(env, chainId);
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const deployed = await deployConfiance({
    wallet,
    client,
    governance: env.GOVERNANCE_ADDRESS ? getAddress(env.GOVERNANCE_ADDRESS) : undefined,
    settlement: env.SETTLEMENT_ADDRESS ? getAddress(env.SETTLEMENT_ADDRESS) : undefined,
    unitValue: env.UNIT_VALUE ? BigInt(env.UNIT_VALUE) : undefined,
  });
  const deployment = {
    ...deployed,
    ledger: getAddress(deployed.ledger),
    points: getAddress(deployed.points),
    settlement: getAddress(deployed.settlement),
    governance: getAddress(deployed.governance),
  };
  const name = argValue("--name") ?? env.DEPLOYMENT_NAME ?? defaultDeploymentName(chainId);
  if (!/^[\w.-]+$/.test(name)) throw new DeployConfigError(`deployment name ${name} must be letters, digits, '.', '_' or '-'`);
  const file = path.resolve(env.DEPLOYMENTS_DIR ?? "deployments", `${name}.json`);
  writeDeployment(file, deployment);
  console.log(`deployed by ${account.address} on chain ${chainId}:`);
  console.log(`  ConsentLedger   ${deployment.ledger}`);
  console.log(`  CoalitionPoints ${deployment.points}`);
  console.log(`  settlement      ${deployment.settlement}`);
  console.log(`  governance      ${deployment.governance}`);
  const relative = path.relative(process.cwd(), file);
  const isDefault = !argValue("--name") && !env.DEPLOYMENT_NAME;
  console.log(`wrote ${relative}${isDefault ? " (the relay and the commands find it there by default)" : ` (set DEPLOYMENT_FILE=${relative} for the relay)`}`);
  return file;
}

if (require.main === module) {
  helpFromDocComment(__filename);
  loadEnvFile();
  main().catch((err: Error) => {
    process.stderr.write(`deploy failed: ${err.name}: ${err.message.split("\n")[0]}\n`);
    process.exit(1);
  });
}
