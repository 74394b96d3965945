import type { Address, Hex } from "viem";
import type { Queryable } from "../store/db";
import { HttpError } from "../http/errors";

/** The longest a consent to `purpose` of `brand` may last, in seconds, as the brand set it; null: no limit. */
export async function maxValidityOf(db: Queryable, brand: Address, purpose: Hex): Promise<number | null> {
  const { rows } = await db.query<{ s: string | null }>("SELECT max_validity_seconds::text AS s FROM relay_brand_purposes WHERE brand = $1 AND purpose = $2", [
    brand.toLowerCase(),
    purpose.toLowerCase(),
  ]);
  return rows[0]?.s ? Number(rows[0].s) : null;
}

/**
 * Refuses a grant whose validity is beyond the brand's maximum for the purpose: `expiry_required` when it
 * has no expiry, `validity_too_long` when it ends later than `now + max`. `now` is the time the relay
 * checks deadlines against (the later of its clock and the chain's), so the chain's own clock can only be
 * later and the consent shorter.
 */
export async function checkMaxValidity(db: Queryable, p: { controller: Address; purpose: Hex; expiresAt: number; now: bigint }): Promise<void> {
  const max = await maxValidityOf(db, p.controller, p.purpose);
  if (max === null) return;
  if (p.expiresAt === 0) {
    throw new HttpError(422, "expiry_required", `the brand limits consent to this purpose to ${max} seconds: expiresAt must be set, at most ${p.now + BigInt(max)}`);
  }
  if (BigInt(p.expiresAt) > p.now + BigInt(max)) {
    throw new HttpError(422, "validity_too_long", `the brand limits consent to this purpose to ${max} seconds: expiresAt must be at most ${p.now + BigInt(max)}`);
  }
}

/** Sets (or clears, with null) the brand's maximum validity for the purpose it describes under `name`; false when it describes none. */
export async function setMaxValidity(db: Queryable, brand: Address, name: string, seconds: number | null): Promise<boolean> {
  const r = await db.query("UPDATE relay_brand_purposes SET max_validity_seconds = $3, updated_at = now() WHERE brand = $1 AND name = $2", [
    brand.toLowerCase(),
    name,
    seconds,
  ]);
  return r.rowCount > 0;
}
