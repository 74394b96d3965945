/**
 * The PGlite worker thread (started by pgliteThread.ts): opens PGlite in `workerData.dataDir` (in memory when
 * unset) and answers the relay thread's requests in the order they arrive. Each is handed to PGlite at once,
 * so PGlite's own locks order them exactly as they would in the relay's thread: a query outside a transaction
 * waits for the open transaction to end; a transaction's queries run inside it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Answer, Ready, Request } from "./pgliteMessages";
import { sendError } from "./pgliteMessages";
import { INT8, parseInt8 } from "./valueTypes";

const port = parentPort;
if (!port) throw new Error("pgliteWorker.ts runs in a worker thread (see pgliteThread.ts)");

/** Thrown into PGlite's transaction callback to have it roll back. */
const ROLLBACK = Symbol("rollback");

interface OpenTransaction {
  /** Set once PGlite has begun it. */
  tx?: Transaction;
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

  const answer = (id: number, work: Promise<Omit<Extract<Answer, { ok: true }>, "id" | "ok">>) =>
    work.then(
      (result) => port!.postMessage({ id, ok: true, ...result } satisfies Answer),
      (err) => port!.postMessage({ id, ok: false, error: sendError(err) } satisfies Answer),
    );

  /** Where a request runs: PGlite itself, or the open transaction it names. */
  const target = (tx: number | undefined) => {
    if (tx === undefined) return lite;
    const t = transactions.get(tx)?.tx;
    if (!t) throw new Error(`transaction ${tx} is not open in the PGlite worker`);
    return t;
  };

  port!.on("message", (m: Request) => {
    switch (m.op) {
      case "query":
        answer(
          m.id,
          (async () => {
            const r = await target(m.tx).query(m.sql, m.params as unknown[]);
            return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
          })(),
        );
        return;
      case "exec":
        answer(
          m.id,
          (async () => {
            await target(m.tx).exec(m.sql);
            return {};
          })(),
        );
        return;
      case "begin": {
        let finish!: (commit: boolean) => void;
        const ended = new Promise<boolean>((resolve) => (finish = resolve));
        let begun!: () => void;
        const open = new Promise<void>((resolve) => (begun = resolve));
        const t: OpenTransaction = { finish, done: Promise.resolve() };
        t.done = lite.transaction(async (tx) => {
          t.tx = tx;
          begun();
          if (!(await ended)) throw ROLLBACK;
        });
        transactions.set(m.tx, t);
        // Answered when PGlite has begun it, or with the error that kept it from beginning.
        answer(m.id, Promise.race([open.then(() => ({})), t.done.then(() => ({}))]));
        t.done.catch(() => {
          if (!t.tx) transactions.delete(m.tx);
        });
        return;
      }
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
