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

    const cases: [string, Record<string, string>][] = [
      ["batches of at most 7", { BATCH_MAX: "7" }],
      // About 51,000 gas per issue to a new customer: at most 9 per transaction under 600,000 with the margin.
      ["batches cut at BATCH_GAS_MAX", { BATCH_MAX: "100", BATCH_GAS_MAX: "600000" }],
    ];
    for (const [name, env] of cases) it(`issues every operation exactly once while instances run side by side and one of them stops (${name})`, async () => {
      const signers = signersFromKeys([world.relayKey, world.operatorKey]);
      const a = startSubmitter(makeDeps(world, tdb.db, testConfig(env)), { signers });
      const b = startSubmitter(makeDeps(world, second, testConfig(env)), { signers });
      services.push(b);
      const customers = [newCustomer(), newCustomer(), newCustomer()].map((c) => c.address);
      const fromBlock = (await chain.client.getBlockNumber()) + 1n;
      const nonceFloor = (await second.query<{ n: number | null }>("SELECT max(nonce) AS n FROM chain_transactions")).rows[0]!.n ?? -1;
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
        fromBlock,
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
      const nonces = await second.query<{ nonce: number }>("SELECT nonce FROM chain_transactions WHERE status = 'confirmed' AND nonce > $1 ORDER BY nonce", [nonceFloor]);
      const list = nonces.rows.map((r) => r.nonce);
      expect(new Set(list).size).to.equal(list.length);
      if (env.BATCH_GAS_MAX) {
        for (const hash of new Set(logs.map((l) => l.transactionHash))) {
          const tx = await chain.client.getTransaction({ hash });
          expect(tx.gas <= BigInt(env.BATCH_GAS_MAX), `gas limit ${tx.gas}`).to.equal(true);
        }
      }
      await b.stop();
      services.splice(services.indexOf(b), 1);
    });
  });
}
