import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import { AggregatorRegistry, type Registry } from "prom-client";

/** What a worker tells the primary (IPC): it listens; it wants the metrics of every worker. */
export type WorkerMessage = { listening: { url: string; startupMs: number } } | { metricsRequest: number };
/** What the primary tells a worker (IPC): stop as on SIGTERM; the metrics asked for. */
export type PrimaryMessage = { stop: true } | { metricsReply: number; text?: string; error?: string };

const METRICS_TIMEOUT_MS = 5000;

/** A worker that dies after it served is started again after this long. */
const RESTART_MS = 1000;

/**
 * The primary process of RELAY_WORKERS > 1 (node:cluster): starts that many relay processes, each a full
 * relay instance on the shared PostgreSQL (HTTP, submitter, indexer, webhooks, loyalty: the same as
 * several relays on one database, which coordinate through it), serving one port that the primary hands
 * connections out on. It holds no database or chain connection itself.
 *
 * - Start: resolves once every worker listens, with the URL and the time since the primary started.
 *   A worker that exits before it listened is a start-up failure: the others are stopped and the
 *   returned promise rejects with its exit code.
 * - A worker that dies after it served is logged and started again (RESTART_MS later).
 * - `stop()` (SIGTERM or SIGINT to the primary) asks every worker to stop as on SIGTERM, over IPC (a
 *   terminal's Ctrl-C also reaches the workers themselves: they stop once either way), and resolves
 *   with true when all exited 0.
 */
export async function startWorkers(count: number, log: Logger): Promise<{ url: string; startupMs: number; stop(): Promise<boolean> }> {
  let stopping = false;
  let failed = false;
  const listening = new Set<Worker>();
  const exited = new Map<Worker, Promise<number>>();

  const fork = (index: number): Worker => {
    const worker = cluster.fork({ RELAY_WORKER_INDEX: String(index) });
    exited.set(
      worker,
      new Promise((resolve) =>
        worker.once("exit", (code, signal) => {
          const served = listening.delete(worker);
          // What counts for the exit status is how the workers stop when asked; a replaced one does not.
          if (stopping && code !== 0) failed = true;
          if (!stopping && served) {
            exited.delete(worker);
            log.error({ worker: index, pid: worker.process.pid, code, signal }, "relay worker died: starting another");
            setTimeout(() => {
              if (!stopping) fork(index);
            }, RESTART_MS).unref();
          }
          resolve(code ?? 1);
        }),
      ),
    );
    return worker;
  };

  const stop = async (): Promise<boolean> => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send({ stop: true } satisfies PrimaryMessage);
    const codes = await Promise.all([...exited.values()]);
    return !failed && codes.every((c) => c === 0);
  };

  // GET /metrics reaches one worker, which asks here for the sum over all of them (prom-client's aggregation).
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, m: WorkerMessage) => {
    if (!m || !("metricsRequest" in m)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ metricsReply: m.metricsRequest, text } satisfies PrimaryMessage),
      (err: Error) => worker.isConnected() && worker.send({ metricsReply: m.metricsRequest, error: err.message } satisfies PrimaryMessage),
    );
  });

  const workers = Array.from({ length: count }, (_, i) => fork(i));
  const first = await new Promise<{ url: string; startupMs: number }>((resolve, reject) => {
    let url = "";
    for (const [i, worker] of workers.entries()) {
      worker.on("message", (m: WorkerMessage) => {
        if (!m || !("listening" in m)) return;
        listening.add(worker);
        url = m.listening.url;
        if (listening.size === count) resolve({ url, startupMs: Math.round(process.uptime() * 1000) });
      });
      worker.once("exit", (code) => {
        if (!listening.has(worker) && !stopping) reject(new WorkerStartError(`relay worker ${i} exited with code ${code ?? "?"} before it listened`, code ?? 1));
      });
    }
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { ...first, stop };
}

export class WorkerStartError extends Error {
  override name = "WorkerStartError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * In a worker of RELAY_WORKERS > 1: answers the primary's collection of this process's `registry`, and
 * returns the function GET /metrics uses to get the metrics of every worker from the primary.
 */
export function clusterMetricsOfWorker(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // registers this worker's answer to the primary's collection
  const waiting = new Map<number, { resolve(text: string): void; reject(err: Error): void }>();
  let next = 0;
  process.on("message", (m: PrimaryMessage) => {
    if (!m || !("metricsReply" in m)) return;
    const w = waiting.get(m.metricsReply);
    waiting.delete(m.metricsReply);
    if (m.text !== undefined) w?.resolve(m.text);
    else w?.reject(new Error(`metrics of the relay workers: ${m.error ?? "no answer"}`));
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("metrics of the relay workers: the primary did not answer"));
      }, METRICS_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      process.send!({ metricsRequest: id } satisfies WorkerMessage);
    });
}
