import { ed25519 } from "@noble/curves/ed25519";
import { randomBytes, utf8ToBytes } from "@noble/hashes/utils";
import { base64urlnopad } from "@scure/base";
import { canonicalRequest } from "./canonicalRequest";
import { deviceKeySeed, type DevicePrivateKey, type InvalidDeviceKeyError } from "./deviceKey";

export type DeviceRequestHeaders = Record<"X-Device-Id" | "X-Timestamp" | "X-Nonce" | "X-Signature", string>;

export type SignDeviceRequestParameters = {
  deviceId: string;
  /** HTTP method, e.g. "POST". */
  method: string;
  /** Path and query exactly as they will be sent. */
  path: string;
  /** The raw body exactly as it will be sent (a string is sent as UTF-8). */
  body: Uint8Array | string;
  /** Unix seconds; now when omitted. */
  timestamp?: number | undefined;
  /** 16-64 characters of [A-Za-z0-9_-]; 16 random bytes when omitted. */
  nonce?: string | undefined;
} & (
  | {
      /** The device's Ed25519 private key (PKCS#8 PEM, or the 32-byte seed). */
      privateKey: DevicePrivateKey;
      sign?: undefined;
    }
  | {
      privateKey?: undefined;
      /**
       * Signs with a key held elsewhere (a secure element, node's crypto): returns the 64-byte Ed25519
       * signature of `message`.
       */
      sign: (message: Uint8Array) => Uint8Array;
    }
);

export type SignDeviceRequestReturnType = DeviceRequestHeaders;

export type SignDeviceRequestErrorType = InvalidDeviceKeyError;

/**
 * The four headers that authenticate a device's request to the relay (Ed25519 over the canonical
 * request). Works in Node and in browsers.
 *
 * @example
 * const body = JSON.stringify(event)
 * const headers = signDeviceRequest({ privateKey: pem, deviceId: "door-1", method: "POST", path, body })
 * await fetch(relay + path, { method: "POST", body, headers: { ...headers, "content-type": "application/json" } })
 */
export function signDeviceRequest({ deviceId, method, path, body, timestamp, nonce, privateKey, sign }: SignDeviceRequestParameters): SignDeviceRequestReturnType {
  const ts = String(timestamp ?? Math.floor(Date.now() / 1000));
  const n = nonce ?? base64urlnopad.encode(randomBytes(16));
  const message = utf8ToBytes(canonicalRequest({ method, path, timestamp: ts, nonce: n, deviceId, body }));
  const signature = sign ? sign(message) : ed25519.sign(message, deviceKeySeed(privateKey));
  return { "X-Device-Id": deviceId, "X-Timestamp": ts, "X-Nonce": n, "X-Signature": base64urlnopad.encode(signature) };
}
