import crypto, { type KeyObject } from "node:crypto";

/**
 * Device request signing (docs/relay.md, "Signing device requests"). Each device holds an Ed25519 key
 * pair; the relay stores only the public key. A request carries
 *   X-Device-Id: the device id
 *   X-Timestamp: unix seconds when it was signed
 *   X-Nonce: 16-64 random characters [A-Za-z0-9_-], new for every request (so a retry of the same
 *            body within the same second is a new request, not a replay)
 *   X-Signature: base64url of the Ed25519 signature of the canonical string
 * and the canonical string is these seven lines joined with "\n" (no trailing newline):
 *   CONFIANCE-DEVICE-V1
 *   <METHOD in upper case>
 *   <path and query exactly as sent, e.g. /v1/stores/paris-1/events>
 *   <X-Timestamp>
 *   <X-Nonce>
 *   <X-Device-Id>
 *   <lower-case hex sha256 of the raw body bytes>
 */
export const SIGNING_SCHEME = "CONFIANCE-DEVICE-V1";

const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export class DeviceKeyError extends Error {
  override name = "DeviceKeyError";
}

export const DEVICE_NONCE = /^[A-Za-z0-9_-]{16,64}$/;

export function canonicalRequest(p: { method: string; path: string; timestamp: string; nonce: string; deviceId: string; body: Buffer | string }): string {
  const bodyHash = crypto.createHash("sha256").update(p.body).digest("hex");
  return [SIGNING_SCHEME, p.method.toUpperCase(), p.path, p.timestamp, p.nonce, p.deviceId, bodyHash].join("\n");
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

/** A new device key pair: the public key to register (base64url raw) and the private key PEM to keep on the device. */
export function generateDeviceKeyPair(): { publicKey: string; privateKeyPem: string } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  return {
    publicKey: publicKey.export({ format: "der", type: "spki" }).subarray(SPKI_ED25519_PREFIX.length).toString("base64url"),
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
  };
}

/** The headers a device sends (the client side of the scheme; used by tests, the demo and the benchmarks). */
export function signDeviceRequest(p: {
  privateKeyPem: string;
  deviceId: string;
  method: string;
  path: string;
  body: Buffer | string;
  timestamp?: number;
  /** Random when omitted. */
  nonce?: string;
}): Record<"X-Device-Id" | "X-Timestamp" | "X-Nonce" | "X-Signature", string> {
  const timestamp = String(p.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = p.nonce ?? crypto.randomBytes(16).toString("base64url");
  const canonical = canonicalRequest({ method: p.method, path: p.path, timestamp, nonce, deviceId: p.deviceId, body: p.body });
  const signature = crypto.sign(null, Buffer.from(canonical, "utf8"), crypto.createPrivateKey(p.privateKeyPem)).toString("base64url");
  return { "X-Device-Id": p.deviceId, "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": signature };
}
