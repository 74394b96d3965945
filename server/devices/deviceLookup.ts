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
 * Verifications already under way, by public key: started when the request arrived (DeviceKeyHints), so that
 * the batch that decides finds them done. A key's promise resolves to undefined when its check failed to run.
 */
export type Preverified = ReadonlyMap<string, Promise<boolean | undefined>>;

/**
 * signerAmong on the thread pool: the candidates' keys are tried side by side (the device-event batch). The
 * candidates are the rows the batch read; a verification started earlier is used only for a key one of them
 * holds now, so a key changed or a device removed since is decided by the rows, as without it.
 */
export async function signerAmongAsync<D>(
  candidates: readonly D[],
  keyOf: (d: D) => string,
  canonical: string,
  sig: Buffer | undefined,
  preverified?: Preverified,
): Promise<D | undefined> {
  if (sig === undefined) return undefined;
  const verify = async (key: string) => (await preverified?.get(key)) ?? verifyDeviceSignatureAsync(key, canonical, sig);
  if (candidates.length === 0) {
    await verify(UNKNOWN_DEVICE_KEY);
    return undefined;
  }
  const ok = await Promise.all(candidates.map((d) => verify(keyOf(d))));
  return candidates[ok.indexOf(true)];
}

/**
 * The public keys the last batch read for each device id (none: an unknown id), so that a request's signature
 * can be verified as soon as it arrives, on the thread pool, while the batch before it is in the database.
 * Only a hint: the batch reads the devices again and decides by those rows (signerAmongAsync).
 */
export class DeviceKeyHints {
  private readonly keys = new Map<string, readonly string[]>();

  constructor(private readonly max = 10_000) {}

  /** Records what a batch read: every device id it asked for, with the keys of the rows found. */
  learn(asked: Iterable<string>, found: ReadonlyMap<string, readonly string[]>): void {
    for (const id of asked) {
      if (!this.keys.has(id) && this.keys.size >= this.max) this.keys.clear();
      this.keys.set(id, found.get(id) ?? []);
    }
  }

  /** Starts verifying `sig` with the keys last seen for `deviceId` (the unknown device's key when none); nothing for an id never seen. */
  preverify(deviceId: string, canonical: string, sig: Buffer | undefined): Preverified | undefined {
    const keys = this.keys.get(deviceId);
    if (!keys || sig === undefined) return undefined;
    const started = new Map<string, Promise<boolean | undefined>>();
    for (const key of keys.length > 0 ? keys : [UNKNOWN_DEVICE_KEY]) {
      started.set(key, verifyDeviceSignatureAsync(key, canonical, sig).catch(() => undefined));
    }
    return started;
  }
}
