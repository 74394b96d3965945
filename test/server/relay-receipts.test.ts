import { expect } from "chai";
import { createRelayClient, getReceipt, RelayError, verifyReceipt, type ConsentReceipt, type RelayClient } from "../../client";
import { purposeId } from "../../client/purposes";
import { testDbKinds } from "../support/db";
import { Harness, NOTICE, newCustomer } from "./relay-harness";

for (const kind of testDbKinds()) {
  describe(`relay: consent receipts (${kind})`, function () {
    this.timeout(180_000);
    let h: Harness;
    let relay: RelayClient;
    before(async () => {
      h = await Harness.start(kind);
      relay = createRelayClient({ url: h.url, pollingInterval: 20 });
    });
    after(async () => {
      await h?.stop();
    });

    const verify = (receipt: ConsentReceipt) => verifyReceipt({ client: h.chain.client, receipt });

    it("gives the receipt of a grant, a revocation and a revoke-all once on chain, by operation and by position, and each verifies against the chain", async () => {
      const customer = newCustomer();
      const granted = await h.grant(customer, h.a.address, "loyalty");
      expect(granted.status).to.equal(202);
      const receipt = await relay.getReceipt({ operationId: granted.body.operationId, wait: 60_000 });
      const { rows } = await h.t.db.query<{ seq: string; head: string; tx_hash: string; log_index: number; timestamp: number; actor: string }>(
        "SELECT seq::text AS seq, head, tx_hash, log_index, timestamp, actor FROM consent_history WHERE subject = $1",
        [customer.address.toLowerCase()],
      );
      const row = rows[0]!;
      const time = new Date(row.timestamp * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
      expect(receipt).to.deep.equal({
        version: "confiance-receipt/1",
        recordId: `urn:confiance:31337:${h.a.address}:${row.seq}`,
        subject: customer.address.toLowerCase(),
        controller: h.a.address,
        purpose: { id: purposeId("loyalty"), name: "loyalty" },
        notice: { hash: NOTICE, uri: "https://brand.example/loyalty" },
        categories: { bitmap: "5", names: ["identity", "purchase-history"] },
        legalBasis: "consent",
        event: { type: "grant", time },
        expiresAt: null,
        actor: customer.address.toLowerCase(),
        collectionMethod: "app",
        evidence: { chainId: 31337, ledger: h.deployment.ledger.toLowerCase(), transactionHash: row.tx_hash, logIndex: row.log_index, seq: row.seq, head: row.head },
      });
      const checked = await verify(receipt);
      expect(checked.ok, JSON.stringify(checked.firstFailure)).to.equal(true);
      // by position: the same record
      expect(await getReceipt(relay, { controller: h.a.address, seq: BigInt(row.seq) })).to.deep.equal(receipt);
      const raw = await h.http("GET", `/v1/receipts/${h.a.address}/${row.seq}`);
      expect(raw.status).to.equal(200);
      expect(raw.body).to.deep.equal(receipt);

      const revoked = await h.revoke(customer, h.a.address, "loyalty");
      const revokeReceipt = await relay.getReceipt({ operationId: revoked.body.operationId, wait: 60_000 });
      expect([revokeReceipt.event.type, revokeReceipt.purpose.name, revokeReceipt.notice, revokeReceipt.evidence.seq]).to.deep.equal([
        "revoke",
        "loyalty",
        { hash: `0x${"0".repeat(64)}`, uri: null },
        (BigInt(row.seq) + 1n).toString(),
      ]);
      expect((await verify(revokeReceipt)).ok).to.equal(true);

      await h.consent(customer, h.a.address, ["shopping-list"]);
      const all = await relay.revokeAll({ signer: customer, controller: h.a.address });
      const allReceipt = await relay.getReceipt({ operationId: all.operation.operationId, wait: 60_000 });
      expect([allReceipt.event.type, allReceipt.purpose]).to.deep.equal(["revoke-all", { id: `0x${"0".repeat(64)}`, name: null }]);
      expect((await verify(allReceipt)).ok).to.equal(true);
    });

    it("a receipt altered in any field the chain holds does not verify, and says which field", async () => {
      const customer = newCustomer();
      const granted = await h.grant(customer, h.b.address, "shopping-list");
      const receipt = await relay.getReceipt({ operationId: granted.body.operationId, wait: 60_000 });
      expect((await verify(receipt)).ok).to.equal(true);
      const other = newCustomer().address.toLowerCase();
      const tampered: [string, (r: ConsentReceipt) => void][] = [
        ["subject", (r) => void (r.subject = other)],
        ["categories.bitmap", (r) => void (r.categories = { bitmap: "1", names: ["identity"] })],
        ["expiresAt", (r) => void (r.expiresAt = "2030-01-01T00:00:00Z")],
        ["purpose.id", (r) => void (r.purpose.id = purposeId("loyalty"))],
        ["evidence.seq", (r) => void (r.evidence.seq = (BigInt(r.evidence.seq) + 1n).toString())],
        ["event.time", (r) => void (r.event.time = "2020-01-01T00:00:00Z")],
        ["evidence.logIndex", (r) => void (r.evidence.logIndex += 1)],
      ];
      for (const [field, alter] of tampered) {
        const copy = structuredClone(receipt);
        alter(copy);
        const result = await verify(copy);
        expect(result.ok, field).to.equal(false);
        expect(result.firstFailure?.field, field).to.equal(field);
      }
    });

    it("refuses an unknown operation, a non-consent operation, a bad position and an action not in the history", async () => {
      const missing = await h.http("GET", "/v1/receipts/operations/3f1e0c4e-0000-4000-8000-000000000000");
      expect([missing.status, missing.body.error.code]).to.deep.equal([404, "operation_not_found"]);
      expect((await h.http("GET", "/v1/receipts/operations/not-a-uuid")).body.error.code).to.equal("operation_not_found");
      const bad = await h.http("GET", `/v1/receipts/${h.a.address}/0`);
      expect([bad.status, bad.body.error.code]).to.deep.equal([400, "invalid_seq"]);
      const badAddress = await h.http("GET", "/v1/receipts/0x12/1");
      expect([badAddress.status, badAddress.body.error.code]).to.deep.equal([400, "invalid_address"]);
      const beyond = await h.http("GET", `/v1/receipts/${h.a.address}/999999`);
      expect([beyond.status, beyond.body.error.code]).to.deep.equal([404, "receipt_not_found"]);
      try {
        await relay.getReceipt({ controller: h.a.address, seq: 999999 });
        expect.fail("no receipt expected");
      } catch (err) {
        expect(err).to.be.instanceOf(RelayError);
        expect((err as RelayError).code).to.equal("receipt_not_found");
      }
      const setDelegate = await relay.setDelegate({ signer: newCustomer(), delegate: newCustomer().address, until: Number(h.deadline(86_400)) });
      const r = await h.http("GET", `/v1/receipts/operations/${setDelegate.operation.operationId}`);
      expect([r.status, r.body.error.code]).to.deep.equal([422, "not_a_consent_action"]);
    });
  });
}
