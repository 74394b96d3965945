import type { Address, Hex } from "viem";
import type { Db, Queryable } from "../store/db";
import type { Fees } from "./fees";
import type { OperationError, OperationKind } from "./outbox";

/**
 * The submitter's persistent record (tables chain_transactions, chain_transaction_attempts,
 * signer_nonces): which nonce carries which operations, and every signed version of it. Each function
 * here is one database transaction, so each step of docs/relay-submission.md is atomic.
 */
export interface SignedTx {
  raw: Hex;
  hash: Hex;
  fees: Fees;
}

export interface Attempt {
  hash: Hex;
  raw: Hex;
  fees: Fees;
  /** Milliseconds since it was signed, by the database's clock. */
  ageMs: number;
}

export interface PendingTx {
  id: number;
  nonce: number;
  to: Address;
  data: Hex;
  gas: bigint;
  batch: string;
  blockNumber: number | null;
  minedHash: Hex | null;
  broadcastError: string | null;
  /** Oldest first; the last is the highest fee. */
  attempts: Attempt[];
}

export class OperationsTakenError extends Error {
  override name = "OperationsTakenError";
}

function feeColumns(fees: Fees): [string | null, string | null, string | null] {
  return fees.type === "eip1559"
    ? [fees.maxFeePerGas.toString(), fees.maxPriorityFeePerGas.toString(), null]
    : [null, null, fees.gasPrice.toString()];
}

export interface PersistParams {
  chainId: number;
  signer: Address;
  /** The key's transaction count on chain (mined): the floor for the next nonce. */
  minedCount: number;
  opIds: readonly string[];
  to: Address;
  data: Hex;
  gas: bigint;
  batch: string;
  sign(nonce: number): Promise<SignedTx>;
}

/**
 * Takes the operations (still queued, else OperationsTakenError and nothing changes), assigns the key's
 * next nonce from the relay's own record, signs, and stores the signed transaction with the operations
 * now `submitted` on it: all in one database transaction, before anything is broadcast.
 */
export async function persistSignedTransaction(db: Db, p: PersistParams): Promise<{ txId: number; nonce: number; signed: SignedTx }> {
  const signer = p.signer.toLowerCase();
  return db.transaction(async (tx) => {
    const locked = await tx.query<{ id: string }>(
      "SELECT id FROM operations WHERE id = ANY($1::uuid[]) AND status = 'queued' FOR UPDATE SKIP LOCKED",
      [p.opIds],
    );
    if (locked.rowCount !== p.opIds.length) throw new OperationsTakenError("operations were taken by another submitter");
    await tx.query(
      "INSERT INTO signer_nonces (chain_id, signer, next_nonce) VALUES ($1, $2, $3) ON CONFLICT (chain_id, signer) DO NOTHING",
      [p.chainId, signer, p.minedCount],
    );
    const rec = await tx.query<{ next_nonce: number }>(
      "SELECT next_nonce FROM signer_nonces WHERE chain_id = $1 AND signer = $2 FOR UPDATE",
      [p.chainId, signer],
    );
    // Above the record only when the key was used outside the relay (all of the relay's own are mined then).
    const nonce = Math.max(rec.rows[0]!.next_nonce, p.minedCount);
    const signed = await p.sign(nonce);
    const inserted = await tx.query<{ id: number }>(
      `INSERT INTO chain_transactions (chain_id, signer, nonce, to_address, data, gas, batch)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [p.chainId, signer, nonce, p.to.toLowerCase(), p.data, p.gas.toString(), p.batch],
    );
    const txId = inserted.rows[0]!.id;
    await insertAttempt(tx, txId, signed);
    await tx.query("UPDATE signer_nonces SET next_nonce = $3 WHERE chain_id = $1 AND signer = $2", [p.chainId, signer, nonce + 1]);
    await tx.query(
      `UPDATE operations SET status = 'submitted', tx_id = $2, tx_hash = $3, attempts = attempts + 1,
         error_code = NULL, error_message = NULL, updated_at = now()
       WHERE id = ANY($1::uuid[])`,
      [p.opIds, txId, signed.hash],
    );
    return { txId, nonce, signed };
  });
}

async function insertAttempt(tx: Queryable, txId: number, signed: SignedTx): Promise<void> {
  await tx.query(
    `INSERT INTO chain_transaction_attempts (hash, tx_id, raw, max_fee_per_gas, max_priority_fee_per_gas, gas_price)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING`,
    [signed.hash.toLowerCase(), txId, signed.raw, ...feeColumns(signed.fees)],
  );
}

interface TxRow {
  [key: string]: unknown;
  id: number;
  nonce: number;
  to_address: string;
  data: string;
  gas: string;
  batch: string;
  block_number: number | null;
  mined_hash: string | null;
  broadcast_error: string | null;
}

interface AttemptRow {
  [key: string]: unknown;
  tx_id: number;
  hash: string;
  raw: string;
  max_fee_per_gas: string | null;
  max_priority_fee_per_gas: string | null;
  gas_price: string | null;
  age_ms: number;
}

function attemptOf(row: AttemptRow): Attempt {
  const fees: Fees =
    row.gas_price !== null
      ? { type: "legacy", gasPrice: BigInt(row.gas_price) }
      : { type: "eip1559", maxFeePerGas: BigInt(row.max_fee_per_gas!), maxPriorityFeePerGas: BigInt(row.max_priority_fee_per_gas!) };
  return { hash: row.hash as Hex, raw: row.raw as Hex, fees, ageMs: Number(row.age_ms) };
}

/** The key's transactions not yet final, lowest nonce first, each with all its signed versions. */
export async function pendingTransactions(db: Queryable, chainId: number, signer: Address): Promise<PendingTx[]> {
  const txs = await db.query<TxRow>(
    `SELECT id, nonce, to_address, data, gas, batch, block_number, mined_hash, broadcast_error
     FROM chain_transactions WHERE chain_id = $1 AND signer = $2 AND status = 'pending' ORDER BY nonce`,
    [chainId, signer.toLowerCase()],
  );
  if (txs.rowCount === 0) return [];
  const attempts = await db.query<AttemptRow>(
    `SELECT tx_id, hash, raw, max_fee_per_gas, max_priority_fee_per_gas, gas_price,
            (extract(epoch FROM now() - created_at) * 1000)::float8 AS age_ms
     FROM chain_transaction_attempts WHERE tx_id = ANY($1::int8[]) ORDER BY created_at, hash`,
    [txs.rows.map((r) => r.id)],
  );
  return txs.rows.map((r) => ({
    id: r.id,
    nonce: r.nonce,
    to: r.to_address as Address,
    data: r.data as Hex,
    gas: BigInt(r.gas),
    batch: r.batch,
    blockNumber: r.block_number,
    minedHash: r.mined_hash as Hex | null,
    broadcastError: r.broadcast_error,
    attempts: attempts.rows.filter((a) => a.tx_id === r.id).map(attemptOf),
  }));
}

/** Every hash ever signed for a transaction, read under its row lock. */
export async function lockedHashes(tx: Queryable, txId: number): Promise<{ pending: boolean; hashes: Hex[] }> {
  const row = await tx.query<{ status: string }>("SELECT status FROM chain_transactions WHERE id = $1 FOR UPDATE", [txId]);
  const hashes = await tx.query<{ hash: string }>("SELECT hash FROM chain_transaction_attempts WHERE tx_id = $1", [txId]);
  return { pending: row.rows[0]?.status === "pending", hashes: hashes.rows.map((h) => h.hash as Hex) };
}

/** Stores a fee-bumped version of a pending transaction (same nonce), unless it became final meanwhile. */
export async function persistReplacement(db: Db, txId: number, sign: () => Promise<SignedTx>): Promise<SignedTx | undefined> {
  return db.transaction(async (tx) => {
    const { pending } = await lockedHashes(tx, txId);
    if (!pending) return undefined;
    const signed = await sign();
    await insertAttempt(tx, txId, signed);
    await tx.query("UPDATE chain_transactions SET updated_at = now() WHERE id = $1", [txId]);
    await tx.query("UPDATE operations SET tx_hash = $2, updated_at = now() WHERE tx_id = $1 AND status = 'submitted'", [txId, signed.hash]);
    return signed;
  });
}

export async function setBroadcastError(db: Queryable, txId: number, message: string | null): Promise<void> {
  await db.query("UPDATE chain_transactions SET broadcast_error = $2, updated_at = now() WHERE id = $1", [
    txId,
    message === null ? null : message.slice(0, 1000),
  ]);
}

/** A version was mined (not yet deep enough), or (hash null) the block holding it was reorganised away. */
export async function setMined(db: Db, txId: number, hash: Hex | null, blockNumber: number | null): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("UPDATE chain_transactions SET mined_hash = $2, block_number = $3, updated_at = now() WHERE id = $1", [txId, hash, blockNumber]);
    if (hash) {
      await tx.query(
        "UPDATE operations SET tx_hash = $2, block_number = $3, updated_at = now() WHERE tx_id = $1 AND status = 'submitted'",
        [txId, hash, blockNumber],
      );
    } else {
      await tx.query("UPDATE operations SET block_number = NULL, updated_at = now() WHERE tx_id = $1 AND status = 'submitted'", [txId]);
    }
  });
}

export interface Finalised {
  kinds: OperationKind[];
}

/**
 * The transaction is mined at depth and succeeded: its operations are confirmed, except those whose call
 * failed inside it (`failures`, from a tryMulticall's BatchCallFailed events), failed with their reason.
 * `feePaid`: what the transaction cost its key (wei).
 */
export async function finaliseConfirmed(
  db: Db,
  txId: number,
  hash: Hex,
  blockNumber: number,
  feePaid: bigint,
  failures: ReadonlyMap<string, OperationError> = new Map(),
): Promise<Finalised & { failed: OperationKind[] }> {
  return db.transaction(async (tx) => {
    await tx.query(
      "UPDATE chain_transactions SET status = 'confirmed', mined_hash = $2, block_number = $3, broadcast_error = NULL, fee_paid = $4, updated_at = now() WHERE id = $1 AND status = 'pending'",
      [txId, hash, blockNumber, feePaid.toString()],
    );
    const failed: OperationKind[] = [];
    for (const [id, error] of failures) {
      const f = await tx.query<{ kind: OperationKind }>(
        `UPDATE operations SET status = 'failed', tx_hash = $3, block_number = $4, error_code = $5, error_message = $6, updated_at = now()
         WHERE id = $1 AND tx_id = $2 AND status = 'submitted' RETURNING kind`,
        [id, txId, hash, blockNumber, error.code, error.message.slice(0, 2000)],
      );
      failed.push(...f.rows.map((row) => row.kind));
    }
    const r = await tx.query<{ kind: OperationKind }>(
      `UPDATE operations SET status = 'confirmed', tx_hash = $2, block_number = $3, updated_at = now()
       WHERE tx_id = $1 AND status = 'submitted' RETURNING kind`,
      [txId, hash, blockNumber],
    );
    return { kinds: r.rows.map((row) => row.kind), failed };
  });
}

/**
 * The transaction is mined at depth and reverted, so none of its operations ran: either they are failed
 * with the decoded error, or (a batch, tried fewer than `maxAttempts` times) put back in the queue to be
 * simulated again one by one.
 */
export async function finaliseReverted(
  db: Db,
  txId: number,
  hash: Hex,
  blockNumber: number,
  error: OperationError,
  maxAttempts: number,
  feePaid: bigint,
  /** The error to record for one operation instead of `error` (nonce consumed...). */
  errorOf: (id: string) => OperationError = () => error,
): Promise<{ failed: OperationKind[]; failedIds: string[]; requeued: OperationKind[] }> {
  return db.transaction(async (tx) => {
    await tx.query(
      "UPDATE chain_transactions SET status = 'reverted', mined_hash = $2, block_number = $3, broadcast_error = NULL, fee_paid = $4, updated_at = now() WHERE id = $1 AND status = 'pending'",
      [txId, hash, blockNumber, feePaid.toString()],
    );
    const ops = await tx.query<{ id: string; kind: OperationKind; attempts: number }>(
      "SELECT id, kind, attempts FROM operations WHERE tx_id = $1 AND status = 'submitted' FOR UPDATE",
      [txId],
    );
    const requeue = ops.rowCount > 1 ? ops.rows.filter((o) => o.attempts < maxAttempts) : [];
    const fail = ops.rows.filter((o) => !requeue.includes(o));
    if (requeue.length > 0) await requeueOps(tx, requeue.map((o) => o.id));
    for (const o of fail) {
      const e = errorOf(o.id);
      await tx.query(
        `UPDATE operations SET status = 'failed', tx_hash = $2, block_number = $3, error_code = $4, error_message = $5, updated_at = now()
         WHERE id = $1`,
        [o.id, hash, blockNumber, e.code, e.message.slice(0, 2000)],
      );
    }
    return { failed: fail.map((o) => o.kind), failedIds: fail.map((o) => o.id), requeued: requeue.map((o) => o.kind) };
  });
}

async function requeueOps(tx: Queryable, ids: readonly string[]): Promise<void> {
  await tx.query(
    `UPDATE operations SET status = 'queued', tx_id = NULL, tx_hash = NULL, block_number = NULL, updated_at = now()
     WHERE id = ANY($1::uuid[])`,
    [ids],
  );
}

/**
 * The nonce is used on chain by a transaction that is none of ours (checked by the caller, under the row
 * lock, against every hash we ever signed for it): our operations never ran, so they go back in the queue.
 */
export async function dropTransaction(
  db: Db,
  txId: number,
  stillUnmined: (hashes: readonly Hex[]) => Promise<boolean>,
): Promise<OperationKind[] | undefined> {
  return db.transaction(async (tx) => {
    const { pending, hashes } = await lockedHashes(tx, txId);
    if (!pending || !(await stillUnmined(hashes))) return undefined;
    await tx.query("UPDATE chain_transactions SET status = 'dropped', updated_at = now() WHERE id = $1", [txId]);
    const ops = await tx.query<{ id: string; kind: OperationKind }>(
      "SELECT id, kind FROM operations WHERE tx_id = $1 AND status = 'submitted' FOR UPDATE",
      [txId],
    );
    await requeueOps(tx, ops.rows.map((o) => o.id));
    return ops.rows.map((o) => o.kind);
  });
}

export async function countPending(db: Queryable, chainId: number, signer: Address): Promise<number> {
  const r = await db.query<{ n: number }>(
    "SELECT count(*)::int8 AS n FROM chain_transactions WHERE chain_id = $1 AND signer = $2 AND status = 'pending'",
    [chainId, signer.toLowerCase()],
  );
  return r.rows[0]!.n;
}
