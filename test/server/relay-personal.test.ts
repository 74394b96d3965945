import { expect } from "chai";
import { coalitionPointsAbi } from "../../client/abis";
import { clearShoppingList, createRelayClient, grant, getShoppingList, shareDisplayName, watchStore, RelayError, type RecognisedCustomer, type RelayClient } from "../../client";
import { pruneDisplayNames } from "../../server/personal/displayNames";
import { createRelay } from "../../server/relay";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer, NOTICE } from "./relay-harness";

/** The relay's refusal of `promise`: its status and code. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RelayError) return { status: err.status, code: err.code };
    throw err;
  }
  throw new Error("expected a refusal");
}

/** Collects a store's recognitions through the client's watchStore until stopped. */
function watch(relay: RelayClient, apiKey: string, storeId: string) {
  const seen: RecognisedCustomer[] = [];
  const statuses: string[] = [];
  const stop = new AbortController();
  const done = watchStore(relay, { apiKey, storeId, signal: stop.signal, retryMs: 100, onCustomer: (c) => seen.push(c), onStatus: (s) => statuses.push(s) });
  const next = async (count: number) => {
    for (let i = 0; i < 500 && seen.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen.length, "recognitions received").to.be.at.least(count);
    return seen[count - 1]!;
  };
  const live = async (times = 1) => {
    for (let i = 0; i < 500 && statuses.filter((s) => s === "live").length < times; i++) await new Promise((r) => setTimeout(r, 10));
    expect(statuses.filter((s) => s === "live").length).to.be.at.least(times);
  };
  return { seen, statuses, next, live, stop: async () => (stop.abort(), await done) };
}

for (const kind of testDbKinds()) {
  describe(`relay: the customer's personal data at a brand (${kind})`, function () {
    this.timeout(120_000);
    let h: Harness;
    let relay: RelayClient;
    before(async () => {
      h = await Harness.start(kind);
      relay = createRelayClient({ url: h.url, pollingInterval: 20 });
    });
    after(async () => {
      await h?.stop();
    });

    describe("display name for in-store greeting", () => {
      it("is refused without in-store recognition granted, and nothing is kept", async () => {
        const camille = newCustomer();
        expect(await refusal(shareDisplayName(relay, { signer: camille, brand: h.a.address, displayName: "Camille" }))).to.deep.equal({ status: 409, code: "consent_required" });
        expect(await h.count("relay_display_names", "subject = $1", [camille.address.toLowerCase()])).to.equal(0);
      });

      it("reaches the staff stream with the visit count and tier, and is erased the moment the consent is revoked", async () => {
        const camille = newCustomer();
        await h.consent(camille, h.a.address, ["in-store-recognition"]);
        expect(await shareDisplayName(relay, { signer: camille, brand: h.a.address, displayName: "Camille D." })).to.include({ displayName: "Camille D." });
        const staff = watch(relay, h.a.apiKey, h.a.storeId);
        try {
          await staff.live();
          await h.deviceEvent(h.a.device, { eventId: `cam-1-${kind}`, kind: "presence", customer: { wallet: camille.address } });
          expect(await staff.next(1)).to.include({ customer: camille.address.toLowerCase(), displayName: "Camille D.", visitCount: 1, tier: null, lastVisit: null });

          const gov = h.chain.wallet(0);
          const hash = await gov.writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "setTiers", args: [[1n, 1000n]] });
          await h.chain.client.waitForTransactionReceipt({ hash });
          await new Promise((r) => setTimeout(r, 10_100)); // past the relay's cache of the thresholds
          await h.deviceEvent(h.a.device, { eventId: `cam-2-${kind}`, kind: "presence", customer: { wallet: camille.address } });
          const second = await staff.next(2);
          expect(second).to.include({ displayName: "Camille D.", visitCount: 2, tier: 0 });

          const revoked = await h.revoke(camille, h.a.address, "in-store-recognition");
          expect(revoked.status).to.equal(202);
          expect(await h.count("relay_display_names", "subject = $1", [camille.address.toLowerCase()]), "erased when the revocation is accepted").to.equal(0);
          expect((await h.deviceEvent(h.a.device, { eventId: `cam-3-${kind}`, kind: "presence", customer: { wallet: camille.address } })).body.dropped).to.equal("no_consent");
          await new Promise((r) => setTimeout(r, 200));
          expect(staff.seen.length, "nothing after the revocation").to.equal(2);
          await h.settled(revoked.body.operationId);
          await h.indexed();
          expect(await refusal(shareDisplayName(relay, { signer: camille, brand: h.a.address, displayName: "Camille" }))).to.deep.equal({ status: 409, code: "consent_required" });
        } finally {
          await staff.stop();
          const undo = await h.chain.wallet(0).writeContract({ address: h.deployment.points, abi: coalitionPointsAbi, functionName: "setTiers", args: [[]] });
          await h.chain.client.waitForTransactionReceipt({ hash: undo });
        }
      });

      it("is removed with an empty name, and pruned once the consent has expired", async () => {
        const dom = newCustomer();
        await h.syncClock();
        const expiresAt = Number(h.deadline(3600));
        const { operation } = await grant(relay, { signer: dom, controller: h.a.address, purpose: "in-store-recognition", categories: 5n, noticeHash: NOTICE, expiresAt });
        expect((await h.settled(operation.operationId)).status).to.equal("confirmed");
        await h.indexed();
        await shareDisplayName(relay, { signer: dom, brand: h.a.address, displayName: "Dom" });
        expect(await shareDisplayName(relay, { signer: dom, brand: h.a.address, displayName: "" })).to.include({ displayName: null });
        expect(await h.count("relay_display_names", "subject = $1", [dom.address.toLowerCase()])).to.equal(0);

        await shareDisplayName(relay, { signer: dom, brand: h.a.address, displayName: "Dom" });
        expect(await pruneDisplayNames(h.t.db, expiresAt - 1), "kept while granted").to.equal(0);
        expect(await pruneDisplayNames(h.t.db, expiresAt + 1), "erased once expired").to.equal(1);
        expect(await h.count("relay_display_names", "subject = $1", [dom.address.toLowerCase()])).to.equal(0);
      });

      it("refuses a name that is not plain words, another wallet's signature, and a deadline too far ahead", async () => {
        const eve = newCustomer();
        await h.consent(eve, h.a.address, ["in-store-recognition"]);
        expect(await refusal(shareDisplayName(relay, { signer: eve, brand: h.a.address, displayName: "<script>" }))).to.deep.equal({ status: 400, code: "invalid_display_name" });
        expect(await refusal(shareDisplayName(relay, { signer: eve, brand: h.a.address, displayName: "x".repeat(41) }))).to.deep.equal({ status: 400, code: "invalid_display_name" });
        expect(await refusal(shareDisplayName(relay, { signer: eve, brand: h.a.address, displayName: "Eve", deadline: h.deadline(3600) }))).to.deep.equal({ status: 400, code: "deadline_too_far" });
        const body = { subject: eve.address, brand: h.a.address, displayName: "Eve", deadline: h.deadline(300).toString() };
        const signature = await newCustomer().signTypedData({
          domain: { name: "Confiance Relay", version: "1", chainId: h.deployment.chainId },
          types: { ShareDisplayName: [{ name: "subject", type: "address" }, { name: "brand", type: "address" }, { name: "displayName", type: "string" }, { name: "deadline", type: "uint256" }] },
          primaryType: "ShareDisplayName",
          message: { ...body, deadline: BigInt(body.deadline) },
        });
        const r = await h.http("POST", "/v1/customers/display-name", { body: { ...body, signature } });
        expect([r.status, r.body.error.code]).to.deep.equal([401, "invalid_customer_signature"]);
      });
    });

    describe("shopping list", () => {
      it("is read and cleared by the customer's signature, and read by the brand only while the purpose is granted", async () => {
        const sam = newCustomer();
        await h.consent(sam, h.a.address, ["shopping-list"]);
        for (const [i, code] of ["3017620422003", "5449000000996"].entries()) {
          expect((await h.deviceEvent(h.a.device, { eventId: `sam-${kind}-${i}`, kind: "scan", customer: { wallet: sam.address }, productCode: code })).body.dropped).to.equal(undefined);
        }
        const items = await getShoppingList(relay, { signer: sam, brand: h.a.address });
        expect(items.map((i) => [i.productCode, i.storeId])).to.deep.equal([
          ["3017620422003", h.a.storeId],
          ["5449000000996", h.a.storeId],
        ]);
        const byBrand = await h.http("GET", `/v1/brand/customers/${sam.address}/shopping-list`, { auth: h.a.apiKey });
        expect(byBrand.status).to.equal(200);
        expect(byBrand.body.items.map((i: { productCode: string }) => i.productCode)).to.deep.equal(["3017620422003", "5449000000996"]);
        const otherBrand = await h.http("GET", `/v1/brand/customers/${sam.address}/shopping-list`, { auth: h.b.apiKey });
        expect([otherBrand.status, otherBrand.body.error.code]).to.deep.equal([403, "consent_required"]);
        expect((await h.http("GET", `/v1/brand/customers/0x1234/shopping-list`, { auth: h.a.apiKey })).body.error.code).to.equal("invalid_address");

        expect(await clearShoppingList(relay, { signer: sam, brand: h.a.address })).to.deep.equal({ cleared: 2 });
        expect(await getShoppingList(relay, { signer: sam, brand: h.a.address })).to.deep.equal([]);

        const revoked = await h.revoke(sam, h.a.address, "shopping-list");
        expect(revoked.status).to.equal(202);
        const after = await h.http("GET", `/v1/brand/customers/${sam.address}/shopping-list`, { auth: h.a.apiKey });
        expect([after.status, after.body.error.code], "refused from the moment the revocation is accepted").to.deep.equal([403, "consent_required"]);
        await h.settled(revoked.body.operationId);
      });

      it("is not read with another wallet's signature", async () => {
        const sam = newCustomer();
        const mallory = newCustomer();
        const deadline = h.deadline(300);
        const signature = await mallory.signTypedData({
          domain: { name: "Confiance Relay", version: "1", chainId: h.deployment.chainId },
          types: { ReadShoppingList: [{ name: "subject", type: "address" }, { name: "brand", type: "address" }, { name: "deadline", type: "uint256" }] },
          primaryType: "ReadShoppingList",
          message: { subject: sam.address, brand: h.a.address, deadline },
        });
        const r = await h.http("POST", "/v1/customers/shopping-list", { body: { subject: sam.address, brand: h.a.address, deadline: deadline.toString(), signature } });
        expect([r.status, r.body.error.code]).to.deep.equal([401, "invalid_customer_signature"]);
      });
    });

    describe("the staff stream through the client", () => {
      it("reconnects by itself after the relay restarts, and stops on a wrong key", async () => {
        const deps = () => h.relayDeps();
        const first = await createRelay(deps(), { submitter: false, indexer: false });
        const url = await first.listen(0, "127.0.0.1");
        const port = Number(new URL(url).port);
        const other = createRelayClient({ url });
        const lou = newCustomer();
        await h.consent(lou, h.a.address, ["in-store-recognition"]);
        const staff = watch(other, h.a.apiKey, h.a.storeId);
        let second: Awaited<ReturnType<typeof createRelay>> | undefined;
        try {
          await staff.live(1);
          await first.stop();
          second = await createRelay(deps(), { submitter: false, indexer: false });
          await second.listen(port, "127.0.0.1");
          await staff.live(2);
          expect(staff.statuses).to.include("reconnecting");
          const before = Date.now();
          const r = await fetchDeviceEvent(url, lou.address, `lou-${kind}`);
          expect(r).to.equal(202);
          const seen = await staff.next(1);
          expect(seen.customer).to.equal(lou.address.toLowerCase());
          expect(Date.now() - before, "within a second").to.be.below(1000);
        } finally {
          await staff.stop();
          await second?.stop();
        }
        const errors: string[] = [];
        const stop = new AbortController();
        await watchStore(relay, { apiKey: "wrong-key", storeId: h.a.storeId, signal: stop.signal, onCustomer: () => undefined, onError: (e) => errors.push(e.code) });
        expect(errors).to.deep.equal(["invalid_api_key"]);
      });
    });

    /** Posts a presence for `wallet` to the relay at `url` with brand A's device. */
    async function fetchDeviceEvent(url: string, wallet: string, eventId: string): Promise<number> {
      const saved = (h as unknown as { url: string }).url;
      (h as unknown as { url: string }).url = url;
      try {
        return (await h.deviceEvent(h.a.device, { eventId, kind: "presence", customer: { wallet } })).status;
      } finally {
        (h as unknown as { url: string }).url = saved;
      }
    }
  });
}
