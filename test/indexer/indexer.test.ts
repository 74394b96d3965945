import { expect } from "chai";
import { LocalChain } from "../support/chain";
import { openTestDb, testDbKinds } from "../support/db";
import type { Deployment } from "../../server/chain/deployment";
import { addr, deployScenario, dumpIndex, expectViewsAgree, grant, lc, makeIndexer, noticeOf, PURPOSES, randomActivity, send } from "./fixture";
import { createPublicClient, encodeFunctionData, http, type Hex, type PublicClient } from "viem";
import { consentLedgerAbi } from "../../client/abis";

const [RECOGNITION, LOYALTY, LIST] = PURPOSES;
/** A subject outside the random activity, for the revoke-all ordering cases. */
const OUTSIDER = 11;
import pino from "pino";
import { Registry } from "prom-client";
import { ChainIndexer } from "../../server/indexer";
import { restrictiveProxy } from "./proxy";

async function metricValue(m: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await m.get()).values.reduce((s, v) => s + v.value, 0);
}

async function eventRows(q: { query: (sql: string) => Promise<{ rows: unknown[] }> }) {
  const rows: { block_number: number; block_hash: string; tx_hash: string }[] = [];
  for (const t of ["consent_history", "delegate_events", "purpose_notices", "points_events"]) {
    rows.push(...((await q.query(`SELECT block_number, block_hash, tx_hash FROM ${t}`)).rows as typeof rows));
  }
  return rows;
}

for (const kind of testDbKinds()) {
  describe(`indexer (${kind})`, function () {
    this.timeout(600_000);
    let chain: LocalChain;
    let dep: Deployment;

    before(async () => {
      chain = await LocalChain.start();
      dep = await deployScenario(chain);
    });
    after(async () => {
      await chain.stop();
    });

    it("after random activity, every indexed consent, delegate, notice and balance equals the contracts' views", async () => {
      const t = await openTestDb(kind);
      try {
        const activity = await randomActivity(chain, dep, 7, 100);
        expect(activity.done).to.be.greaterThan(60);
        const indexer = makeIndexer(chain, dep, t.db, { maxRange: 7 });
        await indexer.syncToHead();
        const agreed = await expectViewsAgree(chain, dep, t.db);
        expect(agreed.consents).to.be.greaterThan(10);
        // The activity covered every kind of record the views depend on.
        const actions = (await t.db.query<{ action: number }>("SELECT DISTINCT action FROM consent_history ORDER BY 1")).rows;
        expect(actions.map((a) => a.action)).to.deep.equal([1, 2, 3]);
        const kinds = (await t.db.query<{ kind: string }>("SELECT DISTINCT kind FROM points_events ORDER BY 1")).rows.map((k) => k.kind);
        expect(kinds).to.include.members(["deposited", "expired", "issued", "redeemed", "reversed", "transfer", "withdrawn"]);
        // Revoke-all, in log order: a consent that had expired before it keeps revokedAt 0 (as consentOf
        // reports), a live one is revoked, and a grant after it in the same transaction stays active.
        const now = Number((await chain.client.getBlock()).timestamp);
        const t1 = await grant(chain, dep, OUTSIDER, 3, RECOGNITION, 1n, now + 100);
        await grant(chain, dep, OUTSIDER, 3, LOYALTY, 2n);
        await chain.increaseTime(200);
        const call = async (first: Hex, second: Hex) => send(chain, OUTSIDER, dep.ledger, consentLedgerAbi, "multicall", [[first, second]]);
        const revokeAll = encodeFunctionData({ abi: consentLedgerAbi, functionName: "revokeAll", args: [addr(3)] });
        const grantCall = async (p: Hex) =>
          encodeFunctionData({ abi: consentLedgerAbi, functionName: "grant", args: [addr(3), p, 4n, 0, await noticeOf(chain, dep, addr(3), p)] });
        const t3 = await call(revokeAll, await grantCall(LIST));
        const t4 = await call(revokeAll, await grantCall(LOYALTY));
        await indexer.syncToHead();
        const time = async (hash: Hex) => Number((await chain.client.getBlock({ blockHash: (await chain.client.getTransactionReceipt({ hash })).blockHash })).timestamp);
        const rows = (await t.db.query<{ purpose: string; revoked_at: number; granted_at: number }>(
          "SELECT purpose, granted_at, revoked_at FROM consents WHERE subject = $1", [lc(addr(OUTSIDER))],
        )).rows.sort((a, b) => (a.purpose < b.purpose ? -1 : 1));
        const expected = [
          { purpose: RECOGNITION, granted_at: await time(t1), revoked_at: 0 },
          { purpose: LOYALTY, granted_at: await time(t4), revoked_at: 0 },
          { purpose: LIST, granted_at: await time(t3), revoked_at: await time(t4) },
        ].sort((a, b) => (a.purpose < b.purpose ? -1 : 1));
        expect(rows).to.deep.equal(expected);
        for (const p of [RECOGNITION, LOYALTY, LIST]) {
          const [grantedAt, , revokedAt, , active] = await chain.client.readContract({ address: dep.ledger, abi: consentLedgerAbi, functionName: "consentOf", args: [addr(OUTSIDER), addr(3), p] });
          const row = rows.find((r) => r.purpose === p)!;
          expect([row.granted_at, row.revoked_at, p === LOYALTY], p).to.deep.equal([grantedAt, revokedAt, active]);
        }
      } finally {
        await t.drop();
      }
    });

    it("rewinds a reorganisation to the common ancestor and keeps nothing from the abandoned branch", async () => {
      const t = await openTestDb(kind);
      const fresh = await openTestDb(kind);
      try {
        const indexer = makeIndexer(chain, dep, t.db, { maxRange: 4 });
        await randomActivity(chain, dep, 11, 20);
        await indexer.syncToHead();
        const snapshot = await chain.snapshot();
        const fork = Number(await chain.client.getBlockNumber());

        // Branch A: seen and stored by the indexer, then abandoned.
        await randomActivity(chain, dep, 21, 30);
        await indexer.syncToHead();
        const heightA = Number(await chain.client.getBlockNumber());
        const stored = await eventRows(t.db);
        const abandoned = new Set(stored.filter((r) => r.block_number > fork).map((r) => r.tx_hash));
        expect(abandoned.size).to.be.greaterThan(5);
        const cursorA = (await t.db.query<{ block_number: number }>("SELECT block_number FROM indexer_cursor")).rows[0].block_number;
        expect(cursorA).to.equal(heightA);

        // Branch B: different blocks at the same heights, and a few more.
        expect(await chain.revert(snapshot)).to.equal(true);
        await randomActivity(chain, dep, 22, 20);
        const now = Number(await chain.client.getBlockNumber());
        if (now < heightA + 2) await chain.mine(heightA + 2 - now);
        const replaced = await chain.client.getBlock({ blockNumber: BigInt(fork + 1) });
        expect(stored.some((r) => r.block_number === fork + 1 && r.block_hash === replaced.hash)).to.equal(false);

        await indexer.syncToHead();
        expect(await metricValue(indexer.metrics.reorgs)).to.equal(1);
        expect(await metricValue(indexer.metrics.reorgDepth)).to.be.within(1, heightA - fork);

        // Nothing from branch A survives; every stored row sits in a block the chain has now.
        const after = await eventRows(t.db);
        expect(after.filter((r) => abandoned.has(r.tx_hash))).to.deep.equal([]);
        const hashes = new Map<number, string>();
        for (const r of after) {
          if (!hashes.has(r.block_number)) hashes.set(r.block_number, (await chain.client.getBlock({ blockNumber: BigInt(r.block_number) })).hash);
          expect(r.block_hash, `block ${r.block_number}`).to.equal(hashes.get(r.block_number));
        }
        await expectViewsAgree(chain, dep, t.db);

        // And the rewound index is exactly what indexing branch B from scratch gives.
        await makeIndexer(chain, dep, fresh.db).syncToHead();
        expect(await dumpIndex(t.db)).to.deep.equal(await dumpIndex(fresh.db));
      } finally {
        await t.drop();
        await fresh.drop();
      }
    });

    it("rebuilds the same content after the database is dropped, whatever the range size", async () => {
      await randomActivity(chain, dep, 31, 30);
      const first = await openTestDb(kind);
      await makeIndexer(chain, dep, first.db, { maxRange: 2000 }).syncToHead();
      const before = await dumpIndex(first.db);
      await first.drop();
      const second = await openTestDb(kind);
      try {
        await makeIndexer(chain, dep, second.db, { maxRange: 3 }).syncToHead();
        const rebuilt = await dumpIndex(second.db);
        expect(rebuilt).to.deep.equal(before);
        expect(rebuilt.consent_history.length).to.be.greaterThan(20);
      } finally {
        await second.drop();
      }
    });

    it("shrinks the range and backs off when the endpoint refuses wide ranges and rate-limits, and still catches up", async () => {
      const proxy = await restrictiveProxy(chain.url, { maxLogsSpan: 3, rateLimitEvery: 7 });
      const t = await openTestDb(kind);
      try {
        const client = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }) }) as PublicClient;
        const indexer = new ChainIndexer({
          client, db: t.db, logger: pino({ level: "silent" }), registry: new Registry(),
          contracts: { ledger: dep.ledger, points: dep.points }, deployBlock: dep.deployBlock,
          confirmations: 2, maxRange: 64, pollMs: 10,
        }).start();
        await indexer.caughtUp();
        const status = await indexer.status();
        await indexer.stop();
        expect(status.indexedBlock).to.equal(status.headBlock - 2);
        expect(status.lag).to.equal(2);
        expect(await metricValue(indexer.metrics.rangeShrinks)).to.be.greaterThan(0);
        expect(proxy.stats.rangeRefusals).to.be.greaterThan(0);
        expect(proxy.stats.rateLimited).to.be.greaterThan(0);
        expect(await metricValue(indexer.metrics.rpcErrors)).to.be.greaterThan(0);
        // Everything up to the indexed block is there: compare with a full index cut at the same block.
        await chain.mine(0);
        const full = await openTestDb(kind);
        try {
          await makeIndexer(chain, dep, full.db, { confirmations: 2 }).syncToHead();
          expect(await dumpIndex(t.db)).to.deep.equal(await dumpIndex(full.db));
        } finally {
          await full.drop();
        }
        expect(addr(1)).to.match(/^0x/);
      } finally {
        await t.drop();
        await proxy.close();
      }
    });

    it("asks for fewer blocks when a response passes the client's size cap (viem's maxResponseBodySize), and still catches up", async () => {
      const t = await openTestDb(kind);
      const full = await openTestDb(kind);
      try {
        // 6 KB: a block header fits, the logs of a wide range do not.
        const client = createPublicClient({ transport: http(chain.url, { retryCount: 0, maxResponseBodySize: 6_000 }) }) as PublicClient;
        const indexer = new ChainIndexer({
          client, db: t.db, logger: pino({ level: "silent" }), registry: new Registry(),
          contracts: { ledger: dep.ledger, points: dep.points }, deployBlock: dep.deployBlock,
          confirmations: 0, maxRange: 256, pollMs: 10,
        });
        await indexer.syncToHead();
        expect(await metricValue(indexer.metrics.rangeShrinks)).to.be.greaterThan(0);
        await makeIndexer(chain, dep, full.db).syncToHead();
        expect(await dumpIndex(t.db)).to.deep.equal(await dumpIndex(full.db));
      } finally {
        await t.drop();
        await full.drop();
      }
    });

    it("the running indexer follows a reorganisation: caughtUp resolves once the abandoned blocks are rewound", async () => {
      const t = await openTestDb(kind);
      const indexer = new ChainIndexer({
        client: chain.client, db: t.db, logger: pino({ level: "silent" }), registry: new Registry(),
        contracts: { ledger: dep.ledger, points: dep.points }, deployBlock: dep.deployBlock,
        confirmations: 0, maxRange: 50, pollMs: 10,
      }).start();
      try {
        await indexer.caughtUp();
        const snapshot = await chain.snapshot();
        await randomActivity(chain, dep, 41, 12);
        await indexer.caughtUp();
        const height = Number(await chain.client.getBlockNumber());
        expect((await indexer.status()).indexedBlock).to.equal(height);
        expect(await chain.revert(snapshot)).to.equal(true);
        await randomActivity(chain, dep, 42, 8);
        const now = Number(await chain.client.getBlockNumber());
        if (now < height) await chain.mine(height - now);
        await indexer.caughtUp();
        expect(await metricValue(indexer.metrics.reorgs)).to.equal(1);
        const status = await indexer.status();
        expect(status).to.deep.equal({ indexedBlock: Number(await chain.client.getBlockNumber()), headBlock: status.indexedBlock, lag: 0 });
        expect([await metricValue(indexer.metrics.indexedBlock), await metricValue(indexer.metrics.headBlock), await metricValue(indexer.metrics.lag)])
          .to.deep.equal([status.indexedBlock, status.headBlock, 0]);
        await expectViewsAgree(chain, dep, t.db);
      } finally {
        await indexer.stop();
        await t.drop();
      }
    });
  });
}
