import { useCallback, useEffect, useRef } from "react";
import { startAuditWorker, type AuditWorker } from "./auditWorker";

/**
 * The room's worker: started when the room opens (its code loads while the auditor types, not after the
 * click) and ended when the room is left.
 */
export function useAuditWorker(): () => AuditWorker {
  const ref = useRef<AuditWorker | null>(null);
  const get = useCallback(() => (ref.current ??= startAuditWorker()), []);
  useEffect(() => {
    get();
    return () => {
      ref.current?.terminate();
      ref.current = null;
    };
  }, [get]);
  return get;
}
