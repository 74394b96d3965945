import crypto from "node:crypto";
import type { RequestHandler } from "express";
import type { Env } from "../config";
import type { Db, Queryable } from "../store/db";
import { HttpError } from "../http/errors";
import { locals } from "../http/context";
import { canonicalRequest, DEVICE_NONCE_PATTERN } from "../../client/device/canonicalRequest";
import { decodeSignature } from "./signing";
import { deviceSigning } from "./deviceLookup";

/**
 * Authenticates a device request (scheme in client/device/canonicalRequest.ts and docs/relay.md): headers present, timestamp
 * inside DEVICE_CLOCK_TOLERANCE_SECONDS, device known and enabled, signature valid over the canonical
 * request (an unknown device fails here, indistinguishably), the signature recorded against replay, then
 * the device enabled and belonging to the store named by the path. Sets `locals(res).device`.
 */
export function deviceAuth(config: Env, db: Db): RequestHandler {
  return async (req, res, next) => {
    const deviceId = req.header("x-device-id");
    const timestamp = req.header("x-timestamp");
    const nonce = req.header("x-nonce");
    const signature = req.header("x-signature");
    if (!deviceId || !timestamp || !nonce || !signature) {
      throw new HttpError(401, "missing_device_auth", "send X-Device-Id, X-Timestamp, X-Nonce and X-Signature");
    }
    if (!/^\d{1,12}$/.test(timestamp)) throw new HttpError(401, "invalid_timestamp", "X-Timestamp must be unix seconds");
    if (!DEVICE_NONCE_PATTERN.test(nonce)) throw new HttpError(401, "invalid_device_nonce", "X-Nonce must be 16-64 characters of [A-Za-z0-9_-]");
    const skew = Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp));
    if (skew > config.DEVICE_CLOCK_TOLERANCE_SECONDS) {
      throw new HttpError(401, "stale_timestamp", `X-Timestamp is ${skew}s away from the relay's clock (tolerance ${config.DEVICE_CLOCK_TOLERANCE_SECONDS}s)`);
    }
    const sig = decodeSignature(signature);
    const canonical = canonicalRequest({ method: req.method, path: req.originalUrl, timestamp, nonce, deviceId, body: locals(res).rawBody ?? "" });
    // An unknown device is answered exactly as a bad signature (same code, same message, a verification
    // done all the same), so device ids cannot be probed. Ids are scoped per brand: the device is the
    // one holding this id whose key the signature verifies with.
    const device = await deviceSigning(db, deviceId, canonical, sig);
    if (!device || !sig) {
      throw new HttpError(401, "bad_device_signature", "X-Signature does not verify with the device's key over the canonical request");
    }
    // Recorded before anything else is decided: a request refused below (disabled, wrong store, bad
    // event, a state that changes later) cannot be replayed inside the window either.
    await recordSignature(db, config, device.id, sig, timestamp);
    if (device.disabled) throw new HttpError(403, "device_disabled", "this device is disabled");
    const storeId = req.params.storeId;
    if (storeId !== undefined && storeId !== device.storeId) {
      throw new HttpError(403, "device_store_mismatch", "this device is not registered to this store");
    }
    locals(res).device = device;
    locals(res).deviceSignature = { bytes: sig, timestamp };
    next();
  };
}

/**
 * Records a verified signature until its timestamp leaves the tolerance window; a second use is a
 * replay (409 replayed_signature). Recorded as soon as the signature verifies, before the request is
 * handled, so a refused request cannot be sent again once the state has changed.
 */
export async function recordSignature(tx: Queryable, config: Env, deviceId: string, signature: Buffer, timestamp: string): Promise<void> {
  const hash = crypto.createHash("sha256").update(signature).digest("hex");
  const r = await tx.query(
    "INSERT INTO relay_device_signatures (signature_hash, device_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (signature_hash) DO NOTHING",
    [hash, deviceId, Number(timestamp) + config.DEVICE_CLOCK_TOLERANCE_SECONDS + 1],
  );
  if (r.rowCount === 0) throw new HttpError(409, "replayed_signature", "this signature was already used: sign each request afresh");
}

/** Forgets signatures whose timestamps can no longer pass the window. */
export async function pruneSignatures(db: Queryable, now = Math.floor(Date.now() / 1000)): Promise<number> {
  const r = await db.query("DELETE FROM relay_device_signatures WHERE expires_at < $1", [now]);
  return r.rowCount;
}
