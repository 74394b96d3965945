import crypto from "node:crypto";
import pg from "pg";
import { migratedPgliteImage, openDb, type Db } from "../../server/store/db";

export type DbKind = "pglite" | "postgres";

/** The databases the server suites run against: PGlite always, PostgreSQL too when DATABASE_URL is set. */
export function testDbKinds(): DbKind[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestDb {
  db: Db;
  /** A URL a child process can use to reach the same database (PostgreSQL), or its PGlite folder. */
  databaseUrl?: string;
  dataDir?: string;
  drop(): Promise<void>;
}

/** One migrated PGlite image per test process, which every in-thread test database starts from (a copy). */
let migrated: Promise<Blob> | undefined;

/**
 * A fresh, empty, migrated database. PostgreSQL: a new schema of its own in DATABASE_URL's database
 * (dropped by `drop`), so suites never see each other's rows. PGlite: in memory, or in `dataDir`, in the test's
 * own thread unless PGLITE_WORKER=true, copied from a migrated image made once (creating and migrating
 * each one took 3 to 4 s of CPU): the worker thread is tested on its own (test/store-pglite-worker.test.ts)
 * and by every suite that starts a relay process (the relay's default), and a thread per suite database would
 * only add CPU to a 2-core CI.
 */
export async function openTestDb(kind: DbKind, opts: { dataDir?: string; preparedStatements?: boolean } = {}): Promise<TestDb> {
  if (kind === "pglite") {
    const pgliteWorker = process.env.PGLITE_WORKER === "true";
    // A folder may hold a database already (a test reopening it): only a new in-memory one is a copy.
    const loadDataDir = pgliteWorker || opts.dataDir ? undefined : await (migrated ??= migratedPgliteImage());
    const db = await openDb({ dataDir: opts.dataDir, pgliteWorker, loadDataDir });
    return { db, dataDir: opts.dataDir, drop: () => db.close() };
  }
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("DATABASE_URL is not set");
  const schema = `t_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${schema}`);
  const databaseUrl = url.toString();
  const db = await openDb({ databaseUrl, poolSize: 5, preparedStatements: opts.preparedStatements });
  return {
    db,
    databaseUrl,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}
