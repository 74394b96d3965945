import { expect } from "chai";
import pino from "pino";
import { Registry } from "prom-client";
import {
  encodeFunctionData,
  keccak256,
  toHex,
  type Address,
  type Hex,
} from "viem";
import { LocalChain, testAccount } from "../support/chain";
import { deployConfiance } from "../../scripts/lib/deploy";
import { coalitionPointsAbi, consentLedgerAbi, mockStablecoinAbi } from "../../client/abis";
import type { Deployment } from "../../server/chain/deployment";
import type { Db, Queryable } from "../../server/store/db";
import { ChainIndexer } from "../../server/indexer";

/** Accounts: 0 governance, 1-3 brands (controllers), 4-9 customers (subjects), 10 a delegate. */
export const GOVERNANCE = 0;
export const BRANDS = [1, 2, 3];
export const CUSTOMERS = [4, 5, 6, 7, 8, 9];
export const DELEGATE = 10;
export const PURPOSE_NAMES = ["in-store-recognition", "loyalty", "shopping-list"];
export const PURPOSES: Hex[] = PURPOSE_NAMES.map((n) => keccak256(toHex(n)));
export const addr = (i: number): Address => testAccount(i).address;
const DAY = 86_400;
/** The points' expiry period, set at deployment: the shortest allowed; it applies after a notice as long. */
export const EXPIRY_PERIOD = 30 * DAY;
export const lc = (a: string) => a.toLowerCase();

export async function send(chain: LocalChain, from: number, to: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[]): Promise<Hex> {
  const wallet = chain.wallet(from);
  const hash = await wallet.sendTransaction({ to, data: encodeFunctionData({ abi: abi as never, functionName, args } as never) });
  const receipt = await chain.client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  return hash;
}

/** Deploys everything, sets the points' expiry period, admits the brands, funds them, defines every purpose for every brand. */
export async function deployScenario(chain: LocalChain): Promise<Deployment> {
  const dep = await deployConfiance({ wallet: chain.wallet(GOVERNANCE), client: chain.client });
  await send(chain, GOVERNANCE, dep.points, coalitionPointsAbi, "setExpiryPeriod", [EXPIRY_PERIOD]);
  for (const b of BRANDS) {
    await send(chain, GOVERNANCE, dep.points, coalitionPointsAbi, "admitBrand", [addr(b)]);
    await send(chain, GOVERNANCE, dep.settlement, mockStablecoinAbi, "mint", [addr(b), 10n ** 12n]);
    await send(chain, b, dep.settlement, mockStablecoinAbi, "approve", [dep.points, 10n ** 12n]);
    await send(chain, b, dep.points, coalitionPointsAbi, "deposit", [10n ** 10n]);
    for (const p of PURPOSES) await definePurpose(chain, dep, b, p, 1);
  }
  return dep;
}

export async function definePurpose(chain: LocalChain, dep: Deployment, brand: number, purpose: Hex, version: number): Promise<void> {
  const notice = keccak256(toHex(`notice ${brand} ${purpose} v${version}`));
  await send(chain, brand, dep.ledger, consentLedgerAbi, "definePurpose", [purpose, notice, `https://brand${brand}.example/notices/${purpose.slice(2, 10)}/v${version}`]);
}

export async function noticeOf(chain: LocalChain, dep: Deployment, controller: Address, purpose: Hex): Promise<Hex> {
  const [hash] = await chain.client.readContract({ address: dep.ledger, abi: consentLedgerAbi, functionName: "purposeOf", args: [controller, purpose] });
  return hash;
}

export async function grant(chain: LocalChain, dep: Deployment, subject: number, brand: number, purpose: Hex, categories = 3n, expiresAt = 0): Promise<Hex> {
  const notice = await noticeOf(chain, dep, addr(brand), purpose);
  return send(chain, subject, dep.ledger, consentLedgerAbi, "grant", [addr(brand), purpose, categories, expiresAt, notice]);
}

/** A small deterministic generator (mulberry32) for the random activity. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `steps` random actions on both contracts (each may revert; reverts are skipped): grants with and without
 * expiry, revocations, revoke-alls (also batched with grants in one multicall, both orders), delegates,
 * new notice versions, issuance, reversals, redemptions, deposits, withdrawals, transfers, expiry, time.
 */
export async function randomActivity(chain: LocalChain, dep: Deployment, seed: number, steps: number): Promise<{ done: number; reverted: number }> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const receipts: { brand: number; customer: number; points: bigint; id: Hex }[] = [];
  let done = 0;
  let reverted = 0;
  let expiryReached = false;
  for (let i = 0; i < steps; i++) {
    const c = pick(CUSTOMERS);
    const b = pick(BRANDS);
    const p = pick(PURPOSES);
    const now = Number((await chain.client.getBlock()).timestamp);
    const op = Math.floor(r() * 16);
    try {
      switch (op) {
        case 0:
        case 1:
        case 2:
          await grant(chain, dep, c, b, p, BigInt(1 + Math.floor(r() * 255)), r() < 0.3 ? now + 50 + Math.floor(r() * 400) : 0);
          break;
        case 3:
          await send(chain, c, dep.ledger, consentLedgerAbi, "revoke", [addr(b), p]);
          break;
        case 4:
          await send(chain, c, dep.ledger, consentLedgerAbi, "revokeAll", [addr(b)]);
          break;
        case 5: {
          const notice = await noticeOf(chain, dep, addr(b), p);
          const g = encodeFunctionData({ abi: consentLedgerAbi, functionName: "grant", args: [addr(b), p, 7n, 0, notice] });
          const ra = encodeFunctionData({ abi: consentLedgerAbi, functionName: "revokeAll", args: [addr(b)] });
          await send(chain, c, dep.ledger, consentLedgerAbi, "multicall", [r() < 0.5 ? [g, ra] : [ra, g]]);
          break;
        }
        case 6:
          await send(chain, c, dep.ledger, consentLedgerAbi, "setDelegate", [addr(DELEGATE), r() < 0.3 ? 0 : now + 1000]);
          break;
        case 7:
          await definePurpose(chain, dep, b, p, 2 + i);
          break;
        case 8:
        case 9: {
          const id = keccak256(toHex(`receipt ${seed} ${i}`));
          const points = BigInt(1 + Math.floor(r() * 500));
          await send(chain, b, dep.points, coalitionPointsAbi, "issue", [addr(b), addr(c), points, id]);
          receipts.push({ brand: b, customer: c, points, id });
          break;
        }
        case 10: {
          if (!receipts.length) break;
          const rc = pick(receipts);
          await send(chain, rc.brand, dep.points, coalitionPointsAbi, "reverse", [rc.id, addr(rc.customer), 1n + BigInt(Math.floor(r() * Number(rc.points)))]);
          break;
        }
        case 11:
          await send(chain, c, dep.points, coalitionPointsAbi, "redeem", [addr(b), BigInt(1 + Math.floor(r() * 100)), keccak256(toHex(`order ${i}`))]);
          break;
        case 12: {
          const x = r();
          if (x < 1 / 3) await send(chain, b, dep.points, coalitionPointsAbi, "deposit", [BigInt(1 + Math.floor(r() * 10 ** 6))]);
          else if (x < 2 / 3) await send(chain, b, dep.points, coalitionPointsAbi, "withdraw", [BigInt(1 + Math.floor(r() * 10 ** 6)), addr(b)]);
          else await send(chain, b, dep.points, coalitionPointsAbi, "setAcceptsRedemptions", [r() < 0.5]);
          break;
        }
        case 13:
          await send(chain, GOVERNANCE, dep.points, coalitionPointsAbi, "setTransfersEnabled", [true]);
          await send(chain, c, dep.points, coalitionPointsAbi, "transfer", [addr(pick(CUSTOMERS)), BigInt(1 + Math.floor(r() * 50))]);
          break;
        case 14:
          // once per call, a jump past the period's notice and the period itself, so that balances can expire
          if (!expiryReached) {
            expiryReached = true;
            await chain.increaseTime(EXPIRY_PERIOD + DAY);
          }
          await send(chain, GOVERNANCE, dep.points, coalitionPointsAbi, "expire", [addr(c)]);
          break;
        default:
          await chain.increaseTime(30 + Math.floor(r() * 200));
      }
      done++;
    } catch {
      reverted++;
    }
  }
  return { done, reverted };
}

export function makeIndexer(chain: LocalChain, dep: Deployment, db: Db, opts: { maxRange?: number; confirmations?: number } = {}): ChainIndexer {
  return new ChainIndexer({
    client: chain.client,
    db,
    logger: pino({ level: "silent" }),
    registry: new Registry(),
    contracts: { ledger: dep.ledger, points: dep.points },
    deployBlock: dep.deployBlock,
    confirmations: opts.confirmations ?? 0,
    maxRange: opts.maxRange ?? 2000,
    pollMs: 20,
  });
}

/** Every indexed table's content (not the block-hash window), ordered, for comparing two databases. */
export async function dumpIndex(q: Queryable): Promise<Record<string, unknown[]>> {
  const tables: [string, string][] = [
    ["consent_history", "controller, seq"],
    ["consents", "subject, controller, purpose"],
    ["delegate_events", "block_number, log_index"],
    ["delegates", "subject, delegate"],
    ["purpose_notices", "block_number, log_index"],
    ["purposes", "controller, purpose"],
    ["points_events", "block_number, log_index"],
    ["points_balances", "customer"],
    ["brand_balances", "brand"],
    ["points_brands", "brand"],
    ["points_operators", "brand, operator"],
    ["indexer_cursor", "block_number"],
  ];
  const out: Record<string, unknown[]> = {};
  for (const [t, order] of tables) {
    const cols = t === "indexer_cursor" ? "block_number, block_hash" : "*";
    out[t] = (await q.query(`SELECT ${cols} FROM ${t} ORDER BY ${order}`)).rows;
  }
  return out;
}

/** Checks every indexed figure against the contracts' views at the latest block. */
export async function expectViewsAgree(chain: LocalChain, dep: Deployment, db: Db): Promise<{ consents: number; customers: number; brands: number }> {
  const client = chain.client;
  const now = Number((await client.getBlock()).timestamp);
  const consents = (await db.query<{ subject: Address; controller: Address; purpose: Hex; categories: string; granted_at: number; expires_at: number; revoked_at: number }>(
    "SELECT subject, controller, purpose, categories, granted_at, expires_at, revoked_at FROM consents",
  )).rows;
  const indexed = new Map(consents.map((c) => [`${c.subject}|${c.controller}|${c.purpose}`, c]));
  for (const s of CUSTOMERS) {
    for (const b of BRANDS) {
      for (const p of PURPOSES) {
        const [grantedAt, expiresAt, revokedAt, categories, active] = await client.readContract({
          address: dep.ledger, abi: consentLedgerAbi, functionName: "consentOf", args: [addr(s), addr(b), p],
        });
        const row = indexed.get(`${lc(addr(s))}|${lc(addr(b))}|${p}`);
        const mine = row
          ? [row.granted_at, row.expires_at, row.revoked_at, row.categories, row.revoked_at === 0 && (row.expires_at === 0 || now < row.expires_at)]
          : [0, 0, 0, "0", false];
        // eth_call may run at a time a second or two after the latest block: at an expiry on that edge, only
        // the stored fields are compared (the chain's own two views must still agree with each other).
        const onEdge = row !== undefined && row.expires_at !== 0 && Math.abs(row.expires_at - now) <= 2;
        const expected = [grantedAt, expiresAt, revokedAt, categories.toString(), onEdge ? mine[4] : active];
        expect(mine, `consent ${s}/${b}/${p}`).to.deep.equal(expected);
        const granted = await client.readContract({ address: dep.ledger, abi: consentLedgerAbi, functionName: "isGranted", args: [addr(s), addr(b), p] });
        if (!onEdge) expect(mine[4], `isGranted ${s}/${b}/${p}`).to.equal(granted);
      }
    }
  }
  for (const b of BRANDS) {
    const [head, length] = await client.readContract({ address: dep.ledger, abi: consentLedgerAbi, functionName: "historyHead", args: [addr(b)] });
    const last = (await db.query<{ seq: number; head: string }>("SELECT seq, head FROM consent_history WHERE controller = $1 ORDER BY seq DESC LIMIT 1", [lc(addr(b))])).rows[0];
    expect([last?.head ?? "0x" + "0".repeat(64), last?.seq ?? 0], `historyHead ${b}`).to.deep.equal([head, Number(length)]);
    const count = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM consent_history WHERE controller = $1", [lc(addr(b))])).rows[0].n;
    expect(count).to.equal(Number(length));
    const brandBalance = await client.readContract({ address: dep.points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [addr(b)] });
    const row = (await db.query<{ balance: string }>("SELECT balance FROM brand_balances WHERE brand = $1", [lc(addr(b))])).rows[0];
    expect(row?.balance ?? "0", `brandBalance ${b}`).to.equal(brandBalance.toString());
    const accepts = await client.readContract({ address: dep.points, abi: coalitionPointsAbi, functionName: "acceptsRedemptions", args: [addr(b)] });
    const brand = (await db.query<{ accepts: boolean }>("SELECT status = 'admitted' AND accepts_redemptions AS accepts FROM points_brands WHERE brand = $1", [lc(addr(b))])).rows[0];
    expect(brand?.accepts ?? false, `acceptsRedemptions ${b}`).to.equal(accepts);
    for (const p of PURPOSES) {
      const [noticeHash, noticeURI] = await client.readContract({ address: dep.ledger, abi: consentLedgerAbi, functionName: "purposeOf", args: [addr(b), p] });
      const pr = (await db.query<{ notice_hash: string; notice_uri: string }>("SELECT notice_hash, notice_uri FROM purposes WHERE controller = $1 AND purpose = $2", [lc(addr(b)), p])).rows[0];
      expect([pr?.notice_hash, pr?.notice_uri]).to.deep.equal([noticeHash, noticeURI]);
    }
  }
  let supply = 0n;
  for (const c of CUSTOMERS) {
    const [balance, earned, last] = await Promise.all([
      client.readContract({ address: dep.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [addr(c)] }),
      client.readContract({ address: dep.points, abi: coalitionPointsAbi, functionName: "lifetimeEarned", args: [addr(c)] }),
      client.readContract({ address: dep.points, abi: coalitionPointsAbi, functionName: "lastActivity", args: [addr(c)] }),
    ]);
    const row = (await db.query<{ balance: string; lifetime_earned: string; last_activity: number }>(
      "SELECT balance, lifetime_earned, last_activity FROM points_balances WHERE customer = $1", [lc(addr(c))],
    )).rows[0];
    expect(row ? [row.balance, row.lifetime_earned, row.last_activity] : ["0", "0", 0], `points of ${c}`).to.deep.equal([balance.toString(), earned.toString(), Number(last)]);
    const until = await client.readContract({ address: dep.ledger, abi: consentLedgerAbi, functionName: "delegateUntil", args: [addr(c), addr(DELEGATE)] });
    const d = (await db.query<{ until: number }>("SELECT until FROM delegates WHERE subject = $1 AND delegate = $2", [lc(addr(c)), lc(addr(DELEGATE))])).rows[0];
    expect(d?.until ?? 0, `delegate of ${c}`).to.equal(Number(until));
    supply += balance;
  }
  const totalSupply = await client.readContract({ address: dep.points, abi: coalitionPointsAbi, functionName: "totalSupply" });
  expect(supply).to.equal(totalSupply);
  const sum = (await db.query<{ s: string }>("SELECT coalesce(sum(balance), 0)::text AS s FROM points_balances")).rows[0].s;
  expect(sum).to.equal(totalSupply.toString());
  return { consents: consents.length, customers: CUSTOMERS.length, brands: BRANDS.length };
}
