import { expect } from "chai";
import { testDbKinds } from "../support/db";
import { pointsIssuedEvent } from "./crash-support";
import { Harness, newCustomer } from "./relay-harness";

const CUSTOMERS = 3;
const BEFORE = 4;
const DURING = 8;

for (const kind of testDbKinds()) {
  describe(`RPC outage (${kind})`, function () {
    this.timeout(300_000);
    let h: Harness;

    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h.chain.start();
      await h.stop();
    });

    async function rpcErrors(): Promise<number> {
      const r = await h.http("GET", "/metrics");
      const line = (r.body as string).split("\n").find((l) => l.startsWith("relay_submitter_rpc_errors_total{"));
      return line ? Number(line.split(" ").pop()) : 0;
    }

    it("accepts and queues purchases while the endpoint is away, then lands them all in order per customer", async () => {
      const customers = Array.from({ length: CUSTOMERS }, () => newCustomer());
      for (const c of customers) await h.consent(c, h.a.address, ["loyalty"]);

      const posted = new Map<string, string[]>(customers.map((c) => [c.address, []]));
      const operations: string[] = [];
      let n = 0;
      const purchase = async (customer: string) => {
        const i = n++;
        const a = await h.deviceEvent(h.a.device, { eventId: `p-${i}`, kind: "purchase", customer: { wallet: customer }, receipt: `R-${i}`, amount: "3.00" });
        expect(a.status, JSON.stringify(a.body)).to.equal(202);
        expect(a.body.points).to.equal("6");
        posted.get(customer)!.push(a.body.receiptId as string);
        operations.push(a.body.operationId as string);
        return a.body.operationId as string;
      };

      for (let k = 0; k < BEFORE; k++) for (const c of customers) await purchase(c.address);
      await h.chain.stop();
      const errorsBefore = await rpcErrors();
      const queuedDuringOutage: string[] = [];
      for (let k = 0; k < DURING; k++) for (const c of customers) queuedDuringOutage.push(await purchase(c.address));
      // The submitter has met the outage (and backs off) before the endpoint returns.
      for (let i = 0; (await rpcErrors()) === errorsBefore; i++) {
        if (i > 2000) throw new Error("the submitter never noticed the outage");
        await new Promise((r) => setTimeout(r, 10));
      }
      for (const id of queuedDuringOutage) {
        const r = await h.http("GET", `/v1/operations/${id}`);
        expect(["queued", "submitted"]).to.include(r.body.status);
      }
      await h.chain.start();

      for (const id of operations) expect((await h.settled(id)).status, `operation ${id}`).to.equal("confirmed");

      const logs = await h.chain.client.getLogs({
        address: h.deployment.points,
        event: pointsIssuedEvent,
        fromBlock: BigInt(h.deployment.deployBlock),
        toBlock: "latest",
      });
      expect(logs.length).to.equal(CUSTOMERS * (BEFORE + DURING));
      for (const c of customers) {
        const landed = logs
          .filter((l) => l.args.customer!.toLowerCase() === c.address.toLowerCase())
          .sort((x, y) => Number(x.blockNumber! - y.blockNumber!) || x.logIndex! - y.logIndex!)
          .map((l) => l.args.receiptId!.toLowerCase());
        expect(landed).to.deep.equal(posted.get(c.address)!.map((r) => r.toLowerCase()));
      }
    });
  });
}
