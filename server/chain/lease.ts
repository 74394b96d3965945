import type { Db } from "../store/db";

/**
 * Which relay instance runs a key's loop. Several instances may share one PostgreSQL: a lease row per key,
 * renewed on every step, keeps one loop per key at a time (two loops would only waste work: every step
 * re-checks the rows it changes, see docs/relay-submission.md). PGlite is one process by construction.
 */
export async function holdLease(db: Db, chainId: number, signer: string, owner: string, ttlMs: number): Promise<boolean> {
  if (db.kind === "pglite") return true;
  const r = await db.query<{ owner: string }>(
    `INSERT INTO signer_leases (chain_id, signer, owner, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4::float8 / 1000))
     ON CONFLICT (chain_id, signer) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
     WHERE signer_leases.owner = EXCLUDED.owner OR signer_leases.expires_at < now()
     RETURNING owner`,
    [chainId, signer.toLowerCase(), owner, ttlMs],
  );
  return r.rowCount === 1;
}

export async function releaseLease(db: Db, chainId: number, signer: string, owner: string): Promise<void> {
  if (db.kind === "pglite") return;
  await db.query("DELETE FROM signer_leases WHERE chain_id = $1 AND signer = $2 AND owner = $3", [chainId, signer.toLowerCase(), owner]);
}
