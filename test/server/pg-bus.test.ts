import { expect } from "chai";
import pino from "pino";
import { PgStoreEventBus, packPayloads } from "../../server/devices/pgBus";
import type { RecognisedCustomer } from "../../server/devices/bus";
import { openTestDb, type TestDb } from "../support/db";

const BRAND = "0x00000000000000000000000000000000000000b1";

function recognition(i: number, displayName: string | null = null): RecognisedCustomer {
  return {
    storeId: "paris-1",
    brand: BRAND,
    customer: `0x${i.toString(16).padStart(40, "0")}`,
    seenAt: new Date(1_700_000_000_000 + i).toISOString(),
    lastVisit: null,
    points: String(i),
    visitCount: i + 1,
    displayName,
    tier: null,
  };
}

describe("staff stream notifications (server/devices/pgBus.ts)", () => {
  it("packs recognitions in order into JSON arrays under PostgreSQL's payload limit, counting bytes", () => {
    const events = Array.from({ length: 300 }, (_, i) => recognition(i, i % 3 === 0 ? "Zoë ".repeat(20) : null));
    const payloads = packPayloads(events);
    expect(payloads.length).to.be.greaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).to.be.lessThan(8000);
    expect(payloads.flatMap((p) => JSON.parse(p) as RecognisedCustomer[])).to.deep.equal(events);
    expect(packPayloads([])).to.deep.equal([]);
  });

  (process.env.DATABASE_URL ? describe : describe.skip)("between two instances on one PostgreSQL", () => {
    let t: TestDb;
    let a: PgStoreEventBus;
    let b: PgStoreEventBus;
    before(async () => {
      t = await openTestDb("postgres");
      const log = pino({ level: "silent" });
      a = await PgStoreEventBus.start(t.databaseUrl!, t.db, log);
      b = await PgStoreEventBus.start(t.databaseUrl!, t.db, log);
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await t?.drop();
    });

    it("delivers a burst published in one turn to every instance, each recognition once and in order", async () => {
      const events = Array.from({ length: 500 }, (_, i) => recognition(i, i % 2 ? "Zoë Dubois-Ærø" : null));
      const seenByA: RecognisedCustomer[] = [];
      const seenByB: RecognisedCustomer[] = [];
      a.subscribe(BRAND, "paris-1", (e) => seenByA.push(e));
      b.subscribe(BRAND, "paris-1", (e) => seenByB.push(e));
      for (const e of events) a.publish(e);
      const deadline = Date.now() + 10_000;
      while ((seenByA.length < events.length || seenByB.length < events.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200)); // anything extra would arrive meanwhile
      expect(seenByA).to.deep.equal(events);
      expect(seenByB).to.deep.equal(events);
    });

    it("still carries stream control orders", async () => {
      const orders: string[] = [];
      const stop = b.onControl((o) => orders.push(o.endStreamsOf));
      await a.control({ endStreamsOf: BRAND });
      const deadline = Date.now() + 5000;
      while (orders.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      stop();
      expect(orders).to.deep.equal([BRAND]);
    });
  });
});
