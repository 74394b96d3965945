import { benchAudit, type AuditBenchRow } from "./audit";

/** Audit verification time for 10,000 actions: the audit engineer's `benchAudit()` (scripts/bench/audit.ts). */
export interface AuditFigures {
  available: boolean;
  actions: number;
  rows: AuditBenchRow[];
  reason?: string;
}

export async function runAuditBench(runs: number, actions = 10_000): Promise<AuditFigures> {
  try {
    const r = await benchAudit({ actions, runs, log: (line) => process.stderr.write(`  ${line}\n`) });
    return { available: true, actions: r.actions, rows: r.rows };
  } catch (err) {
    return { available: false, actions, rows: [], reason: `benchAudit() failed: ${(err as Error).name}: ${(err as Error).message.split("\n")[0]}` };
  }
}
