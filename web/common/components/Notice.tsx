import type { ReactNode } from "react";

/**
 * A message in a box: `status` (polite live region) for progress and results, `alert` for what went
 * wrong and needs the reader's attention.
 */
export function Notice({ tone = "info", children }: { tone?: "info" | "success" | "error"; children: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}
