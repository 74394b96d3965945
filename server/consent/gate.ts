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
  const { rows } = await db.query<{ granted: boolean }>(`SELECT ${consentGrantedSql("$1", "$2", "$3", "$4")} AS granted`, [
    q.subject.toLowerCase(),
    q.controller.toLowerCase(),
    q.purpose.toLowerCase(),
    now,
  ]);
  return rows[0]?.granted === true;
}

/**
 * The gate's condition (above) as one SQL boolean expression over the given SQL terms (parameters or columns)
 * for the lower-case subject, controller, purpose and unix time: the one definition that `isConsentGranted`
 * and the device-event batch (eventBatch.ts, one row per event) both evaluate.
 */
export function consentGrantedSql(subject: string, controller: string, purpose: string, now: string): string {
  return `(EXISTS (
       SELECT 1 FROM consents c
        WHERE c.subject = ${subject} AND c.controller = ${controller} AND c.purpose = ${purpose}
          AND c.granted_at > 0 AND c.revoked_at = 0 AND (c.expires_at = 0 OR c.expires_at > ${now})
     ) AND NOT EXISTS (
       SELECT 1 FROM operations o
        WHERE o.subject = ${subject} AND o.controller = ${controller} AND o.kind IN ('revoke', 'revokeAll')
          AND (o.kind = 'revokeAll' OR o.purpose = ${purpose})
          AND ((o.status <> 'failed'
                AND (o.block_number IS NULL
                     OR o.block_number > COALESCE((SELECT block_number FROM indexer_cursor LIMIT 1), -1)))
               OR (o.status = 'failed' AND NOT EXISTS (
                     SELECT 1 FROM consents g, relay_customer_actions a
                      WHERE a.operation_id = o.id::text AND g.subject = ${subject} AND g.controller = ${controller} AND g.purpose = ${purpose}
                        AND g.block_number > COALESCE(a.chain_block, -1))))
     ))`;
}
