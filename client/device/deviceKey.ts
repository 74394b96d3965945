import { ed25519 } from "@noble/curves/ed25519";
import { base64, base64urlnopad, hex } from "@scure/base";
import { BaseError } from "../errors/base";

/**
 * A device's Ed25519 private key as the project hands it around: a PKCS#8 PEM ("-----BEGIN PRIVATE
 * KEY-----", what `npm run devices -- keygen` writes and OpenSSL reads), or the 32-byte seed (bytes or
 * 0x hex).
 */
export type DevicePrivateKey = string | Uint8Array;

/** DER prefix of a PKCS#8 Ed25519 private key, followed by the 32-byte seed. */
const PKCS8_ED25519_PREFIX = hex.decode("302e020100300506032b657004220420");

export class InvalidDeviceKeyError extends BaseError {
  override name = "InvalidDeviceKeyError";
  constructor({ details }: { details: string }) {
    super("not an Ed25519 device private key", { details });
  }
}

/** The 32-byte seed of a device private key (PEM, 0x hex or bytes). */
export function deviceKeySeed(key: DevicePrivateKey): Uint8Array {
  if (key instanceof Uint8Array) {
    if (key.length !== 32) throw new InvalidDeviceKeyError({ details: `a seed has 32 bytes, got ${key.length}` });
    return key;
  }
  const text = key.trim();
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return hex.decode(text.slice(2).toLowerCase());
  const pem = /^-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----$/.exec(text);
  if (!pem) throw new InvalidDeviceKeyError({ details: "expected a PKCS#8 PEM (BEGIN PRIVATE KEY), or the 32-byte seed as 0x hex" });
  let der: Uint8Array;
  try {
    der = base64.decode(pem[1]!.replace(/\s+/g, ""));
  } catch {
    throw new InvalidDeviceKeyError({ details: "the PEM body is not base64" });
  }
  if (der.length !== PKCS8_ED25519_PREFIX.length + 32 || !PKCS8_ED25519_PREFIX.every((b, i) => der[i] === b)) {
    throw new InvalidDeviceKeyError({ details: "the PEM does not hold an Ed25519 key (PKCS#8, RFC 8410)" });
  }
  return der.slice(PKCS8_ED25519_PREFIX.length);
}

/** The PKCS#8 PEM of a 32-byte Ed25519 seed (readable by node's crypto and by OpenSSL). */
export function devicePrivateKeyPem(seed: Uint8Array): string {
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(deviceKeySeed(seed), PKCS8_ED25519_PREFIX.length);
  return `-----BEGIN PRIVATE KEY-----\n${base64.encode(der)}\n-----END PRIVATE KEY-----\n`;
}

/**
 * The public key to register for a device private key: base64url (no padding) of its 32 bytes, the form
 * the relay stores and answers.
 *
 * @example devicePublicKey(fs.readFileSync("door-1.pem", "utf8")) // "6kpsY-KcUgq-..."
 */
export function devicePublicKey(key: DevicePrivateKey): string {
  return base64urlnopad.encode(ed25519.getPublicKey(deviceKeySeed(key)));
}
