import { expect } from "chai";
import type { Address, Hex } from "viem";
import { receiptIdOf } from "../../server/brands/earning";
import { deviceOf, getBrand, type Brand, type Device, type DeviceRow } from "../../server/brands/registry";
import { handlePurchaseBatch, type PurchaseEvent, type PurchaseRequest, type PurchaseResult } from "../../server/devices/purchaseBatch";
import type { BackingAt } from "../../server/devices/backingCache";
import { welcomeReceiptId } from "../../server/loyalty/receiptIds";
import { enqueueOperation } from "../../server/chain/outbox";
import { setProgramme } from "../../server/loyalty/programme";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer } from "./relay-harness";

/** Purchases' group commit (server/devices/purchaseBatch.ts, purchaseBatcher.ts): per-purchase answers in a shared transaction. */
for (const kind of testDbKinds()) {
  describe(`relay purchases in group commit (${kind})`, function () {
    let h: Harness;
    let brand: Brand;
    let device: Device;
    before(async () => {
      h = await Harness.start(kind);
      brand = (await getBrand(h.t.db, h.a.address))!;
      const { rows } = await h.t.db.query<DeviceRow>("SELECT * FROM relay_devices WHERE id = $1 AND brand = $2", [h.a.device.id, h.a.address.toLowerCase()]);
      device = deviceOf(rows[0]!);
    });
    after(async () => {
      await h?.stop();
    });

    const purchase = (eventId: string, customer: { wallet: Address } | { cardToken: string }, receipt: string, amount = "10.00"): PurchaseEvent => ({
      eventId,
      kind: "purchase",
      customer,
      receipt,
      amount,
    });
    const req = (event: PurchaseEvent): PurchaseRequest => ({ brand, device, event });
    const rid = (receipt: string) => receiptIdOf(brand.receiptSalt, brand.address, receipt).toLowerCase() as Hex;

    /** One batch in one transaction, as the batcher runs it (no backing read: the check is skipped). */
    function batch(requests: PurchaseRequest[], backing: ReadonlyMap<string, BackingAt | undefined> = new Map()): Promise<PurchaseResult[]> {
      return h.t.db.transaction((tx) => handlePurchaseBatch(tx, h.config, requests, backing, { locks: h.t.db.kind === "postgres" }));
    }

    const summary = (r: PurchaseResult) => {
      if (r.kind === "alone") return { alone: true };
      if (r.kind === "error") return { status: r.error.status, code: r.error.code };
      const { operationId, ...body } = r.outcome.body;
      return { status: r.outcome.status, duplicate: r.outcome.duplicate, body, queued: operationId !== undefined };
    };

    it("answers each purchase of one batch as it would alone: accepted, welcome bonus once, duplicates, drops, refusals, repeats left alone", async () => {
      const alice = newCustomer();
      const carol = newCustomer();
      const bob = newCustomer();
      await h.consent(alice, h.a.address, ["loyalty"]);
      await h.consent(carol, h.a.address, ["loyalty"]);
      await setProgramme(h.t.db, brand.address, { welcomeBonus: 50n });
      const before = await h.deviceEvent(h.a.device, purchase("pb-0", { wallet: alice.address }, "PB-0"));
      expect(before.status).to.equal(202);
      expect((await h.deviceEvent(h.a.device, purchase("pb-9", { wallet: alice.address }, "PB-9"))).status).to.equal(202);

      const results = await batch([
        req(purchase("pb-1", { wallet: alice.address }, "PB-1")),
        req(purchase("pb-0", { wallet: alice.address }, "PB-0")),
        req(purchase("pb-2", { wallet: bob.address }, "PB-2")),
        req(purchase("pb-3", { wallet: alice.address }, "PB-3", "100001")),
        req(purchase("pb-4", { wallet: alice.address }, "PB-9")),
        req(purchase("pb-5", { wallet: carol.address }, "PB-5")),
        req(purchase("pb-6", { wallet: carol.address }, "PB-6", "1.50")),
        req(purchase("pb-1", { wallet: alice.address }, "PB-1")),
        req(purchase("pb-7", { wallet: alice.address }, "PB-1")),
        req(purchase("pb-8", { cardToken: "no-such-card" }, "PB-8")),
      ]);
      const part = (reason: string, points: string, receiptId: string) => ({ reason, campaign: null, points, receiptId });
      const accepted = (eventId: string) => ({ accepted: true, eventId, kind: "purchase" });
      const { operationId: _op, ...firstBody } = before.body as Record<string, unknown>;
      expect(results.map(summary)).to.deep.equal([
        { status: 202, duplicate: false, body: { ...accepted("pb-1"), receiptId: rid("PB-1"), points: "20", issuances: [part("purchase", "20", rid("PB-1"))] }, queued: true },
        { status: 202, duplicate: true, body: firstBody, queued: true },
        { status: 202, duplicate: false, body: { ...accepted("pb-2"), dropped: "no_consent" }, queued: false },
        { status: 422, code: "amount_too_large" },
        { status: 409, code: "duplicate_receipt" },
        {
          status: 202,
          duplicate: false,
          body: {
            ...accepted("pb-5"),
            receiptId: rid("PB-5"),
            points: "70",
            issuances: [part("purchase", "20", rid("PB-5")), part("welcome", "50", welcomeReceiptId(brand.address, carol.address.toLowerCase() as Address))],
          },
          queued: true,
        },
        { status: 202, duplicate: false, body: { ...accepted("pb-6"), receiptId: rid("PB-6"), points: "3", issuances: [part("purchase", "3", rid("PB-6"))] }, queued: true },
        { alone: true },
        { alone: true },
        { status: 202, duplicate: false, body: { ...accepted("pb-8"), dropped: "unknown_card" }, queued: false },
      ]);
      // Committed: the purchases, their issues queued once each (by receipt), one answer per event id answered here.
      expect(await h.count("relay_purchases", "receipt_id = ANY($1::text[])", [[rid("PB-1"), rid("PB-5"), rid("PB-6")]])).to.equal(3);
      expect(await h.count("operations", "kind = 'issue' AND subject = $1", [carol.address.toLowerCase()])).to.equal(3);
      expect(await h.count("operations", "kind = 'issue' AND idempotency_key = $1", [`issue:${rid("PB-1")}`])).to.equal(1);
      expect(await h.count("relay_device_events", "event_id = ANY($1::text[])", [["pb-1", "pb-2", "pb-3", "pb-4", "pb-5", "pb-6", "pb-7", "pb-8"]])).to.equal(5);
      const stored = await h.t.db.query<{ response: unknown }>("SELECT response FROM relay_device_events WHERE brand = $1 AND event_id = 'pb-1'", [brand.address]);
      const response = typeof stored.rows[0]!.response === "string" ? JSON.parse(stored.rows[0]!.response as string) : stored.rows[0]!.response;
      expect(response).to.deep.equal((results[0] as Extract<PurchaseResult, { kind: "done" }>).outcome.body);
      const op = await h.t.db.query<{ operation_id: string }>("SELECT operation_id::text AS operation_id FROM relay_issuances WHERE brand = $1 AND receipt_id = $2", [brand.address, rid("PB-1")]);
      expect(op.rows[0]!.operation_id).to.equal((results[0] as Extract<PurchaseResult, { kind: "done" }>).outcome.body.operationId);
    });

    it("writes each issuance once, naming its issue; an issue queued before under the same key keeps its id and the issuance names it", async () => {
      const erin = newCustomer();
      await h.consent(erin, h.a.address, ["loyalty"]);
      await setProgramme(h.t.db, brand.address, { welcomeBonus: 0n });
      // An issue for receipt EB-1 queued before any purchase of it (as an earlier relay version could leave it).
      const earlier = await h.t.db.transaction((tx) =>
        enqueueOperation(tx, {
          kind: "issue",
          contract: "points",
          functionName: "issue",
          args: [brand.address, erin.address.toLowerCase(), 20n, rid("EB-1")],
          signer: brand.operator,
          subject: erin.address.toLowerCase() as Address,
          controller: brand.address,
          idempotencyKey: `issue:${rid("EB-1")}`,
        }),
      );
      const results = await batch([req(purchase("eb-1", { wallet: erin.address }, "EB-1")), req(purchase("eb-2", { wallet: erin.address }, "EB-2"))]);
      const ids = results.map((r) => (r as Extract<PurchaseResult, { kind: "done" }>).outcome.body.operationId);
      expect(ids[0]).to.equal(earlier.id);
      expect(ids[1]).to.match(/^[0-9a-f-]{36}$/).and.not.equal(earlier.id);
      const { rows } = await h.t.db.query<{ receipt_id: string; operation_id: string; key: string }>(
        `SELECT i.receipt_id, i.operation_id::text AS operation_id, o.idempotency_key AS key FROM relay_issuances i JOIN operations o ON o.id = i.operation_id
          WHERE i.brand = $1 AND i.receipt_id = ANY($2::text[]) ORDER BY i.receipt_id = $3 DESC`,
        [brand.address, [rid("EB-1"), rid("EB-2")], rid("EB-1")],
      );
      expect(rows).to.deep.equal([
        { receipt_id: rid("EB-1"), operation_id: earlier.id, key: `issue:${rid("EB-1")}` },
        { receipt_id: rid("EB-2"), operation_id: ids[1], key: `issue:${rid("EB-2")}` },
      ]);
      expect(await h.count("operations", "kind = 'issue' AND idempotency_key = ANY($1::text[])", [[`issue:${rid("EB-1")}`, `issue:${rid("EB-2")}`]])).to.equal(2);
    });

    it("counts the batch's earlier purchases against the brand's backing, and the issues confirmed after the block it was read at", async () => {
      const dave = newCustomer();
      await h.consent(dave, h.a.address, ["loyalty"]);
      await setProgramme(h.t.db, brand.address, { welcomeBonus: 0n });
      // Read "at block 0": every issue of the brand not failed is one the balance does not reflect yet.
      const { rows } = await h.t.db.query<{ p: string }>(
        `SELECT COALESCE(sum(COALESCE(args->2->>'$bigint', args->>2)::numeric), 0)::text AS p FROM operations WHERE kind = 'issue' AND controller = $1 AND status <> 'failed'`,
        [brand.address],
      );
      const promised = BigInt(rows[0]!.p);
      const backing = new Map([[brand.address, { balance: (promised + 40n) * 3n, unitValue: 3n, blockNumber: 0n }]]);
      const results = await batch(
        ["bk-1", "bk-2", "bk-3"].map((id) => req(purchase(id, { wallet: dave.address }, id.toUpperCase()))),
        backing,
      );
      expect(results.map((r) => (r.kind === "error" ? r.error.code : r.kind))).to.deep.equal(["done", "done", "insufficient_backing"]);
      expect(await h.count("relay_purchases", "subject = $1", [dave.address.toLowerCase()])).to.equal(2);
    });

    it("answers concurrent HTTP purchases each once: repeated event ids get the first answer, repeated receipts 409, each receipt queued once", async () => {
      const batches = async () => ({
        count: (await h.metric('relay_purchase_batch_size_count{fallback="false"}')) ?? 0,
        sum: (await h.metric('relay_purchase_batch_size_sum{fallback="false"}')) ?? 0,
      });
      const before = await batches();
      const erin = newCustomer();
      await h.consent(erin, h.a.address, ["loyalty"]);
      const events = Array.from({ length: 24 }, (_, i) => purchase(`hp-${i % 20}`, { wallet: erin.address }, `HP-${i % 20}`));
      events.push(purchase("hp-dup-receipt", { wallet: erin.address }, "HP-3"));
      const answers = await Promise.all(events.map((e) => h.deviceEvent(h.a.device, e)));
      expect(answers.map((a) => a.status)).to.deep.equal([...events.slice(0, 24).map(() => 202), 409]);
      expect(answers[24]!.body.error.code).to.equal("duplicate_receipt");
      for (let i = 20; i < 24; i++) expect(answers[i]!.body).to.deep.equal(answers[i - 20]!.body);
      expect(new Set(answers.slice(0, 20).map((a) => a.body.operationId)).size).to.equal(20);
      expect(await h.count("operations", "kind = 'issue' AND subject = $1", [erin.address.toLowerCase()])).to.equal(20);
      expect(await h.count("relay_purchases", "subject = $1", [erin.address.toLowerCase()])).to.equal(20);
      // relay_purchase_batch_size: every purchase the event batches passed on went through a purchase batch
      // (the 20 first sendings, and those of the repeats that were not yet answered from the store), and
      // purchases arriving together shared a transaction.
      const after = await batches();
      const [count, sum] = [after.count - before.count, after.sum - before.sum];
      expect(sum).to.be.within(20, 25);
      expect(count).to.be.within(1, sum - 1);
    });
  });
}
