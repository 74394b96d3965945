import type { Address, Hex } from "viem";
import type { Queryable } from "../store/db";
import { decodeArgs, encodeArgs } from "./args";

/**
 * The durable outbox: every chain action the relay accepted, in the `operations` table. Producers call
 * `enqueueOperation` inside the database transaction that stores what caused it (a device event, a signed
 * customer action), so the action is queued if and only if that transaction commits. The submitter
 * (submitter.ts) takes it from there; docs/relay-submission.md explains the life of a row.
 */
export type OperationKind = "grant" | "revoke" | "revokeAll" | "setDelegate" | "redeem" | "issue" | "reverse";

export type OperationStatus = "queued" | "submitted" | "confirmed" | "failed";

export interface NewOperation {
  /**
   * Its id, when the caller chose it (a random UUID) to write the rows that name it before queuing it; the
   * database draws one otherwise. Kept only when the operation is created (not for a repeated idempotency key).
   */
  id?: string;
  kind: OperationKind;
  contract: "ledger" | "points";
  functionName: string;
  /** The call's arguments; bigints are allowed (stored as JSON with bigints encoded). */
  args: readonly unknown[];
  /** The relay key that must send it (a brand's operator key for issue/reverse); default: the first key. */
  signer?: Address;
  subject?: Address;
  controller?: Address;
  purpose?: Hex;
  /** Unique; a second enqueue with the same key returns the first id with created=false. */
  idempotencyKey?: string;
}

export interface OperationError {
  code: string;
  message: string;
}

export interface OperationView {
  id: string;
  kind: OperationKind;
  status: OperationStatus;
  txHash?: Hex;
  blockNumber?: number;
  error?: OperationError;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

/** What the submitter reads of a queued operation. */
export interface QueuedOperation {
  id: string;
  seq: number;
  kind: OperationKind;
  contract: "ledger" | "points";
  functionName: string;
  args: readonly unknown[];
  subject?: Address;
  attempts: number;
  /** Milliseconds since it was queued, by the database's clock. */
  ageMs: number;
}

export class OutboxError extends Error {
  override name = "OutboxError";
}

const KINDS: readonly OperationKind[] = ["grant", "revoke", "revokeAll", "setDelegate", "redeem", "issue", "reverse"];
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

function lower(value: string | undefined, pattern: RegExp, field: string): string | null {
  if (value === undefined) return null;
  if (!pattern.test(value)) throw new OutboxError(`${field} ${value} is not valid hex of the right length`);
  return value.toLowerCase();
}

/**
 * An operation's columns as `operations` stores them (kind, contract, function, args, signer, subject,
 * controller, purpose, idempotency key), after checking what it names; throws OutboxError otherwise.
 */
function operationRow(op: NewOperation): [string, string, string, string, string | null, string | null, string | null, string | null, string | null, string | null] {
  if (!KINDS.includes(op.kind)) throw new OutboxError(`unknown operation kind ${op.kind}`);
  if (op.id !== undefined && !UUID.test(op.id)) throw new OutboxError(`operation id ${op.id} is not a UUID`);
  if (op.contract !== "ledger" && op.contract !== "points") throw new OutboxError(`unknown contract ${op.contract}`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(op.functionName)) throw new OutboxError(`bad function name ${op.functionName}`);
  return [
    op.kind,
    op.contract,
    op.functionName,
    encodeArgs(op.args),
    lower(op.signer, ADDRESS, "signer"),
    lower(op.subject, ADDRESS, "subject"),
    lower(op.controller, ADDRESS, "controller"),
    lower(op.purpose, BYTES32, "purpose"),
    op.idempotencyKey ?? null,
    op.id ?? null,
  ];
}

/** Queues a chain action. Call it inside the transaction that records its cause. */
export async function enqueueOperation(tx: Queryable, op: NewOperation): Promise<{ id: string; created: boolean }> {
  const params = operationRow(op);
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO operations (kind, contract, function_name, args, signer, subject, controller, purpose, idempotency_key, id)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, COALESCE($10::uuid, gen_random_uuid()))
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id`,
    params,
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  const existing = await tx.query<{ id: string }>("SELECT id FROM operations WHERE idempotency_key = $1", [op.idempotencyKey]);
  if (!existing.rows[0]) throw new OutboxError("operation conflicted but cannot be found");
  return { id: existing.rows[0].id, created: false };
}

/**
 * Queues several chain actions in one statement (a group commit's), in the order given, each with its own
 * idempotency key (required here): the ids in the same order, an action whose key was queued before keeps that
 * first id (created=false). The same checks as `enqueueOperation`.
 */
export async function enqueueOperations(tx: Queryable, ops: readonly NewOperation[]): Promise<{ id: string; created: boolean }[]> {
  if (ops.length === 0) return [];
  const rows = ops.map((op) => {
    if (op.idempotencyKey === undefined) throw new OutboxError("operations queued together each need an idempotency key");
    return operationRow(op);
  });
  const column = (i: number) => rows.map((r) => r[i]);
  const inserted = await tx.query<{ id: string; key: string }>(
    `INSERT INTO operations (kind, contract, function_name, args, signer, subject, controller, purpose, idempotency_key, id)
     SELECT k, c, f, a::jsonb, s, sub, ctl, p, key, COALESCE(i::uuid, gen_random_uuid())
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
            WITH ORDINALITY AS q(k, c, f, a, s, sub, ctl, p, key, i, n)
      ORDER BY n
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id::text AS id, idempotency_key AS key`,
    [column(0), column(1), column(2), column(3), column(4), column(5), column(6), column(7), column(8), column(9)],
  );
  const created = new Map(inserted.rows.map((r) => [r.key, r.id]));
  const keys = rows.map((r) => r[8]!);
  const missing = keys.filter((k) => !created.has(k));
  const existing = new Map<string, string>();
  if (missing.length > 0) {
    const found = await tx.query<{ id: string; key: string }>("SELECT id::text AS id, idempotency_key AS key FROM operations WHERE idempotency_key = ANY($1::text[])", [missing]);
    for (const r of found.rows) existing.set(r.key, r.id);
  }
  return keys.map((key) => {
    const fresh = created.get(key);
    if (fresh) return { id: fresh, created: true };
    const first = existing.get(key);
    if (!first) throw new OutboxError("operation conflicted but cannot be found");
    return { id: first, created: false };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface OperationRow {
  [key: string]: unknown;
  id: string;
  kind: OperationKind;
  status: OperationStatus;
  tx_hash: string | null;
  block_number: number | null;
  error_code: string | null;
  error_message: string | null;
  created_at: Date;
  updated_at: Date;
}

/** An operation's state as the API shows it; undefined for an unknown (or malformed) id. */
export async function getOperation(db: Queryable, id: string): Promise<OperationView | undefined> {
  if (!UUID.test(id)) return undefined;
  const r = await db.query<OperationRow>(
    `SELECT id, kind, status, tx_hash, block_number, error_code, error_message, created_at, updated_at
     FROM operations WHERE id = $1`,
    [id],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const view: OperationView = {
    id: row.id,
    kind: row.kind,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
  if (row.tx_hash) view.txHash = row.tx_hash as Hex;
  if (row.block_number !== null) view.blockNumber = row.block_number;
  if (row.error_code) view.error = { code: row.error_code, message: row.error_message ?? row.error_code };
  return view;
}

interface QueuedRow {
  [key: string]: unknown;
  id: string;
  seq: number;
  kind: OperationKind;
  contract: "ledger" | "points";
  function_name: string;
  args: unknown;
  subject: string | null;
  attempts: number;
  age_ms: number;
}

/**
 * The next queued operations of one key, in submission order: first every ledger action of a subject
 * that has a revocation waiting (its earlier actions must go before it, the ledger's nonce is sequential
 * per subject), then the rest first in, first out. The priority is bounded: at most `prioritySubjects`
 * subjects (oldest revocation first), and none whose actions failed `subjectFailuresMax` times in 24 hours.
 */
export async function nextQueued(
  db: Queryable,
  signer: Address,
  isDefault: boolean,
  limit: number,
  bounds: { prioritySubjects: number; subjectFailuresMax: number } = { prioritySubjects: 8, subjectFailuresMax: 3 },
): Promise<QueuedOperation[]> {
  const r = await db.query<QueuedRow>(
    `SELECT o.id, o.seq, o.kind, o.contract, o.function_name, o.args, o.subject, o.attempts,
            (extract(epoch FROM now() - o.created_at) * 1000)::float8 AS age_ms
     FROM operations o
     WHERE o.status = 'queued' AND (o.signer = $1 OR ($2 AND o.signer IS NULL))
     ORDER BY CASE WHEN o.contract = 'ledger' AND o.subject IN (
                SELECT p.subject FROM (
                  SELECT r.subject, min(r.seq) AS first FROM operations r
                   WHERE r.status = 'queued' AND r.kind IN ('revoke', 'revokeAll') AND r.subject IS NOT NULL
                     AND (r.signer = $1 OR ($2 AND r.signer IS NULL))
                     AND (SELECT count(*) FROM operations f
                           WHERE f.subject = r.subject AND f.status = 'failed' AND f.updated_at > now() - interval '24 hours') < $5
                   GROUP BY r.subject ORDER BY first LIMIT $4) p)
              THEN 0 ELSE 1 END,
              o.seq
     LIMIT $3`,
    [signer.toLowerCase(), isDefault, limit, bounds.prioritySubjects, bounds.subjectFailuresMax],
  );
  return r.rows.map((row) => ({
    id: row.id,
    seq: row.seq,
    kind: row.kind,
    contract: row.contract,
    functionName: row.function_name,
    args: decodeArgs(row.args),
    subject: (row.subject ?? undefined) as Address | undefined,
    attempts: row.attempts,
    ageMs: Number(row.age_ms),
  }));
}

/** Fails queued operations (a call that reverts in simulation); returns how many were still queued. */
export async function failQueued(db: Queryable, ids: readonly string[], error: OperationError): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.query(
    `UPDATE operations SET status = 'failed', error_code = $2, error_message = $3, updated_at = now()
     WHERE id = ANY($1::uuid[]) AND status = 'queued'`,
    [ids, error.code, error.message.slice(0, 2000)],
  );
  return r.rowCount;
}

/** The operations a transaction carries (still submitted on it), as the submitter encodes them. */
export async function opsOfTransaction(db: Queryable, txId: number): Promise<QueuedOperation[]> {
  const r = await db.query<QueuedRow>(
    `SELECT id, seq, kind, contract, function_name, args, subject, attempts, 0::float8 AS age_ms
       FROM operations WHERE tx_id = $1 AND status = 'submitted' ORDER BY seq`,
    [txId],
  );
  return r.rows.map((row) => ({
    id: row.id,
    seq: row.seq,
    kind: row.kind,
    contract: row.contract,
    functionName: row.function_name,
    args: decodeArgs(row.args),
    subject: (row.subject ?? undefined) as Address | undefined,
    attempts: row.attempts,
    ageMs: 0,
  }));
}

/** Which of these operations are still queued. */
export async function stillQueued(db: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await db.query<{ id: string }>("SELECT id::text AS id FROM operations WHERE id = ANY($1::uuid[]) AND status = 'queued'", [ids]);
  return r.rows.map((row) => row.id);
}
