import { expect } from "chai";
import { keccak256, toBytes, type Address, type Hex } from "viem";
import { parseTillUrl, orderRefOf } from "../../web/wallet/tillUrl";
import { needsRenewal, purposeState } from "../../web/wallet/purposeState";
import { mergeCustomer } from "../../web/staff/mergeCustomer";
import { failureWords } from "../../web/common/components/failureWords";
import { dictionaries } from "../../web/common/i18n/translate";
import type { Consent, CustomerConsents, RecognisedCustomer } from "../../client/relay/types";

const BRAND = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as Address;
const PURPOSE = `0x${"ab".repeat(32)}` as Hex;
const NOTICE = `0x${"11".repeat(32)}` as Hex;

function consent(over: Partial<Consent> = {}): Consent {
  return { controller: BRAND, purpose: PURPOSE, purposeName: "loyalty", categories: 1n, categoryNames: ["identity"], grantedAt: 1000, expiresAt: 0, revokedAt: 0, noticeHash: NOTICE, active: true, pendingRevocation: false, currentNoticeHash: NOTICE, noticeOutdated: false, ...over };
}
const list = (consents: Consent[], pending: CustomerConsents["pending"] = []): CustomerConsents => ({ subject: BRAND, consents, pending });

describe("web: the wallet's and the staff screen's logic", () => {
  describe("the till's QR code link", () => {
    it("reads brand, order and points", () => {
      expect(parseTillUrl(`https://relay.example/?redeem=${BRAND.toUpperCase().replace("0X", "0x")}&order=ORDER%2042&points=500`)).to.deep.equal({ brand: BRAND, order: "ORDER 42", points: 500n });
      expect(parseTillUrl(`/?redeem=${BRAND}&order=A-1`)).to.deep.equal({ brand: BRAND, order: "A-1" });
    });
    it("is not a till's link without a brand address, an order, or with points that are not a whole number above zero", () => {
      expect(parseTillUrl("https://relay.example/")).to.equal(undefined);
      expect(parseTillUrl(`/?redeem=0x1234&order=A`)).to.equal(undefined);
      expect(parseTillUrl(`/?redeem=${BRAND}`)).to.equal(undefined);
      expect(parseTillUrl(`/?redeem=${BRAND}&order=A&points=0`)).to.equal(undefined);
      expect(parseTillUrl(`/?redeem=${BRAND}&order=A&points=1.5`)).to.equal(undefined);
      expect(parseTillUrl(`/?redeem=${BRAND}&order=${"x".repeat(129)}`)).to.equal(undefined);
    });
    it("signs keccak256 of the order reference, or a bytes32 reference as it is", () => {
      expect(orderRefOf("ORDER-42")).to.equal(keccak256(toBytes("ORDER-42")));
      expect(orderRefOf(NOTICE)).to.equal(NOTICE);
    });
  });

  describe("a purpose's state", () => {
    it("is none, granted (with its expiry), revoked on, expired on", () => {
      expect(purposeState(list([]), BRAND, PURPOSE).kind).to.equal("none");
      expect(purposeState(list([consent({ expiresAt: 5000 })]), BRAND, PURPOSE, 2000)).to.deep.include({ kind: "granted", since: 1000, expiresAt: 5000 });
      expect(purposeState(list([consent({ revokedAt: 3000, active: false })]), BRAND, PURPOSE)).to.deep.equal({ kind: "revoked", on: 3000 });
      expect(purposeState(list([consent({ expiresAt: 1500 })]), BRAND, PURPOSE, 2000)).to.deep.equal({ kind: "expired", on: 1500 });
    });
    it("is pending while the relay holds an action for it, a revocation counting at once", () => {
      const op = { operationId: "1", kind: "revokeAll", status: "queued" as const, controller: BRAND, purpose: null, purposeName: null };
      expect(purposeState(list([consent()], [op]), BRAND, PURPOSE)).to.deep.equal({ kind: "pending", action: "revokeAll" });
      expect(purposeState(list([consent({ pendingRevocation: true })]), BRAND, PURPOSE)).to.deep.equal({ kind: "pending", action: "revoke" });
      expect(purposeState(list([consent()], [{ ...op, status: "confirmed" }]), BRAND, PURPOSE).kind, "a settled operation is not pending").to.equal("granted");
    });
    it("needs renewal only when granted on an older notice than the brand's current one", () => {
      const granted = purposeState(list([consent()]), BRAND, PURPOSE, 2000);
      expect(needsRenewal(granted, { notice: { hash: NOTICE, uri: "u", version: 1 } })).to.equal(false);
      expect(needsRenewal(granted, { notice: { hash: `0x${"22".repeat(32)}`, uri: "u", version: 2 } })).to.equal(true);
      expect(needsRenewal({ kind: "none" }, { notice: { hash: `0x${"22".repeat(32)}`, uri: "u", version: 2 } })).to.equal(false);
    });
  });

  describe("the staff screen's cards", () => {
    const seen = (customer: string, seenAt: string): RecognisedCustomer => ({ storeId: "s", brand: BRAND, customer: customer as Address, seenAt, lastVisit: null, points: "0" });
    it("put the customer who just came in on top, once", () => {
      const a = seen("0xaa", "1");
      const b = seen("0xbb", "2");
      const a2 = seen("0xAA", "3");
      expect(mergeCustomer(mergeCustomer(mergeCustomer([], a), b), a2)).to.deep.equal([a2, b]);
    });
  });

  describe("a failure in words", () => {
    it("says the relay's known codes in each language, and the relay's own message otherwise", () => {
      for (const code of ["stale_notice", "insufficient_points", "consent_required", "card_linked_elsewhere", "cards_disabled", "nonce_used", "chain_unavailable", "invalid_display_name", "RedemptionsNotAccepted"]) {
        const said = failureWords({ code, message: "m" });
        expect(said.key).to.equal(`error.${code}`);
        for (const d of Object.values(dictionaries)) expect((d as Record<string, string>)[said.key], `${code}`).to.be.a("string").and.not.equal("");
      }
      expect(failureWords({ code: "wallet_refused", message: "m" })).to.deep.equal({ key: "action.refused" });
      expect(failureWords({ code: "purpose_not_defined", message: "the controller has not defined this purpose" })).to.deep.equal({ key: "action.failed", message: "the controller has not defined this purpose" });
    });
  });
});
