/**
 * Audit verification time for 10,000 actions: the audit engineer's `benchAudit()` (scripts/bench/audit.ts).
 * Loaded at run time so the rest of the benchmarks still run if that module is missing.
 */
export interface AuditFigures {
  available: boolean;
  /** Rows for the table: what was timed and the figure, as benchAudit reported it. */
  rows: { measure: string; median: number; min: number; max: number; unit: string; note: string }[];
  reason?: string;
  raw?: unknown;
}

export async function runAuditBench(): Promise<AuditFigures> {
  let mod: { benchAudit?: (...args: unknown[]) => Promise<unknown> };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require("./audit") as typeof mod;
  } catch (err) {
    return { available: false, rows: [], reason: `scripts/bench/audit.ts cannot be loaded: ${(err as Error).message.split("\n")[0]}` };
  }
  if (typeof mod.benchAudit !== "function") return { available: false, rows: [], reason: "scripts/bench/audit.ts exports no benchAudit()" };
  const raw = await mod.benchAudit();
  return { available: true, rows: [], raw };
}
