import type { Address, PublicClient } from "viem";
import { coalitionPointsAbi, consentLedgerAbi } from "../../client/abis";
import type { Deployment } from "../chain/deployment";
import type { Queryable } from "../store/db";
import { HttpError } from "../http/errors";

/**
 * A nonce lane: ConsentLedger's `nonces` (grant, revoke, revoke-all), its `delegateNonces` (SetDelegate
 * only), and CoalitionPoints' `nonces` (redeem).
 */
export type NonceContract = "ledger" | "points" | "delegate";

/**
 * The EIP-712 nonce a new signed action of `subject` must carry: the chain's `nonces(subject)`, or one
 * past the highest nonce used by an action the relay has accepted and not yet seen fail or land (queued
 * or submitted), whichever is higher. So an app can send several actions without waiting for each to
 * be mined.
 */
export async function nextNonce(db: Queryable, contract: NonceContract, subject: Address, chainNonce: bigint): Promise<bigint> {
  const { rows } = await db.query<{ max: string | null }>(
    `SELECT max(a.nonce)::text AS max FROM relay_customer_actions a JOIN operations o ON o.id::text = a.operation_id
      WHERE a.contract = $1 AND a.subject = $2 AND o.status IN ('queued', 'submitted')`,
    [contract, subject.toLowerCase()],
  );
  const pending = rows[0]?.max === null || rows[0]?.max === undefined ? -1n : BigInt(rows[0].max);
  return pending + 1n > chainNonce ? pending + 1n : chainNonce;
}

/**
 * Refuses a nonce already consumed on chain or by a pending action (409 nonce_used), or not the next
 * one (409 nonce_mismatch, the message names the expected value). Call inside the transaction that
 * queues the action, after taking the subject's lock (`lockSubject`).
 */
export async function checkNonce(db: Queryable, contract: NonceContract, subject: Address, nonce: bigint, chainNonce: bigint): Promise<void> {
  if (nonce < chainNonce) throw new HttpError(409, "nonce_used", `nonce ${nonce} was already used on chain (next is ${chainNonce})`);
  const { rows } = await db.query(
    `SELECT 1 FROM relay_customer_actions a JOIN operations o ON o.id::text = a.operation_id
      WHERE a.contract = $1 AND a.subject = $2 AND a.nonce = $3 AND o.status <> 'failed' LIMIT 1`,
    [contract, subject.toLowerCase(), nonce.toString()],
  );
  if (rows.length > 0) throw new HttpError(409, "nonce_used", `nonce ${nonce} is already used by an action the relay accepted`);
  const expected = await nextNonce(db, contract, subject, chainNonce);
  if (nonce !== expected) throw new HttpError(409, "nonce_mismatch", `expected nonce ${expected}, got ${nonce}`);
}

/** Serialises the acceptance of one subject's signed actions (both drivers support advisory locks). */
export async function lockSubject(db: Queryable, contract: NonceContract, subject: Address): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${contract}:${subject.toLowerCase()}`]);
}

export async function recordAction(db: Queryable, a: { operationId: string; contract: NonceContract; subject: Address; nonce: bigint; chainBlock: bigint }): Promise<void> {
  await db.query("INSERT INTO relay_customer_actions (operation_id, contract, subject, nonce, chain_block) VALUES ($1, $2, $3, $4, $5)", [
    a.operationId,
    a.contract,
    a.subject.toLowerCase(),
    a.nonce.toString(),
    a.chainBlock.toString(),
  ]);
}

/** The lane's next nonce on chain: ConsentLedger's `nonces` or `delegateNonces`, CoalitionPoints' `nonces`. */
export async function chainNonceOf(client: PublicClient, deployment: Deployment, lane: NonceContract, subject: Address): Promise<bigint> {
  if (lane === "points") return client.readContract({ address: deployment.points, abi: coalitionPointsAbi, functionName: "nonces", args: [subject] });
  return client.readContract({ address: deployment.ledger, abi: consentLedgerAbi, functionName: lane === "delegate" ? "delegateNonces" : "nonces", args: [subject] });
}
