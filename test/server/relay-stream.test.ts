import http from "node:http";
import { expect } from "chai";
import { createRelay } from "../../server/relay";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer } from "./relay-harness";

/** A minimal server-sent-events reader over real HTTP. */
class SseReader {
  private buffer = "";
  private readonly events: { event: string; data: string }[] = [];
  private waiters: (() => void)[] = [];
  readonly status: Promise<number>;
  private req: http.ClientRequest;

  constructor(url: string, apiKey: string) {
    let resolveStatus!: (s: number) => void;
    this.status = new Promise((r) => (resolveStatus = r));
    this.req = http.get(url, { headers: { authorization: `Bearer ${apiKey}`, accept: "text/event-stream" } }, (res) => {
      resolveStatus(res.statusCode ?? 0);
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        this.buffer += chunk;
        let i: number;
        while ((i = this.buffer.indexOf("\n\n")) >= 0) {
          const block = this.buffer.slice(0, i);
          this.buffer = this.buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) this.events.push({ event, data });
          if (block.includes(": connected")) this.events.push({ event: "connected", data: "" });
          this.waiters.splice(0).forEach((w) => w());
        }
      });
    });
  }

  /** The next event (waits for it). */
  async next(): Promise<{ event: string; data: string }> {
    while (this.events.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    return this.events.shift()!;
  }

  close(): void {
    this.req.destroy();
  }
}

for (const kind of testDbKinds()) {
  describe(`relay staff stream (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h?.stop();
    });

    it("shows a consenting customer with last visit and points, and never one who did not consent", async () => {
      const grace = newCustomer();
      const stranger = newCustomer();
      await h.consent(grace, h.a.address, ["in-store-recognition", "loyalty"]);
      const bought = await h.deviceEvent(h.a.device, { eventId: "g-buy", kind: "purchase", customer: { wallet: grace.address }, receipt: "G-1", amount: "21" });
      expect((await h.settled(bought.body.operationId)).status).to.equal("confirmed");
      await h.indexed();

      const stream = new SseReader(`${h.url}/v1/brand/stores/${h.a.storeId}/stream`, h.a.apiKey);
      try {
        expect(await stream.status).to.equal(200);
        expect((await stream.next()).event).to.equal("connected");
        expect((await h.deviceEvent(h.a.device, { eventId: "s-1", kind: "presence", customer: { wallet: stranger.address } })).body.dropped).to.equal("no_consent");
        expect((await h.deviceEvent(h.a.device, { eventId: "g-1", kind: "presence", customer: { wallet: grace.address } })).status).to.equal(202);
        const first = await stream.next();
        expect(first.event).to.equal("customer");
        const seen = JSON.parse(first.data);
        expect(seen).to.include({ storeId: h.a.storeId, brand: h.a.address, customer: grace.address.toLowerCase(), lastVisit: null, points: "42", tier: null });
        expect(first.data).to.not.include(stranger.address.toLowerCase());

        expect((await h.deviceEvent(h.a.device, { eventId: "s-2", kind: "presence", customer: { wallet: stranger.address } })).body.dropped).to.equal("no_consent");
        await h.deviceEvent(h.a.device, { eventId: "g-2", kind: "presence", customer: { wallet: grace.address } });
        const second = JSON.parse((await stream.next()).data);
        expect(second.customer).to.equal(grace.address.toLowerCase());
        expect(second.lastVisit).to.equal(seen.seenAt);
      } finally {
        stream.close();
      }
    });

    (kind === "postgres" ? it : it.skip)("carries recognitions between relay instances sharing PostgreSQL (LISTEN/NOTIFY)", async () => {
      const second = await createRelay(
        h.relayDeps(),
        { submitter: false, indexer: false },
      );
      const url = await second.listen(0, "127.0.0.1");
      const ivan = newCustomer();
      await h.consent(ivan, h.a.address, ["in-store-recognition"]);
      const stream = new SseReader(`${url}/v1/brand/stores/${h.a.storeId}/stream`, h.a.apiKey);
      try {
        expect(await stream.status).to.equal(200);
        expect((await stream.next()).event).to.equal("connected");
        // The device reaches the first instance; the staff screen is on the second.
        expect((await h.deviceEvent(h.a.device, { eventId: "i-1", kind: "presence", customer: { wallet: ivan.address } })).status).to.equal(202);
        const seen = await stream.next();
        expect(seen.event).to.equal("customer");
        expect(JSON.parse(seen.data)).to.include({ storeId: h.a.storeId, customer: ivan.address.toLowerCase(), lastVisit: null, points: "0" });
      } finally {
        stream.close();
        await second.stop();
      }
    });

    it("never shows a brand's recognitions on another brand's store of the same id", async () => {
      const twin = await h.http("POST", "/v1/brand/stores", { auth: h.b.apiKey, body: { id: h.a.storeId, name: "B's store of A's id" } });
      expect(twin.status).to.equal(201);
      const judy = newCustomer();
      await h.consent(judy, h.a.address, ["in-store-recognition"]);
      const ofB = new SseReader(`${h.url}/v1/brand/stores/${h.a.storeId}/stream`, h.b.apiKey);
      const ofA = new SseReader(`${h.url}/v1/brand/stores/${h.a.storeId}/stream`, h.a.apiKey);
      try {
        expect([await ofA.status, await ofB.status]).to.deep.equal([200, 200]);
        expect([(await ofA.next()).event, (await ofB.next()).event]).to.deep.equal(["connected", "connected"]);
        expect((await h.deviceEvent(h.a.device, { eventId: "twin-stream-1", kind: "presence", customer: { wallet: judy.address } })).status).to.equal(202);
        expect(JSON.parse((await ofA.next()).data)).to.include({ brand: h.a.address, storeId: h.a.storeId, customer: judy.address.toLowerCase() });
        // B's stream got nothing: a heartbeat-free wait long enough for the bus (same process, or PostgreSQL NOTIFY).
        const nothing = await Promise.race([ofB.next().then(() => "event"), new Promise((r) => setTimeout(() => r("nothing"), 500))]);
        expect(nothing).to.equal("nothing");
      } finally {
        ofA.close();
        ofB.close();
        await h.http("DELETE", `/v1/brand/stores/${h.a.storeId}`, { auth: h.b.apiKey });
      }
    });

    it("is only open to the store's own brand", async () => {
      const r = await h.http("GET", `/v1/brand/stores/${h.a.storeId}/stream`, { auth: h.b.apiKey });
      expect([r.status, r.body.error.code]).to.deep.equal([404, "store_not_found"]);
      const none = await h.http("GET", `/v1/brand/stores/${h.a.storeId}/stream`);
      expect([none.status, none.body.error.code]).to.deep.equal([401, "missing_api_key"]);
    });
  });
}
