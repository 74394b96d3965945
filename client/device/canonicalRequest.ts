import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";

/**
 * Device request signing (docs/relay.md, "Signing device requests"): the one definition of what a shop
 * device signs, used by devices (through `signDeviceRequest`) and by the relay that verifies.
 */
export const DEVICE_SIGNING_SCHEME = "CONFIANCE-DEVICE-V1";

/** What `X-Nonce` must look like: 16-64 characters of [A-Za-z0-9_-]. */
export const DEVICE_NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export type CanonicalRequestParameters = {
  /** HTTP method, any case (upper-cased). */
  method: string;
  /** Path and query exactly as sent, e.g. "/v1/stores/paris-rivoli/events". */
  path: string;
  /** `X-Timestamp`: unix seconds. */
  timestamp: string | number;
  /** `X-Nonce`. */
  nonce: string;
  /** `X-Device-Id`. */
  deviceId: string;
  /** The raw body: its bytes, or a string sent as UTF-8. */
  body: Uint8Array | string;
};

/**
 * The canonical string a device signs: seven lines joined by "\n" (no trailing newline): the scheme,
 * the method in upper case, the path and query, the timestamp, the nonce, the device id, and the
 * lower-case hex sha256 of the raw body.
 *
 * @example
 * canonicalRequest({ method: "POST", path: "/v1/stores/paris-rivoli/events", timestamp: 1795599000,
 *   nonce: "k3Jd9QmX2bLr7TzA", deviceId: "door-1", body })
 */
export function canonicalRequest({ body, ...request }: CanonicalRequestParameters): string {
  return canonicalRequestOfHash(request, bytesToHex(sha256(typeof body === "string" ? utf8ToBytes(body) : body)));
}

/**
 * The same canonical string from the body's sha256 (lower-case hex) computed by the caller: for one with a
 * faster SHA-256 at hand (the relay uses node's).
 */
export function canonicalRequestOfHash({ method, path, timestamp, nonce, deviceId }: Omit<CanonicalRequestParameters, "body">, bodyHash: string): string {
  return [DEVICE_SIGNING_SCHEME, method.toUpperCase(), path, String(timestamp), nonce, deviceId, bodyHash].join("\n");
}
