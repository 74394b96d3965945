import crypto from "node:crypto";
import { expect } from "chai";
import { decodeFunctionData, type Hex } from "viem";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import { enqueueOperation, enqueueOperations, getOperation, OutboxError, type NewOperation } from "../../server/chain/outbox";
import { signersFromKeys } from "../../server/chain/signers";
import { startSubmitter } from "../../server/chain/submitter";
import type { Env } from "../../server/config";
import type { RelayDeps, Service } from "../../server/deps";
import { LocalChain } from "../support/chain";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";
import {
  issueOp,
  makeDeps,
  newCustomer,
  opRows,
  settled,
  eventually,
  setupWorld,
  signedGrant,
  signedRevoke,
  testConfig,
  type World,
} from "./submitter-setup";

for (const kind of testDbKinds()) {
  describe(`chain submitter (${kind})`, function () {
    let chain: LocalChain;
    let world: World;
    let tdb: TestDb;
    let running: Service | undefined;

    before(async () => {
      chain = await LocalChain.start();
    });
    after(async () => {
      await chain.stop();
    });
    beforeEach(async () => {
      await chain.setAutomine(true);
      world = await setupWorld(chain);
      tdb = await openTestDb(kind);
    });
    afterEach(async () => {
      await running?.stop();
      running = undefined;
      await chain.setAutomine(true);
      await tdb.drop();
    });

    let deps: RelayDeps;

    function start(config: Env = testConfig()): Service {
      deps = makeDeps(world, tdb.db, config);
      running = startSubmitter(deps, { signers: signersFromKeys([world.relayKey, world.operatorKey]) });
      return running;
    }

    /** The value of one sample of the metrics text, e.g. `relay_submitter_replacements_total`. */
    async function metric(sample: string): Promise<number | undefined> {
      const line = (await deps.registry.metrics()).split("\n").find((l) => l.startsWith(`${sample} `));
      return line === undefined ? undefined : Number(line.slice(sample.length + 1));
    }

    async function enqueueAll(ops: readonly NewOperation[]): Promise<string[]> {
      const ids: string[] = [];
      for (const op of ops) ids.push((await tdb.db.transaction((tx) => enqueueOperation(tx, op))).id);
      return ids;
    }

    async function calledFunction(hash: string, abi: typeof consentLedgerAbi | typeof coalitionPointsAbi): Promise<string> {
      const tx = await chain.client.getTransaction({ hash: hash as Hex });
      return decodeFunctionData({ abi, data: tx.input }).functionName;
    }

    it("batches by-signature consent actions into one ledger tryMulticall", async () => {
      const subjects = [newCustomer(), newCustomer(), newCustomer()];
      const ids = await enqueueAll(await Promise.all(subjects.map((s) => signedGrant(world, s, 0n))));
      start();
      const rows = await settled(tdb.db, ids);
      expect(rows.map((r) => r.status)).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
      expect(new Set(rows.map((r) => r.tx_hash)).size).to.equal(1);
      expect(await calledFunction(rows[0]!.tx_hash!, consentLedgerAbi)).to.equal("tryMulticall");
      for (const s of subjects) {
        const granted = await chain.client.readContract({
          address: world.deployment.ledger,
          abi: consentLedgerAbi,
          functionName: "isGranted",
          args: [s.address, world.brand, world.purpose],
        });
        expect(granted).to.equal(true);
      }
      const view = await getOperation(tdb.db, ids[0]!);
      expect(view?.status).to.equal("confirmed");
      expect(view?.txHash).to.equal(rows[0]!.tx_hash);
      expect(view?.blockNumber).to.equal(rows[0]!.block_number);
      expect(await metric('relay_submitter_transactions_total{batch="multicall"}')).to.equal(1);
      expect(await metric('relay_submitter_operations_confirmed_total{kind="grant"}')).to.equal(3);
      expect(await metric('relay_outbox_operations{status="queued"}')).to.equal(0);
      expect(await metric('relay_outbox_operations{status="submitted"}')).to.equal(0);
    });

    it("batches one brand's issues into issueBatch, sent by the brand's operator key", async () => {
      const customers = [newCustomer(), newCustomer(), newCustomer(), newCustomer()].map((c) => c.address);
      const ids = await enqueueAll(customers.map((c, i) => issueOp(world, c, BigInt(10 * (i + 1)))));
      start();
      const rows = await settled(tdb.db, ids);
      expect(rows.map((r) => r.status)).to.deep.equal(["confirmed", "confirmed", "confirmed", "confirmed"]);
      expect(new Set(rows.map((r) => r.tx_hash)).size).to.equal(1);
      expect(await calledFunction(rows[0]!.tx_hash!, coalitionPointsAbi)).to.equal("issueBatch");
      const tx = await chain.client.getTransaction({ hash: rows[0]!.tx_hash as Hex });
      expect(tx.from.toLowerCase()).to.equal(world.operator.toLowerCase());
      const balances = await Promise.all(
        customers.map((c) => chain.client.readContract({ address: world.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [c] })),
      );
      expect(balances).to.deep.equal([10n, 20n, 30n, 40n]);
    });

    it("cuts a batch whose gas would pass BATCH_GAS_MAX into issueBatch transactions under it, each issue once", async () => {
      const customers = Array.from({ length: 30 }, () => newCustomer().address);
      const ids = await enqueueAll(customers.map((c) => issueOp(world, c, 5n)));
      start(testConfig({ BATCH_MAX: "100", BATCH_GAS_MAX: "600000" }));
      const rows = await settled(tdb.db, ids);
      expect(rows.filter((r) => r.status === "confirmed").length).to.equal(30);
      const hashes = [...new Set(rows.map((r) => r.tx_hash!))];
      // About 51,000 gas per new customer: at most 9 per transaction under 600,000 with the 25% margin.
      expect(hashes.length).to.be.within(4, 8);
      const called: string[] = [];
      for (const hash of hashes) {
        const tx = await chain.client.getTransaction({ hash: hash as Hex });
        expect(tx.gas <= 600_000n, `gas limit ${tx.gas}`).to.equal(true);
        called.push(decodeFunctionData({ abi: coalitionPointsAbi, data: tx.input }).functionName);
      }
      // A remainder of one goes as a plain issue.
      expect(called.filter((f) => f === "issueBatch").length).to.be.at.least(hashes.length - 1);
      expect(await metric("relay_submitter_batch_splits_total")).to.be.greaterThan(0);
      expect((await metric('relay_submitter_batch_operations_sum{batch="issueBatch"}'))! + ((await metric('relay_submitter_batch_operations_sum{batch="single"}')) ?? 0)).to.equal(30);
      const balances = await Promise.all(
        customers.map((c) => chain.client.readContract({ address: world.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [c] })),
      );
      expect(balances).to.deep.equal(customers.map(() => 5n));
    });

    it("with BATCHING=false sends one call per transaction, more than the in-flight limit of them", async () => {
      const customers = Array.from({ length: 20 }, () => newCustomer().address);
      const ids = await enqueueAll(customers.map((c) => issueOp(world, c, 3n)));
      start(testConfig({ BATCHING: "false" }));
      const rows = await settled(tdb.db, ids);
      expect(rows.filter((r) => r.status === "confirmed").length).to.equal(20);
      expect(new Set(rows.map((r) => r.tx_hash)).size).to.equal(20);
      expect(await metric('relay_submitter_transactions_total{batch="single"}')).to.equal(20);
      const nonces = await tdb.db.query<{ nonce: number }>("SELECT nonce FROM chain_transactions ORDER BY nonce");
      const first = nonces.rows[0]!.nonce;
      expect(nonces.rows.map((r) => r.nonce)).to.deep.equal(Array.from({ length: 20 }, (_, i) => first + i));
    });

    it("sends revocations before everything else, after the same subject's earlier actions", async () => {
      const [a, c, d, e] = [newCustomer(), newCustomer(), newCustomer(), newCustomer()];
      const [grantA] = await enqueueAll([await signedGrant(world, a, 0n)]);
      start(testConfig({ BATCHING: "false" }));
      await settled(tdb.db, [grantA!]);
      await running!.stop();
      running = undefined;
      const ids = await enqueueAll([
        await signedGrant(world, c, 0n),
        await signedGrant(world, e, 0n),
        await signedGrant(world, d, 0n),
        await signedRevoke(world, a, 1n),
        await signedRevoke(world, e, 1n),
      ]);
      const [grantC, grantE, grantD, revokeA, revokeE] = ids as [string, string, string, string, string];
      start(testConfig({ BATCHING: "false" }));
      const rows = await settled(tdb.db, ids);
      expect(rows.map((r) => r.status)).to.deep.equal(["confirmed", "confirmed", "confirmed", "confirmed", "confirmed"]);
      const block = (id: string) => rows.find((r) => r.id === id)!.block_number!;
      const order = [grantE, revokeA, revokeE, grantC, grantD].map(block);
      expect(order).to.deep.equal([...order].sort((x, y) => x - y));
      expect(new Set(order).size).to.equal(5);
    });

    it("fails a call that reverts in simulation with its decoded error, and lands the rest of its batch", async () => {
      const [x, bad, y] = [newCustomer(), newCustomer(), newCustomer()];
      const stale = "0x" + "11".repeat(32);
      const ids = await enqueueAll([
        await signedGrant(world, x, 0n),
        await signedGrant(world, bad, 0n, stale as Hex),
        await signedGrant(world, y, 0n),
      ]);
      start();
      const rows = await settled(tdb.db, ids);
      expect(rows.map((r) => r.status)).to.deep.equal(["confirmed", "failed", "confirmed"]);
      expect(rows[0]!.tx_hash).to.equal(rows[2]!.tx_hash);
      expect(rows[1]!.tx_hash).to.equal(null);
      expect(rows[1]!.error_code).to.equal("StaleNotice");
      expect(rows[1]!.error_message).to.equal(`StaleNotice(${world.brand}, ${world.purpose}, ${world.noticeHash}, ${stale})`);
      const view = await getOperation(tdb.db, ids[1]!);
      expect(view?.error).to.deep.equal({ code: "StaleNotice", message: rows[1]!.error_message });
    });

    it("fails an issue whose receipt was already used, and lands the other issues of the batch", async () => {
      const used = issueOp(world, newCustomer().address, 5n);
      const [first] = await enqueueAll([used]);
      start();
      await settled(tdb.db, [first!]);
      await running!.stop();
      running = undefined;
      const again = { ...used, idempotencyKey: "another" };
      const ids = await enqueueAll([issueOp(world, newCustomer().address, 7n), again, issueOp(world, newCustomer().address, 9n)]);
      start();
      const rows = await settled(tdb.db, ids);
      expect(rows.map((r) => r.status)).to.deep.equal(["confirmed", "failed", "confirmed"]);
      expect(rows[1]!.error_code).to.equal("BatchReceiptUsed");
      expect(await metric('relay_submitter_operations_failed_total{kind="issue",stage="simulation"}')).to.equal(1);
      expect(rows[1]!.error_message).to.equal(`BatchReceiptUsed(1, ${used.args[3]})`);
    });

    /** Our pending transactions reach the node; then the brand publishes a new notice, paying more, in the same block. */
    async function noticeChangedInTheSameBlock(transactions: number): Promise<void> {
      const hashes = await eventually(async () => {
        const r = await tdb.db.query<{ hash: string }>("SELECT hash FROM chain_transaction_attempts");
        return r.rowCount === transactions ? r.rows.map((row) => row.hash) : undefined;
      }, "signed transactions");
      for (const hash of hashes) {
        await eventually(() => chain.rpc<unknown>("eth_getTransactionByHash", [hash]).then((t) => (t ? true : undefined)), "our transaction in the pool");
      }
      await chain.wallet(1).writeContract({
        address: world.deployment.ledger,
        abi: consentLedgerAbi,
        functionName: "definePurpose",
        args: [world.purpose, ("0x" + "22".repeat(32)) as Hex, "https://brand.example/notices/loyalty-v2"],
        maxPriorityFeePerGas: 100_000_000_000n,
        maxFeePerGas: 200_000_000_000n,
      });
      await chain.setAutomine(true);
      await chain.mine();
    }

    it("fails an operation whose transaction reverts when mined, with the decoded error", async () => {
      await chain.setAutomine(false);
      const [id] = await enqueueAll([await signedGrant(world, newCustomer(), 0n)]);
      start();
      await noticeChangedInTheSameBlock(1);
      const [row] = await settled(tdb.db, [id!]);
      expect(row!.status).to.equal("failed");
      expect(row!.error_code).to.equal("StaleNotice");
      expect(row!.error_message).to.equal(`StaleNotice(${world.brand}, ${world.purpose}, ${"0x" + "22".repeat(32)}, ${world.noticeHash})`);
      const receipt = await chain.client.getTransactionReceipt({ hash: row!.tx_hash as Hex });
      expect(receipt.status).to.equal("reverted");
      expect(row!.block_number).to.equal(Number(receipt.blockNumber));
      expect(await metric('relay_submitter_operations_failed_total{kind="grant",stage="reverted"}')).to.equal(1);
    });

    it("fails exactly the calls of a mined tryMulticall batch that failed (BatchCallFailed), each with its decoded error", async () => {
      await chain.setAutomine(false);
      const ids = await enqueueAll([await signedGrant(world, newCustomer(), 0n), await signedGrant(world, newCustomer(), 0n)]);
      start();
      await noticeChangedInTheSameBlock(1);
      const rows = await settled(tdb.db, ids);
      expect(rows.map((r) => [r.status, r.error_code])).to.deep.equal([
        ["failed", "StaleNotice"],
        ["failed", "StaleNotice"],
      ]);
      expect(rows[0]!.tx_hash).to.equal(rows[1]!.tx_hash);
      const receipt = await chain.client.getTransactionReceipt({ hash: rows[0]!.tx_hash as Hex });
      expect(receipt.status).to.equal("success");
      expect(await metric('relay_submitter_operations_requeued_total{reason="batchReverted"}')).to.equal(undefined);
      expect(await metric('relay_submitter_operations_failed_total{kind="grant",stage="batchCall"}')).to.equal(2);
      const txs = await tdb.db.query<{ status: string; batch: string }>("SELECT status, batch FROM chain_transactions");
      expect(txs.rows).to.deep.equal([{ status: "confirmed", batch: "multicall" }]);
    });

    it("replaces a transaction stuck past STUCK_TIMEOUT_MS with the same nonce and a higher fee", async () => {
      await chain.setAutomine(false);
      const [id] = await enqueueAll([await signedGrant(world, newCustomer(), 0n)]);
      start(testConfig({ STUCK_TIMEOUT_MS: "1000", FEE_BUMP_PERCENT: "25" }));
      const attempts = await eventually(async () => {
        const r = await tdb.db.query<{ hash: string; max_fee_per_gas: string; max_priority_fee_per_gas: string; nonce: number }>(
          `SELECT a.hash, a.max_fee_per_gas, a.max_priority_fee_per_gas, t.nonce FROM chain_transaction_attempts a
           JOIN chain_transactions t ON t.id = a.tx_id ORDER BY a.created_at`,
        );
        return r.rowCount >= 2 ? r.rows : undefined;
      }, "a replacement");
      // Persisted first, then broadcast: wait until the node has the replacement in its pool.
      await eventually(
        () => chain.rpc<unknown>("eth_getTransactionByHash", [attempts[1]!.hash]).then((t) => (t ? true : undefined)),
        "the replacement to reach the node",
      );
      await chain.setAutomine(true);
      await chain.mine();
      const [row] = await settled(tdb.db, [id!]);
      expect(row!.status).to.equal("confirmed");
      const first = attempts[0]!;
      const second = attempts[1]!;
      expect(second.nonce).to.equal(first.nonce);
      expect(BigInt(second.max_fee_per_gas)).to.equal((BigInt(first.max_fee_per_gas) * 125n + 99n) / 100n);
      expect(BigInt(second.max_priority_fee_per_gas)).to.equal((BigInt(first.max_priority_fee_per_gas) * 125n + 99n) / 100n);
      const all = (await tdb.db.query<{ hash: string }>("SELECT hash FROM chain_transaction_attempts")).rows.map((r) => r.hash);
      expect(all).to.include(row!.tx_hash);
      expect(row!.tx_hash).to.not.equal(first.hash);
      const mined = await chain.client.getTransaction({ hash: row!.tx_hash as Hex });
      expect(mined.nonce).to.equal(first.nonce);
      expect(mined.maxFeePerGas! > BigInt(first.max_fee_per_gas)).to.equal(true);
      expect(await metric("relay_submitter_replacements_total")).to.equal(all.length - 1);
    });

    it("after a restart, rebroadcasts the persisted signed transaction instead of signing again", async () => {
      await chain.setAutomine(false);
      const customer = newCustomer();
      const [id] = await enqueueAll([issueOp(world, customer.address, 42n)]);
      start();
      const persisted = await eventually(async () => {
        const r = await tdb.db.query<{ hash: string; raw: string }>("SELECT hash, raw FROM chain_transaction_attempts");
        return r.rowCount === 1 ? r.rows[0] : undefined;
      }, "a signed transaction");
      await running!.stop();
      running = undefined;
      // The node loses it, as if the relay had crashed between persisting and broadcasting.
      await chain.rpc("hardhat_dropTransaction", [persisted.hash]);
      await chain.setAutomine(true);
      start();
      const [row] = await settled(tdb.db, [id!]);
      expect(row!.status).to.equal("confirmed");
      expect(row!.tx_hash).to.equal(persisted.hash);
      const attempts = await tdb.db.query("SELECT hash FROM chain_transaction_attempts");
      expect(attempts.rowCount).to.equal(1);
      const balance = await chain.client.readContract({
        address: world.deployment.points,
        abi: coalitionPointsAbi,
        functionName: "balanceOf",
        args: [customer.address],
      });
      expect(balance).to.equal(42n);
      expect((await opRows(tdb.db, [id!]))[0]!.block_number).to.be.a("number");
    });

    it("queues again the operations of a transaction whose nonce was used outside the relay, and lands them once", async () => {
      await chain.setAutomine(false);
      const subject = newCustomer();
      const [id] = await enqueueAll([await signedGrant(world, subject, 0n)]);
      start();
      const ours = await eventually(async () => {
        const r = await tdb.db.query<{ hash: string; nonce: number }>(
          "SELECT a.hash, t.nonce FROM chain_transaction_attempts a JOIN chain_transactions t ON t.id = a.tx_id",
        );
        return r.rowCount === 1 ? r.rows[0] : undefined;
      }, "a signed transaction");
      await eventually(() => chain.rpc<unknown>("eth_getTransactionByHash", [ours.hash]).then((t) => (t ? true : undefined)), "our transaction in the pool");
      // Someone else uses the relay's key with the same nonce and a higher fee: ours is replaced.
      const relayWallet = chain.wallet(2);
      await relayWallet.sendTransaction({
        to: relayWallet.account.address,
        value: 0n,
        nonce: ours.nonce,
        maxPriorityFeePerGas: 100_000_000_000n,
        maxFeePerGas: 200_000_000_000n,
      });
      await chain.setAutomine(true);
      await chain.mine();
      const [row] = await settled(tdb.db, [id!]);
      expect(row!.status).to.equal("confirmed");
      expect(row!.tx_hash).to.not.equal(ours.hash);
      const mined = await chain.client.getTransaction({ hash: row!.tx_hash as Hex });
      expect(mined.nonce).to.equal(ours.nonce + 1);
      const txs = await tdb.db.query<{ nonce: number; status: string }>("SELECT nonce, status FROM chain_transactions ORDER BY nonce");
      expect(txs.rows).to.deep.equal([
        { nonce: ours.nonce, status: "dropped" },
        { nonce: ours.nonce + 1, status: "confirmed" },
      ]);
      expect(await metric('relay_submitter_operations_requeued_total{reason="nonceUsedElsewhere"}')).to.equal(1);
      const granted = await chain.client.readContract({
        address: world.deployment.ledger,
        abi: consentLedgerAbi,
        functionName: "isGranted",
        args: [subject.address, world.brand, world.purpose],
      });
      expect(granted).to.equal(true);
    });

    it("returns the first id when an idempotency key is enqueued twice", async () => {
      const op = issueOp(world, newCustomer().address, 3n);
      const first = await tdb.db.transaction((tx) => enqueueOperation(tx, op));
      const second = await tdb.db.transaction((tx) => enqueueOperation(tx, op));
      expect(first.created).to.equal(true);
      expect(second).to.deep.equal({ id: first.id, created: false });
      expect(await getOperation(tdb.db, "not-a-uuid")).to.equal(undefined);
    });

    it("queues an operation under the id its caller chose, keeps the first id for a repeated key, and refuses an id that is not a UUID", async () => {
      const id = crypto.randomUUID();
      const op = { ...issueOp(world, newCustomer().address, 4n), id };
      const [first] = await tdb.db.transaction((tx) => enqueueOperations(tx, [op]));
      expect(first).to.deep.equal({ id, created: true });
      expect((await getOperation(tdb.db, id))?.kind).to.equal("issue");
      const again = await tdb.db.transaction((tx) => enqueueOperations(tx, [{ ...op, id: crypto.randomUUID() }]));
      expect(again).to.deep.equal([{ id, created: false }]);
      const single = { ...issueOp(world, newCustomer().address, 5n), id: crypto.randomUUID() };
      expect(await tdb.db.transaction((tx) => enqueueOperation(tx, single))).to.deep.equal({ id: single.id, created: true });
      let refused: unknown;
      await tdb.db.transaction((tx) => enqueueOperation(tx, { ...issueOp(world, newCustomer().address, 6n), id: "op-1" })).catch((err: unknown) => (refused = err));
      expect(refused).to.be.instanceOf(OutboxError).and.have.property("message", "operation id op-1 is not a UUID");
    });
  });
}
