import fs from "node:fs/promises";
import path from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import pg from "pg";
import { openPgliteWorker } from "./pgliteThread";
import { PgliteStatements } from "./pgliteStatements";
import { PgStatementNames } from "./pgStatements";
import { DatabaseError, INT8, parseInt8 } from "./valueTypes";

export { DatabaseError };

/**
 * One SQL dialect (PostgreSQL) over two drivers: PGlite, embedded in the process with its data in a
 * folder, and a PostgreSQL server through `pg`. Callers see the same interface and the same value
 * types from both: int8 as `number` (refused past 2^53), numeric as `string`, timestamptz as `Date`.
 * Store amounts (uint256) as `numeric(78,0)` and addresses and hashes as lower-case hex `text`.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<T extends Row = Row> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec?(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a procedure where the database is (see `Procedure`). */
  run<A, R>(procedure: Procedure<A, R>, args: A): Promise<R>;
  close(): Promise<void>;
  readonly kind: "pglite" | "postgres";
}

/**
 * Work on the database that runs where the database is: in PGlite's worker thread when PGlite runs there, so
 * that its statements cost no message each to and from this thread (which is busy with HTTP under load), and
 * in this thread otherwise (PGlite here, PostgreSQL). Its arguments and result cross threads by structured
 * clone: plain data (objects, arrays, strings, numbers, bigints, Dates, Uint8Arrays), no class instances or
 * functions. The worker loads it as export `name` of `module` (the file defining it, `__filename`). A refusal
 * belongs in its result (as data): what it throws reaches the caller as the database's own errors do, with
 * PostgreSQL's and PGlite's error classes and fields kept, any other class as a plain Error with its fields.
 */
export interface Procedure<A, R> {
  readonly module: string;
  readonly name: string;
  readonly body: (db: Db, args: A) => Promise<R>;
}

/** A procedure exported as `name` from `module` (pass `__filename`). */
export function procedure<A, R>(module: string, name: string, body: (db: Db, args: A) => Promise<R>): Procedure<A, R> {
  return { module, name, body };
}

export interface OpenDbOptions {
  /** A `postgres://` URL selects PostgreSQL; otherwise PGlite is used. */
  databaseUrl?: string;
  /** PGlite data folder; omitted means in memory (tests). */
  dataDir?: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /**
   * PostgreSQL: run each statement text as a named prepared statement (default). False for a connection pooler
   * in transaction mode that does not keep prepared statements (PgBouncer before 1.21, or without
   * `max_prepared_statements`): each statement is then parsed and planned on every call.
   */
  preparedStatements?: boolean;
  /** PGlite in a worker thread (default) rather than in this thread (PGLITE_WORKER). */
  pgliteWorker?: boolean;
  /** Told when PGlite's worker fails (the relay logs it); default: stderr. */
  onWorkerError?: (err: Error) => void;
  /**
   * PGlite in this thread: start from this image of a data folder (`migratedPgliteImage`) instead of creating
   * an empty database, which takes PGlite about 2 s of CPU.
   */
  loadDataDir?: Blob;
}

export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  const db = options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.preparedStatements ?? true) : await openPglite(options);
  await migrate(db);
  return db;
}

async function openPglite({ dataDir, pgliteWorker = true, onWorkerError, loadDataDir }: OpenDbOptions): Promise<Db> {
  if (dataDir) await fs.mkdir(dataDir, { recursive: true });
  if (pgliteWorker) {
    if (loadDataDir) throw new Error("loadDataDir is for PGlite in this thread (pgliteWorker: false)");
    return openPgliteWorker({ dataDir, onError: onWorkerError });
  }
  return pgliteDb(await PGlite.create(dataDir, { parsers: { [INT8]: parseInt8 }, loadDataDir }));
}

/**
 * An image of an empty database with every migration applied (PGlite's `dumpDataDir`, uncompressed): open
 * copies of it with `loadDataDir`, at a fraction of the cost of creating and migrating each one.
 */
export async function migratedPgliteImage(): Promise<Blob> {
  const lite = await PGlite.create({ parsers: { [INT8]: parseInt8 } });
  try {
    await migrate(pgliteDb(lite));
    return await lite.dumpDataDir("none");
  } finally {
    await lite.close();
  }
}

/** `Db` over a PGlite in this thread (also the worker's own view of its PGlite, pgliteWorker.ts). */
export function pgliteDb(lite: PGlite): Db {
  const wrap = (q: { query: PGlite["query"]; exec: PGlite["exec"] }): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      const r = await q.query<T>(sql, params as unknown[]);
      return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  const statements = PgliteStatements.for(lite);
  // Inside a transaction, statements are prepared once (pgliteStatements.ts).
  const inTransaction = (tx: Transaction): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      const r = await statements.query<T>(tx, sql, params);
      return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
    },
    async exec(sql: string) {
      await tx.exec(sql);
    },
  });
  const db: Db = {
    kind: "pglite",
    ...wrap(lite),
    transaction: (fn) => lite.transaction((tx) => fn(inTransaction(tx))),
    run: (p, args) => p.body(db, args),
    close: () => lite.close(),
  };
  return db;
}

function openPostgres(url: string, max: number, prepared: boolean): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on("error", () => {
    /* idle client errors surface on the next query */
  });
  const statements = prepared ? new PgStatementNames() : undefined;
  const wrap = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      const name = statements?.nameOf(sql);
      try {
        const r = await q.query<T>({ name, text: sql, values: params as unknown[] });
        return { rows: r.rows, rowCount: r.rowCount ?? r.rows.length };
      } catch (err) {
        statements?.failed(sql, err);
        throw err;
      }
    },
    async exec(sql: string) {
      await q.query(sql);
    },
  });
  const db: Db = {
    kind: "postgres",
    ...wrap(pool),
    run: (p, args) => p.body(db, args),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(wrap(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  return db;
}

const MIGRATIONS_DIR = path.join(__dirname, "migrations");

/**
 * Applies, in file-name order, every `migrations/NNN_name.sql` not yet recorded in
 * `schema_migrations`, each in its own transaction. An advisory lock keeps two relay instances
 * starting together against one PostgreSQL from racing.
 */
export async function migrate(db: Db): Promise<string[]> {
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(727274)");
    await tx.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = new Set((await tx.query<{ name: string }>("SELECT name FROM schema_migrations")).rows.map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      const script = await fs.readFile(path.join(MIGRATIONS_DIR, file), "utf8");
      await (tx.exec ? tx.exec(script) : tx.query(script));
      await tx.query("INSERT INTO schema_migrations (name) VALUES ($1)", [file]);
      applied.push(file);
    }
  });
  return applied;
}
