import { useEffect, useMemo, useState } from "react";
import type { Address } from "viem";
import { useI18n } from "../common/i18n/useI18n";
import { Notice } from "../common/components/Notice";
import { useDataRequest, type DataRequestState } from "./useDataRequest";
import { yourDataText, type YourDataKey } from "./yourDataTexts";

/** "Your data": download everything the relay holds about the wallet, or erase it, by one signed DataRequest. */
export function YourData({ address }: { address: Address }) {
  const { lang } = useI18n();
  const say = (key: YourDataKey, vars?: Record<string, string | number>) => yourDataText(lang, key, vars);
  const { state, run, pending } = useDataRequest(address);
  const [confirmed, setConfirmed] = useState(false);
  return (
    <section className="card" aria-labelledby="your-data-title" data-testid="your-data">
      <h2 id="your-data-title">{say("title")}</h2>
      <p>{say("intro")}</p>
      <button type="button" className="primary" disabled={pending} onClick={() => void run("access")}>
        {say("download")}
      </button>
      <label>
        <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> {say("confirm")}
      </label>
      <button type="button" disabled={pending || !confirmed} onClick={() => void run("erase")}>
        {say("erase")}
      </button>
      <Outcome state={state} say={say} address={address} />
    </section>
  );
}

function Outcome({ state, say, address }: { state: DataRequestState; say: (key: YourDataKey, vars?: Record<string, string | number>) => string; address: Address }) {
  const file = useMemo(() => (state.stage === "done" && state.answer.kind === "access" ? URL.createObjectURL(new Blob([JSON.stringify(state.answer, null, 2)], { type: "application/json" })) : null), [state]);
  useEffect(() => () => void (file && URL.revokeObjectURL(file)), [file]);
  if (state.stage === "idle") return null;
  if (state.stage === "signing") return <Notice>{say("signing")}</Notice>;
  if (state.stage === "sending") return <Notice>{say("sending")}</Notice>;
  if (state.stage === "refused") return <Notice tone="error">{say("refused")}</Notice>;
  if (state.stage === "failed") return <Notice tone="error">{say("failed", { message: state.message })}</Notice>;
  const a = state.answer;
  if (a.kind === "access") {
    const rows = Object.values(a.data).reduce((n, t) => n + t.rows.length, 0);
    return (
      <Notice tone="success">
        {say("downloaded", { rows })}{" "}
        <a href={file ?? undefined} download={`confiance-${address.toLowerCase()}.json`}>
          {say("saveFile")}
        </a>
      </Notice>
    );
  }
  const erased = Object.entries(a.report.erased).map(([table, n]) => `${table} ${n}`).join(", ");
  return (
    <Notice tone="success">
      <p>{say("erased", { list: erased })}</p>
      <p>{say("kept")}:</p>
      <ul>
        {a.report.kept.map((k) => (
          <li key={k.table}>
            {k.description} ({k.rows}): {k.reason}
          </li>
        ))}
      </ul>
      <p>
        {say("onChain")}: {a.report.onChain}
      </p>
    </Notice>
  );
}
