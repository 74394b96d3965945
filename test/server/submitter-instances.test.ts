import { expect } from "chai";
import { coalitionPointsAbi } from "../../client/abis";
import { enqueueOperation } from "../../server/chain/outbox";
import { signersFromKeys } from "../../server/chain/signers";
import { startSubmitter } from "../../server/chain/submitter";
import type { Service } from "../../server/deps";
import { openDb, type Db } from "../../server/store/db";
import { LocalChain } from "../support/chain";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";
import { pointsIssuedEvent } from "./crash-support";
import { issueOp, makeDeps, newCustomer, settled, setupWorld, testConfig, type World } from "./submitter-setup";

const OPERATIONS = 60;

/** Several relay instances on one PostgreSQL: one loop per key at a time, each operation sent once. */
if (testDbKinds().includes("postgres")) {
  describe("chain submitter, two relay instances on one PostgreSQL", function () {
    let chain: LocalChain;
    let world: World;
    let tdb: TestDb;
    let second: Db;
    const services: Service[] = [];

    before(async () => {
      chain = await LocalChain.start();
      world = await setupWorld(chain);
      tdb = await openTestDb("postgres");
      second = await openDb({ databaseUrl: tdb.databaseUrl, poolSize: 5 });
    });
    after(async () => {
      for (const s of services) await s.stop();
      await second.close();
      await tdb.drop();
      await chain.stop();
    });

    it("issues every operation exactly once while instances run side by side and one of them stops", async () => {
      const signers = signersFromKeys([world.relayKey, world.operatorKey]);
      const a = startSubmitter(makeDeps(world, tdb.db, testConfig({ BATCH_MAX: "7" })), { signers });
      const b = startSubmitter(makeDeps(world, second, testConfig({ BATCH_MAX: "7" })), { signers });
      services.push(b);
      const customers = [newCustomer(), newCustomer(), newCustomer()].map((c) => c.address);
      const ids: string[] = [];
      for (let i = 0; i < OPERATIONS; i++) {
        const db = i % 2 === 0 ? tdb.db : second;
        ids.push((await db.transaction((tx) => enqueueOperation(tx, issueOp(world, customers[i % 3]!, BigInt(i + 1))))).id);
        if (i === OPERATIONS / 2) await a.stop();
      }
      const rows = await settled(second, ids);
      expect(rows.filter((r) => r.status === "confirmed").length).to.equal(OPERATIONS);
      const logs = await chain.client.getLogs({
        address: world.deployment.points,
        event: pointsIssuedEvent,
        fromBlock: BigInt(world.deployment.deployBlock),
        toBlock: "latest",
      });
      expect(logs.length).to.equal(OPERATIONS);
      expect(new Set(logs.map((l) => l.args.receiptId)).size).to.equal(OPERATIONS);
      for (const [c, customer] of customers.entries()) {
        let expected = 0n;
        for (let i = c; i < OPERATIONS; i += 3) expected += BigInt(i + 1);
        const balance = await chain.client.readContract({ address: world.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [customer] });
        expect(balance).to.equal(expected);
      }
      const nonces = await second.query<{ nonce: number }>("SELECT nonce FROM chain_transactions WHERE status = 'confirmed' ORDER BY nonce");
      const list = nonces.rows.map((r) => r.nonce);
      expect(new Set(list).size).to.equal(list.length);
    });
  });
}
