import crypto from "node:crypto";
import type { Request } from "express";
import type { Env } from "../config";
import type { Queryable } from "../store/db";
import { HttpError } from "../http/errors";
import { DEVICE_NONCE_PATTERN } from "../../client/device/canonicalRequest";

/** The signature headers of a device request, checked for form and freshness (nothing looked up yet). */
export interface DeviceHeaders {
  deviceId: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

/**
 * The checks of a device request (scheme in client/device/canonicalRequest.ts and docs/relay.md) that need
 * neither the database nor a signature verification: headers present, timestamp unix seconds inside
 * DEVICE_CLOCK_TOLERANCE_SECONDS, nonce of the right form. The rest (device known and enabled, signature
 * valid, recorded against replay, device of the store in the path) is done with the event, in the
 * device-event batch (eventBatch.ts), in that order.
 */
export function readDeviceHeaders(req: Request, config: Env): DeviceHeaders {
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
  return { deviceId, timestamp, nonce, signature };
}

/** What the replay record keeps of a signature: its sha256, hex. */
export function signatureHash(signature: Buffer): string {
  return crypto.createHash("sha256").update(signature).digest("hex");
}

/** Forgets signatures whose timestamps can no longer pass the window. */
export async function pruneSignatures(db: Queryable, now = Math.floor(Date.now() / 1000)): Promise<number> {
  const r = await db.query("DELETE FROM relay_device_signatures WHERE expires_at < $1", [now]);
  return r.rowCount;
}
