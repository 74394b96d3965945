import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { protocol, TransactionAbortedError } from "@electric-sql/pglite";
import { DatabaseError, openDb, type Db } from "../server/store/db";
import { openPgliteWorker, type PgliteWorkerDb } from "../server/store/pgliteThread";
import { failing, misnamed, whereAndEcho } from "./support/procedures";

/**
 * PGlite in its worker thread against PGlite in this thread: the same values, the same errors, the same order
 * of queries around a transaction; and the worker's own life (close, a crash, the process's exit).
 */
describe("store: PGlite in a worker thread", function () {
  this.timeout(120_000);
  let worker: Db;
  let inThread: Db;

  before(async () => {
    [worker, inThread] = await Promise.all([openDb({ pgliteWorker: true }), openDb({ pgliteWorker: false })]);
  });
  after(async () => {
    await Promise.all([worker?.close(), inThread?.close()]);
  });

  const both = async <T>(fn: (db: Db) => Promise<T>): Promise<[T, T]> => [await fn(worker), await fn(inThread)];

  it("runs a procedure whole in the worker thread (PGlite in this thread: here), with the same values and errors", async () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    const values = [at, 12n, { k: [1, null] }, new Uint8Array([1, 2])];
    const args = { sql: "SELECT $1::timestamptz AS at, $2::text AS big, $3::jsonb AS doc, $4::bytea AS bytes", values };
    const [there, here] = await both((db) => db.run(whereAndEcho, args));
    expect(there.isMainThread).to.equal(false);
    expect(there.threadId).to.equal((worker as PgliteWorkerDb).worker.threadId);
    expect(here.isMainThread).to.equal(true);
    expect(there.rows).to.deep.equal(here.rows);
    expect(there.rows).to.deep.equal([{ at, big: "12", doc: { k: [1, null] }, bytes: new Uint8Array([1, 2]) }]);
    expect(there.echo).to.deep.equal(values);
    const [a, b] = await both((db) => db.run(failing, null).then(() => expect.fail("resolved"), (err: Error & { code?: string }) => [err.constructor, err.code, err.message]));
    expect(a).to.deep.equal(b);
    expect(a).to.deep.equal([protocol.messages.DatabaseError, "23502", 'null value in column "key" of relation "meta" violates not-null constraint']);
    const missing = await worker.run(misnamed, undefined).then(() => "resolved", (err: Error) => err.message);
    expect(missing).to.match(/exports no procedure noSuchExport/);
  });

  it("returns every value type as PGlite in the relay's thread does", async () => {
    const sql = `SELECT 9007199254740991::int8 AS big, 12.50::numeric AS amount, $1::timestamptz AS at, $2::jsonb AS doc,
      true AS yes, ARRAY[1, 2]::int8[] AS ints, ARRAY['a', NULL]::text[] AS texts, NULL::text AS nothing, 'x'::text AS word`;
    const at = new Date("2026-01-02T03:04:05.678Z");
    const [a, b] = await both((db) => db.query(sql, [at, JSON.stringify({ k: [1, null, "v"], n: { t: true } })]));
    expect(a).to.deep.equal(b);
    expect(a).to.deep.equal({
      rows: [{ big: 9007199254740991, amount: "12.50", at, doc: { k: [1, null, "v"], n: { t: true } }, yes: true, ints: [1, 2], texts: ["a", null], nothing: null, word: "x" }],
      rowCount: 1,
    });
    expect(a.rows[0]!.at).to.be.instanceOf(Date);
  });

  it("refuses an int8 past 2^53 with the store's DatabaseError", async () => {
    const [a, b] = await both((db) => caught(db.query("SELECT 9007199254740992::int8 AS a")));
    expect(a).to.be.instanceOf(DatabaseError);
    expect([a.name, a.message]).to.deep.equal([b.name, b.message]);
    expect(a.message).to.equal("int8 value 9007199254740992 is beyond 2^53; store it as numeric");
  });

  it("rejects with PostgreSQL's error, its SQLSTATE and fields", async () => {
    await both((db) => db.query("INSERT INTO meta (key, value) VALUES ('dup', '1')"));
    const [a, b] = await both((db) => caught(db.query("INSERT INTO meta (key, value) VALUES ($1, '2')", ["dup"])));
    expect(a).to.be.instanceOf(protocol.messages.DatabaseError);
    expect(fieldsOf(a)).to.deep.equal(fieldsOf(b));
    expect([a.message, (a as { code?: string }).code, (a as { constraint?: string }).constraint]).to.deep.equal([
      'duplicate key value violates unique constraint "meta_pkey"',
      "23505",
      "meta_pkey",
    ]);
    const [c, d] = await both((db) => caught(db.query("SELEC 1")));
    expect(fieldsOf(c)).to.deep.equal(fieldsOf(d));
    expect((c as { code?: string }).code).to.equal("42601");
  });

  it("commits a transaction's work when its function resolves, and returns its value", async () => {
    const [a, b] = await both(async (db) => {
      const n = await db.transaction(async (tx) => {
        await tx.query("INSERT INTO meta (key, value) VALUES ('c1', 'one')");
        await tx.exec!("INSERT INTO meta (key, value) VALUES ('c2', 'two'); UPDATE meta SET value = 'TWO' WHERE key = 'c2'");
        return (await tx.query<{ n: number }>("SELECT count(*)::int8 AS n FROM meta WHERE key LIKE 'c%'")).rows[0]!.n;
      });
      return { n, rows: (await db.query("SELECT key, value FROM meta WHERE key LIKE 'c%' ORDER BY key")).rows };
    });
    expect(a).to.deep.equal(b);
    expect(a).to.deep.equal({ n: 2, rows: [{ key: "c1", value: "one" }, { key: "c2", value: "TWO" }] });
  });

  it("rolls a transaction back when its function throws, with the function's error", async () => {
    const boom = new Error("boom");
    const [a, b] = await both(async (db) => {
      const err = await caught(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO meta (key, value) VALUES ('r1', 'x')");
          throw boom;
        }),
      );
      return { same: err === boom, rows: (await db.query("SELECT key FROM meta WHERE key = 'r1'")).rows };
    });
    expect(a).to.deep.equal(b);
    expect(a).to.deep.equal({ same: true, rows: [] });
  });

  it("refuses to commit a transaction whose statement failed (25P02), and rolls it back", async () => {
    const [a, b] = await both(async (db) => {
      const err = await caught(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO meta (key, value) VALUES ('a1', 'x')");
          await tx.query("SELECT 1/0").catch(() => undefined);
        }),
      );
      return { err, rows: (await db.query("SELECT key FROM meta WHERE key = 'a1'")).rows };
    });
    expect(a.err).to.be.instanceOf(TransactionAbortedError);
    expect([(a.err as { code?: string }).code, a.err.message, a.rows]).to.deep.equal([(b.err as { code?: string }).code, b.err.message, b.rows]);
    expect([(a.err as { code?: string }).code, a.rows]).to.deep.equal(["25P02", []]);
  });

  it("runs a transaction's statements sent together, before its first is answered, all inside it (the first opens it)", async () => {
    const [a, b] = await both(async (db) => {
      const [first, second, third] = await db.transaction((tx) =>
        Promise.all([
          tx.query<{ x: string }>("INSERT INTO meta (key, value) VALUES ('t1', 'x') RETURNING txid_current()::text AS x").then((r) => r.rows[0]!.x),
          tx.query<{ n: number; x: string }>("SELECT count(*)::int AS n, txid_current()::text AS x FROM meta WHERE key = 't1'").then((r) => r.rows[0]!),
          tx.query<{ x: string }>("SELECT txid_current()::text AS x").then((r) => r.rows[0]!.x),
        ]),
      );
      // One transaction id for the three: each statement outside the transaction would have had its own.
      return { sameTransaction: first === second.x && second.x === third, seen: second.n, rows: (await db.query("SELECT key FROM meta WHERE key = 't1'")).rows };
    });
    expect(a).to.deep.equal(b);
    expect(a).to.deep.equal({ sameTransaction: true, seen: 1, rows: [{ key: "t1" }] });
  });

  it("reports a transaction's failing first statement with its own error, and keeps nothing of it", async () => {
    const [a, b] = await both(async (db) => {
      const err = await caught(db.transaction((tx) => tx.query("INSERT INTO meta (key, value) VALUES (NULL, 'first-fails')")));
      return { code: (err as { code?: string }).code, message: err.message, rows: (await db.query("SELECT count(*)::int AS n FROM meta WHERE value = 'first-fails'")).rows };
    });
    expect(a).to.deep.equal(b);
    expect(a.code).to.equal("23502");
    expect(a.rows).to.deep.equal([{ n: 0 }]);
  });

  it("refuses a transaction's queries once it has ended", async () => {
    const [a, b] = await both(async (db) => {
      let kept: { query: Db["query"] } | undefined;
      await db.transaction(async (tx) => {
        kept = tx;
      });
      return (await caught(kept!.query("SELECT 1"))).message;
    });
    expect([a, b]).to.deep.equal(["Transaction is closed", "Transaction is closed"]);
  });

  it("runs queries made outside an open transaction after it ends, in the order PGlite in the relay's thread does", async () => {
    const [a, b] = await both(async (db) => {
      await db.query("INSERT INTO meta (key, value) VALUES ('o1', 'before')");
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let begun!: () => void;
      const inside = new Promise<void>((resolve) => (begun = resolve));
      const tx = db.transaction(async (t) => {
        await t.query("UPDATE meta SET value = 'during' WHERE key = 'o1'");
        begun();
        await gate;
        // A query inside the transaction still runs while the outside one waits.
        order.push(`tx sees ${(await t.query<{ value: string }>("SELECT value FROM meta WHERE key = 'o1'")).rows[0]!.value}`);
        await t.query("UPDATE meta SET value = 'after' WHERE key = 'o1'");
        order.push("tx done");
      });
      await inside;
      const outside = db.query<{ value: string }>("SELECT value FROM meta WHERE key = 'o1'").then((r) => order.push(`outside sees ${r.rows[0]!.value}`));
      await new Promise((resolve) => setTimeout(resolve, 100));
      order.push("released");
      release();
      await Promise.all([tx, outside]);
      return order;
    });
    expect(a).to.deep.equal(b);
    expect(a).to.deep.equal(["released", "tx sees during", "tx done", "outside sees after"]);
  });

  it("closes: the thread ends, later calls are refused as PGlite refuses them, and the data is kept in its folder", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pglite-worker-"));
    try {
      const db = (await openDb({ dataDir: dir })) as PgliteWorkerDb;
      await db.query("INSERT INTO meta (key, value) VALUES ('kept', 'yes')");
      const exited = new Promise<number>((resolve) => db.worker.once("exit", resolve));
      await db.close();
      expect(await exited).to.equal(0);
      expect((await caught(db.query("SELECT 1"))).message).to.equal("PGlite is closed");
      const again = await openDb({ dataDir: dir });
      try {
        expect((await again.query("SELECT value FROM meta WHERE key = 'kept'")).rows).to.deep.equal([{ value: "yes" }]);
      } finally {
        await again.close();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects waiting and later calls with the reason when the worker dies, and reports it once", async () => {
    const reported: string[] = [];
    const db = await openPgliteWorker({ onError: (err) => reported.push(err.message) });
    const waiting = caught(db.query("SELECT pg_sleep(2)"));
    await db.worker.terminate();
    const reason = "the PGlite worker exited unexpectedly (exit code 1)";
    expect((await waiting).message).to.equal(reason);
    expect((await caught(db.query("SELECT 1"))).message).to.equal(reason);
    expect((await caught(db.transaction(async () => undefined))).message).to.equal(reason);
    expect((await caught(db.close())).message).to.equal(reason);
    expect(reported).to.deep.equal([reason]);
  });

  it("reports an uncaught error in the worker as its failure", async () => {
    const reported: string[] = [];
    const db = await openPgliteWorker({ onError: (err) => reported.push(err.message) });
    // The worker throws on the first message, so the query sent after it is never answered.
    db.worker.postMessage({ op: "no such request", id: 0 });
    const waiting = caught(db.query("SELECT 1"));
    const reason = 'the PGlite worker failed: the PGlite worker got an unknown request: {"op":"no such request","id":0}';
    expect((await waiting).message).to.equal(reason);
    expect((await caught(db.query("SELECT 1"))).message).to.equal(reason);
    expect(reported).to.deep.equal([reason]);
    expect((await caught(db.close())).message).to.equal(reason);
  });

  it("does not keep the process alive once its calls are answered (a process that never closes it exits)", () => {
    const script = `require("./server/store/db").openDb().then((db) => db.query("SELECT 41 + 1 AS n")).then((r) => console.log(JSON.stringify(r.rows)));`;
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: path.join(__dirname, ".."),
      encoding: "utf8",
      timeout: 100_000,
    });
    expect([r.status, r.signal, r.stdout]).to.deep.equal([0, null, '[{"n":42}]\n']);
  });
});

async function caught(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection");
}

/** An error's class, message and own fields, less its stack (which differs by thread). */
function fieldsOf(err: Error): Record<string, unknown> {
  const { stack: _stack, ...fields } = Object.fromEntries(Object.entries(err)) as Record<string, unknown>;
  return { class: err.constructor, message: err.message, ...fields };
}
