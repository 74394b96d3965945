import crypto from "node:crypto";
import { expect } from "chai";
import { canonicalRequest, canonicalRequestOfHash, devicePrivateKeyPem, devicePublicKey, generateDeviceKey, InvalidDeviceKeyError, signDeviceRequest } from "../../client";
import { decodeSignature, normalisePublicKey, verifyDeviceSignature } from "../../server/devices/signing";

/** docs/relay.md's worked example: the device key is 32 bytes of 0x07. */
const SEED = new Uint8Array(32).fill(7);
const PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH\n-----END PRIVATE KEY-----\n";
const REQUEST = {
  deviceId: "door-1",
  method: "POST",
  path: "/v1/stores/paris-rivoli/events",
  body: '{"eventId":"door-1-20261125-0042","kind":"presence","customer":{"wallet":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}}',
  timestamp: 1795599000,
  nonce: "k3Jd9QmX2bLr7TzA",
};
const SIGNATURE = "De2kCFlPyDaMfYK0eQdZNRccZXw82p9XikmI_J55vS1_7YbLkw56_NgYpLoHxPaCpkJ13DBhUSvX0VG_Uh3gDg";

describe("client: device request signing", () => {
  it("signs the worked example identically from a PEM, the seed bytes or its hex, and through a sign callback", () => {
    const hex = `0x${Buffer.from(SEED).toString("hex")}` as const;
    const nodeKey = crypto.createPrivateKey(PEM);
    for (const headers of [
      signDeviceRequest({ ...REQUEST, privateKey: PEM }),
      signDeviceRequest({ ...REQUEST, privateKey: SEED }),
      signDeviceRequest({ ...REQUEST, privateKey: hex }),
      signDeviceRequest({ ...REQUEST, sign: (m) => crypto.sign(null, m, nodeKey) }),
    ]) {
      expect(headers).to.deep.equal({ "X-Device-Id": "door-1", "X-Timestamp": "1795599000", "X-Nonce": "k3Jd9QmX2bLr7TzA", "X-Signature": SIGNATURE });
    }
    expect(devicePublicKey(PEM)).to.equal("6kpsY-KcUgq-9VB7Ey7F-ZVHdq6-vnuSQh7qaRRG0iw");
    expect(devicePrivateKeyPem(SEED)).to.equal(PEM);
  });

  it("hashes the body's bytes: a string and its UTF-8 bytes give one canonical request", () => {
    const body = '{"productCode":"café-crème"}';
    const p = { method: "post", path: "/v1/stores/s/events", timestamp: "1", nonce: "n".repeat(16), deviceId: "d" };
    const text = canonicalRequest({ ...p, body });
    expect(canonicalRequest({ ...p, body: new TextEncoder().encode(body) })).to.equal(text);
    expect(text.split("\n")).to.deep.equal(["CONFIANCE-DEVICE-V1", "POST", "/v1/stores/s/events", "1", "n".repeat(16), "d", crypto.createHash("sha256").update(body, "utf8").digest("hex")]);
    // The relay's form: the body's hash computed by the caller.
    expect(canonicalRequestOfHash(p, crypto.createHash("sha256").update(body, "utf8").digest("hex"))).to.equal(text);
  });

  it("generates keys that node's crypto reads and the relay verifies, with a fresh nonce for every request", () => {
    const { publicKey, privateKeyPem } = generateDeviceKey();
    expect(normalisePublicKey(crypto.createPublicKey(privateKeyPem).export({ format: "pem", type: "spki" }).toString())).to.equal(publicKey);
    const p = { deviceId: "till-1", method: "POST", path: "/v1/stores/s/events", body: "{}" };
    const a = signDeviceRequest({ ...p, privateKey: privateKeyPem });
    const b = signDeviceRequest({ ...p, privateKey: privateKeyPem });
    expect(a["X-Nonce"]).to.match(/^[A-Za-z0-9_-]{22}$/).and.not.equal(b["X-Nonce"]);
    expect(Math.abs(Number(a["X-Timestamp"]) - Date.now() / 1000)).to.be.below(5);
    const canonical = canonicalRequest({ ...p, timestamp: a["X-Timestamp"], nonce: a["X-Nonce"] });
    expect(verifyDeviceSignature(publicKey, canonical, decodeSignature(a["X-Signature"])!)).to.equal(true);
    expect(verifyDeviceSignature(generateDeviceKey().publicKey, canonical, decodeSignature(a["X-Signature"])!)).to.equal(false);
    expect(generateDeviceKey().publicKey).to.not.equal(publicKey);
  });

  it("refuses a key that is not an Ed25519 private key", () => {
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    for (const key of [ec, "0x1234", new Uint8Array(31), "-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----"]) {
      expect(() => signDeviceRequest({ ...REQUEST, privateKey: key })).to.throw(InvalidDeviceKeyError);
    }
  });
});
