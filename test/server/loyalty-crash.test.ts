import fs from "node:fs";
import { expect } from "chai";
import { coalitionPointsAbi } from "../../client/abis";
import { LocalChain } from "../support/chain";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";
import { consentIndexed, pointsIssuedEvent, pointsOf, postEvent, purchaseEvent, registerShop, relayProcess, setupShop, type Device, type RelayProcess, type ShopWorld } from "./crash-support";

const PURCHASES = 40;
const WINDOW_SECONDS = 45;
/** Purchases returned in full inside the window: their points must never reach the chain. */
const returned = (i: number) => i % 6 === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// One database per run (PostgreSQL when DATABASE_URL is set, as in CI): the crash path is the same code on both,
// and each run takes minutes of SIGKILLs and restarts.
for (const kind of [testDbKinds().includes("postgres") ? "postgres" : "pglite"] as const) {
  describe(`pending points under crash (${kind})`, function () {
    this.timeout(600_000);
    let chain: LocalChain;
    let world: ShopWorld;
    let relay: RelayProcess;
    let pg: TestDb | undefined;

    before(async () => {
      chain = await LocalChain.start();
      world = await setupShop(chain, 5);
      if (kind === "postgres") pg = await openTestDb("postgres");
      // Small batches, polled often: a kill lands between two of the loop's transactions or inside one.
      relay = await relayProcess(chain, world, { databaseUrl: pg?.databaseUrl }, { LOYALTY_POLL_MS: "30", LOYALTY_BATCH_MAX: "4" });
    });

    after(async () => {
      await relay?.kill("SIGKILL");
      await pg?.drop();
      await chain.stop();
      if (world) fs.rmSync(world.dir, { recursive: true, force: true });
    });

    const issuedLogs = () => chain.client.getLogs({ address: world.deployment.points, event: pointsIssuedEvent, fromBlock: BigInt(world.deployment.deployBlock), toBlock: "latest" });

    it("issues each pending purchase exactly once when its window closes, across SIGKILLs between the close and the issuance", async () => {
      await relay.start();
      const device: Device = await registerShop(relay, world);
      await consentIndexed(relay, world);
      const set = await relay.http("POST", "/v1/brand/programme", { auth: device.apiKey, body: { returnWindowSeconds: WINDOW_SECONDS } });
      expect(set.status, JSON.stringify(set.body)).to.equal(200);

      const customerOf = (i: number) => world.customers[i % world.customers.length]!;
      const receipts = new Map<number, string>();
      let lastDue = 0;
      let firstDue = Infinity;
      for (let i = 0; i < PURCHASES; i++) {
        const a = await postEvent(relay, device, purchaseEvent(i, customerOf(i)));
        expect(a.status, JSON.stringify(a.body)).to.equal(202);
        expect(a.body.operationId).to.equal(undefined);
        expect(a.body.points).to.equal(pointsOf(i).toString());
        receipts.set(i, a.body.receiptId);
        lastDue = Math.max(lastDue, Date.parse(a.body.pendingUntil));
        firstDue = Math.min(firstDue, Date.parse(a.body.pendingUntil));
        if (!returned(i)) continue;
        const r = await postEvent(relay, device, { eventId: `return-${i}`, kind: "return", customer: { wallet: customerOf(i) }, receipt: `R-${i}`, amount: purchaseEvent(i, customerOf(i)).amount });
        expect(r.body, JSON.stringify(r.body)).to.deep.include({ points: pointsOf(i).toString(), cancelled: pointsOf(i).toString() });
      }
      expect(Date.now(), "posting took longer than the window: the first windows closed before the kill").to.be.below(firstDue);
      // Killed with every window still open; started again only once they have all closed.
      await relay.kill("SIGKILL");
      expect((await issuedLogs()).length).to.equal(0);
      await sleep(lastDue - Date.now() + 100);

      const expected = [...receipts.keys()].filter((i) => !returned(i));
      const seenAtKill: number[] = [];
      for (const afterMs of [0, 150, 300, 450]) {
        await relay.start();
        await sleep(afterMs);
        await relay.kill("SIGKILL");
        seenAtKill.push((await issuedLogs()).length);
      }
      // The first kills came before everything was issued: the crash fell between close and issuance.
      expect(seenAtKill[0], `issued at each kill: ${seenAtKill.join(", ")}`).to.be.below(expected.length);
      await relay.start();
      for (let tries = 0; (await issuedLogs()).length < expected.length; tries++) {
        if (tries > 600) throw new Error(`only ${(await issuedLogs()).length} of ${expected.length} issued`);
        await sleep(50);
      }
      await sleep(1000); // anything issued twice would show by now (a second submission would revert: ReceiptUsed)
      const logs = await issuedLogs();
      expect(logs.length).to.equal(expected.length);
      const byReceipt = new Map<string, bigint>();
      for (const log of logs) {
        expect(byReceipt.has(log.args.receiptId!), `receipt ${log.args.receiptId} issued twice`).to.equal(false);
        byReceipt.set(log.args.receiptId!, log.args.points!);
      }
      for (const i of expected) expect(byReceipt.get(receipts.get(i)!), `purchase ${i}`).to.equal(pointsOf(i));
      for (const i of receipts.keys()) if (returned(i)) expect(byReceipt.has(receipts.get(i)!), `returned purchase ${i}`).to.equal(false);
      for (const [c, customer] of world.customers.entries()) {
        const sum = expected.filter((i) => i % world.customers.length === c).reduce((s, i) => s + pointsOf(i), 0n);
        expect(await chain.client.readContract({ address: world.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [customer] }), `customer ${c}`).to.equal(sum);
      }
      const failed = await Promise.all(
        [...new Set(logs.map((l) => l.transactionHash))].map((hash) => chain.client.getTransactionReceipt({ hash }).then((r) => r.status)),
      );
      expect(failed.every((s) => s === "success")).to.equal(true);
      const programme = await relay.http("GET", "/v1/brand/programme", { auth: device.apiKey });
      const returns = [...receipts.keys()].filter(returned).length;
      expect(programme.body.windowSavings).to.deep.include({ returns, issuesAvoided: returns, reversalsAvoided: returns });
      expect(relay.starts).to.equal(6);
    });
  });
}
