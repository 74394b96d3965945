import { useState, type DragEvent } from "react";
import type { ExportCheck } from "../../client/audit";
import { describeDiscrepancy } from "../../client/audit/compareExport";
import { Notice } from "../common/components/Notice";
import { useAuditText } from "./messages";

/** Drop or choose the brand's export files; the worker checks them against the verified history. */
export function ExportPanel({ onCheck }: { onCheck(files: File[]): Promise<ExportCheck> }) {
  const { t } = useAuditText();
  const [state, setState] = useState<{ status: "idle" } | { status: "checking"; count: number } | { status: "done"; check: ExportCheck; names: string } | { status: "failed"; message: string }>({ status: "idle" });
  const [over, setOver] = useState(false);

  const check = async (files: File[]) => {
    if (files.length === 0) return;
    setState({ status: "checking", count: files.length });
    try {
      const result = await onCheck(files);
      setState({ status: "done", check: result, names: files.map((f) => f.name).join(", ") });
    } catch (err) {
      setState({ status: "failed", message: (err as Error).message });
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void check([...e.dataTransfer.files]);
  };

  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">{t("export.title")}</h2>
      <p className="muted">{t("export.intro")}</p>
      <div
        className={`drop-zone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p aria-hidden="true">{t("export.drop")}</p>
        <label htmlFor="export-files">{t("export.choose")}</label>
        <input id="export-files" type="file" multiple accept=".json,.csv,application/json,text/csv" onChange={(e) => void check([...(e.target.files ?? [])])} />
      </div>
      {state.status === "checking" ? <Notice>{t("export.checking", { count: state.count })}</Notice> : null}
      {state.status === "failed" ? <Notice tone="error">{t("export.invalid", { message: state.message })}</Notice> : null}
      {state.status === "done" ? (
        <>
          <Notice tone={state.check.ok ? "success" : "error"}>
            <p>{state.check.ok ? t("export.ok", { count: state.check.records }) : t("export.rejected", { count: state.check.discrepancies.length })}</p>
            <p className="muted">{state.names}</p>
          </Notice>
          {state.check.discrepancies.length ? (
            <>
              <h3>{t("export.differences")}</h3>
              <ol className="differences" aria-label={t("export.differences")}>
                {state.check.discrepancies.map((d, i) => (
                  <li key={i} data-position={d.position} data-kind={d.kind}>
                    {describeDiscrepancy(d)}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
