import fs from "node:fs";
import { expect } from "chai";
import { coalitionPointsAbi } from "../../client/abis";
import { LocalChain } from "../support/chain";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";
import {
  consentIndexed,
  pointsIssuedEvent,
  pointsOf,
  postEvent,
  purchaseEvent,
  registerShop,
  relayProcess,
  setupShop,
  type Answer,
  type Device,
  type RelayProcess,
  type ShopWorld,
} from "./crash-support";

const PURCHASES = 200;
const CONCURRENCY = 8;
/** The relay is killed with SIGKILL after this many answers, and again after twice as many. */
const KILL_EVERY = 60;

for (const kind of testDbKinds()) {
  describe(`exactly once under crash (${kind})`, function () {
    this.timeout(600_000);
    let chain: LocalChain;
    let world: ShopWorld;
    let relay: RelayProcess;
    let pg: TestDb | undefined;

    before(async () => {
      chain = await LocalChain.start();
      world = await setupShop(chain, 5);
      if (kind === "postgres") pg = await openTestDb("postgres");
      relay = await relayProcess(chain, world, { databaseUrl: pg?.databaseUrl });
    });

    after(async () => {
      await relay?.kill("SIGKILL");
      await pg?.drop();
      await chain.stop();
      if (world) fs.rmSync(world.dir, { recursive: true, force: true });
    });

    it("issues every purchase answered 2xx exactly once across SIGKILLs of the relay", async () => {
      await relay.start();
      const device: Device = await registerShop(relay, world);
      await consentIndexed(relay, world);

      const answers = new Map<number, Answer>();
      let lastRefusal: Answer | undefined;
      const customerOf = (i: number) => world.customers[i % world.customers.length]!;

      /** Posts purchases `todo` with a few in flight; stops taking new ones once `stopAfter` are answered. */
      async function postAll(todo: number[], stopAfter: number): Promise<void> {
        let answered = 0;
        const queue = [...todo];
        const worker = async () => {
          while (queue.length > 0 && answered < stopAfter) {
            const i = queue.shift()!;
            try {
              const a = await postEvent(relay, device, purchaseEvent(i, customerOf(i)));
              if (a.status >= 200 && a.status < 300) answers.set(i, a);
              else lastRefusal = a;
              answered++;
            } catch {
              /* the relay died under this request: not answered, sent again later */
            }
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      }

      const all = Array.from({ length: PURCHASES }, (_, i) => i);
      for (let round = 0; round < 2; round++) {
        const pending = all.filter((i) => !answers.has(i));
        // Kill while requests are in flight and the submitter is busy with the first ones.
        let finished = false;
        const posting = postAll(pending, Number.MAX_SAFE_INTEGER).finally(() => (finished = true));
        while (answers.size < KILL_EVERY * (round + 1) && !finished) await new Promise((r) => setTimeout(r, 5));
        expect(finished, `posting ended early: ${JSON.stringify(lastRefusal)}`).to.equal(false);
        await relay.kill("SIGKILL");
        await posting;
        await relay.start();
      }
      // Everything not answered yet is sent again with the same event id: the relay answers the first
      // answer if it had stored it, or processes it now.
      for (let round = 0; answers.size < PURCHASES; round++) {
        if (round === 20) throw new Error(`${PURCHASES - answers.size} purchases never answered 2xx: last answer ${JSON.stringify(lastRefusal)}`);
        await postAll(all.filter((i) => !answers.has(i)), Number.MAX_SAFE_INTEGER);
      }

      expect(answers.size).to.equal(PURCHASES);
      for (const [i, a] of answers) {
        expect(a.status, `purchase ${i}`).to.equal(202);
        expect(a.body.points, `purchase ${i}`).to.equal(pointsOf(i).toString());
      }

      // Every operation reaches the chain and is confirmed (a second submission of one would fail: ReceiptUsed).
      const statuses = new Map<string, string>();
      for (let tries = 0; tries < 3000 && statuses.size < PURCHASES; tries++) {
        for (const a of answers.values()) {
          const id = a.body.operationId as string;
          if (statuses.has(id)) continue;
          const r = await relay.http("GET", `/v1/operations/${id}`);
          if (r.body.status === "confirmed" || r.body.status === "failed") statuses.set(id, r.body.status);
        }
        if (statuses.size < PURCHASES) await new Promise((r) => setTimeout(r, 50));
      }
      expect([...statuses.values()].filter((s) => s === "confirmed").length).to.equal(PURCHASES);

      const logs = await chain.client.getLogs({
        address: world.deployment.points,
        event: pointsIssuedEvent,
        fromBlock: BigInt(world.deployment.deployBlock),
        toBlock: "latest",
      });
      const byReceipt = new Map<string, bigint>();
      for (const log of logs) {
        expect(byReceipt.has(log.args.receiptId!), `receipt ${log.args.receiptId} issued twice`).to.equal(false);
        byReceipt.set(log.args.receiptId!, log.args.points!);
      }
      expect(logs.length).to.equal(PURCHASES);
      const expectedSum = all.reduce((s, i) => s + pointsOf(i), 0n);
      expect(logs.reduce((s, l) => s + l.args.points!, 0n)).to.equal(expectedSum);
      for (const [i, a] of answers) expect(byReceipt.get(a.body.receiptId as string), `purchase ${i}`).to.equal(pointsOf(i));

      for (const [c, customer] of world.customers.entries()) {
        const expected = all.filter((i) => i % world.customers.length === c).reduce((s, i) => s + pointsOf(i), 0n);
        const balance = await chain.client.readContract({ address: world.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [customer] });
        expect(balance, `balance of customer ${c}`).to.equal(expected);
      }
      expect(relay.starts).to.equal(3);
    });
  });
}
