import { expect } from "chai";
import { parseEventLogs, type Address, type Hex } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import { boundedGas, ISSUE_BATCH_FIXED_GAS, ISSUE_ENTRY_GAS_MAX } from "../../server/chain/batchGas";
import { enqueueOperation, type NewOperation } from "../../server/chain/outbox";
import { signersFromKeys } from "../../server/chain/signers";
import { startSubmitter } from "../../server/chain/submitter";
import type { RelayDeps, Service } from "../../server/deps";
import { LocalChain } from "../support/chain";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";
import { issueOp, makeDeps, newCustomer, receiptId, settled, setupWorld, testConfig, type World } from "./submitter-setup";

/**
 * issueBatch transactions sent with a computed gas limit (server/chain/batchGas.ts) instead of a gas
 * estimate: the bound holds for the dearest entries, and a batch sent unscreened whose entry reverts on
 * chain ends with the others issued once and the bad one failed with its reason.
 */
for (const kind of testDbKinds()) {
  describe(`chain submitter: issue batches without a gas estimate (${kind})`, function () {
    let chain: LocalChain;
    let world: World;
    let tdb: TestDb;
    let running: Service | undefined;
    let deps: RelayDeps;

    before(async () => {
      chain = await LocalChain.start();
    });
    after(async () => {
      await chain.stop();
    });
    beforeEach(async () => {
      world = await setupWorld(chain);
      tdb = await openTestDb(kind);
    });
    afterEach(async () => {
      await running?.stop();
      running = undefined;
      await tdb.drop();
    });

    function start(): void {
      deps = makeDeps(world, tdb.db, testConfig());
      running = startSubmitter(deps, { signers: signersFromKeys([world.relayKey, world.operatorKey]) });
    }

    /** Queued in one transaction, so the submitter sees them together. */
    async function enqueueTogether(ops: readonly NewOperation[]): Promise<string[]> {
      return tdb.db.transaction(async (tx) => {
        const ids: string[] = [];
        for (const op of ops) ids.push((await enqueueOperation(tx, op)).id);
        return ids;
      });
    }

    async function metric(sample: string): Promise<number | undefined> {
      const line = (await deps.registry.metrics()).split("\n").find((l) => l.startsWith(`${sample} `));
      return line === undefined ? undefined : Number(line.slice(sample.length + 1));
    }

    const balanceOf = (who: Address) => chain.client.readContract({ address: world.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [who] });

    it("bounds the gas of an issueBatch of customers who never held points", async () => {
      const issue = async (n: number) => {
        const customers = Array.from({ length: n }, () => newCustomer().address);
        const hash = await chain.wallet(3).writeContract({
          address: world.deployment.points,
          abi: coalitionPointsAbi,
          functionName: "issueBatch",
          args: [world.brand, customers, customers.map(() => 0x0101_0101n), customers.map(() => receiptId())],
          gas: boundedGas("issueBatch", n)!,
        });
        return chain.client.waitForTransactionReceipt({ hash });
      };
      const two = await issue(2);
      const forty = await issue(40);
      expect(two.status).to.equal("success");
      expect(forty.status).to.equal("success");
      const perEntry = (forty.gasUsed - two.gasUsed) / 38n;
      expect(perEntry <= ISSUE_ENTRY_GAS_MAX, `${perEntry} gas per entry`).to.equal(true);
      expect(two.gasUsed - 2n * perEntry <= ISSUE_BATCH_FIXED_GAS, `${two.gasUsed - 2n * perEntry} fixed gas`).to.equal(true);
      expect(forty.gasUsed < boundedGas("issueBatch", 40)!).to.equal(true);
    });

    it("estimates the first issueBatch, then sends the next with the computed gas limit, each issue once", async () => {
      const first = Array.from({ length: 3 }, () => newCustomer().address);
      start();
      const firstIds = await enqueueTogether(first.map((c) => issueOp(world, c, 4n)));
      const firstRows = await settled(tdb.db, firstIds);
      const estimated = await chain.client.getTransaction({ hash: firstRows[0]!.tx_hash as Hex });
      expect(estimated.gas === boundedGas("issueBatch", 3)).to.equal(false);

      const next = Array.from({ length: 5 }, () => newCustomer().address);
      const nextIds = await enqueueTogether(next.map((c) => issueOp(world, c, 6n)));
      const nextRows = await settled(tdb.db, nextIds);
      expect(nextRows.map((r) => r.status)).to.deep.equal(["confirmed", "confirmed", "confirmed", "confirmed", "confirmed"]);
      expect(new Set(nextRows.map((r) => r.tx_hash)).size).to.equal(1);
      const computed = await chain.client.getTransaction({ hash: nextRows[0]!.tx_hash as Hex });
      expect(computed.gas).to.equal(boundedGas("issueBatch", 5));
      expect(await Promise.all([...first, ...next].map(balanceOf))).to.deep.equal([...first.map(() => 4n), ...next.map(() => 6n)]);
    });

    it("a batch sent without an estimate whose entry reverts: put back, screened, the others issued once, the bad one failed with its reason", async () => {
      start();
      const warm = await enqueueTogether([issueOp(world, newCustomer().address, 3n), issueOp(world, newCustomer().address, 3n)]);
      await settled(tdb.db, warm);
      // The receipt is used on chain outside the relay (by the same operator key), after the batch kind was screened.
      const used = receiptId();
      const elsewhere = newCustomer().address;
      const direct = await chain.wallet(3).writeContract({ address: world.deployment.points, abi: coalitionPointsAbi, functionName: "issue", args: [world.brand, elsewhere, 2n, used] });
      expect((await chain.client.waitForTransactionReceipt({ hash: direct })).status).to.equal("success");

      const [a, b] = [newCustomer().address, newCustomer().address];
      const ids = await enqueueTogether([issueOp(world, a, 7n), issueOp(world, newCustomer().address, 5n, used), issueOp(world, b, 9n)]);
      const rows = await settled(tdb.db, ids);
      expect(rows.map((r) => r.status)).to.deep.equal(["confirmed", "failed", "confirmed"]);
      expect(rows[1]!.error_code).to.equal("BatchReceiptUsed");
      expect(rows[1]!.error_message).to.equal(`BatchReceiptUsed(1, ${used})`);

      // The unscreened transaction: mined, reverted, with the computed limit; its three operations went back in the queue.
      const reverted = await tdb.db.query<{ gas: string; mined_hash: string }>("SELECT gas::text AS gas, mined_hash FROM chain_transactions WHERE status = 'reverted'");
      expect(reverted.rows.map((r) => BigInt(r.gas))).to.deep.equal([boundedGas("issueBatch", 3)]);
      expect((await chain.client.getTransactionReceipt({ hash: reverted.rows[0]!.mined_hash as Hex })).status).to.equal("reverted");
      expect(await metric('relay_submitter_operations_requeued_total{reason="batchReverted"}')).to.equal(3);
      expect(await metric('relay_submitter_operations_failed_total{kind="issue",stage="simulation"}')).to.equal(1);

      // Each good issue once on chain: one PointsIssued for its receipt, and the balance it earned.
      const confirmed = await chain.client.getTransactionReceipt({ hash: rows[0]!.tx_hash as Hex });
      const issued = parseEventLogs({ abi: coalitionPointsAbi, eventName: "PointsIssued", logs: confirmed.logs }).map((l) => l.args.customer.toLowerCase());
      expect(issued).to.deep.equal([a.toLowerCase(), b.toLowerCase()]);
      expect(await Promise.all([a, b, elsewhere].map(balanceOf))).to.deep.equal([7n, 9n, 2n]);
    });
  });
}
