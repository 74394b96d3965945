import type { Address } from "viem";
import { PURPOSES } from "../../client/purposes";
import type { Queryable } from "../store/db";

/**
 * Display names customers share with a brand for in-store greeting (table relay_display_names). Kept only
 * while the customer grants that brand in-store recognition: set only under a granted consent, read only
 * through the consent gate (the staff stream), erased when a revocation is accepted and pruned when the
 * consent ended otherwise.
 */

/** The name `subject` shares with `brand`, or null. */
export async function displayNameOf(db: Queryable, brand: Address, subject: Address): Promise<string | null> {
  const { rows } = await db.query<{ display_name: string }>("SELECT display_name FROM relay_display_names WHERE brand = $1 AND subject = $2", [
    brand.toLowerCase(),
    subject.toLowerCase(),
  ]);
  return rows[0]?.display_name ?? null;
}

/** Stores (or, with null, erases) the name `subject` shares with `brand`. */
export async function setDisplayName(db: Queryable, brand: Address, subject: Address, name: string | null): Promise<void> {
  if (name === null) {
    await db.query("DELETE FROM relay_display_names WHERE brand = $1 AND subject = $2", [brand.toLowerCase(), subject.toLowerCase()]);
    return;
  }
  await db.query(
    `INSERT INTO relay_display_names (brand, subject, display_name) VALUES ($1, $2, $3)
     ON CONFLICT (brand, subject) DO UPDATE SET display_name = EXCLUDED.display_name, updated_at = now()`,
    [brand.toLowerCase(), subject.toLowerCase(), name],
  );
}

/**
 * Erases the name when an accepted revocation ends in-store recognition: a Revoke of that purpose or a
 * RevokeAll, for that customer and brand. Runs in the transaction that queues the revocation.
 */
export async function eraseDisplayNameOnRevocation(
  tx: Queryable,
  op: { kind: string; subject?: Address | null; controller?: Address | null; purpose?: string | null },
): Promise<void> {
  if (!op.subject || !op.controller) return;
  const ends = op.kind === "revokeAll" || (op.kind === "revoke" && op.purpose?.toLowerCase() === PURPOSES.inStoreRecognition);
  if (ends) await setDisplayName(tx, op.controller, op.subject, null);
}

/**
 * Erases every name whose customer no longer grants the brand in-store recognition (expired, or revoked
 * on chain without going through this relay). Returns how many were erased.
 */
export async function pruneDisplayNames(db: Queryable, now = Math.floor(Date.now() / 1000)): Promise<number> {
  const r = await db.query(
    `DELETE FROM relay_display_names d
      WHERE NOT EXISTS (
        SELECT 1 FROM consents c
         WHERE c.subject = d.subject AND c.controller = d.brand AND c.purpose = $1
           AND c.granted_at > 0 AND c.revoked_at = 0 AND (c.expires_at = 0 OR c.expires_at > $2))`,
    [PURPOSES.inStoreRecognition, now],
  );
  return r.rowCount ?? 0;
}
