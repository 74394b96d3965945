import pino from "pino";
import { Registry } from "prom-client";
import type { RelayDeps } from "../../server/deps";
import { keccak256, maxUint256, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { deployConfiance } from "../../scripts/lib/deploy";
import { coalitionPointsAbi, consentLedgerAbi, mockStablecoinAbi } from "../../client/abis";
import type { Deployment } from "../../server/chain/deployment";
import { loadConfig, type Env } from "../../server/config";
import { purposeId } from "../../client/purposes";
import { generateDeviceKey, signCustomerMessage, signDeviceRequest } from "../../client";
import { createRelay, type Relay, type RelayOptions } from "../../server/relay";
import { LocalChain, testAccount, testPrivateKey } from "../support/chain";
import { openTestDb, type DbKind, type TestDb } from "../support/db";

/**
 * A whole relay for the HTTP suites: a fresh deployment on the in-process chain (served over HTTP), a
 * fresh database of the given kind, the real submitter and indexer, the express app on a loopback port.
 * Brands A (account 1, operator key account 3) and B (account 4, operator account 6) are admitted,
 * funded, have defined the three purposes, and are registered with a store and a device each.
 * The relay's default key is account 2.
 */
export const ADMIN_TOKEN = "admin-token-for-tests-0123456789";
export const PEPPER = "pepper-for-tests-0123456789";
export const PURPOSE_NAMES = ["in-store-recognition", "loyalty", "shopping-list"] as const;
export const NOTICE = keccak256(toHex("notice v1"));

export interface TestDevice {
  id: string;
  storeId: string;
  privateKeyPem: string;
}

export interface TestBrand {
  address: Address;
  wallet: ReturnType<LocalChain["wallet"]>;
  apiKey: string;
  storeId: string;
  device: TestDevice;
}

export interface HttpAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

let sharedChain: LocalChain | undefined;

/** One HTTP endpoint over the in-process chain for the whole mocha run. */
export async function localChain(): Promise<LocalChain> {
  sharedChain ??= await LocalChain.start();
  return sharedChain;
}

export class Harness {
  private constructor(
    readonly chain: LocalChain,
    readonly deployment: Deployment,
    readonly t: TestDb,
    readonly relay: Relay,
    readonly url: string,
    readonly config: Env,
    readonly a: TestBrand,
    readonly b: TestBrand,
  ) {}

  static async start(kind: DbKind, options: RelayOptions & { env?: Record<string, string> } = {}): Promise<Harness> {
    const chain = await localChain();
    const gov = chain.wallet(0);
    const deployment = await deployConfiance({ wallet: gov, client: chain.client });
    const wait = async (hash: Hex) => {
      const r = await chain.client.waitForTransactionReceipt({ hash });
      if (r.status !== "success") throw new Error(`setup transaction ${hash} reverted`);
    };
    for (const [index, operator] of [
      [1, 3],
      [4, 6],
    ] as const) {
      const brand = chain.wallet(index);
      const address = brand.account.address;
      await wait(await gov.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "admitBrand", args: [address] }));
      await wait(await gov.writeContract({ address: deployment.settlement, abi: mockStablecoinAbi, functionName: "mint", args: [address, 10n ** 15n] }));
      await wait(await brand.writeContract({ address: deployment.settlement, abi: mockStablecoinAbi, functionName: "approve", args: [deployment.points, maxUint256] }));
      await wait(await brand.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "deposit", args: [10n ** 14n] }));
      await wait(await brand.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "setOperator", args: [testAccount(operator).address, true] }));
      await wait(await chain.wallet(operator).writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "acceptOperator", args: [address] }));
      for (const name of PURPOSE_NAMES) {
        await wait(await brand.writeContract({ address: deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId(name), NOTICE, `https://brand.example/${name}`] }));
      }
    }
    const t = await openTestDb(kind);
    const config = loadConfig({
      LOG_LEVEL: "silent",
      RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
      CARD_TOKEN_PEPPER: PEPPER,
      BODY_LIMIT: "16kb",
      SIGNER_KEYS: [testPrivateKey(2), testPrivateKey(3), testPrivateKey(6)].join(","),
      SUBMITTER_POLL_MS: "20",
      BATCH_WAIT_MS: "0",
      CONFIRMATIONS: "1",
      INDEXER_CONFIRMATIONS: "0",
      INDEXER_POLL_MS: "20",
      // The suites poll the relay far faster than a person would; the limits' own tests set theirs.
      RATE_LIMIT_PER_CLIENT: "1000000",
      RATE_LIMIT_PER_DEVICE: "1000000",
      RATE_LIMIT_PER_API_KEY: "1000000",
      RATE_LIMIT_AUDIT_PER_CLIENT: "1000000",
      RATE_LIMIT_DELAY_MS: "0",
      ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}),
      ...options.env,
    });
    const relay = await createRelay(
      {
        config,
        db: t.db,
        chain: { client: chain.client, chainId: deployment.chainId, deployment, rpcUrl: chain.url },
        logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
        registry: new Registry(),
      },
      options,
    );
    const url = await relay.listen(0, "127.0.0.1");
    const h = new Harness(chain, deployment, t, relay, url, config, undefined as never, undefined as never);
    (h as { a: TestBrand }).a = await h.registerBrand(1, 3, "a");
    (h as { b: TestBrand }).b = await h.registerBrand(4, 6, "b");
    await h.syncClock();
    return h;
  }

  private async registerBrand(index: number, operator: number, tag: string): Promise<TestBrand> {
    const wallet = this.chain.wallet(index);
    const created = await this.http("POST", "/v1/admin/brands", {
      auth: ADMIN_TOKEN,
      body: { address: wallet.account.address, name: `Brand ${tag}`, pointsPerUnit: "2", operator: testAccount(operator).address },
    });
    if (created.status !== 201) throw new Error(`brand registration: ${JSON.stringify(created.body)}`);
    const apiKey = created.body.apiKey as string;
    const storeId = `store-${tag}`;
    await this.http("POST", "/v1/brand/stores", { auth: apiKey, body: { id: storeId, name: `Store ${tag}` } });
    const device = await this.addDevice(apiKey, storeId, `device-${tag}`);
    return { address: wallet.account.address.toLowerCase() as Address, wallet, apiKey, storeId, device };
  }

  /**
   * Sets up brand `index` on chain, step by step, as `npm run coalition` would: governance admits it, it
   * proposes `operator` and the key accepts, it defines `purposes` (default the three). Leave a step out
   * with `skip` to make a brand that is not ready.
   */
  async onboard(index: number, operator: number, opts: { purposes?: readonly string[]; skip?: ("admit" | "propose" | "accept")[] } = {}): Promise<Address> {
    const skip = new Set(opts.skip ?? []);
    const brand = this.chain.wallet(index);
    const address = brand.account.address;
    const wait = async (hash: Hex) => {
      const r = await this.chain.client.waitForTransactionReceipt({ hash });
      if (r.status !== "success") throw new Error(`onboarding transaction ${hash} reverted`);
    };
    const points = this.deployment.points;
    if (!skip.has("admit")) await wait(await this.chain.wallet(0).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "admitBrand", args: [address] }));
    if (!skip.has("admit") && !skip.has("propose")) await wait(await brand.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "setOperator", args: [testAccount(operator).address, true] }));
    if (!skip.has("admit") && !skip.has("propose") && !skip.has("accept")) {
      await wait(await this.chain.wallet(operator).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "acceptOperator", args: [address] }));
    }
    for (const name of opts.purposes ?? PURPOSE_NAMES) {
      await wait(await brand.writeContract({ address: this.deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId(name), NOTICE, `https://brand.example/${name}`] }));
    }
    return address.toLowerCase() as Address;
  }

  async addDevice(apiKey: string, storeId: string, id: string): Promise<TestDevice> {
    const pair = generateDeviceKey();
    const r = await this.http("POST", `/v1/brand/stores/${storeId}/devices`, { auth: apiKey, body: { id, name: id, publicKey: pair.publicKey } });
    if (r.status !== 201) throw new Error(`device registration: ${JSON.stringify(r.body)}`);
    return { id, storeId, privateKeyPem: pair.privateKeyPem };
  }

  async stop(): Promise<void> {
    await this.relay.stop();
    await this.t.drop();
  }

  /** A plain HTTP request: JSON body unless `raw` is given. */
  async http(
    method: string,
    path: string,
    opts: { body?: unknown; raw?: string; auth?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...(opts.auth ? { authorization: `Bearer ${opts.auth}` } : {}) };
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] = "application/json";
    }
    Object.assign(headers, opts.headers);
    const res = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** A device event, signed by `device` (or as `sign` says), posted to its store (or `storeId`). */
  async deviceEvent(
    device: TestDevice,
    event: unknown,
    opts: { storeId?: string; timestamp?: number; raw?: string; signAs?: TestDevice; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer> {
    const path = `/v1/stores/${opts.storeId ?? device.storeId}/events`;
    const raw = opts.raw ?? JSON.stringify(event);
    const signer = opts.signAs ?? device;
    const signed = signDeviceRequest({ privateKey: signer.privateKeyPem, deviceId: device.id, method: "POST", path, body: raw, timestamp: opts.timestamp });
    return this.http("POST", path, { raw, headers: { "content-type": "application/json", ...signed, ...opts.headers } });
  }

  /** What another relay on this harness's chain, deployment and database is built from (createRelay), with `over` replacing parts. */
  relayDeps(over: Partial<RelayDeps> = {}): RelayDeps {
    return {
      config: this.config,
      db: this.t.db,
      chain: { client: this.chain.client, chainId: this.deployment.chainId, deployment: this.deployment, rpcUrl: this.chain.url },
      logger: pino({ level: "silent" }),
      registry: new Registry(),
      ...over,
    };
  }

  /** The value of one sample of GET /metrics, e.g. `relay_purchase_batch_size_sum{fallback="false"}`; undefined when absent. */
  async metric(sample: string): Promise<number | undefined> {
    const text = String((await this.http("GET", "/metrics")).body);
    const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
    return line === undefined ? undefined : Number(line.slice(sample.length + 1));
  }

  async count(table: string, where = "true", params: unknown[] = []): Promise<number> {
    const { rows } = await this.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
    return rows[0]!.n;
  }

  /** The chain's latest block time as last seen; other suites in the same process may have moved it ahead. */
  private chainTime = 0;

  /** Refreshes the chain time that `deadline` counts from. */
  async syncClock(): Promise<void> {
    this.chainTime = Number((await this.chain.client.getBlock({ blockTag: "latest" })).timestamp);
  }

  /**
   * A deadline `seconds` after now, as the contracts (block time) and the relay see now. A past one (`seconds`
   * below 0) counts back from the earlier of the wall clock and the chain time last seen, so it has passed for
   * the relay (which takes the later of the wall clock and the latest block) whatever another suite did to the
   * shared chain's clock since.
   */
  deadline(seconds = 3600): bigint {
    const wall = Math.floor(Date.now() / 1000);
    const now = seconds < 0 ? Math.min(wall, this.chainTime || wall) : Math.max(wall, this.chainTime);
    return BigInt(now + seconds);
  }

  async nonces(customer: Address): Promise<{ ledger: bigint; points: bigint; delegate: bigint }> {
    await this.syncClock();
    const r = await this.http("GET", `/v1/customers/${customer}/nonces`);
    // -1: a relay that reports no delegate lane.
    return { ledger: BigInt(r.body.ledger), points: BigInt(r.body.points), delegate: r.body.delegate === undefined ? -1n : BigInt(r.body.delegate) };
  }

  /** Signs and posts a grant of `purpose` by `customer` to `brand`. */
  async grant(customer: PrivateKeyAccount, brand: Address, purpose: string, over: { nonce?: bigint; deadline?: bigint; noticeHash?: Hex } = {}): Promise<HttpAnswer> {
    const nonce = over.nonce ?? (await this.nonces(customer.address)).ledger;
    const deadline = over.deadline ?? this.deadline();
    const message = {
      subject: customer.address,
      controller: brand,
      purpose: purposeId(purpose),
      categories: 5n,
      expiresAt: 0,
      noticeHash: over.noticeHash ?? NOTICE,
      nonce,
      deadline,
    };
    const signature = await signCustomerMessage({ signer: customer, contracts: this.deployment, primaryType: "Grant", message });
    return this.http("POST", "/v1/consents/grant", {
      body: { ...message, purpose, categories: "5", nonce: nonce.toString(), deadline: deadline.toString(), signature },
    });
  }

  async revoke(customer: PrivateKeyAccount, brand: Address, purpose: string, over: { nonce?: bigint } = {}): Promise<HttpAnswer> {
    const nonce = over.nonce ?? (await this.nonces(customer.address)).ledger;
    const deadline = this.deadline();
    const message = { subject: customer.address, controller: brand, purpose: purposeId(purpose), nonce, deadline };
    const signature = await signCustomerMessage({ signer: customer, contracts: this.deployment, primaryType: "Revoke", message });
    return this.http("POST", "/v1/consents/revoke", { body: { ...message, nonce: nonce.toString(), deadline: deadline.toString(), signature } });
  }

  async redeemBody(customer: PrivateKeyAccount, brand: Address, points: bigint, over: { nonce?: bigint; deadline?: bigint } = {}) {
    const nonce = over.nonce ?? (await this.nonces(customer.address)).points;
    const deadline = over.deadline ?? this.deadline();
    const message = { customer: customer.address, brand, points, orderRef: keccak256(toHex("order-1")), nonce, deadline };
    const signature = await signCustomerMessage({ signer: customer, contracts: this.deployment, primaryType: "Redeem", message });
    return { ...message, points: points.toString(), nonce: nonce.toString(), deadline: deadline.toString(), signature };
  }

  async linkCardBody(customer: PrivateKeyAccount, brand: Address, cardToken: string, primaryType: "LinkCard" | "UnlinkCard" = "LinkCard", deadline = this.deadline(600)) {
    const message = { subject: customer.address, brand, card: keccak256(toHex(cardToken)), deadline };
    const signature = await signCustomerMessage({ signer: customer, contracts: this.deployment, primaryType, message });
    return { subject: customer.address, brand, cardToken, deadline: deadline.toString(), signature };
  }

  /** Polls the operation until it leaves queued/submitted (bounded by attempts, not by time). */
  async settled(operationId: string): Promise<{ status: string; error?: { code: string } }> {
    for (let i = 0; i < 2000; i++) {
      const r = await this.http("GET", `/v1/operations/${operationId}`);
      if (r.body.status === "confirmed" || r.body.status === "failed") return r.body;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`operation ${operationId} did not settle`);
  }

  /** Waits until the indexer has caught up with the chain head. */
  async indexed(): Promise<void> {
    await this.relay.indexer!.caughtUp();
  }

  /** Grants `purposes` through the relay and waits until they are mined and indexed. */
  async consent(customer: PrivateKeyAccount, brand: Address, purposes: readonly string[]): Promise<void> {
    for (const p of purposes) {
      const r = await this.grant(customer, brand, p);
      if (r.status !== 202) throw new Error(`grant: ${JSON.stringify(r.body)}`);
      const s = await this.settled(r.body.operationId);
      if (s.status !== "confirmed") throw new Error(`grant failed: ${JSON.stringify(s)}`);
    }
    await this.indexed();
  }
}

export function newCustomer(): PrivateKeyAccount {
  return privateKeyToAccount(generatePrivateKey());
}
