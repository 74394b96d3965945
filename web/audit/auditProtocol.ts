import type { Address, Hex } from "viem";
import type { AuditReport, ChainHistory, ConsentReceipt, ControllerSeen, ExportCheck, VerifyReceiptReturnType } from "../../client/audit";

/**
 * The messages between the auditor's page and its worker (audit.worker.ts), which reads the chain and
 * hashes, so that the page stays responsive through a 10,000-action history. Values cross as structured
 * clones (bigints included).
 */
export type AuditRequest =
  | { kind: "controllers"; rpcUrl: string; ledger: Address; fromBlock?: bigint }
  | { kind: "audit"; rpcUrl: string; ledger: Address; controller: Address; fromBlock?: bigint; toBlock?: bigint }
  | { kind: "export"; texts: string[] }
  | { kind: "consentAt"; subject: Address; purpose: Hex; time?: number; block?: bigint }
  | { kind: "receipt"; rpcUrl: string; receiptText: string };

export interface AuditAnswers {
  controllers: ControllerSeen[];
  audit: { report: AuditReport; history: ChainHistory; elapsedMs: number };
  export: ExportCheck;
  consentAt: NonNullable<AuditReport["consentAt"]>;
  receipt: { receipt: ConsentReceipt; result: VerifyReceiptReturnType };
}

export type AuditProgress = { phase: "logs" | "blocks"; done: number; total: number; records: number };

export type WorkerMessage =
  | { id: number; progress: AuditProgress }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; field?: string } };
