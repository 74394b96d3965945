import { TransactionAbortedError, protocol } from "@electric-sql/pglite";
import { DatabaseError } from "./valueTypes";

/**
 * The messages between the relay's thread and its PGlite worker (pgliteThread.ts, pgliteWorker.ts), and how an
 * error crosses between them. Rows, parameters and values cross by structured clone, which keeps every type the
 * store returns as it is: numbers, strings, booleans, null, Date, arrays, plain objects (jsonb), Uint8Array.
 */
export type Request =
  /** `begin`: the first statement of transaction `tx`, which this message opens (one message, not two). */
  | { op: "query"; id: number; sql: string; params: readonly unknown[]; tx?: number; begin?: boolean }
  | { op: "exec"; id: number; sql: string; tx?: number; begin?: boolean }
  /** Ends transaction `tx`: COMMIT, or ROLLBACK when `commit` is false. */
  | { op: "end"; id: number; tx: number; commit: boolean }
  /** Runs the procedure exported as `name` by `module` with `args` on the worker's PGlite (db.ts, `Procedure`). */
  | { op: "run"; id: number; module: string; name: string; args: unknown }
  | { op: "close"; id: number };

export type Answer =
  | { id: number; ok: true; rows?: unknown[]; rowCount?: number; value?: unknown }
  | { id: number; ok: false; error: SentError };

/** The worker's first message: PGlite is open (or could not be). */
export type Ready = { ready: true } | { ready: false; error: SentError };

/**
 * An error as it crosses: its class (one of those callers may test), message, stack, and its own fields
 * (PostgreSQL's `code`, `constraint`, `detail`... and PGlite's `query`, `params`).
 */
export interface SentError {
  kind: "postgres" | "aborted" | "int8" | "other";
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

const PgDatabaseError = protocol.messages.DatabaseError;

export function sendError(err: unknown): SentError {
  if (!(err instanceof Error)) return { kind: "other", name: "Error", message: String(err), fields: {} };
  const kind = err instanceof TransactionAbortedError ? "aborted" : err instanceof PgDatabaseError ? "postgres" : err instanceof DatabaseError ? "int8" : "other";
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (key === "message" || key === "stack") continue;
    try {
      fields[key] = structuredClone(value);
    } catch {
      fields[key] = String(value);
    }
  }
  return { kind, name: err.name, message: err.message, stack: err.stack, fields };
}

/** The error as the caller would have had it from PGlite in its own thread: the same class, message and fields. */
export function receiveError(sent: SentError): Error {
  let err: Error;
  switch (sent.kind) {
    case "aborted":
      err = new TransactionAbortedError();
      break;
    case "postgres":
      err = new PgDatabaseError(sent.message, 0, "error");
      break;
    case "int8":
      err = new DatabaseError(sent.message);
      break;
    default:
      err = new Error(sent.message);
      if (sent.name !== "Error") Object.defineProperty(err, "name", { value: sent.name, configurable: true, writable: true });
  }
  Object.assign(err, sent.fields);
  if (sent.stack) err.stack = `${sent.stack}\n    (in the PGlite worker thread)`;
  return err;
}
