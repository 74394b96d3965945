import { expect } from "chai";
import { keccak256, toHex, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { consentLedgerAbi } from "../../client/abis";
import { purposeId } from "../../client/purposes";
import { signCustomerMessage } from "../../client";
import { testDbKinds } from "../support/db";
import { Harness, NOTICE, newCustomer } from "./relay-harness";

const NOTICE_2 = keccak256(toHex("notice v2"));
const THIRTEEN_MONTHS = 13 * 30 * 86_400;

for (const kind of testDbKinds()) {
  describe(`relay: renewal and maximum validity (${kind})`, function () {
    this.timeout(180_000);
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h?.stop();
    });

    /** A grant of `purpose` with the given expiry, signed and posted. */
    async function grantUntil(customer: PrivateKeyAccount, brand: Address, purpose: string, expiresAt: number, noticeHash: Hex = NOTICE) {
      const { ledger: nonce } = await h.nonces(customer.address);
      const deadline = h.deadline();
      const message = { subject: customer.address, controller: brand, purpose: purposeId(purpose), categories: 5n, expiresAt, noticeHash, nonce, deadline };
      const signature = await signCustomerMessage({ signer: customer, contracts: h.deployment, primaryType: "Grant", message });
      return h.http("POST", "/v1/consents/grant", { body: { ...message, purpose, categories: "5", nonce: nonce.toString(), deadline: deadline.toString(), signature } });
    }

    async function chainNow(): Promise<number> {
      return Number((await h.chain.client.getBlock({ blockTag: "latest" })).timestamp);
    }

    describe("consents on an older notice", () => {
      it("are flagged in the customer's reads and listed, brand by brand, by the brand API until renewed or revoked", async () => {
        const early = newCustomer();
        const renews = newCustomer();
        await h.consent(early, h.a.address, ["shopping-list"]);
        await h.consent(renews, h.a.address, ["shopping-list"]);
        await h.consent(early, h.b.address, ["shopping-list"]);

        // brand A publishes notice v2 of shopping-list
        await h.chain.client.waitForTransactionReceipt({
          hash: await h.a.wallet.writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId("shopping-list"), NOTICE_2, "https://brand.example/shopping-list/v2"] }),
        });
        await h.indexed();

        const reads = await h.http("GET", `/v1/customers/${early.address}/consents`);
        expect(reads.status).to.equal(200);
        const byBrand = (brand: Address) => reads.body.consents.find((c: { controller: string }) => c.controller === brand);
        expect(byBrand(h.a.address)).to.include({ noticeHash: NOTICE, currentNoticeHash: NOTICE_2, noticeOutdated: true, active: true });
        expect(byBrand(h.b.address)).to.include({ noticeHash: NOTICE, currentNoticeHash: NOTICE, noticeOutdated: false, active: true });

        const listed = await h.http("GET", "/v1/brand/consents/outdated", { auth: h.a.apiKey });
        expect(listed.status, JSON.stringify(listed.body)).to.equal(200);
        const subjects = [early.address.toLowerCase(), renews.address.toLowerCase()].sort();
        expect(listed.body.consents.map((c: { subject: string }) => c.subject)).to.deep.equal(subjects);
        const grantedAt = byBrand(h.a.address).grantedAt;
        const first = listed.body.consents.find((c: { subject: string }) => c.subject === early.address.toLowerCase());
        expect(first).to.deep.equal({
          subject: early.address.toLowerCase(),
          purpose: purposeId("shopping-list"),
          purposeName: "shopping-list",
          noticeHash: NOTICE,
          noticeVersion: 1,
          currentNoticeHash: NOTICE_2,
          currentVersion: 2,
          grantedAt,
          expiresAt: 0,
        });
        expect(listed.body.next).to.equal(null);
        // brand B published nothing new: nobody to ask
        expect((await h.http("GET", "/v1/brand/consents/outdated", { auth: h.b.apiKey })).body).to.deep.equal({ consents: [], next: null });
        // paging: one at a time, then the rest
        const page1 = await h.http("GET", "/v1/brand/consents/outdated?limit=1&purpose=shopping-list", { auth: h.a.apiKey });
        expect(page1.body.consents.map((c: { subject: string }) => c.subject)).to.deep.equal([subjects[0]]);
        expect(page1.body.next).to.equal(`${purposeId("shopping-list")}:${subjects[0]}`);
        const page2 = await h.http("GET", `/v1/brand/consents/outdated?limit=1&after=${page1.body.next}`, { auth: h.a.apiKey });
        expect(page2.body.consents.map((c: { subject: string }) => c.subject)).to.deep.equal([subjects[1]]);
        expect((await h.http("GET", "/v1/brand/consents/outdated?purpose=loyalty", { auth: h.a.apiKey })).body.consents).to.deep.equal([]);

        // one renews on v2, the other revokes: nobody left to ask
        const renewed = await h.grant(renews, h.a.address, "shopping-list", { noticeHash: NOTICE_2 });
        expect(renewed.status, JSON.stringify(renewed.body)).to.equal(202);
        expect((await h.settled(renewed.body.operationId)).status).to.equal("confirmed");
        const revoked = await h.revoke(early, h.a.address, "shopping-list");
        expect((await h.settled(revoked.body.operationId)).status).to.equal("confirmed");
        await h.indexed();
        expect((await h.http("GET", "/v1/brand/consents/outdated", { auth: h.a.apiKey })).body).to.deep.equal({ consents: [], next: null });
        const after = await h.http("GET", `/v1/customers/${renews.address}/consents`);
        expect(after.body.consents[0]).to.include({ noticeHash: NOTICE_2, currentNoticeHash: NOTICE_2, noticeOutdated: false });
      });

      it("refuses the brand list without a key and with a malformed cursor", async () => {
        expect((await h.http("GET", "/v1/brand/consents/outdated")).body.error.code).to.equal("missing_api_key");
        const bad = await h.http("GET", "/v1/brand/consents/outdated?after=zz", { auth: h.a.apiKey });
        expect([bad.status, bad.body.error.code]).to.deep.equal([400, "invalid_cursor"]);
        const limit = await h.http("GET", "/v1/brand/consents/outdated?limit=0", { auth: h.a.apiKey });
        expect([limit.status, limit.body.error.code]).to.deep.equal([400, "invalid_limit"]);
      });
    });

    describe("a brand's maximum validity per purpose", () => {
      before(async () => {
        const described = await h.http("POST", "/v1/brand/purposes", { auth: h.a.apiKey, body: { name: "in-store-recognition", categories: ["location", "device-identifiers"] } });
        expect(described.status, JSON.stringify(described.body)).to.equal(200);
      });

      it("is set by the brand API, shown by GET /v1/brands and the brand's purposes, and cleared with null", async () => {
        const set = await h.http("PUT", "/v1/brand/purposes/in-store-recognition/max-validity", { auth: h.a.apiKey, body: { maxValiditySeconds: THIRTEEN_MONTHS } });
        expect([set.status, set.body]).to.deep.equal([200, { maxValiditySeconds: THIRTEEN_MONTHS }]);
        const brands = await h.http("GET", "/v1/brands");
        const a = brands.body.brands.find((b: { address: string }) => b.address === h.a.address);
        const purpose = (name: string) => a.purposes.find((p: { name: string }) => p.name === name);
        expect(purpose("in-store-recognition").maxValiditySeconds).to.equal(THIRTEEN_MONTHS);
        expect(purpose("loyalty").maxValiditySeconds).to.equal(null);
        const own = await h.http("GET", "/v1/brand/purposes", { auth: h.a.apiKey });
        expect(own.body.purposes[0]).to.include({ name: "in-store-recognition", maxValiditySeconds: THIRTEEN_MONTHS });
        // re-describing the purpose keeps the limit
        await h.http("POST", "/v1/brand/purposes", { auth: h.a.apiKey, body: { name: "in-store-recognition", categories: ["location"] } });
        expect((await h.http("GET", "/v1/brand/purposes", { auth: h.a.apiKey })).body.purposes[0].maxValiditySeconds).to.equal(THIRTEEN_MONTHS);
        const b = brands.body.brands.find((x: { address: string }) => x.address === h.b.address);
        expect(b.purposes.every((p: { maxValiditySeconds: number | null }) => p.maxValiditySeconds === null)).to.equal(true);
      });

      it("refuses grants with no expiry or ending beyond it, up front, and accepts one within it", async () => {
        await h.http("PUT", "/v1/brand/purposes/in-store-recognition/max-validity", { auth: h.a.apiKey, body: { maxValiditySeconds: THIRTEEN_MONTHS } });
        const customer = newCustomer();
        const forever = await grantUntil(customer, h.a.address, "in-store-recognition", 0);
        expect([forever.status, forever.body.error.code]).to.deep.equal([422, "expiry_required"]);
        const tooLong = await grantUntil(customer, h.a.address, "in-store-recognition", (await chainNow()) + THIRTEEN_MONTHS + 3600);
        expect([tooLong.status, tooLong.body.error.code]).to.deep.equal([422, "validity_too_long"]);
        expect(await h.count("operations", "subject = $1", [customer.address.toLowerCase()])).to.equal(0);
        // another brand, another purpose: no limit
        expect((await grantUntil(customer, h.b.address, "in-store-recognition", 0)).status).to.equal(202);
        expect((await grantUntil(customer, h.a.address, "loyalty", 0)).status).to.equal(202);
        const within = await grantUntil(customer, h.a.address, "in-store-recognition", (await chainNow()) + THIRTEEN_MONTHS - 3600);
        expect(within.status, JSON.stringify(within.body)).to.equal(202);
        expect((await h.settled(within.body.operationId)).status).to.equal("confirmed");
        // cleared: a grant with no expiry passes again
        const cleared = await h.http("PUT", "/v1/brand/purposes/in-store-recognition/max-validity", { auth: h.a.apiKey, body: { maxValiditySeconds: null } });
        expect(cleared.body).to.deep.equal({ maxValiditySeconds: null });
        expect((await grantUntil(newCustomer(), h.a.address, "in-store-recognition", 0)).status).to.equal(202);
      });

      it("refuses a limit for a purpose the brand does not describe, and an invalid limit", async () => {
        const unknown = await h.http("PUT", "/v1/brand/purposes/shopping-list/max-validity", { auth: h.a.apiKey, body: { maxValiditySeconds: 86_400 } });
        expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "purpose_not_found"]);
        for (const v of [0, 59, 1.5, "3600", 11 * 366 * 86_400]) {
          const bad = await h.http("PUT", "/v1/brand/purposes/in-store-recognition/max-validity", { auth: h.a.apiKey, body: { maxValiditySeconds: v } });
          expect(bad.status, JSON.stringify(v)).to.equal(400);
        }
        const otherBrand = await h.http("PUT", "/v1/brand/purposes/in-store-recognition/max-validity", { auth: h.b.apiKey, body: { maxValiditySeconds: 86_400 } });
        expect(otherBrand.body.error.code).to.equal("purpose_not_found");
      });
    });
  });
}
