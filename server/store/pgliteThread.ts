import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Db, Procedure, Queryable, QueryResult, Row } from "./db";
import { receiveError, type Answer, type Ready, type Request, type SentError } from "./pgliteMessages";

/**
 * PGlite in a worker thread (pgliteWorker.ts), behind the same `Db` as PGlite in the relay's own thread: its
 * WebAssembly runs on another core while this thread parses requests and checks signatures. Values and errors
 * come back as PGlite gives them (pgliteMessages.ts); each call is one message each way. A transaction's
 * function runs here, each of its queries in the worker's open transaction; PGlite orders everything else
 * (a query outside the transaction waits for it to end, as in one thread).
 *
 * The worker keeps the process alive only while a call is waiting for it. If it dies, every waiting and later
 * call is refused with the reason, and `onError` is told once. `close()` closes PGlite and ends the thread.
 */
export interface PgliteWorkerOptions {
  /** PGlite's data folder (created beforehand); unset: in memory. */
  dataDir?: string;
  /** Told once when the worker fails (an uncaught error, or the thread ending unasked); default: stderr. */
  onError?: (err: Error) => void;
}

export interface PgliteWorkerDb extends Db {
  /** The thread PGlite runs in (tests end it to check how a dead worker is reported). */
  readonly worker: Worker;
}

type Call = Request extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;
type Answered = Extract<Answer, { ok: true }>;

/** How long `close()` lets the worker end by itself after PGlite has closed, before stopping it. */
const CLOSE_WAIT_MS = 5000;

const reportToStderr = (err: Error) => process.stderr.write(`${err.message}\n`);

export async function openPgliteWorker(options: PgliteWorkerOptions = {}): Promise<PgliteWorkerDb> {
  const onError = options.onError ?? reportToStderr;
  const worker = startWorker(options.dataDir);
  await whenReady(worker);

  const waiting = new Map<number, { resolve(a: Answered): void; reject(err: Error): void }>();
  let nextId = 0;
  let nextTx = 0;
  /** Why calls are refused from now on: the worker failed, or the database was closed. */
  let refused: Error | undefined;
  let closing = false;
  let failed = false;

  const rejectWaiting = (err: Error) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    if (!closing) refused = err;
    rejectWaiting(err);
    onError(err);
  };
  worker.on("message", (a: Answer) => {
    const w = waiting.get(a.id);
    if (!w) return;
    waiting.delete(a.id);
    if (waiting.size === 0) worker.unref();
    if (a.ok) w.resolve(a);
    else w.reject(receiveError(a.error));
  });
  worker.on("error", (err) => fail(new Error(`the PGlite worker failed: ${err.message}`, { cause: err })));
  worker.on("exit", (code) => {
    const err = new Error(`the PGlite worker exited unexpectedly (exit code ${code})`);
    if (closing) rejectWaiting(err);
    else fail(err);
  });
  worker.unref();

  const call = (request: Call): Promise<Answered> =>
    new Promise((resolve, reject) => {
      if (refused) return reject(refused);
      const id = ++nextId;
      try {
        worker.postMessage({ ...request, id });
      } catch (err) {
        return reject(err);
      }
      if (waiting.size === 0) worker.ref();
      waiting.set(id, { resolve, reject });
    });

  /**
   * Outside a transaction, or inside transaction `tx`: its first statement opens it in the worker (BEGIN and the
   * statement in one message), and none is sent once it has ended.
   */
  const queryable = (tx?: { id: number; begun: boolean; closed: boolean }): Queryable => {
    const target = () => {
      if (!tx) return {};
      if (tx.closed) throw new Error("Transaction is closed");
      const begin = !tx.begun;
      tx.begun = true;
      return { tx: tx.id, begin };
    };
    return {
      async query<T extends Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
        const a = await call({ op: "query", sql, params, ...target() });
        return { rows: a.rows as T[], rowCount: a.rowCount! };
      },
      async exec(sql: string): Promise<void> {
        await call({ op: "exec", sql, ...target() });
      },
    };
  };

  return {
    kind: "pglite",
    worker,
    ...queryable(),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      if (refused) throw refused;
      const tx = { id: ++nextTx, begun: false, closed: false };
      // A transaction that runs no statement has nothing to end.
      const end = (commit: boolean) => (tx.begun ? call({ op: "end", tx: tx.id, commit }) : undefined);
      let result: T;
      try {
        result = await fn(queryable(tx));
      } catch (err) {
        tx.closed = true;
        // The statement's error is the one to report (as with PostgreSQL): a transaction that could not begin has nothing to roll back.
        await end(false)?.catch(() => undefined);
        throw err;
      }
      tx.closed = true;
      await end(true);
      return result;
    },
    async run<A, R>(p: Procedure<A, R>, args: A): Promise<R> {
      const a = await call({ op: "run", module: p.module, name: p.name, args });
      return a.value as R;
    },
    async close(): Promise<void> {
      if (refused) {
        closing = true;
        await worker.terminate();
        throw refused;
      }
      closing = true;
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      const closed = call({ op: "close" });
      // Calls made from now on are refused as PGlite refuses them once closed; those made before are answered first.
      refused = new Error("PGlite is closed");
      try {
        await closed;
      } finally {
        worker.ref(); // until it has ended (the answer unref'd it)
        // The worker ends once it has answered; should anything keep it alive, it is stopped.
        const stop = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
        await exited;
        clearTimeout(stop);
      }
    },
  };
}

/** The worker's file beside this one: compiled JavaScript as is, TypeScript through ts-node (tests, `npm run relay`). */
function startWorker(dataDir: string | undefined): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `pgliteWorker${ext}`);
  const workerData = { dataDir };
  if (ext !== ".ts") return new Worker(file, { workerData });
  const tsNode = require.resolve("ts-node");
  // Unless ts-node is preloaded in every thread already (node -r ts-node/register, inherited by the worker).
  const bootstrap = `if (!require.extensions[".ts"]) require(${JSON.stringify(tsNode)}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(__dirname)} });
require(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}

function whenReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      worker.off("message", onMessage);
      worker.off("exit", onExit);
      reject(err);
    };
    const onMessage = (m: Ready) => {
      worker.off("error", onStartError);
      worker.off("exit", onExit);
      if (m.ready) return resolve();
      void worker.terminate();
      reject(receiveError(m.error as SentError));
    };
    const onStartError = (err: Error) => fail(new Error(`the PGlite worker failed to start: ${err.message}`, { cause: err }));
    const onExit = (code: number) => fail(new Error(`the PGlite worker exited before PGlite was open (exit code ${code})`));
    worker.once("message", onMessage);
    worker.once("error", onStartError);
    worker.once("exit", onExit);
  });
}
