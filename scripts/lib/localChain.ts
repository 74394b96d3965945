import net from "node:net";
import hre from "hardhat";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Account,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { forgetChainHead } from "../../server/chain/clock";

/** Hardhat's default accounts (well-known test keys; never use them anywhere real). */
export const TEST_MNEMONIC = "test test test test test test test test test test test junk";

const testAccounts = new Map<number, HDAccount>();

/**
 * Default account `index`, derived once per process: a derivation stretches the mnemonic (PBKDF2, 2,048
 * rounds of HMAC-SHA512 in JavaScript), and tests ask for the same few accounts thousands of times.
 */
export function testAccount(index: number): HDAccount {
  let account = testAccounts.get(index);
  if (!account) testAccounts.set(index, (account = mnemonicToAccount(TEST_MNEMONIC, { addressIndex: index })));
  return account;
}

/** Private key of a default account, e.g. to hand to a relay child process as SIGNER_KEYS. */
export function testPrivateKey(index: number): `0x${string}` {
  const key = testAccount(index).getHdKey().privateKey;
  if (!key) throw new Error("no private key");
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

/**
 * The in-process Hardhat network served over real HTTP JSON-RPC on a loopback port, as a relay or a
 * child process sees any EVM node (tests, the demo and the benchmarks). `stop()` takes the endpoint away (an RPC outage) while the chain keeps
 * its state; `start()` brings it back on the same port.
 */
export type ChainWallet = WalletClient<Transport, Chain, Account>;

export interface LocalChainOptions {
  /** Loopback port; a free one when omitted. */
  port?: number;
  /**
   * How often the clients poll (receipts, block numbers), in ms; viem's default (4 s, which is also how
   * long a block number is cached) when omitted. The demo and the benchmarks use 50: the in-process
   * network mines at once.
   */
  pollingMs?: number;
}

export class LocalChain {
  readonly url: string;
  readonly client: PublicClient;
  private server: JsonRpcServer | undefined;

  private constructor(
    readonly port: number,
    private readonly pollingMs: number | undefined,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.client = createPublicClient({ chain: hardhat, transport: this.transport(), pollingInterval: pollingMs }) as PublicClient;
  }

  static async start(options: LocalChainOptions = {}): Promise<LocalChain> {
    const chain = new LocalChain(options.port ?? (await freePort()), options.pollingMs);
    await chain.start();
    return chain;
  }

  private transport() {
    return http(this.url, { retryCount: 0, timeout: 30_000 });
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.server = new JsonRpcServer({ hostname: "127.0.0.1", port: this.port, provider: hre.network.provider });
    await this.server.listen();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closing = server?.close();
    // Node's close() ends idle connections only: a client busy on a keep-alive connection would keep
    // the endpoint alive (and close() pending) forever. An outage drops every connection.
    (server as unknown as { _httpServer?: { closeAllConnections(): void } } | undefined)?._httpServer?.closeAllConnections();
    await closing;
  }

  wallet(index: number): ChainWallet {
    return createWalletClient({ account: testAccount(index), chain: hardhat, transport: this.transport(), pollingInterval: this.pollingMs });
  }

  /** Raw JSON-RPC on the in-process network (works while the HTTP endpoint is stopped). */
  rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    return hre.network.provider.request({ method, params }) as Promise<T>;
  }

  mine(blocks = 1): Promise<unknown> {
    return this.rpc("hardhat_mine", [`0x${blocks.toString(16)}`]);
  }

  setAutomine(on: boolean): Promise<unknown> {
    return this.rpc("evm_setAutomine", [on]);
  }

  snapshot(): Promise<string> {
    return this.rpc<string>("evm_snapshot");
  }

  /** Back to a snapshot; this client's cached latest block (server/chain/clock.ts) goes with the blocks it undoes. */
  async revert(id: string): Promise<boolean> {
    const reverted = await this.rpc<boolean>("evm_revert", [id]);
    forgetChainHead(this.client);
    return reverted;
  }

  async increaseTime(seconds: number): Promise<void> {
    await this.rpc("evm_increaseTime", [seconds]);
    await this.mine();
  }
}
