import { useState } from "react";
import * as api from "./brandApi";
import { useBrandMutation, useBrandQuery } from "./useBrandConsole";
import { useBrandText } from "./messages";

/** The earning rule: shown, and edited (its computation is the relay's). */
export function RuleSection({ apiKey, pointsPerUnit }: { apiKey: string; pointsPerUnit: string }) {
  const { t } = useBrandText();
  const [value, setValue] = useState(pointsPerUnit);
  const save = useBrandMutation(apiKey, (relay, key, v: string) => api.setEarningRule(relay, key, v));
  return (
    <section className="card" aria-labelledby="rule-title">
      <h2 id="rule-title">{t("rule.title")}</h2>
      <p data-testid="rule">{t("rule.current", { points: pointsPerUnit })}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(value);
        }}
      >
        <label htmlFor="rule-value">{t("rule.label")}</label>
        <input id="rule-value" inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} required />
        <button type="submit" disabled={save.isPending}>
          {t("rule.save")}
        </button>
        <p role="status">{save.isSuccess ? t("rule.saved") : save.error ? t("failed", { message: save.error.message }) : ""}</p>
      </form>
    </section>
  );
}

/** Consents per purpose: counts only. */
export function ConsentsSection({ apiKey }: { apiKey: string }) {
  const { t } = useBrandText();
  const counts = useBrandQuery("consents", apiKey, api.getConsentCounts);
  return (
    <section className="card" aria-labelledby="consents-title">
      <h2 id="consents-title">{t("consents.title")}</h2>
      {counts.isPending && <p>{t("loading")}</p>}
      {counts.error && <p role="alert">{t("failed", { message: counts.error.message })}</p>}
      {counts.data?.length === 0 && <p>{t("consents.empty")}</p>}
      {counts.data && counts.data.length > 0 && (
        <table data-testid="consents">
          <thead>
            <tr>
              <th scope="col">{t("consents.purpose")}</th>
              <th scope="col">{t("consents.granted")}</th>
              <th scope="col">{t("consents.revoked")}</th>
              <th scope="col">{t("consents.expired")}</th>
            </tr>
          </thead>
          <tbody>
            {counts.data.map((c) => (
              <tr key={c.purpose}>
                <th scope="row">{c.name ?? c.purpose}</th>
                <td>{c.granted}</td>
                <td>{c.revoked}</td>
                <td>{c.expired}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The consent history export, from the audit API (JSON or CSV, verified against the ledger). */
export function ExportSection({ brand }: { brand: string }) {
  const { t } = useBrandText();
  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">{t("export.title")}</h2>
      <p>{t("export.intro")}</p>
      <div className="buttons">
        <a href={api.historyExportUrl(brand, "json")} download={`consent-history-${brand}.json`}>
          {t("export.json")}
        </a>
        <a href={api.historyExportUrl(brand, "csv")} download={`consent-history-${brand}.csv`}>
          {t("export.csv")}
        </a>
      </div>
    </section>
  );
}
