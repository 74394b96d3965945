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

/**
 * signerAmong on the thread pool: the candidates' keys are tried side by side (the device-event batch). `known`:
 * the results of this very signature's checks already made, by public key (a key absent from it is verified now).
 */
export async function signerAmongAsync<D>(
  candidates: readonly D[],
  keyOf: (d: D) => string,
  canonical: string,
  sig: Buffer | undefined,
  known?: ReadonlyMap<string, boolean>,
): Promise<D | undefined> {
  if (sig === undefined) return undefined;
  const verify = (key: string) => known?.get(key) ?? verifyDeviceSignatureAsync(key, canonical, sig);
  if (candidates.length === 0) {
    await verify(UNKNOWN_DEVICE_KEY);
    return undefined;
  }
  const ok = await Promise.all(candidates.map((d) => verify(keyOf(d))));
  return candidates[ok.indexOf(true)];
}

/**
 * Each signature of `requests` checked against the keys of the devices its id names, as read now (one
 * verification against a key nobody holds for an unknown id): by request, the result per public key, for
 * signerAmongAsync's `known`. A malformed signature gets an empty map (it is refused without a check).
 */
export async function verifyAhead(db: Queryable, requests: readonly { deviceId: string; canonical: string; signature: Buffer | undefined }[]): Promise<Map<string, boolean>[]> {
  const { rows } = await db.query<{ id: string; public_key: string }>("SELECT id, public_key FROM relay_devices WHERE id = ANY($1::text[])", [
    [...new Set(requests.map((r) => r.deviceId))],
  ]);
  const keysOf = new Map<string, string[]>();
  for (const r of rows) keysOf.set(r.id, [...(keysOf.get(r.id) ?? []), r.public_key]);
  return Promise.all(
    requests.map(async ({ deviceId, canonical, signature }) => {
      const known = new Map<string, boolean>();
      if (signature === undefined) return known;
      const keys = keysOf.get(deviceId) ?? [UNKNOWN_DEVICE_KEY];
      const ok = await Promise.all(keys.map((key) => verifyDeviceSignatureAsync(key, canonical, signature)));
      keys.forEach((key, i) => known.set(key, ok[i]!));
      return known;
    }),
  );
}
