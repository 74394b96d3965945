import crypto from "node:crypto";
import { expect } from "chai";
import { generateDeviceKey } from "../../client";
import { testDbKinds } from "../support/db";
import { Harness, newCustomer, type TestDevice } from "./relay-harness";

/** The raw base64url public key of a device's PEM private key. */
const publicKeyOf = (device: TestDevice) =>
  crypto.createPublicKey(device.privateKeyPem).export({ format: "der", type: "spki" }).subarray(12).toString("base64url");

for (const kind of testDbKinds()) {
  describe(`relay: store and device ids are scoped per brand (${kind})`, function () {
    let h: Harness;
    before(async () => {
      h = await Harness.start(kind);
    });
    after(async () => {
      await h?.stop();
    });

    it("answers another brand's store on every route exactly as a missing one", async () => {
      const key = generateDeviceKey().publicKey;
      const probes = (id: string) => [
        () => h.http("GET", `/v1/brand/stores/${id}/devices`, { auth: h.b.apiKey }),
        () => h.http("POST", `/v1/brand/stores/${id}/devices`, { auth: h.b.apiKey, body: { id: "probe-1", name: "probe", publicKey: key } }),
        () => h.http("GET", `/v1/brand/stores/${id}/stream`, { auth: h.b.apiKey }),
        () => h.http("DELETE", `/v1/brand/stores/${id}`, { auth: h.b.apiKey }),
      ];
      const answers = async () => Promise.all(probes("only-a-1").map(async (p) => (({ status, body }) => ({ status, body }))(await p())));
      const before = await answers();
      expect(before.map((a) => [a.status, a.body.error.code])).to.deep.equal(Array(4).fill([404, "store_not_found"]));
      expect((await h.http("POST", "/v1/brand/stores", { auth: h.a.apiKey, body: { id: "only-a-1", name: "A only" } })).status).to.equal(201);
      expect(await answers()).to.deep.equal(before);
      // A device of brand B posting to A's store gets what it gets for a store that does not exist.
      const event = { eventId: "scope-1", kind: "presence", customer: { wallet: newCustomer().address } };
      const atA = await h.deviceEvent(h.b.device, event, { storeId: "only-a-1" });
      const atNone = await h.deviceEvent(h.b.device, event, { storeId: "no-such-store" });
      expect([atA.status, atA.body]).to.deep.equal([atNone.status, atNone.body]);
      expect(atA.body.error.code).to.equal("device_store_mismatch");
      expect(await h.count("relay_devices", "id = 'probe-1'")).to.equal(0);
      expect(await h.count("relay_stores", "id = 'only-a-1'")).to.equal(1);
    });

    it("lets two brands use one store id and one device id; each device acts for its own brand only", async () => {
      const store = await h.http("POST", "/v1/brand/stores", { auth: h.b.apiKey, body: { id: h.a.storeId, name: "B's twin" } });
      expect([store.status, store.body.id, store.body.brand]).to.deep.equal([201, h.a.storeId, h.b.address]);
      const again = await h.http("POST", "/v1/brand/stores", { auth: h.b.apiKey, body: { id: h.a.storeId, name: "B's twin again" } });
      expect([again.status, again.body.error.code]).to.deep.equal([409, "store_exists"]);
      const twin = await h.addDevice(h.b.apiKey, h.a.storeId, h.a.device.id);
      expect(twin).to.deep.equal({ id: h.a.device.id, storeId: h.a.storeId, privateKeyPem: twin.privateKeyPem });
      const dup = await h.http("POST", `/v1/brand/stores/${h.a.storeId}/devices`, { auth: h.b.apiKey, body: { id: h.a.device.id, name: "x", publicKey: generateDeviceKey().publicKey } });
      expect([dup.status, dup.body.error.code]).to.deep.equal([409, "device_exists"]);

      // Each brand lists its own twin only.
      const listA = await h.http("GET", `/v1/brand/stores/${h.a.storeId}/devices`, { auth: h.a.apiKey });
      const listB = await h.http("GET", `/v1/brand/stores/${h.a.storeId}/devices`, { auth: h.b.apiKey });
      expect(listA.body.devices.map((d: { brand: string; id: string }) => [d.brand, d.id])).to.deep.equal([[h.a.address, h.a.device.id]]);
      expect(listB.body.devices.map((d: { brand: string; id: string }) => [d.brand, d.id])).to.deep.equal([[h.b.address, h.a.device.id]]);

      // Both devices sign with the same id at the same path: each one's event is its own brand's.
      const alice = newCustomer();
      await h.consent(alice, h.a.address, ["in-store-recognition"]);
      const byA = await h.deviceEvent(h.a.device, { eventId: "twin-1", kind: "presence", customer: { wallet: alice.address } });
      const byB = await h.deviceEvent(twin, { eventId: "twin-1", kind: "presence", customer: { wallet: alice.address } });
      expect([byA.status, byA.body]).to.deep.equal([202, { accepted: true, eventId: "twin-1", kind: "presence" }]);
      expect([byB.status, byB.body]).to.deep.equal([202, { accepted: true, eventId: "twin-1", kind: "presence", dropped: "no_consent" }]);
      expect(await h.count("relay_visits", "subject = $1", [alice.address.toLowerCase()])).to.equal(1);
      expect(await h.count("relay_visits", "subject = $1 AND brand = $2", [alice.address.toLowerCase(), h.a.address])).to.equal(1);

      // B disables its twin: A's device of that id keeps working.
      expect((await h.http("POST", `/v1/brand/devices/${h.a.device.id}/state`, { auth: h.b.apiKey, body: { disabled: true } })).body.disabled).to.equal(true);
      const stillA = await h.deviceEvent(h.a.device, { eventId: "twin-2", kind: "presence", customer: { wallet: alice.address } });
      expect(stillA.status).to.equal(202);
      const offB = await h.deviceEvent(twin, { eventId: "twin-2", kind: "presence", customer: { wallet: alice.address } });
      expect([offB.status, offB.body.error.code]).to.deep.equal([403, "device_disabled"]);
      // B removes its twin store and its device: A's store and device of those ids stay.
      const removed = await h.http("DELETE", `/v1/brand/stores/${h.a.storeId}`, { auth: h.b.apiKey });
      expect([removed.status, removed.body]).to.deep.equal([200, { removed: true, devices: 1 }]);
      expect(await h.count("relay_stores", "id = $1", [h.a.storeId])).to.equal(1);
      expect(await h.count("relay_devices", "id = $1", [h.a.device.id])).to.equal(1);
      expect((await h.deviceEvent(h.a.device, { eventId: "twin-3", kind: "presence", customer: { wallet: alice.address } })).status).to.equal(202);
    });

    it("refuses a second device with the same id and public key as another brand's, so a signature names one device", async () => {
      const copied = await h.http("POST", `/v1/brand/stores/${h.b.storeId}/devices`, {
        auth: h.b.apiKey,
        body: { id: h.a.device.id, name: "copy", publicKey: publicKeyOf(h.a.device) },
      });
      expect([copied.status, copied.body.error.code]).to.deep.equal([409, "device_key_taken"]);
      // The same key under another id is a device of its own (a signature covers the id).
      const other = await h.http("POST", `/v1/brand/stores/${h.b.storeId}/devices`, { auth: h.b.apiKey, body: { id: "other-id", name: "other", publicKey: publicKeyOf(h.a.device) } });
      expect(other.status).to.equal(201);
      // Rotating a key onto such a pair is refused the same way, and the device keeps its key.
      const mine = await h.addDevice(h.b.apiKey, h.b.storeId, h.a.device.id);
      const rotated = await h.http("POST", `/v1/brand/devices/${h.a.device.id}/key`, { auth: h.b.apiKey, body: { publicKey: publicKeyOf(h.a.device) } });
      expect([rotated.status, rotated.body.error.code]).to.deep.equal([409, "device_key_taken"]);
      expect((await h.deviceEvent(mine, { eventId: "key-1", kind: "presence", customer: { wallet: newCustomer().address } })).status).to.equal(202);
    });
  });
}
