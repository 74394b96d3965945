import crypto from "node:crypto";
import pg from "pg";
import { openDb, type Db } from "../../server/store/db";

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

/**
 * A fresh, empty, migrated database. PostgreSQL: a new schema of its own in DATABASE_URL's database
 * (dropped by `drop`), so suites never see each other's rows. PGlite: in memory, or in `dataDir`, in the test's
 * own thread unless PGLITE_WORKER=true: the worker thread is tested on its own (test/store-pglite-worker.test.ts)
 * and by every suite that starts a relay process (the relay's default), and a thread per suite database would
 * only add CPU to a 2-core CI.
 */
export async function openTestDb(kind: DbKind, opts: { dataDir?: string } = {}): Promise<TestDb> {
  if (kind === "pglite") {
    const db = await openDb({ dataDir: opts.dataDir, pgliteWorker: process.env.PGLITE_WORKER === "true" });
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
  const db = await openDb({ databaseUrl, poolSize: 5 });
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
