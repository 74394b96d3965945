import { generateKeyPairSync } from "node:crypto";
import type { Queryable } from "../store/db";
import { devicesWithId, type Device } from "../brands/registry";
import { verifyDeviceSignature, verifyDeviceSignatureAsync } from "./signing";

/** A key no device holds, verified against when the device id is unknown. */
export const UNKNOWN_DEVICE_KEY = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("base64url");

/**
 * The device that signed `canonical`, or undefined. Device ids are scoped per brand (two brands may each
 * have a "door-1"), so the id names up to one device per brand: the signer is the one whose public key
 * the signature verifies with ((id, public key) is unique on the relay, so at most one does). An unknown
 * id costs one verification against a key no device holds, as a known one does: an unknown device is
 * answered exactly as a bad signature, in content and in time.
 */
export async function deviceSigning(db: Queryable, deviceId: string, canonical: string, sig: Buffer | undefined): Promise<Device | undefined> {
  return signerAmong(await devicesWithId(db, deviceId), (d) => d.publicKey, canonical, sig);
}

/** Of the devices holding one id, the one whose key verifies `sig` over `canonical` (the rule above, for rows already read). */
export function signerAmong<D>(candidates: readonly D[], keyOf: (d: D) => string, canonical: string, sig: Buffer | undefined): D | undefined {
  if (sig === undefined) return undefined;
  if (candidates.length === 0) {
    verifyDeviceSignature(UNKNOWN_DEVICE_KEY, canonical, sig);
    return undefined;
  }
  return candidates.find((d) => verifyDeviceSignature(keyOf(d), canonical, sig));
}

/** signerAmong on the thread pool: the candidates' keys are tried side by side (the device-event batch). */
export async function signerAmongAsync<D>(candidates: readonly D[], keyOf: (d: D) => string, canonical: string, sig: Buffer | undefined): Promise<D | undefined> {
  if (sig === undefined) return undefined;
  if (candidates.length === 0) {
    await verifyDeviceSignatureAsync(UNKNOWN_DEVICE_KEY, canonical, sig);
    return undefined;
  }
  const ok = await Promise.all(candidates.map((d) => verifyDeviceSignatureAsync(keyOf(d), canonical, sig)));
  return candidates[ok.indexOf(true)];
}
