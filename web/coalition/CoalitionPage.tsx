import { useCallback, useMemo, useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { SecretSignIn } from "../common/components/SecretSignIn";
import { useBrands } from "../common/useBrands";
import { asAmount, checkToken, dayOf, FIGURES, getReport, getReportCsv, pageRelay, periodOf, totals, type Period } from "./coalitionApi";
import { useCoalitionText } from "./messages";
import "./coalition.css";

const TOKEN_KEY = "confiance.adminToken";
const errorText = (err: unknown) => (err as { shortMessage?: string }).shortMessage ?? (err as Error).message;

/** The admin token, kept in this tab's sessionStorage only (never localStorage, a cookie or a URL). */
function useAdminToken(): [string | null, (token: string | null) => void] {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const set = useCallback((v: string | null) => {
    if (v) sessionStorage.setItem(TOKEN_KEY, v);
    else sessionStorage.removeItem(TOKEN_KEY);
    setToken(v);
  }, []);
  return [token, set];
}

/** The coalition report room (route `/coalition`): governance signs in with the admin token, picks a period, reads or downloads the report. */
export default function CoalitionPage() {
  const { t } = useCoalitionText();
  const [token, setToken] = useAdminToken();
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
      {token ? <Report token={token} signOut={() => setToken(null)} /> : <SignIn onToken={setToken} />}
    </>
  );
}

function SignIn({ onToken }: { onToken: (token: string) => void }) {
  const { t } = useCoalitionText();
  const relay = useMemo(() => pageRelay(), []);
  return (
    <SecretSignIn
      id="admin-token"
      texts={{ title: t("signin.title"), label: t("signin.token"), help: t("signin.help"), submit: t("signin.submit") }}
      check={(token) => checkToken(relay, token)}
      failed={(err) => t("signin.failed", { message: errorText(err) })}
      onSecret={onToken}
    />
  );
}

function Report({ token, signOut }: { token: string; signOut: () => void }) {
  const { t } = useCoalitionText();
  const relay = useMemo(() => pageRelay(), []);
  const today = dayOf(Date.now());
  const [fromDay, setFromDay] = useState(dayOf(Date.now() - 29 * 86_400_000));
  const [toDay, setToDay] = useState(today);
  const [period, setPeriod] = useState<Period>(() => periodOf(fromDay, toDay)!);
  const [invalid, setInvalid] = useState(false);
  const report = useQuery({ queryKey: ["coalition", "report", token, period.from, period.to], queryFn: () => getReport(relay, token, period), retry: false });
  const [download, setDownload] = useState<{ ok: boolean; text: string } | null>(null);

  const show = (e: FormEvent) => {
    e.preventDefault();
    const p = periodOf(fromDay, toDay);
    setInvalid(p === null);
    if (p) setPeriod(p);
  };
  const downloadCsv = async () => {
    setDownload(null);
    try {
      const blob = await getReportCsv(relay, token, period);
      const file = `coalition-report-${dayOf(period.from * 1000)}-${dayOf(period.to * 1000 - 86_400_000)}.csv`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = file;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDownload({ ok: true, text: t("csv.done", { file }) });
    } catch (err) {
      setDownload({ ok: false, text: t("csv.failed", { message: errorText(err) }) });
    }
  };

  return (
    <>
      <p>
        <button type="button" onClick={signOut}>
          {t("signin.out")}
        </button>
      </p>
      <section className="card" aria-labelledby="period-title">
        <h2 id="period-title">{t("period.title")}</h2>
        <form className="coalition-period" onSubmit={show}>
          <div>
            <label htmlFor="period-from">{t("period.from")}</label>
            <input id="period-from" type="date" value={fromDay} max={today} onChange={(e) => setFromDay(e.target.value)} aria-describedby="period-help" required />
          </div>
          <div>
            <label htmlFor="period-to">{t("period.to")}</label>
            <input id="period-to" type="date" value={toDay} onChange={(e) => setToDay(e.target.value)} aria-describedby="period-help" required />
          </div>
          <p id="period-help" className="muted">
            {t("period.utc")}
          </p>
          <button type="submit" className="primary">
            {t("period.show")}
          </button>
          {invalid && <p role="alert">{t("period.invalid")}</p>}
        </form>
      </section>
      <section className="card" aria-labelledby="report-title" aria-busy={report.isFetching}>
        <h2 id="report-title">{t("title")}</h2>
        {report.isPending ? (
          <p role="status">{t("loading")}</p>
        ) : report.isError ? (
          <p role="alert">{t("failed", { message: errorText(report.error) })}</p>
        ) : (
          <ReportTable report={report.data} />
        )}
        <p>
          <button type="button" onClick={() => void downloadCsv()}>
            {t("csv.download")}
          </button>
        </p>
        <p role="status" data-testid="csv-status" className={download?.ok === false ? "error" : undefined}>
          {download?.text ?? ""}
        </p>
      </section>
    </>
  );
}

function ReportTable({ report }: { report: Awaited<ReturnType<typeof getReport>> }) {
  const { t, formatNumber } = useCoalitionText();
  const brands = useBrands();
  const nameOf = (address: string) => brands.data?.find((b) => b.address.toLowerCase() === address.toLowerCase())?.name;
  const points = (v: string) => formatNumber(BigInt(v));
  const cell = (k: (typeof FIGURES)[number], v: string) => (k === "valueCredited" || k === "netSettlement" ? asAmount(v) : points(v));
  const sums = totals(report.partners);
  const headers: Record<(typeof FIGURES)[number], string> = {
    issued: t("table.issued"),
    reversed: t("table.reversed"),
    redeemed: t("table.redeemed"),
    valueCredited: t("table.valueCredited"),
    liabilityOutstanding: t("table.liability"),
    netSettlement: t("table.net"),
  };
  const caption = t("table.caption", { from: dayOf(report.from * 1000), to: dayOf(report.to * 1000 - 86_400_000), unit: asAmount(report.unitValue) });
  return (
    <>
      {report.partners.length === 0 && <p>{t("table.empty")}</p>}
      {/* The table's name stays outside its scrolling region, so that a phone shows it whole. */}
      <p id="coalition-caption">{caption}</p>
      <div className="coalition-table-wrap" role="region" aria-labelledby="coalition-caption" tabIndex={0}>
        <table className="coalition-table" data-testid="coalition-report" aria-labelledby="coalition-caption">
          <thead>
            <tr>
              <th scope="col">{t("table.partner")}</th>
              {FIGURES.map((k) => (
                <th scope="col" key={k}>
                  {headers[k]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.partners.map((p) => (
              <tr key={p.brand} data-brand={p.brand}>
                <th scope="row">
                  {nameOf(p.brand) ?? ""} <span className="muted address">{p.brand}</span>
                </th>
                {FIGURES.map((k) => (
                  <td key={k}>{cell(k, p[k])}</td>
                ))}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t("table.totals")}</th>
              {FIGURES.map((k) => (
                <td key={k}>{cell(k, sums[k])}</td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
      <p data-testid="coalition-expired">{t("expired", { points: points(report.expired) })}</p>
    </>
  );
}
