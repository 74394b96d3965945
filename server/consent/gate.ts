import type { Address, Hex } from "viem";
import type { Queryable } from "../store/db";

export interface ConsentQuery {
  subject: Address;
  controller: Address;
  purpose: Hex;
  /** Unix seconds; defaults to now. */
  now?: number;
}

/**
 * Whether the relay may process `subject`'s data for `purpose` on behalf of `controller`, now.
 *
 * Granted = the indexed consent (table `consents`, kept by the indexer from ConsentLedger's logs) is
 * active now (granted, not revoked, not expired) AND no revocation is pending: no `operations` row of
 * kind `revoke` for that purpose or `revokeAll`, for that subject and controller, that is not failed
 * and that the indexer has not indexed yet (not mined, or mined above the indexer's cursor). A
 * revocation therefore takes effect the moment the relay accepts it, before it is mined; a grant takes
 * effect once it is indexed (the chain is the source of truth for what was granted).
 *
 * Fail closed: a revocation the customer signed and the relay accepted keeps its effect even when it
 * failed on chain (an earlier action of the subject failed, a delegate expired...), until a grant mined
 * in a block after the chain's latest one when the relay accepted it (`relay_customer_actions.chain_block`).
 *
 * One query, usable inside the transaction that stores the event.
 */
export async function isConsentGranted(db: Queryable, q: ConsentQuery): Promise<boolean> {
  const now = q.now ?? Math.floor(Date.now() / 1000);
  const { rows } = await db.query<{ granted: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM consents c
        WHERE c.subject = $1 AND c.controller = $2 AND c.purpose = $3
          AND c.granted_at > 0 AND c.revoked_at = 0 AND (c.expires_at = 0 OR c.expires_at > $4)
     ) AND NOT EXISTS (
       SELECT 1 FROM operations o
        WHERE o.subject = $1 AND o.controller = $2
          AND (o.kind = 'revokeAll' OR (o.kind = 'revoke' AND o.purpose = $3))
          AND ((o.status <> 'failed'
                AND (o.block_number IS NULL
                     OR o.block_number > COALESCE((SELECT block_number FROM indexer_cursor LIMIT 1), -1)))
               OR (o.status = 'failed' AND NOT EXISTS (
                     SELECT 1 FROM consents g, relay_customer_actions a
                      WHERE a.operation_id = o.id::text AND g.subject = $1 AND g.controller = $2 AND g.purpose = $3
                        AND g.block_number > COALESCE(a.chain_block, -1))))
     ) AS granted`,
    [q.subject.toLowerCase(), q.controller.toLowerCase(), q.purpose.toLowerCase(), now],
  );
  return rows[0]?.granted === true;
}

/**
 * `isConsentGranted` for many queries in one statement (the device-event batch): the same conditions,
 * evaluated per (subject, controller, purpose) row of the arrays, in the caller's transaction. Returns
 * one boolean per query, in order.
 */
export async function areConsentsGranted(db: Queryable, queries: readonly ConsentQuery[], now = Math.floor(Date.now() / 1000)): Promise<boolean[]> {
  if (queries.length === 0) return [];
  const { rows } = await db.query<{ i: number; granted: boolean }>(
    `SELECT q.i::int AS i, (EXISTS (
       SELECT 1 FROM consents c
        WHERE c.subject = q.subject AND c.controller = q.controller AND c.purpose = q.purpose
          AND c.granted_at > 0 AND c.revoked_at = 0 AND (c.expires_at = 0 OR c.expires_at > $4)
     ) AND NOT EXISTS (
       SELECT 1 FROM operations o
        WHERE o.subject = q.subject AND o.controller = q.controller
          AND (o.kind = 'revokeAll' OR (o.kind = 'revoke' AND o.purpose = q.purpose))
          AND ((o.status <> 'failed'
                AND (o.block_number IS NULL
                     OR o.block_number > COALESCE((SELECT block_number FROM indexer_cursor LIMIT 1), -1)))
               OR (o.status = 'failed' AND NOT EXISTS (
                     SELECT 1 FROM consents g, relay_customer_actions a
                      WHERE a.operation_id = o.id::text AND g.subject = q.subject AND g.controller = q.controller AND g.purpose = q.purpose
                        AND g.block_number > COALESCE(a.chain_block, -1))))
     )) AS granted
     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS q(subject, controller, purpose, i)`,
    [queries.map((q) => q.subject.toLowerCase()), queries.map((q) => q.controller.toLowerCase()), queries.map((q) => q.purpose.toLowerCase()), now],
  );
  const granted = new Array<boolean>(queries.length).fill(false);
  for (const r of rows) granted[Number(r.i) - 1] = r.granted === true;
  return granted;
}
