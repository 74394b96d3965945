import type { Address, PublicClient } from "viem";
import { chainNonceOf, type NonceContract } from "../customers/nonces";
import type { Queryable } from "../store/db";
import type { Deployment } from "./deployment";
import type { OperationError } from "./outbox";

/**
 * What a failed customer action tells its app. A signed action whose nonce the chain has moved past (a
 * direct revoke or revoke-all from the wallet, `useNonce`, another relay) can never be valid:
 * `nonce_consumed`, not retried. A failed action that did not use its nonce leaves every later action of
 * the subject on that lane invalid (the contracts' nonces are sequential): those are failed at once with
 * `earlier_action_failed`, telling the app to sign them again.
 */
interface ActionRow {
  [key: string]: unknown;
  operation_id: string;
  contract: NonceContract;
  subject: string;
  nonce: string;
}

export const NONCE_CONSUMED = "nonce_consumed";
export const EARLIER_ACTION_FAILED = "earlier_action_failed";

async function actionsOf(db: Queryable, ids: readonly string[]): Promise<ActionRow[]> {
  if (ids.length === 0) return [];
  const r = await db.query<ActionRow>(
    "SELECT operation_id, contract, subject, nonce::text AS nonce FROM relay_customer_actions WHERE operation_id = ANY($1::text[])",
    [ids],
  );
  return r.rows;
}

/** The errors to record for failed operations: `nonce_consumed` where the chain's nonce passed the action's. */
export async function refineFailures(
  db: Queryable,
  client: PublicClient,
  deployment: Deployment,
  failures: ReadonlyMap<string, OperationError>,
): Promise<Map<string, OperationError>> {
  const out = new Map(failures);
  for (const a of await actionsOf(db, [...failures.keys()])) {
    const chainNonce = await chainNonceOf(client, deployment, a.contract, a.subject as Address);
    const nonce = BigInt(a.nonce);
    const original = failures.get(a.operation_id)!;
    if (chainNonce > nonce) {
      out.set(a.operation_id, {
        code: NONCE_CONSUMED,
        message: `nonce ${nonce} of ${a.subject} was used on chain by another transaction (a direct revoke or revoke-all, useNonce, another relay), so this signature can never be valid (${original.code}); sign the action again with the current nonce`,
      });
    } else if (original.code === "NonceNotYetValid") {
      out.set(a.operation_id, { code: EARLIER_ACTION_FAILED, message: `an earlier action of ${a.subject} failed and did not use its nonce (${original.message}); sign this action again with the current nonce` });
    }
  }
  return out;
}

/**
 * Fails the queued actions that come after failed ones of the same subject and lane (unless the failed
 * one's nonce was consumed anyway); returns their ids.
 */
export async function failLaterActions(db: Queryable, failures: ReadonlyMap<string, OperationError>): Promise<string[]> {
  const failed: string[] = [];
  for (const a of await actionsOf(db, [...failures.keys()])) {
    const error = failures.get(a.operation_id)!;
    if (error.code === NONCE_CONSUMED) continue;
    const r = await db.query<{ id: string }>(
      `UPDATE operations SET status = 'failed', error_code = $4, error_message = $5, updated_at = now()
        WHERE status = 'queued' AND id::text IN (
          SELECT operation_id FROM relay_customer_actions WHERE contract = $1 AND subject = $2 AND nonce > $3)
        RETURNING id::text AS id`,
      [
        a.contract,
        a.subject,
        a.nonce,
        EARLIER_ACTION_FAILED,
        `the action of ${a.subject} with nonce ${a.nonce} failed (${error.code}) without using its nonce, so this later one can never be valid; sign it again with the nonce GET /v1/customers/{address}/nonces gives`,
      ],
    );
    failed.push(...r.rows.map((row) => row.id));
  }
  return failed;
}

/**
 * A failed issue frees its receipt: the purchase row and its failed issuances go (a return of it is then `receipt_not_found`)
 * and the operation's idempotency key is cleared, so the till can send the receipt again (under a new
 * event id) once the brand has fixed the cause (backing, operator). Returns how many receipts were freed.
 */
export async function freeFailedReceipts(db: Queryable, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const issues = await db.query<{ id: string }>(
    "UPDATE operations SET idempotency_key = NULL WHERE id = ANY($1::uuid[]) AND kind = 'issue' AND status = 'failed' RETURNING id::text AS id",
    [ids],
  );
  if (issues.rowCount === 0) return 0;
  const failedIds = issues.rows.map((r) => r.id);
  // The purchase's issuances whose issue failed go with it (those of its parts already on chain stay, so a
  // re-sent receipt issues only what is missing); a consent reward's failure frees nothing.
  const freed = await db.query(
    `WITH gone AS (
       DELETE FROM relay_issuances WHERE operation_id = ANY($1::uuid[]) AND reason <> 'consent-reward' RETURNING brand, purchase_receipt_id
     )
     DELETE FROM relay_purchases p
      WHERE p.operation_id = ANY($1::text[])
         OR EXISTS (SELECT 1 FROM gone WHERE gone.brand = p.brand AND gone.purchase_receipt_id = p.receipt_id)`,
    [failedIds],
  );
  return freed.rowCount;
}
