import { expect } from "chai";
import { keccak256, maxUint256, toHex, type Address, type Hex } from "viem";
import { coalitionPointsAbi, consentLedgerAbi, mockStablecoinAbi } from "../../client/abis";
import { generateDeviceKey } from "../../client";
import { purposeId } from "../../client/purposes";
import { testAccount, testPrivateKey } from "../support/chain";
import { testDbKinds } from "../support/db";
import { replayMoney, type PointsEventRow } from "../../server/brands/money";
import { ADMIN_TOKEN, Harness, NOTICE, newCustomer } from "./relay-harness";

/** Tables a refused registration must leave untouched. */
const TABLES = ["relay_brands", "relay_stores", "relay_devices", "relay_brand_purposes"];

describe("brand money replay (liability attribution)", () => {
  const ev = (kind: string, brand: string | null, customer: string | null, amount: bigint, timestamp: number, counterparty: string | null = null): PointsEventRow => ({ kind, brand, customer, counterparty, amount, timestamp });
  const day1 = Date.parse("2026-03-01T10:00:00Z") / 1000;
  const day3 = Date.parse("2026-03-03T10:00:00Z") / 1000;

  it("attributes a customer's balance to its issuers pro rata of net issuance, and expiries the same way", () => {
    const events = [
      ev("deposited", "a", null, 1_000_000n, day1),
      ev("issued", "a", "c1", 100n, day1),
      ev("issued", "b", "c1", 50n, day1),
      ev("redeemed", "b", "c1", 30n, day1),
      ev("reversed", "a", "c1", 10n, day3),
      ev("issued", "a", "c2", 40n, day3),
      ev("expired", null, "c2", 40n, day3),
    ];
    const r = replayMoney({ brand: "a", unitValue: 100n, events });
    // c1: balance 110, net a 90 of 140 -> floor(110 * 90 / 140) = 70; c2 expired entirely, all a's.
    expect(r.totals).to.deep.equal({ deposited: 1_000_000n, withdrawn: 0n, issued: 140n, reversed: 10n, redeemed: 0n, expired: 40n, backing: 1_000_000n - 14_000n + 1_000n, liability: 70n });
    expect(r.days.map((d) => [d.day, d.issued, d.reversed, d.expired, d.backing, d.liability])).to.deep.equal([
      ["2026-03-01", 100n, 0n, 0n, 990_000n, 80n], // c1 holds 120: 100 of 150 is a's
      ["2026-03-02", 0n, 0n, 0n, 990_000n, 80n],
      ["2026-03-03", 40n, 10n, 40n, 987_000n, 70n],
    ]);
    const b = replayMoney({ brand: "b", unitValue: 100n, events, until: "2026-03-04" });
    expect([b.totals.issued, b.totals.redeemed, b.totals.backing, b.totals.liability, b.totals.expired]).to.deep.equal([50n, 30n, -5_000n + 3_000n, 39n, 0n]);
    expect(b.days.map((d) => d.day)).to.deep.equal(["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]);
  });

  it("when points move by transfer to someone who never earned, they are no brand's liability", () => {
    const events = [ev("issued", "a", "c1", 100n, day1), ev("transfer", null, "c1", 40n, day1, "c9")];
    expect(replayMoney({ brand: "a", unitValue: 1n, events }).totals.liability).to.equal(60n);
  });
});

for (const kind of testDbKinds()) {
  describe(`brands: on-chain readiness, removal, money (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind, { env: { SIGNER_KEYS: [2, 3, 6, 8, 9].map((i) => testPrivateKey(i)).join(",") } });
    });
    after(async () => {
      await h?.stop();
    });

    const wait = async (hash: Hex) => {
      const r = await h.chain.client.waitForTransactionReceipt({ hash });
      expect(r.status).to.equal("success");
    };
    async function snapshot(): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      for (const t of TABLES) out[t] = await h.count(t);
      return out;
    }
    const register = (address: Address, operator: number, purposes?: unknown[]) =>
      h.http("POST", "/v1/admin/brands", { auth: ADMIN_TOKEN, body: { address, name: "Dix", pointsPerUnit: "1", operator: testAccount(operator).address, ...(purposes ? { purposes } : {}) } });
    async function refusedWith(code: string, messagePart: string, fn: () => ReturnType<typeof register>) {
      const before = await snapshot();
      const r = await fn();
      expect([r.status, r.body.error?.code], JSON.stringify(r.body)).to.deep.equal([422, code]);
      expect(r.body.error.message).to.include(messagePart);
      expect(await snapshot()).to.deep.equal(before);
    }

    it("refuses a brand until the chain is ready, one missing step at a time, then registers it with its readiness", async () => {
      const brand = testAccount(10).address;
      const points = h.deployment.points;
      await refusedWith("brand_not_admitted", "has not admitted", () => register(brand, 8));
      await wait(await h.chain.wallet(0).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "admitBrand", args: [brand] }));
      await refusedWith("operator_not_accepted", "propose-operator", () => register(brand, 8));
      await wait(await h.chain.wallet(10).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "setOperator", args: [testAccount(8).address, true] }));
      await refusedWith("operator_not_accepted", "has not accepted yet", () => register(brand, 8));
      await wait(await h.chain.wallet(8).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "acceptOperator", args: [brand] }));
      await refusedWith("no_purposes_defined", "define-purpose", () => register(brand, 8));
      await wait(await h.chain.wallet(10).writeContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "definePurpose", args: [purposeId("loyalty"), NOTICE, "https://ten.example/loyalty"] }));
      await refusedWith("purpose_not_defined", "purpose club", () => register(brand, 8, [{ name: "loyalty", categories: ["identity"] }, { name: "club", categories: "2" }]));
      // Brand A's operator key (account 3) acts for A: it cannot serve another brand.
      await refusedWith("operator_of_another_brand", "acts for another brand", () => register(brand, 3));

      const created = await register(brand, 8, [{ name: "loyalty", categories: ["identity"] }]);
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(created.body.chain).to.deep.include({
        status: "admitted",
        operator: { address: testAccount(8).address.toLowerCase(), accepted: true, proposed: false, actsFor: brand.toLowerCase() },
        backing: "0",
        purposesOnChain: [purposeId("loyalty")],
        ready: true,
        problems: [],
        warnings: [{ code: "no_backing", message: `${brand.toLowerCase()} has no backing: issuance fails until it deposits (coalition deposit)` }],
      });

      // Readiness is read afresh: a suspension shows at once in the admin list.
      await wait(await h.chain.wallet(0).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "suspendBrand", args: [brand] }));
      const list = await h.http("GET", "/v1/admin/brands", { auth: ADMIN_TOKEN });
      expect(list.status).to.equal(200);
      expect(list.body.brands.map((b: { address: string; chain: { ready: boolean; status: string } }) => [b.address, b.chain.status, b.chain.ready])).to.deep.equal([
        [h.a.address, "admitted", true],
        [h.b.address, "admitted", true],
        [brand.toLowerCase(), "suspended", false],
      ]);
      const one = await h.http("GET", `/v1/admin/brands/${brand}`, { auth: ADMIN_TOKEN });
      expect(one.body.chain.problems.map((p: { code: string }) => p.code)).to.deep.equal(["brand_suspended"]);
      expect(one.body.chain.backing).to.equal("0");
      await wait(await h.chain.wallet(0).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "admitBrand", args: [brand] }));
      expect((await h.http("GET", `/v1/admin/brands/${brand}`, { auth: ADMIN_TOKEN })).body.chain.ready).to.equal(true);
      expect((await h.http("GET", `/v1/admin/brands/${testAccount(11).address}`, { auth: ADMIN_TOKEN })).body.error.code).to.equal("brand_not_found");
    });

    it("stores and devices: a device's key rotates and the old one stops at once; removing a device or a store stops its keys", async () => {
      const auth = h.a.apiKey;
      const dev = await h.addDevice(auth, h.a.storeId, "rotating");
      const presence = { eventId: "rot-1", kind: "presence", customer: { wallet: newCustomer().address } };
      expect((await h.deviceEvent(dev, presence)).status).to.equal(202);
      const pair = generateDeviceKey();
      const rotated = await h.http("POST", "/v1/brand/devices/rotating/key", { auth, body: { publicKey: pair.publicKey } });
      expect(rotated.status).to.equal(200);
      expect(rotated.body).to.include({ id: "rotating", publicKey: pair.publicKey });
      expect((await h.deviceEvent(dev, { ...presence, eventId: "rot-2" })).body.error.code).to.equal("bad_device_signature");
      const renewed = { ...dev, privateKeyPem: pair.privateKeyPem };
      expect((await h.deviceEvent(renewed, { ...presence, eventId: "rot-3" })).status).to.equal(202);
      for (const [body, code] of [[{ publicKey: "nope" }, "invalid_public_key"], [{ publicKey: pair.publicKey, x: 1 }, "invalid_request"]] as const) {
        const r = await h.http("POST", "/v1/brand/devices/rotating/key", { auth, body });
        expect([r.status, r.body.error.code]).to.deep.equal([400, code]);
      }
      expect((await h.http("POST", `/v1/brand/devices/${h.b.device.id}/key`, { auth, body: { publicKey: pair.publicKey } })).body.error.code).to.equal("device_not_found");

      expect((await h.http("DELETE", `/v1/brand/devices/${h.b.device.id}`, { auth })).body.error.code).to.equal("device_not_found");
      expect((await h.http("DELETE", "/v1/brand/devices/rotating", { auth })).body).to.deep.equal({ removed: true });
      expect((await h.deviceEvent(renewed, { ...presence, eventId: "rot-4" })).body.error.code).to.equal("bad_device_signature");

      await h.http("POST", "/v1/brand/stores", { auth, body: { id: "closing", name: "Closing" } });
      const d1 = await h.addDevice(auth, "closing", "closing-1");
      await h.addDevice(auth, "closing", "closing-2");
      expect((await h.http("DELETE", `/v1/brand/stores/${h.b.storeId}`, { auth })).body.error.code).to.equal("store_not_found");
      expect((await h.http("DELETE", "/v1/brand/stores/closing", { auth })).body).to.deep.equal({ removed: true, devices: 2 });
      expect((await h.deviceEvent(d1, { ...presence, eventId: "c-1" })).body.error.code).to.equal("bad_device_signature");
      expect((await h.http("GET", "/v1/brand/stores", { auth })).body.stores.map((s: { id: string }) => s.id)).to.deep.equal([h.a.storeId]);
    });

    it("the money API's figures match the chain after issue, reverse and redeem, in total and by day", async () => {
      const customer = testAccount(15);
      const a = h.a.wallet;
      const points = h.deployment.points;
      const unit = BigInt(h.deployment.unitValue);
      const receipt = keccak256(toHex("money-1"));
      await wait(await a.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "issue", args: [h.a.address, customer.address, 100n, receipt] }));
      await wait(await h.b.wallet.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "issue", args: [h.b.address, customer.address, 50n, keccak256(toHex("money-2"))] }));
      await wait(await a.writeContract({ address: points, abi: coalitionPointsAbi, functionName: "reverse", args: [receipt, customer.address, 10n] }));
      const orderRef = keccak256(toHex("order-money"));
      const redeemTx = await h.chain.wallet(15).writeContract({ address: points, abi: coalitionPointsAbi, functionName: "redeem", args: [h.a.address, 30n, orderRef] });
      await wait(redeemTx);
      await h.indexed();

      const money = await h.http("GET", "/v1/brand/money", { auth: h.a.apiKey });
      expect(money.status).to.equal(200);
      const chainBacking = (await h.chain.client.readContract({ address: points, abi: coalitionPointsAbi, functionName: "brandBalance", args: [h.a.address] })) as bigint;
      // customer: 110 left; net issuance a 90, b 50 -> a's part floor(110 * 90 / 140) = 70.
      expect(money.body.totals).to.deep.equal({
        deposited: (10n ** 14n).toString(),
        withdrawn: "0",
        issued: "100",
        reversed: "10",
        redeemed: "30",
        redeemedValue: (30n * unit).toString(),
        expired: "0",
        backing: chainBacking.toString(),
        liability: "70",
        liabilityValue: (70n * unit).toString(),
      });
      expect(chainBacking).to.equal(10n ** 14n - 100n * unit + 10n * unit + 30n * unit);
      expect(money.body).to.include({ unitValue: unit.toString(), settlementAsset: h.deployment.settlement });
      expect((await h.http("GET", "/v1/brand/money", { auth: h.b.apiKey })).body.totals).to.include({ issued: "50", redeemed: "0", liability: "39" });

      const block = await h.chain.client.getBlock({ blockTag: "latest" });
      const day = new Date(Number(block.timestamp) * 1000).toISOString().slice(0, 10);
      const daily = await h.http("GET", `/v1/brand/money/daily?from=${day}&to=${day}`, { auth: h.a.apiKey });
      expect(daily.status).to.equal(200);
      expect(daily.body.days).to.have.length(1);
      expect(daily.body.days[0]).to.include({ day, issued: "100", reversed: "10", redeemed: "30", backing: chainBacking.toString(), liability: "70" });

      const red = await h.http("GET", "/v1/brand/redemptions?limit=5", { auth: h.a.apiKey });
      expect(red.body.next).to.equal(null);
      expect(red.body.redemptions).to.have.length(1);
      expect(red.body.redemptions[0]).to.include({ customer: customer.address.toLowerCase(), points: "30", value: (30n * unit).toString(), orderRef, txHash: redeemTx });

      for (const [path, code] of [
        ["/v1/brand/money/daily?from=2026-02-30", "invalid_day"],
        ["/v1/brand/money/daily?from=2026-03-02&to=2026-03-01", "invalid_range"],
        ["/v1/brand/money/daily?from=2024-01-01&to=2026-01-01", "invalid_range"],
        ["/v1/brand/money/daily?extra=1", "invalid_request"],
        ["/v1/brand/redemptions?limit=0", "invalid_limit"],
        ["/v1/brand/redemptions?before=12", "invalid_cursor"],
      ] as const) {
        const r = await h.http("GET", path, { auth: h.a.apiKey });
        expect([r.status, r.body.error?.code], path).to.deep.equal([400, code]);
      }
      expect((await h.http("GET", "/v1/brand/money")).body.error.code).to.equal("missing_api_key");
    });

    it("consent counts per purpose: granted, revoked, expired, counts only", async () => {
      const c1 = newCustomer();
      const c2 = newCustomer();
      await h.consent(c1, h.b.address, ["loyalty", "shopping-list"]);
      await h.consent(c2, h.b.address, ["loyalty"]);
      const r = await h.revoke(c2, h.b.address, "loyalty");
      expect((await h.settled(r.body.operationId)).status).to.equal("confirmed");
      await h.indexed();
      const counts = await h.http("GET", "/v1/brand/consents/counts", { auth: h.b.apiKey });
      expect(counts.status).to.equal(200);
      expect(counts.body.purposes).to.deep.equal(
        [
          { purpose: purposeId("loyalty"), name: "loyalty", granted: 1, revoked: 1, expired: 0 },
          { purpose: purposeId("shopping-list"), name: "shopping-list", granted: 1, revoked: 0, expired: 0 },
        ].sort((x, y) => (x.purpose < y.purpose ? -1 : 1)),
      );
    });

    it("removing a brand takes its key, stores, devices and personal data off the relay; the chain keeps its records", async () => {
      const brand = await h.onboard(11, 9, { purposes: ["loyalty"] });
      await wait(await h.chain.wallet(0).writeContract({ address: h.deployment.settlement, abi: mockStablecoinAbi, functionName: "mint", args: [brand, 10n ** 12n] }));
      await wait(await h.chain.wallet(11).writeContract({ address: h.deployment.settlement, abi: mockStablecoinAbi, functionName: "approve", args: [h.deployment.points, maxUint256] }));
      await wait(await h.chain.wallet(11).writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "deposit", args: [10n ** 12n] }));
      const created = await h.http("POST", "/v1/admin/brands", { auth: ADMIN_TOKEN, body: { address: brand, name: "Onze", pointsPerUnit: "1", operator: testAccount(9).address } });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const apiKey = created.body.apiKey as string;
      await h.http("POST", "/v1/brand/stores", { auth: apiKey, body: { id: "onze", name: "Onze" } });
      const till = await h.addDevice(apiKey, "onze", "onze-till");
      const customer = newCustomer();
      await h.consent(customer, brand, ["loyalty"]);
      const bought = await h.deviceEvent(till, { eventId: "p-1", kind: "purchase", customer: { wallet: customer.address }, receipt: "R-1", amount: "12.00" });
      expect((await h.settled(bought.body.operationId)).status).to.equal("confirmed");

      const removed = await h.http("DELETE", `/v1/admin/brands/${brand}`, { auth: ADMIN_TOKEN });
      expect([removed.status, removed.body]).to.deep.equal([200, { removed: true, stores: 1, devices: 1, purposes: 0, webhookEndpoints: 0, personalData: 1, operationsInFlight: 0 }]);
      expect((await h.http("GET", "/v1/brand", { auth: apiKey })).body.error.code).to.equal("invalid_api_key");
      expect((await h.deviceEvent(till, { eventId: "p-2", kind: "presence", customer: { wallet: customer.address } })).body.error.code).to.equal("bad_device_signature");
      expect(await h.count("relay_purchases", "brand = $1", [brand])).to.equal(0);
      expect((await h.http("GET", "/v1/brands")).body.brands.map((b: { address: string }) => b.address)).to.not.include(brand);
      const held = await h.chain.client.readContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "balanceOf", args: [customer.address] });
      expect(held).to.equal(12n);
      expect(await h.chain.client.readContract({ address: h.deployment.ledger, abi: consentLedgerAbi, functionName: "isGranted", args: [customer.address, brand, purposeId("loyalty")] })).to.equal(true);
      expect((await h.http("DELETE", `/v1/admin/brands/${brand}`, { auth: ADMIN_TOKEN })).body.error.code).to.equal("brand_not_found");
      // The chain still has it ready: it can come back, with a new key.
      const again = await h.http("POST", "/v1/admin/brands", { auth: ADMIN_TOKEN, body: { address: brand, name: "Onze", pointsPerUnit: "1", operator: testAccount(9).address } });
      expect(again.status).to.equal(201);
    });
  });
}
