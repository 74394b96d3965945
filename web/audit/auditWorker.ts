import type { AuditAnswers, AuditProgress, AuditRequest, WorkerMessage } from "./auditProtocol";

/** A failure in the worker, with the error's class name (EndpointError, ExportFormatError, InvalidReceiptError...). */
export class AuditWorkerError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The page's side of the worker: one promise per request, progress through a callback. */
export interface AuditWorker {
  run<K extends AuditRequest["kind"]>(request: Extract<AuditRequest, { kind: K }>, onProgress?: (p: AuditProgress) => void): Promise<AuditAnswers[K]>;
  terminate(): void;
}

export function startAuditWorker(): AuditWorker {
  const worker = new Worker(new URL("./audit.worker.ts", import.meta.url), { type: "module", name: "audit" });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; onProgress?: (p: AuditProgress) => void }>();
  worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
    const m = event.data;
    const p = pending.get(m.id);
    if (!p) return;
    if ("progress" in m) return p.onProgress?.(m.progress);
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new AuditWorkerError(m.error.name, m.error.message, m.error.field));
  };
  return {
    run(request, onProgress) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
        worker.postMessage({ id, request });
      });
    },
    terminate: () => worker.terminate(),
  };
}
