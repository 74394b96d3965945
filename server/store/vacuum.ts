import type { Queryable } from "./db";

/** What one pass did: the tables vacuumed (and analysed), and those only analysed. */
export interface VacuumPass {
  vacuumed: string[];
  analyzed: string[];
}

/** PostgreSQL's autovacuum defaults: a table is vacuumed, or analysed, past threshold + scale × its live rows. */
const VACUUM_THRESHOLD = 50;
const VACUUM_SCALE = 0.2;
const INSERT_THRESHOLD = 1000;
const INSERT_SCALE = 0.2;
const ANALYZE_THRESHOLD = 50;
const ANALYZE_SCALE = 0.1;

type TableStats = {
  name: string;
  live: number;
  dead: number;
  modified: number;
  inserted: number;
};

/**
 * PGlite's stand-in for autovacuum, which PGlite does not run. Without it, dead row versions pile up for ever
 * and planner statistics never change: a table updated all the time (the outbox's `operations`, whose partial
 * index of queued operations kept every operation ever queued) makes each read slower than the last (the
 * submitter's poll went from under 1 ms to 11 ms after 8,000 purchases). Each pass applies autovacuum's own rule
 * to every table of the schema, from PostgreSQL's activity counters: `VACUUM (ANALYZE)` once the dead rows, or
 * the rows inserted since the last vacuum, pass its threshold; `ANALYZE` once the rows changed since the last
 * analysis do. PGlite has one connection, so a pass holds the database while it runs: the relay runs one every
 * PGLITE_VACUUM_INTERVAL_MS, each with what changed since the last. PostgreSQL runs its own autovacuum.
 */
export async function vacuumPglite(db: Queryable): Promise<VacuumPass> {
  // The counters are flushed at the end of a transaction at most once a second: flushed now.
  await db.query("SELECT pg_stat_force_next_flush()");
  const { rows } = await db.query<TableStats>(
    `SELECT relname AS name, n_live_tup::int AS live, n_dead_tup::int AS dead, n_mod_since_analyze::int AS modified, n_ins_since_vacuum::int AS inserted
       FROM pg_stat_user_tables WHERE schemaname = current_schema() ORDER BY relname`,
  );
  const pass: VacuumPass = { vacuumed: [], analyzed: [] };
  for (const t of rows) {
    const table = `"${t.name.replace(/"/g, '""')}"`;
    if (t.dead > VACUUM_THRESHOLD + VACUUM_SCALE * t.live || t.inserted > INSERT_THRESHOLD + INSERT_SCALE * t.live) {
      await db.query(`VACUUM (ANALYZE) ${table}`);
      pass.vacuumed.push(t.name);
    } else if (t.modified > ANALYZE_THRESHOLD + ANALYZE_SCALE * t.live) {
      await db.query(`ANALYZE ${table}`);
      pass.analyzed.push(t.name);
    }
  }
  return pass;
}
