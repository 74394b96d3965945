import { expect } from "chai";
import type { Address } from "viem";
import { coalitionPointsAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer, PEPPER } from "./relay-harness";

for (const kind of testDbKinds()) {
  describe(`relay device events and the consent gate (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h?.stop();
    });

    const presence = (eventId: string, wallet: Address) => ({ eventId, kind: "presence", customer: { wallet } });
    const balanceOf = (customer: Address) =>
      h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [customer] });

    it("drops an event whose purpose is not granted and keeps nothing personal", async () => {
      const stranger = newCustomer();
      const events = [
        presence("nc-1", stranger.address),
        { eventId: "nc-2", kind: "purchase", customer: { wallet: stranger.address }, receipt: "TILL-9-0001", amount: "30.00" },
        { eventId: "nc-3", kind: "scan", customer: { wallet: stranger.address }, productCode: "4006381333931" },
        { eventId: "nc-4", kind: "presence", customer: { cardToken: "CARD-UNKNOWN-1" } },
      ];
      const answers = [];
      for (const e of events) answers.push(await h.deviceEvent(h.a.device, e));
      expect(answers.map((a) => [a.status, a.body])).to.deep.equal([
        [202, { accepted: true, eventId: "nc-1", kind: "presence", dropped: "no_consent" }],
        [202, { accepted: true, eventId: "nc-2", kind: "purchase", dropped: "no_consent" }],
        [202, { accepted: true, eventId: "nc-3", kind: "scan", dropped: "no_consent" }],
        [202, { accepted: true, eventId: "nc-4", kind: "presence", dropped: "unknown_card" }],
      ]);
      for (const table of ["relay_visits", "relay_scans", "relay_purchases", "operations", "relay_card_links"]) {
        expect(await h.count(table), table).to.equal(0);
      }
      // The only trace is the stored answer per event id, which names no customer.
      const dump = JSON.stringify((await h.t.db.query("SELECT * FROM relay_device_events")).rows).toLowerCase();
      expect(dump).to.not.include(stranger.address.toLowerCase().slice(2));
      expect(dump).to.not.include("till-9-0001");
      expect(dump).to.not.include("card-unknown-1");
    });

    it("accepts a consenting customer's presence, answers a re-sent event id with the first answer, and drops it once revoked, before the revocation is mined", async () => {
      const alice = newCustomer();
      await h.consent(alice, h.a.address, ["in-store-recognition"]);
      const first = await h.deviceEvent(h.a.device, presence("p-1", alice.address));
      expect(first.status).to.equal(202);
      expect(first.body).to.deep.equal({ accepted: true, eventId: "p-1", kind: "presence" });
      expect(await h.count("relay_visits", "subject = $1", [alice.address.toLowerCase()])).to.equal(1);

      const again = await h.deviceEvent(h.a.device, presence("p-1", alice.address));
      expect(again.status).to.equal(202);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers.get("idempotent-replayed")).to.equal("true");
      expect(await h.count("relay_visits", "subject = $1", [alice.address.toLowerCase()])).to.equal(1);

      // Consent for another brand does not count for this one.
      const other = await h.deviceEvent(h.b.device, presence("p-b-1", alice.address));
      expect(other.body.dropped).to.equal("no_consent");

      await h.chain.setAutomine(false);
      try {
        const revoked = await h.revoke(alice, h.a.address, "in-store-recognition");
        expect(revoked.status).to.equal(202);
        const after = await h.deviceEvent(h.a.device, presence("p-2", alice.address));
        expect(after.body).to.deep.equal({ accepted: true, eventId: "p-2", kind: "presence", dropped: "no_consent" });
        // Not mined, not indexed: the indexed consent is still active, the relay already applies the revocation.
        const op = await h.t.db.query<{ block_number: number | null }>("SELECT block_number FROM operations WHERE id = $1", [revoked.body.operationId]);
        expect(op.rows[0]!.block_number).to.equal(null);
        const indexed = await h.t.db.query<{ revoked_at: number }>(
          "SELECT revoked_at FROM consents WHERE subject = $1 AND controller = $2 AND purpose = $3",
          [alice.address.toLowerCase(), h.a.address, purposeId("in-store-recognition")],
        );
        expect(indexed.rows[0]!.revoked_at).to.equal(0);
        const view = await h.http("GET", `/v1/customers/${alice.address}/consents`);
        expect(view.body.consents.map((c: { purpose: string; active: boolean; pendingRevocation: boolean }) => [c.purpose, c.active, c.pendingRevocation])).to.deep.equal([
          [purposeId("in-store-recognition"), false, true],
        ]);
        expect(await h.count("relay_visits", "subject = $1", [alice.address.toLowerCase()])).to.equal(1);
      } finally {
        await h.chain.setAutomine(true);
        await h.chain.mine();
      }
      const settled = await h.t.db.query<{ id: string }>("SELECT id::text AS id FROM operations WHERE kind = 'revoke'");
      expect((await h.settled(settled.rows[0]!.id)).status).to.equal("confirmed");
      await h.indexed();
      const mined = await h.deviceEvent(h.a.device, presence("p-3", alice.address));
      expect(mined.body.dropped).to.equal("no_consent");
    });

    it("purchase earns points by the brand's rule (salted receipt id), a re-sent purchase is not issued twice, a return reverses", async () => {
      const bob = newCustomer();
      await h.consent(bob, h.a.address, ["loyalty"]);
      const purchase = { eventId: "buy-1", kind: "purchase", customer: { wallet: bob.address }, receipt: "TILL-3-000123", amount: "59.90" };
      const r = await h.deviceEvent(h.a.device, purchase);
      expect(r.status).to.equal(202);
      expect(r.body.points).to.equal("119"); // floor(59.90 * 2)
      expect(r.body.receiptId).to.match(/^0x[0-9a-f]{64}$/);
      const again = await h.deviceEvent(h.a.device, purchase);
      expect(again.body).to.deep.equal(r.body);
      const dup = await h.deviceEvent(h.a.device, { ...purchase, eventId: "buy-1-bis" });
      expect(dup.status).to.equal(409);
      expect(dup.body.error.code).to.equal("duplicate_receipt");
      expect(await h.count("operations", "kind = 'issue'")).to.equal(1);

      expect((await h.settled(r.body.operationId)).status).to.equal("confirmed");
      expect(await balanceOf(bob.address)).to.equal(119n);
      const stored = JSON.stringify((await h.t.db.query("SELECT * FROM relay_purchases")).rows);
      expect(stored).to.not.include("TILL-3-000123");
      expect(stored).to.include(r.body.receiptId);

      const unknown = await h.deviceEvent(h.a.device, { eventId: "ret-0", kind: "return", customer: { wallet: bob.address }, receipt: "TILL-3-999", amount: "1.00" });
      expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "receipt_not_found"]);
      const ret = await h.deviceEvent(h.a.device, { eventId: "ret-1", kind: "return", customer: { wallet: bob.address }, receipt: "TILL-3-000123", amount: "29.95" });
      expect(ret.status).to.equal(202);
      expect(ret.body).to.deep.include({ receiptId: r.body.receiptId, points: "59" }); // floor(119 * 29.95 / 59.90)
      expect((await h.settled(ret.body.operationId)).status).to.equal("confirmed");
      expect(await balanceOf(bob.address)).to.equal(60n);

      await h.indexed();
      const points = await h.http("GET", `/v1/customers/${bob.address}/points`);
      expect(points.body.balance).to.equal("60");
      expect(points.body.history.map((x: { kind: string; points: string; ref: string }) => [x.kind, x.points, x.ref])).to.deep.equal([
        ["reversed", "59", r.body.receiptId],
        ["issued", "119", r.body.receiptId],
      ]);
    });

    it("a return reverses the points of its purchase even after the customer revoked loyalty", async () => {
      const eve = newCustomer();
      await h.consent(eve, h.a.address, ["loyalty"]);
      const buy = await h.deviceEvent(h.a.device, { eventId: "rv-buy", kind: "purchase", customer: { wallet: eve.address }, receipt: "TILL-5-000042", amount: "20.00" });
      expect(buy.body.points).to.equal("40");
      expect((await h.settled(buy.body.operationId)).status).to.equal("confirmed");

      const revoked = await h.revoke(eve, h.a.address, "loyalty");
      expect(revoked.status).to.equal(202);
      const later = await h.deviceEvent(h.a.device, { eventId: "rv-buy-2", kind: "purchase", customer: { wallet: eve.address }, receipt: "TILL-5-000043", amount: "5.00" });
      expect(later.body.dropped).to.equal("no_consent");

      const ret = await h.deviceEvent(h.a.device, { eventId: "rv-ret", kind: "return", customer: { wallet: eve.address }, receipt: "TILL-5-000042", amount: "20.00" });
      expect(ret.status).to.equal(202);
      expect(ret.body).to.deep.include({ receiptId: buy.body.receiptId, points: "40" });
      expect((await h.settled(ret.body.operationId)).status).to.equal("confirmed");
      expect(await balanceOf(eve.address)).to.equal(0n);
    });

    it("the same purchase event sent concurrently is processed once and every sender gets the same answer", async () => {
      const ivy = newCustomer();
      await h.consent(ivy, h.a.address, ["loyalty"]);
      const purchase = { eventId: "race-1", kind: "purchase", customer: { wallet: ivy.address }, receipt: "RACE-0001", amount: "12.50" };
      const answers = await Promise.all(Array.from({ length: 8 }, () => h.deviceEvent(h.a.device, purchase)));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(8).fill(202));
      for (const a of answers) expect(a.body).to.deep.equal(answers[0]!.body);
      expect(answers[0]!.body.points).to.equal("25");
      expect(answers.filter((a) => a.headers.get("idempotent-replayed") === "true").length).to.equal(7);
      expect(await h.count("operations", "idempotency_key = $1", [`issue:${answers[0]!.body.receiptId}`])).to.equal(1);
      expect(await h.count("relay_purchases", "subject = $1", [ivy.address.toLowerCase()])).to.equal(1);
      expect((await h.settled(answers[0]!.body.operationId)).status).to.equal("confirmed");
      expect(await balanceOf(ivy.address)).to.equal(25n);
    });

    it("a loyalty card linked by the wallet's signature names the customer; only its HMAC is stored; unlinking erases it", async () => {
      const carol = newCustomer();
      await h.consent(carol, h.a.address, ["in-store-recognition"]);
      const late = await h.http("POST", "/v1/cards/link", { body: await h.linkCardBody(carol, h.a.address, "CARD-0042-7781", "LinkCard", h.deadline(-5)) });
      expect([late.status, late.body.error.code]).to.deep.equal([400, "deadline_expired"]);
      const wrongType = await h.http("POST", "/v1/cards/link", { body: await h.linkCardBody(carol, h.a.address, "CARD-0042-7781", "UnlinkCard") });
      expect([wrongType.status, wrongType.body.error.code]).to.deep.equal([401, "invalid_customer_signature"]);
      expect(await h.count("relay_card_links")).to.equal(0);
      const link = await h.http("POST", "/v1/cards/link", { body: await h.linkCardBody(carol, h.a.address, "CARD-0042-7781") });
      expect(link.status).to.equal(201);
      const rows = (await h.t.db.query<{ card_hash: string; subject: string }>("SELECT card_hash, subject FROM relay_card_links")).rows;
      const { cardHash } = await import("../../server/customers/cards");
      expect(rows).to.deep.equal([{ card_hash: cardHash(PEPPER, h.a.address, "CARD-0042-7781"), subject: carol.address.toLowerCase() }]);
      expect(JSON.stringify(rows)).to.not.include("CARD-0042-7781");

      const seen = await h.deviceEvent(h.a.device, { eventId: "card-1", kind: "presence", customer: { cardToken: "CARD-0042-7781" } });
      expect(seen.body).to.deep.equal({ accepted: true, eventId: "card-1", kind: "presence" });
      expect(await h.count("relay_visits", "subject = $1", [carol.address.toLowerCase()])).to.equal(1);

      const mallory = newCustomer();
      const forged = await h.linkCardBody(mallory, h.a.address, "CARD-0042-7781");
      const stolen = await h.http("POST", "/v1/cards/link", { body: { ...forged, subject: carol.address } });
      expect([stolen.status, stolen.body.error.code]).to.deep.equal([401, "invalid_customer_signature"]);
      const elsewhere = await h.http("POST", "/v1/cards/link", { body: forged });
      expect([elsewhere.status, elsewhere.body.error.code]).to.deep.equal([409, "card_linked_elsewhere"]);

      const unlink = await h.http("POST", "/v1/cards/unlink", { body: await h.linkCardBody(carol, h.a.address, "CARD-0042-7781", "UnlinkCard") });
      expect(unlink.body).to.deep.equal({ erased: 1 });
      expect(await h.count("relay_card_links")).to.equal(0);
      const after = await h.deviceEvent(h.a.device, { eventId: "card-2", kind: "presence", customer: { cardToken: "CARD-0042-7781" } });
      expect(after.body.dropped).to.equal("unknown_card");
    });

    it("erases a customer's visits, scans and card links for a brand on the wallet's signed request", async () => {
      const dan = newCustomer();
      await h.consent(dan, h.a.address, ["in-store-recognition", "shopping-list"]);
      await h.http("POST", "/v1/cards/link", { body: await h.linkCardBody(dan, h.a.address, "CARD-DAN-0001") });
      expect((await h.deviceEvent(h.a.device, { eventId: "dan-1", kind: "presence", customer: { wallet: dan.address } })).body).to.deep.equal({ accepted: true, eventId: "dan-1", kind: "presence" });
      expect((await h.deviceEvent(h.a.device, { eventId: "dan-2", kind: "scan", customer: { cardToken: "CARD-DAN-0001" }, productCode: "3017620422003" })).body).to.deep.equal({
        accepted: true,
        eventId: "dan-2",
        kind: "scan",
      });
      const subject = dan.address.toLowerCase();
      const mine = async () => [await h.count("relay_visits", "subject = $1", [subject]), await h.count("relay_scans", "subject = $1", [subject]), await h.count("relay_card_links", "subject = $1", [subject])];
      expect(await mine()).to.deep.equal([1, 1, 1]);

      const deadline = h.deadline(600);
      const { relayDomain, relayTypes } = await import("../../client/typedData");
      const message = { subject: dan.address, brand: h.a.address, deadline };
      const forged = await newCustomer().signTypedData({ domain: relayDomain(h.deployment.chainId, h.deployment), types: relayTypes, primaryType: "EraseData", message });
      const refused = await h.http("POST", "/v1/customers/erase", { body: { ...message, deadline: deadline.toString(), signature: forged } });
      expect([refused.status, refused.body.error.code]).to.deep.equal([401, "invalid_customer_signature"]);
      // Dan's own signature, but for another Confiance deployment on the same chain (the domain's salt differs): refused.
      const elsewhere = { ledger: h.deployment.points, points: h.deployment.ledger };
      const foreign = await dan.signTypedData({ domain: relayDomain(h.deployment.chainId, elsewhere), types: relayTypes, primaryType: "EraseData", message });
      const other = await h.http("POST", "/v1/customers/erase", { body: { ...message, deadline: deadline.toString(), signature: foreign } });
      expect([other.status, other.body.error.code]).to.deep.equal([401, "invalid_customer_signature"]);
      expect(await mine()).to.deep.equal([1, 1, 1]);

      const signature = await dan.signTypedData({ domain: relayDomain(h.deployment.chainId, h.deployment), types: relayTypes, primaryType: "EraseData", message });
      const erased = await h.http("POST", "/v1/customers/erase", { body: { ...message, deadline: deadline.toString(), signature } });
      expect([erased.status, erased.body]).to.deep.equal([200, { visits: 1, scans: 1, cards: 1 }]);
      expect(await mine()).to.deep.equal([0, 0, 0]);
    });
  });
}
