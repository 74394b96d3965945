import { useEffect, useRef } from "react";
import { startAuditWorker, type AuditWorker } from "./auditWorker";

/** The room's worker, started on first use and ended when the room is left. */
export function useAuditWorker(): () => AuditWorker {
  const ref = useRef<AuditWorker | null>(null);
  useEffect(() => () => {
    ref.current?.terminate();
    ref.current = null;
  }, []);
  return () => (ref.current ??= startAuditWorker());
}
