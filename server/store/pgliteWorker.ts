/**
 * The PGlite worker thread (started by pgliteThread.ts): opens PGlite in `workerData.dataDir` (in memory when
 * unset) and answers the relay thread's requests in the order they arrive. Each is handed to PGlite at once,
 * so PGlite's own locks order them exactly as they would in the relay's thread: a query outside a transaction
 * waits for the open transaction to end; a transaction's queries run inside it. A procedure (db.ts) runs here
 * whole, its statements going to PGlite without crossing threads, ordered by PGlite with everything else.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Answer, Ready, Request } from "./pgliteMessages";
import { pgliteDb, type Db, type Procedure } from "./db";
import { PgliteStatements } from "./pgliteStatements";
import { sendError } from "./pgliteMessages";
import { INT8, parseInt8 } from "./valueTypes";

const port = parentPort;
if (!port) throw new Error("pgliteWorker.ts runs in a worker thread (see pgliteThread.ts)");

/** Thrown into PGlite's transaction callback to have it roll back. */
const ROLLBACK = Symbol("rollback");

interface OpenTransaction {
  /** PGlite's transaction once it has begun; rejects when it could not begin. */
  open: Promise<Transaction>;
  /** Ends PGlite's callback: true commits, false rolls back. */
  finish(commit: boolean): void;
  /** PGlite's transaction, settled once COMMIT or ROLLBACK has run. */
  done: Promise<unknown>;
}

async function main(): Promise<void> {
  const { dataDir } = workerData as { dataDir?: string };
  let lite: PGlite;
  try {
    lite = await PGlite.create(dataDir, { parsers: { [INT8]: parseInt8 } });
  } catch (err) {
    port!.postMessage({ ready: false, error: sendError(err) } satisfies Ready);
    return;
  }
  const transactions = new Map<number, OpenTransaction>();
  /** PGlite as the procedures see it: the same `Db` as PGlite in the relay's thread. */
  const db: Db = pgliteDb(lite);
  const statements = PgliteStatements.for(lite);
  const procedureOf = (module: string, name: string): Procedure<unknown, unknown> => {
    const p = (require(module) as Record<string, Procedure<unknown, unknown> | undefined>)[name];
    if (!p || typeof p.body !== "function") throw new Error(`${module} exports no procedure ${name}`);
    return p;
  };

  const answer = (id: number, work: Promise<Omit<Extract<Answer, { ok: true }>, "id" | "ok">>) =>
    work.then(
      (result) => port!.postMessage({ id, ok: true, ...result } satisfies Answer),
      (err) => port!.postMessage({ id, ok: false, error: sendError(err) } satisfies Answer),
    );

  /**
   * Opens transaction `tx` in PGlite (after the transactions and queries handed to it before). Its statements
   * run once it has begun; it ends when the relay's thread sends `end`.
   */
  const begin = (tx: number): OpenTransaction => {
    let finish!: (commit: boolean) => void;
    const ended = new Promise<boolean>((resolve) => (finish = resolve));
    let begun!: (t: Transaction) => void;
    const open = new Promise<Transaction>((resolve) => (begun = resolve));
    const t: OpenTransaction = { open, finish, done: Promise.resolve() };
    t.done = lite.transaction(async (pgTx) => {
      begun(pgTx);
      if (!(await ended)) throw ROLLBACK;
    });
    // Could not begin: the statements waiting for it get that error, and the transaction is forgotten.
    t.open = Promise.race([open, t.done.then(() => Promise.reject(new Error(`transaction ${tx} ended before it began`)))]);
    t.open.catch(() => transactions.delete(tx));
    transactions.set(tx, t);
    return t;
  };

  /** Where a statement runs: PGlite itself, or the open transaction it names (opened by it when `begin`). */
  const target = async (m: { tx?: number; begin?: boolean }) => {
    if (m.tx === undefined) return lite;
    const t = m.begin ? begin(m.tx) : transactions.get(m.tx);
    if (!t) throw new Error(`transaction ${m.tx} is not open in the PGlite worker`);
    return t.open;
  };

  port!.on("message", (m: Request) => {
    switch (m.op) {
      case "query":
        answer(
          m.id,
          (async () => {
            const on = await target(m);
            // A transaction's statements are prepared once (pgliteStatements.ts), as in the relay's thread.
            const r = on === lite ? await lite.query(m.sql, m.params as unknown[]) : await statements.query(on as Transaction, m.sql, m.params);
            return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
          })(),
        );
        return;
      case "exec":
        answer(
          m.id,
          (async () => {
            await (await target(m)).exec(m.sql);
            return {};
          })(),
        );
        return;
      case "run":
        answer(
          m.id,
          (async () => ({ value: await procedureOf(m.module, m.name).body(db, m.args) }))(),
        );
        return;
      case "end": {
        const t = transactions.get(m.tx);
        if (!t) {
          answer(m.id, Promise.reject(new Error(`transaction ${m.tx} is not open in the PGlite worker`)));
          return;
        }
        transactions.delete(m.tx);
        t.finish(m.commit);
        answer(
          m.id,
          t.done.then(
            () => ({}),
            (err) => {
              if (err === ROLLBACK) return {};
              throw err;
            },
          ),
        );
        return;
      }
      case "close":
        // Then the thread ends by itself (its 'exit' handlers run, unlike when it is terminated).
        void answer(
          m.id,
          lite.close().then(() => ({})),
        ).then(() => port!.close());
        return;
      default:
        throw new Error(`the PGlite worker got an unknown request: ${JSON.stringify(m)}`);
    }
  });
  port!.postMessage({ ready: true } satisfies Ready);
}

void main();
