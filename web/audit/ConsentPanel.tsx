import { useId, useState, type FormEvent } from "react";
import { isAddress, type Address, type Hex } from "viem";
import type { AuditReport } from "../../client/audit";
import { categoryNames } from "../../client/categories";
import { purposeName, resolvePurpose } from "../../client/purposes";
import { Notice } from "../common/components/Notice";
import { useAuditText } from "./messages";
import { TxLink } from "./TxLink";

type Answer = NonNullable<AuditReport["consentAt"]>;
export type ConsentAsk = { subject: Address; purpose: Hex; time?: number; block?: bigint };

/** "Was this consent active at this time?": customer, purpose, and a time, a block or the verified block. */
export function ConsentPanel({
  purposeIds,
  purposes,
  txUrl,
  onAsk,
}: {
  purposeIds: string[];
  purposes: readonly { id: string; name: string | null }[];
  txUrl: string;
  onAsk(q: ConsentAsk): Promise<Answer>;
}) {
  const { t, formatDate } = useAuditText();
  const ids = useId();
  const [subject, setSubject] = useState("");
  const [purpose, setPurpose] = useState(purposeIds[0] ?? "other");
  const [other, setOther] = useState("");
  const [mode, setMode] = useState<"time" | "block" | "now">("time");
  const [time, setTime] = useState("");
  const [block, setBlock] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [state, setState] = useState<{ status: "idle" | "asking" } | { status: "done"; answer: Answer } | { status: "failed"; message: string }>({ status: "idle" });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!isAddress(subject)) return setInvalid("subject");
    const purposeText = purpose === "other" ? other.trim() : purpose;
    if (!purposeText) return setInvalid("purpose");
    const q: ConsentAsk = { subject: subject as Address, purpose: resolvePurpose(purposeText) };
    if (mode === "time") {
      const ms = Date.parse(time);
      if (Number.isNaN(ms)) return setInvalid("time");
      q.time = Math.floor(ms / 1000);
    } else if (mode === "block") {
      if (!/^\d+$/.test(block)) return setInvalid("block");
      q.block = BigInt(block);
    }
    setInvalid(null);
    setState({ status: "asking" });
    try {
      setState({ status: "done", answer: await onAsk(q) });
    } catch (err) {
      setState({ status: "failed", message: (err as Error).message });
    }
  };
  const name = (id: string) => purposeName({ id, purposes }) ?? id;
  const errorOf = (field: string, text: string) =>
    invalid === field ? (
      <p id={`${ids}-${field}-err`} className="field-error">
        {text}
      </p>
    ) : null;
  const a = state.status === "done" ? state.answer : null;

  return (
    <section className="card" aria-labelledby="consent-title">
      <h2 id="consent-title">{t("consent.title")}</h2>
      <form onSubmit={submit} noValidate>
        <label htmlFor={`${ids}-subject`}>{t("consent.subject")}</label>
        <input id={`${ids}-subject`} value={subject} onChange={(e) => setSubject(e.target.value.trim())} spellCheck={false} autoComplete="off" aria-invalid={invalid === "subject"} aria-describedby={invalid === "subject" ? `${ids}-subject-err` : undefined} />
        {errorOf("subject", t("source.invalidAddress"))}
        <label htmlFor={`${ids}-purpose`}>{t("consent.purpose")}</label>
        <select id={`${ids}-purpose`} value={purpose} onChange={(e) => setPurpose(e.target.value)}>
          {purposeIds.map((id) => (
            <option key={id} value={id}>
              {name(id)}
            </option>
          ))}
          <option value="other">{t("consent.purposeOther")}</option>
        </select>
        {purpose === "other" ? (
          <>
            <label htmlFor={`${ids}-other`}>{t("consent.purposeId")}</label>
            <input id={`${ids}-other`} value={other} onChange={(e) => setOther(e.target.value)} spellCheck={false} aria-invalid={invalid === "purpose"} />
          </>
        ) : null}
        <fieldset>
          <legend>{t("consent.when")}</legend>
          {(["time", "block", "now"] as const).map((m) => (
            <label key={m} className="choice">
              <input type="radio" name={`${ids}-mode`} value={m} checked={mode === m} onChange={() => setMode(m)} /> {t(`consent.${m}`)}
            </label>
          ))}
        </fieldset>
        {mode === "time" ? (
          <>
            <label htmlFor={`${ids}-time`}>{t("consent.timeValue")}</label>
            <input id={`${ids}-time`} type="datetime-local" step={1} value={time} onChange={(e) => setTime(e.target.value)} aria-invalid={invalid === "time"} />
          </>
        ) : null}
        {mode === "block" ? (
          <>
            <label htmlFor={`${ids}-block`}>{t("consent.blockValue")}</label>
            <input id={`${ids}-block`} inputMode="numeric" value={block} onChange={(e) => setBlock(e.target.value.trim())} aria-invalid={invalid === "block"} aria-describedby={invalid === "block" ? `${ids}-block-err` : undefined} />
            {errorOf("block", t("source.invalidBlock"))}
          </>
        ) : null}
        <button type="submit" className="primary" disabled={state.status === "asking"}>
          {t("consent.ask")}
        </button>
      </form>
      {state.status === "failed" ? <Notice tone="error">{t("result.failed", { message: state.message })}</Notice> : null}
      {a ? (
        <div className="consent-answer">
          <Notice tone={a.active ? "success" : "info"}>
            <p>
              <strong>{t(a.active ? "consent.active" : "consent.notActive", { reason: a.reason, time: `${formatDate(a.time * 1000, true)}${a.block !== null ? ` (${t("result.block").toLowerCase()} ${a.block})` : ""}` })}</strong>
            </p>
            {a.grantedAt !== null ? (
              <p>
                {t("consent.grant", {
                  time: formatDate(a.grantedAt * 1000, true),
                  expires: a.expiresAt ? formatDate(a.expiresAt * 1000, true) : t("consent.never"),
                  categories: categoryNames(BigInt(a.categories ?? "0")).join(", ") || "-",
                })}
              </p>
            ) : null}
          </Notice>
          <h3>{t("consent.evidence")}</h3>
          {a.evidence.length ? (
            <ul className="evidence">
              {a.evidence.map((ev) => (
                <li key={String(ev.seq)}>
                  #{String(ev.seq)} {t(`action.${(["", "grant", "revoke", "revoke-all"] as const)[ev.action] as "grant" | "revoke" | "revoke-all"}`)} · {formatDate(ev.timestamp * 1000, true)} · {t("result.block")} {String(ev.blockNumber)} · <TxLink hash={ev.txHash} template={txUrl} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="empty">{t("consent.noEvidence")}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
