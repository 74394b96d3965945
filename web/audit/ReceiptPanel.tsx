import { useId, useState, type FormEvent } from "react";
import type { ConsentReceipt, VerifyReceiptReturnType } from "../../client/audit";
import { Notice } from "../common/components/Notice";
import { useAuditText } from "./messages";

/** Verify a customer's receipt against the chain alone (needs the endpoint only; the ledger is in the receipt). */
export function ReceiptPanel({ onVerify }: { onVerify(text: string): Promise<{ receipt: ConsentReceipt; result: VerifyReceiptReturnType }> }) {
  const { t } = useAuditText();
  const ids = useId();
  const [text, setText] = useState("");
  const [state, setState] = useState<{ status: "idle" | "verifying" } | { status: "done"; receipt: ConsentReceipt; result: VerifyReceiptReturnType } | { status: "failed"; message: string }>({ status: "idle" });

  const verify = async (input: string) => {
    setState({ status: "verifying" });
    try {
      setState({ status: "done", ...(await onVerify(input)) });
    } catch (err) {
      setState({ status: "failed", message: (err as Error).message });
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void verify(text);
  };
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    const content = await file.text();
    setText(content);
    void verify(content);
  };
  const r = state.status === "done" ? state : null;

  return (
    <section className="card" aria-labelledby="receipt-title">
      <h2 id="receipt-title">{t("receipt.title")}</h2>
      <p className="muted">{t("receipt.intro")}</p>
      <form onSubmit={onSubmit}>
        <label htmlFor={`${ids}-file`}>{t("receipt.choose")}</label>
        <input id={`${ids}-file`} type="file" accept=".json,application/json" onChange={(e) => void onFile(e.target.files?.[0])} />
        <label htmlFor={`${ids}-text`}>{t("receipt.paste")}</label>
        <textarea id={`${ids}-text`} rows={6} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        <button type="submit" className="primary" disabled={state.status === "verifying" || !text.trim()}>
          {t("receipt.verify")}
        </button>
      </form>
      {state.status === "verifying" ? <Notice>{t("working")}</Notice> : null}
      {state.status === "failed" ? <Notice tone="error">{t("receipt.invalid", { message: state.message })}</Notice> : null}
      {r ? (
        <>
          <Notice tone={r.result.ok ? "success" : "error"}>
            <p>
              <strong>
                {r.result.ok
                  ? t("receipt.ok", { type: r.receipt.event.type, seq: r.receipt.evidence.seq })
                  : t("receipt.rejected", { field: r.result.firstFailure!.field, message: r.result.firstFailure!.message ?? "" })}
              </strong>
            </p>
          </Notice>
          <div className="table-scroll" role="region" aria-label={t("receipt.title")} tabIndex={0}>
            <table className="checks">
              <thead>
                <tr>
                  <th scope="col">{t("receipt.field")}</th>
                  <th scope="col">{t("receipt.result")}</th>
                  <th scope="col">{t("receipt.receipt")}</th>
                  <th scope="col">{t("receipt.chain")}</th>
                </tr>
              </thead>
              <tbody>
                {r.result.checks.map((c, i) => (
                  <tr key={i} data-field={c.field} data-ok={c.ok}>
                    <th scope="row">{c.field}</th>
                    <td>{c.ok ? "ok" : t("receipt.fails", { message: c.message ?? "" })}</td>
                    <td className="hash">{c.receipt}</td>
                    <td className="hash">{c.chain ?? "-"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
