import crypto from "node:crypto";
import { expect } from "chai";
import { pointsFor, pointsToReverse, receiptIdOf } from "../../server/brands/earning";
import { canonicalRequest, generateDeviceKey, signDeviceRequest } from "../../client";
import { decodeSignature, normalisePublicKey, verifyDeviceSignature } from "../../server/devices/signing";

/** The worked example of docs/relay.md ("Signing device requests"), value for value. */
const EXAMPLE = {
  privateKeyPem: "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH\n-----END PRIVATE KEY-----\n",
  publicKey: "6kpsY-KcUgq-9VB7Ey7F-ZVHdq6-vnuSQh7qaRRG0iw",
  path: "/v1/stores/paris-rivoli/events",
  body: '{"eventId":"door-1-20261125-0042","kind":"presence","customer":{"wallet":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}}',
  bodySha256: "996bc216655b624e72630b043d0cefbce86f1201d20baca5ce033734edc9574a",
  signature: "De2kCFlPyDaMfYK0eQdZNRccZXw82p9XikmI_J55vS1_7YbLkw56_NgYpLoHxPaCpkJ13DBhUSvX0VG_Uh3gDg",
};

describe("device request signing", () => {
  it("reproduces the documented worked example", () => {
    const headers = signDeviceRequest({ privateKey: EXAMPLE.privateKeyPem, deviceId: "door-1", method: "POST", path: EXAMPLE.path, body: EXAMPLE.body, timestamp: 1795599000, nonce: "k3Jd9QmX2bLr7TzA" });
    expect(headers).to.deep.equal({ "X-Device-Id": "door-1", "X-Timestamp": "1795599000", "X-Nonce": "k3Jd9QmX2bLr7TzA", "X-Signature": EXAMPLE.signature });
    const canonical = canonicalRequest({ method: "post", path: EXAMPLE.path, timestamp: "1795599000", nonce: "k3Jd9QmX2bLr7TzA", deviceId: "door-1", body: EXAMPLE.body });
    expect(canonical).to.equal(["CONFIANCE-DEVICE-V1", "POST", EXAMPLE.path, "1795599000", "k3Jd9QmX2bLr7TzA", "door-1", EXAMPLE.bodySha256].join("\n"));
    const pub = crypto.createPublicKey(EXAMPLE.privateKeyPem).export({ format: "pem", type: "spki" }).toString();
    expect(normalisePublicKey(pub)).to.equal(EXAMPLE.publicKey);
    expect(verifyDeviceSignature(EXAMPLE.publicKey, canonical, decodeSignature(EXAMPLE.signature)!)).to.equal(true);
    expect(verifyDeviceSignature(EXAMPLE.publicKey, canonical.replace("1795599000", "1795599001"), decodeSignature(EXAMPLE.signature)!)).to.equal(false);
  });

  it("accepts public keys as base64url, base64, 0x hex or PEM, and refuses anything else", () => {
    const { publicKey } = generateDeviceKey();
    const raw = Buffer.from(publicKey, "base64url");
    expect(normalisePublicKey(raw.toString("base64"))).to.equal(publicKey);
    expect(normalisePublicKey(`0x${raw.toString("hex")}`)).to.equal(publicKey);
    expect(() => normalisePublicKey("abc")).to.throw(/Ed25519/);
    const rsa = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "pem", type: "spki" }).toString();
    expect(() => normalisePublicKey(rsa)).to.throw(/expected an Ed25519 key/);
    expect(decodeSignature("short")).to.equal(undefined);
  });

  it("computes points, reversals and salted receipt ids exactly", () => {
    expect(pointsFor("59.90", "2")).to.equal(119n);
    expect(pointsFor("0.99", "1")).to.equal(0n);
    expect(pointsFor("10", "0.333333")).to.equal(3n);
    expect(pointsToReverse({ earned: 119n, alreadyReversed: 0n, purchased: "59.90", returned: "29.95" })).to.equal(59n);
    expect(pointsToReverse({ earned: 119n, alreadyReversed: 59n, purchased: "59.90", returned: "59.90" })).to.equal(60n);
    const salt = `0x${"11".repeat(32)}`;
    const brand = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    expect(receiptIdOf(salt, brand, "R-1")).to.equal(receiptIdOf(salt, brand, "R-1"));
    expect(receiptIdOf(salt, brand, "R-1")).to.not.equal(receiptIdOf(`0x${"22".repeat(32)}`, brand, "R-1"));
  });
});
