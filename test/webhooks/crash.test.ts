import fs from "node:fs";
import { expect } from "chai";
import { LocalChain } from "../support/chain";
import { openTestDb, testDbKinds, type TestDb } from "../support/db";
import {
  consentIndexed,
  pointsIssuedEvent,
  postEvent,
  purchaseEvent,
  registerShop,
  relayProcess,
  setupShop,
  type RelayProcess,
  type ShopWorld,
} from "../server/crash-support";
import { Receiver, verifyStandardWebhook, type Received } from "./receiver";

const PURCHASES = 60;

/** Where an event's cause is on chain, as one number (block, then log index): the order events are queued in. */
const position = (r: Received) => r.json.data.chain.blockNumber * 100_000 + r.json.data.chain.logIndex;

for (const kind of testDbKinds()) {
  describe(`webhooks across SIGKILLs of the relay (${kind})`, function () {
    this.timeout(600_000);
    let chain: LocalChain;
    let world: ShopWorld;
    let relay: RelayProcess;
    let rx: Receiver;
    let pg: TestDb | undefined;

    before(async () => {
      chain = await LocalChain.start();
      world = await setupShop(chain, 4);
      if (kind === "postgres") pg = await openTestDb("postgres");
      rx = await Receiver.start();
      rx.delayMs = 15;
      relay = await relayProcess(chain, world, { databaseUrl: pg?.databaseUrl }, {
        WEBHOOK_ALLOW_LOOPBACK: "true",
        WEBHOOK_POLL_MS: "20",
        WEBHOOK_RETRY_BASE_MS: "50",
        WEBHOOK_RETRY_MAX_MS: "500",
        WEBHOOK_TIMEOUT_MS: "1000",
      });
    });

    after(async () => {
      await relay?.kill("SIGKILL");
      await rx?.down();
      await pg?.drop();
      await chain.stop();
      if (world) fs.rmSync(world.dir, { recursive: true, force: true });
    });

    it("delivers every event at least once, in order per endpoint, signed, across two SIGKILLs during deliveries", async () => {
      await relay.start();
      const device = await registerShop(relay, world);
      await consentIndexed(relay, world);
      const endpoints: Record<string, { id: string; secret: string }> = {};
      for (const [path, eventTypes] of [
        ["/one", undefined],
        ["/two", ["points.issued"]],
      ] as const) {
        const r = await relay.http("POST", "/v1/brand/webhooks/endpoints", { auth: device.apiKey, body: { url: rx.url(path), eventTypes } });
        expect(r.status, JSON.stringify(r.body)).to.equal(201);
        endpoints[path] = r.body;
      }
      for (let i = 0; i < PURCHASES; i++) {
        const a = await postEvent(relay, device, purchaseEvent(i, world.customers[i % world.customers.length]!));
        expect(a.status, JSON.stringify(a.body)).to.equal(202);
      }
      for (const after of [15, 40]) {
        await rx.until(() => rx.at("/one").length >= after, `${after} deliveries`);
        await relay.kill("SIGKILL");
        await relay.start();
      }
      const distinct = (path: string) => new Set(rx.at(path).map((r) => r.id)).size;
      await rx.until(() => distinct("/one") === PURCHASES && distinct("/two") === PURCHASES, "every event at both endpoints", 120_000);

      const logs = await chain.client.getLogs({ address: world.deployment.points, event: pointsIssuedEvent, fromBlock: BigInt(world.deployment.deployBlock), toBlock: "latest" });
      const onChain = logs.map((l) => Number(l.blockNumber) * 100_000 + l.logIndex!);
      expect(onChain).to.have.length(PURCHASES);
      for (const path of ["/one", "/two"]) {
        const got = rx.at(path);
        expect(got.every((r) => r.json.type === "points.issued"), path).to.equal(true);
        // One at a time, in queue order: a repeat can only be the delivery last sent before a kill.
        const positions = got.map(position);
        expect(positions, path).to.deep.equal([...positions].sort((a, b) => a - b));
        expect([...new Set(positions)], path).to.deep.equal(onChain);
        expect(got.length - PURCHASES, `${path}: at most one repeat per kill`).to.be.within(0, 2);
        for (const r of got) expect(verifyStandardWebhook(endpoints[path]!.secret, r), `${path} ${r.id}`).to.equal(true);
        const byId = new Map(got.map((r) => [r.id, r.body]));
        for (const r of got) expect(r.body, "a repeat is the same body").to.equal(byId.get(r.id));
      }
      expect(new Set(rx.at("/one").map((r) => r.id))).to.deep.equal(new Set(rx.at("/two").map((r) => r.id)));
      expect(relay.starts).to.equal(3);
    });
  });
}
