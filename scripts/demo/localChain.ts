import net from "node:net";
import hre from "hardhat";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import { createPublicClient, createWalletClient, http, type Account, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import { hardhat } from "viem/chains";

/** Hardhat's well-known default accounts (test keys: never use them anywhere real). */
const TEST_MNEMONIC = "test test test test test test test test test test test junk";

export function testAccount(index: number): HDAccount {
  return mnemonicToAccount(TEST_MNEMONIC, { addressIndex: index });
}

export function testPrivateKey(index: number): Hex {
  const key = testAccount(index).getHdKey().privateKey;
  if (!key) throw new Error(`no private key for test account ${index}`);
  return `0x${Buffer.from(key).toString("hex")}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export type DemoWallet = WalletClient<Transport, Chain, Account>;

/**
 * The in-process Hardhat network served over real HTTP JSON-RPC on a loopback port: everything else
 * (deployment, relay, auditor) reaches it by URL, as it would reach any EVM node.
 */
export interface LocalChain {
  url: string;
  client: PublicClient;
  wallet(index: number): DemoWallet;
  stop(): Promise<void>;
}

export async function startLocalChain(port?: number): Promise<LocalChain> {
  const p = port ?? (await freePort());
  const server = new JsonRpcServer({ hostname: "127.0.0.1", port: p, provider: hre.network.provider });
  await server.listen();
  const url = `http://127.0.0.1:${p}`;
  const transport = () => http(url, { retryCount: 0, timeout: 30_000 });
  return {
    url,
    client: createPublicClient({ chain: hardhat, transport: transport(), pollingInterval: 50 }) as PublicClient,
    wallet: (index) => createWalletClient({ account: testAccount(index), chain: hardhat, transport: transport(), pollingInterval: 50 }),
    stop: () => server.close(),
  };
}
