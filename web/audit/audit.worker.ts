/// <reference lib="webworker" />
import {
  auditClient,
  auditHistory,
  checkExport,
  consentAtQuery,
  describeEndpoint,
  listControllers,
  parseExport,
  parseReceipt,
  verifyReceipt,
  type ChainHistory,
} from "../../client/audit";
import type { AuditAnswers, AuditRequest, WorkerMessage } from "./auditProtocol";

/**
 * The auditor's page's worker: reads the ledger's logs from the endpoint, recomputes the history chain,
 * and keeps the history for the questions that follow (an export to check, a consent at a time).
 */
declare const self: DedicatedWorkerGlobalScope;

let current: { history: ChainHistory; rpcUrl: string } | null = null;

async function answer(id: number, req: AuditRequest): Promise<AuditAnswers[AuditRequest["kind"]]> {
  switch (req.kind) {
    case "controllers":
      return listControllers({ client: auditClient(req.rpcUrl), ledger: req.ledger, fromBlock: req.fromBlock });
    case "audit": {
      const started = performance.now();
      current = null;
      const { report, history } = await auditHistory({
        rpcUrl: req.rpcUrl,
        ledger: req.ledger,
        controller: req.controller,
        fromBlock: req.fromBlock,
        toBlock: req.toBlock,
        onProgress: (p) => post({ id, progress: { phase: p.phase, done: Number(p.done), total: Number(p.total), records: p.records } }),
      });
      current = { history, rpcUrl: req.rpcUrl };
      return { report, history, elapsedMs: performance.now() - started };
    }
    case "export": {
      const history = need();
      // Pages handed over as separate files: joined in the order given (CSV headers repeat, JSON pages are arrays).
      const records = req.texts.flatMap((text) => parseExport(text, history.controller));
      return checkExport(history, records);
    }
    case "consentAt":
      return consentAtQuery({
        client: auditClient(current!.rpcUrl),
        endpoint: describeEndpoint(current!.rpcUrl),
        history: need(),
        query: { subject: req.subject, purpose: req.purpose, time: req.time, block: req.block },
      });
    case "receipt": {
      const receipt = parseReceipt(req.receiptText);
      return { receipt, result: await verifyReceipt({ client: auditClient(req.rpcUrl), rpcUrl: req.rpcUrl, receipt }) };
    }
  }
}

function need(): ChainHistory {
  if (!current) throw new Error("verify a history first");
  return current.history;
}

function post(message: WorkerMessage): void {
  self.postMessage(message);
}

self.onmessage = (event: MessageEvent<{ id: number; request: AuditRequest }>) => {
  const { id, request } = event.data;
  answer(id, request).then(
    (value) => post({ id, ok: true, value }),
    (err: Error & { field?: string }) => post({ id, ok: false, error: { name: err.name, message: err.message, field: err.field } }),
  );
};
