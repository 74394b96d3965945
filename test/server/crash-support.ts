import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { maxUint256, parseAbiItem, type Address, type Hex } from "viem";
import { deployConfiance } from "../../scripts/lib/deploy";
import { coalitionPointsAbi, consentLedgerAbi, mockStablecoinAbi } from "../../client/abis";
import { writeDeployment, type Deployment } from "../../server/chain/deployment";
import { purposeId } from "../../client/purposes";
import { generateDeviceKey, signDeviceRequest } from "../../client";
import { freePort, testAccount, testPrivateKey, type LocalChain } from "../support/chain";

/**
 * The relay as a separate process (`node -r ts-node/register/transpile-only server/main.ts`), as it runs
 * in production: for the crash test, which kills it with SIGKILL and starts it again on the same data.
 */
const ROOT = path.join(__dirname, "..", "..");
export const ADMIN_TOKEN = "crash-test-admin-token-0123456789";
export const NOTICE = "0x" + "ab".repeat(32);

export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export class RelayProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  readonly url: string;
  starts = 0;

  constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
    private readonly logFile: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const log = fs.openSync(this.logFile, "a");
    const inherited = { ...process.env };
    delete inherited.DATABASE_URL;
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "server/main.ts"], {
      cwd: ROOT,
      env: { ...inherited, TS_NODE_TRANSPILE_ONLY: "true", ...this.env, PORT: String(this.port), HOST: "127.0.0.1" },
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    this.starts++;
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`relay exited with ${child.exitCode}; see ${this.logFile}`);
      const ok = await fetch(`${this.url}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`relay did not become healthy; see ${this.logFile}`);
  }

  /** Ends the process with `signal` and waits until it is gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }

  async http(method: string, urlPath: string, opts: { body?: unknown; raw?: string; auth?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(opts.auth ? { authorization: `Bearer ${opts.auth}` } : {}), ...opts.headers };
    let body: string | undefined = opts.raw;
    if (body === undefined && opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] = "application/json";
    }
    const res = await fetch(`${this.url}${urlPath}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    return { status: res.status, body: parsed };
  }
}

export interface ShopWorld {
  deployment: Deployment;
  deploymentFile: string;
  brand: Address;
  operatorKey: Hex;
  relayKey: Hex;
  customers: Address[];
  dir: string;
}

/**
 * A fresh deployment with one admitted, funded brand (account 1, operator key account 3) that defined
 * the loyalty purpose, and `customers` customers (accounts 10...) who granted it loyalty on chain.
 */
export async function setupShop(chain: LocalChain, customers: number): Promise<ShopWorld> {
  const gov = chain.wallet(0);
  const brandWallet = chain.wallet(1);
  const client = chain.client;
  const deployment = await deployConfiance({ wallet: gov, client });
  const brand = brandWallet.account.address;
  const wait = async (hash: Hex) => {
    const r = await client.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`setup transaction ${hash} reverted`);
  };
  await wait(await gov.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "admitBrand", args: [brand] }));
  await wait(await gov.writeContract({ address: deployment.settlement, abi: mockStablecoinAbi, functionName: "mint", args: [brand, 10n ** 15n] }));
  await wait(await brandWallet.writeContract({ address: deployment.settlement, abi: mockStablecoinAbi, functionName: "approve", args: [deployment.points, maxUint256] }));
  await wait(await brandWallet.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "deposit", args: [10n ** 14n] }));
  await wait(await brandWallet.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "setOperator", args: [testAccount(3).address, true] }));
  await wait(await chain.wallet(3).writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "acceptOperator", args: [brand] }));
  await wait(
    await brandWallet.writeContract({ address: deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId("loyalty"), NOTICE as Hex, "https://brand.example/loyalty"] }),
  );
  const addresses: Address[] = [];
  for (let i = 0; i < customers; i++) {
    const wallet = chain.wallet(10 + i);
    await wait(
      await wallet.writeContract({ address: deployment.ledger, abi: consentLedgerAbi, functionName: "grant", args: [brand, purposeId("loyalty"), 5n, 0, NOTICE as Hex] }),
    );
    addresses.push(wallet.account.address);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confiance-crash-"));
  const deploymentFile = path.join(dir, "deployment.json");
  writeDeployment(deploymentFile, deployment);
  return { deployment, deploymentFile, brand, operatorKey: testPrivateKey(3), relayKey: testPrivateKey(2), customers: addresses, dir };
}

export async function relayProcess(chain: LocalChain, world: ShopWorld, storage: { databaseUrl?: string }, env: Record<string, string> = {}): Promise<RelayProcess> {
  const base: Record<string, string> = {
    RPC_URL: chain.url,
    DEPLOYMENT_FILE: world.deploymentFile,
    SIGNER_KEYS: [world.relayKey, world.operatorKey].join(","),
    RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
    CARD_TOKEN_PEPPER: "crash-test-pepper-0123456789",
    LOG_LEVEL: "warn",
    SUBMITTER_POLL_MS: "20",
    BATCH_WAIT_MS: "20",
    BATCH_MAX: "20",
    CONFIRMATIONS: "1",
    INDEXER_CONFIRMATIONS: "0",
    INDEXER_POLL_MS: "50",
    // These tests load the relay on purpose from one client and one device: the rate limits are not what they test.
    RATE_LIMIT_PER_CLIENT: "1000000",
    RATE_LIMIT_PER_DEVICE: "1000000",
    CUSTOMER_ACTIONS_PER_CLIENT: "0",
    ...env,
  };
  if (storage.databaseUrl) base.DATABASE_URL = storage.databaseUrl;
  else base.DATA_DIR = path.join(world.dir, "data");
  return new RelayProcess(base, await freePort(), path.join(world.dir, "relay.log"));
}

export interface Device {
  id: string;
  storeId: string;
  privateKeyPem: string;
  /** The brand's API key. */
  apiKey: string;
}

/** Registers the brand (earning 2 points per currency unit), a store and a device through the admin API. */
export async function registerShop(relay: RelayProcess, world: ShopWorld): Promise<Device> {
  const created = await relay.http("POST", "/v1/admin/brands", {
    auth: ADMIN_TOKEN,
    body: { address: world.brand, name: "Brand", pointsPerUnit: "2", operator: testAccount(3).address },
  });
  if (created.status !== 201) throw new Error(`brand registration: ${JSON.stringify(created.body)}`);
  const apiKey = created.body.apiKey as string;
  const store = await relay.http("POST", "/v1/brand/stores", { auth: apiKey, body: { id: "store-1", name: "Store 1" } });
  if (store.status !== 201) throw new Error(`store registration: ${JSON.stringify(store.body)}`);
  const pair = generateDeviceKey();
  const device = await relay.http("POST", "/v1/brand/stores/store-1/devices", { auth: apiKey, body: { id: "till-1", name: "Till 1", publicKey: pair.publicKey } });
  if (device.status !== 201) throw new Error(`device registration: ${JSON.stringify(device.body)}`);
  return { id: "till-1", storeId: "store-1", privateKeyPem: pair.privateKeyPem, apiKey };
}

export function purchaseEvent(i: number, customer: Address) {
  return { eventId: `purchase-${i}`, kind: "purchase", customer: { wallet: customer }, receipt: `R-${i}`, amount: `${(i % 7) + 1}.50` };
}

/** Points the brand's rule (2 per unit, rounded down) gives purchase `i`. */
export function pointsOf(i: number): bigint {
  return BigInt(((i % 7) + 1) * 2 + 1);
}

export async function postEvent(relay: RelayProcess, device: Device, event: unknown): Promise<Answer> {
  const urlPath = `/v1/stores/${device.storeId}/events`;
  const raw = JSON.stringify(event);
  const headers = { "content-type": "application/json", ...signDeviceRequest({ privateKey: device.privateKeyPem, deviceId: device.id, method: "POST", path: urlPath, body: raw }) };
  return relay.http("POST", urlPath, { raw, headers });
}

/** Waits until the relay's indexer lets purchases of every customer through (their grants are indexed). */
export async function consentIndexed(relay: RelayProcess, world: ShopWorld): Promise<void> {
  for (const customer of world.customers) {
    for (let i = 0; ; i++) {
      const r = await relay.http("GET", `/v1/customers/${customer}/consents`);
      if (r.status === 200 && (r.body.consents as { active: boolean }[]).some((c) => c.active)) break;
      if (i > 600) throw new Error(`consent of ${customer} never indexed`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

export const pointsIssuedEvent = parseAbiItem("event PointsIssued(address indexed brand, address indexed customer, uint256 points, bytes32 indexed receiptId)");
