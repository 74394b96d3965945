import { expect } from "chai";
import fc from "fast-check";
import { openTestDb, testDbKinds } from "./support/db";
import { migrate } from "../server/store/db";
import { vacuumPglite } from "../server/store/vacuum";

for (const kind of testDbKinds()) {
  describe(`store (${kind})`, () => {
    it("applies migrations once and returns the same value types from both drivers", async () => {
      const t = await openTestDb(kind);
      try {
        expect(await migrate(t.db)).to.deep.equal([]);
        const { rows, rowCount } = await t.db.query("SELECT 9007199254740991::int8 AS a, 12::numeric AS b, $1::text AS c", ["x"]);
        expect(rows).to.deep.equal([{ a: 9007199254740991, b: "12", c: "x" }]);
        expect(rowCount).to.equal(1);
        await expectRejects(t.db.query("SELECT 9007199254740992::int8 AS a"), /beyond 2\^53/);
      } finally {
        await t.drop();
      }
    });

    it("rolls a failed transaction back and commits a good one", async () => {
      const t = await openTestDb(kind);
      try {
        await expectRejects(
          t.db.transaction(async (tx) => {
            await tx.query("INSERT INTO meta (key, value) VALUES ('a', '1')");
            throw new Error("boom");
          }),
          /boom/,
        );
        await t.db.transaction((tx) => tx.query("INSERT INTO meta (key, value) VALUES ('b', '2')"));
        const { rows } = await t.db.query("SELECT key, value FROM meta ORDER BY key");
        expect(rows).to.deep.equal([{ key: "b", value: "2" }]);
      } finally {
        await t.drop();
      }
    });

    it("answers a transaction's statements the same each time they run (prepared once per connection), and after their table changes", async () => {
      const t = await openTestDb(kind);
      try {
        const sql = "SELECT * FROM meta WHERE key = ANY($1::text[]) ORDER BY key";
        await t.db.query("INSERT INTO meta (key, value) VALUES ('p1', 'a'), ('p2', 'b')");
        for (let i = 0; i < 8; i++) {
          expect((await t.db.transaction((tx) => tx.query(sql, [["p1", "p2", `none-${i}`]]))).rows).to.deep.equal([
            { key: "p1", value: "a" },
            { key: "p2", value: "b" },
          ]);
        }
        // Prepared on the connection that ran it (PGlite's one, or the pool's), not parsed again per call.
        const prepared = await t.db.transaction(async (tx) => {
          await tx.query(sql, [["p1"]]);
          return (await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1 AND NOT from_sql", [sql])).rows[0]!.n;
        });
        expect(prepared).to.equal(1);
        const insert = "INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[])";
        expect((await t.db.transaction((tx) => tx.query(insert, [["p3", "p4"], ["c", "d"]]))).rowCount).to.equal(2);
        expect((await t.db.transaction((tx) => tx.query(insert, [["p5"], ["e"]]))).rowCount).to.equal(1);
        // The statement reads a table whose shape changes: at most the next transaction fails, then it is prepared again.
        await t.db.query("ALTER TABLE meta ADD COLUMN extra text");
        await t.db.transaction((tx) => tx.query(sql, [["p1"]])).catch((err: { code?: string }) => expect(err.code).to.equal("0A000"));
        expect((await t.db.transaction((tx) => tx.query(sql, [["p1"]]))).rows).to.deep.equal([{ key: "p1", value: "a", extra: null }]);
      } finally {
        await t.drop();
      }
    });

    if (kind === "postgres") {
      it("runs statements unnamed with DATABASE_PREPARED_STATEMENTS=false (a pooler in transaction mode), with the same answers", async () => {
        const t = await openTestDb(kind, { preparedStatements: false });
        try {
          const sql = "SELECT key, value FROM meta WHERE key = ANY($1::text[]) ORDER BY key";
          await t.db.query("INSERT INTO meta (key, value) VALUES ('u1', 'a')");
          const { rows, kept } = await t.db.transaction(async (tx) => ({
            rows: (await tx.query(sql, [["u1", "u2"]])).rows,
            kept: (await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE NOT from_sql")).rows[0]!.n,
          }));
          expect([rows, kept]).to.deep.equal([[{ key: "u1", value: "a" }], 0]);
        } finally {
          await t.drop();
        }
      });
    }

    it("keeps relay_visit_counts equal to the count and latest of relay_visits over random inserts, deletes and updates", async () => {
      const t = await openTestDb(kind);
      const brands = ["0xb1", "0xb2"];
      const subjects = ["0xc1", "0xc2", "0xc3"];
      const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
      const pair = fc.record({ brand: fc.constantFrom(...brands), subject: fc.constantFrom(...subjects) });
      const step = fc.oneof(
        // Several visits in one statement (as a device-event batch writes them), pairs repeated within it.
        fc.record({ op: fc.constant("insert" as const), rows: fc.array(fc.record({ pair, minute: fc.integer({ min: 0, max: 500 }) }), { minLength: 1, maxLength: 6 }) }),
        fc.record({ op: fc.constant("erase" as const), pair }),
        fc.record({ op: fc.constant("removeBrand" as const), brand: fc.constantFrom(...brands) }),
        fc.record({ op: fc.constant("deleteLatest" as const), pair }),
        fc.record({ op: fc.constant("move" as const), from: pair, to: pair }),
      );
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
            await t.db.query("DELETE FROM relay_visits");
            for (const s of steps) {
              await t.db.transaction(async (tx) => {
                if (s.op === "insert") {
                  await tx.query("INSERT INTO relay_visits (brand, store_id, subject, seen_at) SELECT b, 's1', c, t FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS q(b, c, t)", [
                    s.rows.map((r) => r.pair.brand),
                    s.rows.map((r) => r.pair.subject),
                    s.rows.map((r) => at(r.minute)),
                  ]);
                } else if (s.op === "erase") {
                  await tx.query("DELETE FROM relay_visits WHERE brand = $1 AND subject = $2", [s.pair.brand, s.pair.subject]);
                } else if (s.op === "removeBrand") {
                  await tx.query("DELETE FROM relay_visits WHERE brand = $1", [s.brand]);
                } else if (s.op === "deleteLatest") {
                  await tx.query("DELETE FROM relay_visits WHERE id = (SELECT id FROM relay_visits WHERE brand = $1 AND subject = $2 ORDER BY seen_at DESC, id DESC LIMIT 1)", [s.pair.brand, s.pair.subject]);
                } else {
                  await tx.query("UPDATE relay_visits SET brand = $3, subject = $4 WHERE brand = $1 AND subject = $2", [s.from.brand, s.from.subject, s.to.brand, s.to.subject]);
                }
              });
            }
            const summary = "SELECT brand, subject, visits, last_seen FROM relay_visit_counts ORDER BY brand, subject";
            const truth = "SELECT brand, subject, count(*)::int AS visits, max(seen_at) AS last_seen FROM relay_visits GROUP BY brand, subject ORDER BY brand, subject";
            expect((await t.db.query(summary)).rows).to.deep.equal((await t.db.query(truth)).rows);
          }),
          { numRuns: 40 },
        );
      } finally {
        await t.drop();
      }
    });
  });
}

describe("store: PGlite's vacuum pass (autovacuum's rule)", () => {
  it("vacuums and analyses a table once its dead rows pass the threshold, and leaves a quiet one alone", async () => {
    const t = await openTestDb("pglite");
    try {
      const dead = async (table: string) => {
        await t.db.query("SELECT pg_stat_force_next_flush()");
        return (await t.db.query<{ dead: number }>("SELECT n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname = $1", [table])).rows[0]!.dead;
      };
      await t.db.query("INSERT INTO meta (key, value) SELECT 'k' || g, 'a' FROM generate_series(1, 400) g");
      expect((await vacuumPglite(t.db)).analyzed).to.include("meta"); // 400 rows changed: analysed
      await t.db.query("UPDATE meta SET value = 'b' WHERE key LIKE 'k%'");
      expect(await dead("meta")).to.equal(400);
      const pass = await vacuumPglite(t.db);
      expect(pass.vacuumed).to.include("meta");
      expect(pass.vacuumed).to.not.include("relay_visits");
      expect(await dead("meta")).to.equal(0);
      // Below the threshold (50 + 20% of 400 live rows): nothing to do.
      await t.db.query("UPDATE meta SET value = 'c' WHERE key IN ('k1', 'k2', 'k3')");
      expect(await vacuumPglite(t.db)).to.deep.equal({ vacuumed: [], analyzed: [] });
      expect((await t.db.query("SELECT value FROM meta WHERE key = 'k2'")).rows).to.deep.equal([{ value: "c" }]);
    } finally {
      await t.drop();
    }
  });
});

async function expectRejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(String(err)).to.match(pattern);
    return;
  }
  expect.fail("expected a rejection");
}
