import { Counter, type Registry } from "prom-client";

export interface AuditVerifyMetrics {
  verifications: Counter<"result">;
  hashed: Counter;
}

/** The audit API's verification costs: answers computed or served from the cache, and records re-hashed. */
export function auditVerifyMetrics(registry: Registry): AuditVerifyMetrics {
  const existing = registry.getSingleMetric("relay_audit_verifications_total") as Counter<"result"> | undefined;
  return {
    verifications:
      existing ??
      new Counter({ name: "relay_audit_verifications_total", help: "verify=true answers, computed or from the per-block cache", labelNames: ["result"], registers: [registry] }),
    hashed:
      (registry.getSingleMetric("relay_audit_records_hashed_total") as Counter | undefined) ??
      new Counter({ name: "relay_audit_records_hashed_total", help: "History records re-hashed by verify=true (each once, incrementally)", registers: [registry] }),
  };
}
