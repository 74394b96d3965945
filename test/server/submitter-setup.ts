import crypto from "node:crypto";
import pino from "pino";
import { Registry } from "prom-client";
import { keccak256, maxUint256, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { deployConfiance } from "../../scripts/lib/deploy";
import { coalitionPointsAbi, consentLedgerAbi, mockStablecoinAbi } from "../../client/abis";
import type { Deployment } from "../../server/chain/deployment";
import type { NewOperation } from "../../server/chain/outbox";
import { loadConfig, type Env } from "../../server/config";
import type { RelayDeps } from "../../server/deps";
import type { Db, Row } from "../../server/store/db";
import { testAccount, testPrivateKey, type LocalChain } from "../support/chain";
import { signCustomerMessage } from "../../client";

/**
 * A deployed Confiance for the submitter's tests: brand = test account 1 (admitted, funded, purpose
 * defined), governance = account 0, the relay's default key = account 2, the brand's operator key = 3.
 */
export interface World {
  chain: LocalChain;
  deployment: Deployment;
  brand: Address;
  relayKey: Hex;
  operatorKey: Hex;
  operator: Address;
  purpose: Hex;
  noticeHash: Hex;
}

export const PURPOSE = keccak256(toHex("loyalty"));
export const NOTICE = keccak256(toHex("loyalty notice v1"));

export async function setupWorld(chain: LocalChain): Promise<World> {
  const gov = chain.wallet(0);
  const brandWallet = chain.wallet(1);
  const client = chain.client;
  const deployment = await deployConfiance({ wallet: gov, client });
  const brand = brandWallet.account.address;
  const operator = testAccount(3).address;
  const wait = async (hash: Hex) => {
    const r = await client.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`setup transaction ${hash} reverted`);
  };
  await wait(await gov.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "admitBrand", args: [brand] }));
  await wait(await gov.writeContract({ address: deployment.settlement, abi: mockStablecoinAbi, functionName: "mint", args: [brand, 10n ** 15n] }));
  await wait(
    await brandWallet.writeContract({ address: deployment.settlement, abi: mockStablecoinAbi, functionName: "approve", args: [deployment.points, maxUint256] }),
  );
  await wait(await brandWallet.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "deposit", args: [10n ** 14n] }));
  await wait(await brandWallet.writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "setOperator", args: [operator, true] }));
  await wait(await chain.wallet(3).writeContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "acceptOperator", args: [brand] }));
  await wait(
    await brandWallet.writeContract({
      address: deployment.ledger,
      abi: consentLedgerAbi,
      functionName: "definePurpose",
      args: [PURPOSE, NOTICE, "https://brand.example/notices/loyalty"],
    }),
  );
  return { chain, deployment, brand, relayKey: testPrivateKey(2), operatorKey: testPrivateKey(3), operator, purpose: PURPOSE, noticeHash: NOTICE };
}

export function testConfig(overrides: Record<string, string> = {}): Env {
  return loadConfig({
    LOG_LEVEL: "silent",
    SUBMITTER_POLL_MS: "20",
    BATCH_WAIT_MS: "0",
    CONFIRMATIONS: "1",
    STUCK_TIMEOUT_MS: "60000",
    ...overrides,
  });
}

export function makeDeps(world: World, db: Db, config: Env): RelayDeps {
  return {
    config,
    db,
    chain: { client: world.chain.client, chainId: world.deployment.chainId, deployment: world.deployment, rpcUrl: world.chain.url },
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    registry: new Registry(),
  };
}

export function newCustomer(): PrivateKeyAccount {
  return privateKeyToAccount(generatePrivateKey());
}

export const DEADLINE = 2n ** 40n;

/** A customer's signed grant to the brand, as the relay would queue it (nonce: the customer's ledger nonce). */
export async function signedGrant(world: World, subject: PrivateKeyAccount, nonce: bigint, noticeHash: Hex = world.noticeHash): Promise<NewOperation> {
  const message = {
    subject: subject.address,
    controller: world.brand,
    purpose: world.purpose,
    categories: 5n,
    expiresAt: 0,
    noticeHash,
    nonce,
    deadline: DEADLINE,
  };
  const signature = await signCustomerMessage({ signer: subject, contracts: world.deployment, primaryType: "Grant", message });
  return {
    kind: "grant",
    contract: "ledger",
    functionName: "grantBySig",
    args: [subject.address, world.brand, world.purpose, 5n, 0, noticeHash, DEADLINE, signature],
    subject: subject.address,
    controller: world.brand,
    purpose: world.purpose,
  };
}

export async function signedRevoke(world: World, subject: PrivateKeyAccount, nonce: bigint): Promise<NewOperation> {
  const signature = await signCustomerMessage({
    signer: subject,
    contracts: world.deployment,
    primaryType: "Revoke",
    message: { subject: subject.address, controller: world.brand, purpose: world.purpose, nonce, deadline: DEADLINE },
  });
  return {
    kind: "revoke",
    contract: "ledger",
    functionName: "revokeBySig",
    args: [subject.address, world.brand, world.purpose, DEADLINE, signature],
    subject: subject.address,
    controller: world.brand,
    purpose: world.purpose,
  };
}

export function receiptId(): Hex {
  return `0x${crypto.randomBytes(32).toString("hex")}`;
}

export function issueOp(world: World, customer: Address, points: bigint, receipt: Hex = receiptId()): NewOperation {
  return {
    kind: "issue",
    contract: "points",
    functionName: "issue",
    args: [world.brand, customer, points, receipt],
    signer: world.operator,
    subject: customer,
    controller: world.brand,
    idempotencyKey: `receipt:${receipt}`,
  };
}

/** Polls `probe` until it returns a value (no timing assertion: only a bound on how long to keep trying). */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, tries = 1500, everyMs = 20): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export interface OpRow extends Row {
  id: string;
  status: string;
  tx_hash: string | null;
  block_number: number | null;
  error_code: string | null;
  error_message: string | null;
}

export async function opRows(db: Db, ids: readonly string[]): Promise<OpRow[]> {
  const r = await db.query<OpRow>(
    "SELECT id, status, tx_hash, block_number, error_code, error_message FROM operations WHERE id = ANY($1::uuid[])",
    [ids],
  );
  return ids.map((id) => r.rows.find((row) => row.id === id)!);
}

/** Resolves once every operation is confirmed or failed. */
export async function settled(db: Db, ids: readonly string[]): Promise<OpRow[]> {
  return eventually(async () => {
    const rows = await opRows(db, ids);
    return rows.every((r) => r.status === "confirmed" || r.status === "failed") ? rows : undefined;
  }, `operations ${ids.length} to settle`);
}
