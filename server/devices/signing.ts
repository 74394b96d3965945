import crypto, { type KeyObject } from "node:crypto";

/**
 * The relay's side of device request signing (docs/relay.md, "Signing device requests"): reading the
 * public keys brands register, and verifying signatures with node's native Ed25519. What a device signs
 * (the canonical request) has one definition, in the client module (client/device/canonicalRequest.ts),
 * which devices sign with.
 */
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export class DeviceKeyError extends Error {
  override name = "DeviceKeyError";
}

/**
 * Normalises a device public key given as base64/base64url of the 32 raw bytes, 0x hex of them, or an
 * SPKI PEM, to base64url of the raw bytes (what the relay stores). Throws DeviceKeyError otherwise.
 */
export function normalisePublicKey(input: string): string {
  const text = input.trim();
  let raw: Buffer;
  if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
    let key: KeyObject;
    try {
      key = crypto.createPublicKey(text);
    } catch {
      throw new DeviceKeyError("the PEM public key cannot be read");
    }
    if (key.asymmetricKeyType !== "ed25519") throw new DeviceKeyError(`expected an Ed25519 key, got ${key.asymmetricKeyType}`);
    raw = key.export({ format: "der", type: "spki" }).subarray(SPKI_ED25519_PREFIX.length);
  } else if (/^0x[0-9a-fA-F]{64}$/.test(text)) {
    raw = Buffer.from(text.slice(2), "hex");
  } else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    raw = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  } else {
    throw new DeviceKeyError("expected an Ed25519 public key: base64url of its 32 bytes, 0x hex, or an SPKI PEM");
  }
  if (raw.length !== 32) throw new DeviceKeyError("an Ed25519 public key has 32 bytes");
  publicKeyObject(raw.toString("base64url"));
  return raw.toString("base64url");
}

const keyCache = new Map<string, KeyObject>();

export function publicKeyObject(rawBase64url: string): KeyObject {
  let key = keyCache.get(rawBase64url);
  if (!key) {
    try {
      key = crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(rawBase64url, "base64url")]), format: "der", type: "spki" });
    } catch {
      throw new DeviceKeyError("not a valid Ed25519 public key");
    }
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(rawBase64url, key);
  }
  return key;
}

/** Decodes an X-Signature value (base64url or base64 of 64 bytes); undefined when malformed. */
export function decodeSignature(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{86}(==)?$/.test(value)) return undefined;
  const sig = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return sig.length === 64 ? sig : undefined;
}

export function verifyDeviceSignature(publicKey: string, canonical: string, signature: Buffer): boolean {
  return crypto.verify(null, Buffer.from(canonical, "utf8"), publicKeyObject(publicKey), signature);
}

/**
 * The same check on libuv's thread pool (node's crypto.verify with a callback): the device-event batch
 * verifies its signatures side by side there, off the event loop that parses requests.
 */
export function verifyDeviceSignatureAsync(publicKey: string, canonical: string, signature: Buffer): Promise<boolean> {
  return new Promise((resolve, reject) => {
    crypto.verify(null, Buffer.from(canonical, "utf8"), publicKeyObject(publicKey), signature, (err, ok) => (err ? reject(err) : resolve(ok)));
  });
}
