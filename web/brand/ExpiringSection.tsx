import { relayRequest } from "../../client/relay/relayRequest";
import type { RelayClientBase } from "../../client/relay/createRelayClient";
import { useI18n } from "../common/i18n/useI18n";
import { useBrandQuery } from "./useBrandConsole";

/** One balance of `GET /v1/brand/expiring`. */
export interface ExpiringBalance {
  customer: string;
  balance: string;
  /** Unix seconds from which the balance may be expired. */
  expiresAt: number;
}
export interface Expiring {
  expiryPeriod: number;
  days: number;
  balances: ExpiringBalance[];
}

export const WARNING_DAYS = 30;

export const getExpiring = (relay: RelayClientBase, apiKey: string) =>
  relayRequest<Expiring>(relay, { method: "GET", path: `/v1/brand/expiring?days=${WARNING_DAYS}`, bearer: apiKey });

const en = {
  title: "Points about to expire",
  intro: "Your customers' balances that may be expired within {days} days (no activity since, for the period in force), soonest first: a good moment to remind them.",
  loading: "Loading…",
  failed: "The expiring balances could not be loaded: {message}",
  off: "No expiry period is in force in the coalition: points do not expire.",
  none: "No balance of your customers expires within {days} days.",
  period: "Expiry period in force: {days} days without activity.",
  caption: "Balances expiring within {days} days",
  customer: "Customer",
  balance: "Points",
  expiresAt: "May expire from",
};
type Key = keyof typeof en;
const fr: Record<Key, string> = {
  title: "Points bientôt expirés",
  intro: "Les soldes de vos clients qui peuvent expirer d'ici {days} jours (sans activité depuis, selon la durée en vigueur), les plus proches d'abord : un bon moment pour le leur rappeler.",
  loading: "Chargement…",
  failed: "Les soldes bientôt expirés n'ont pas pu être chargés : {message}",
  off: "Aucune durée d'expiration n'est en vigueur dans la coalition : les points n'expirent pas.",
  none: "Aucun solde de vos clients n'expire d'ici {days} jours.",
  period: "Durée d'expiration en vigueur : {days} jours sans activité.",
  caption: "Soldes qui expirent d'ici {days} jours",
  customer: "Client",
  balance: "Points",
  expiresAt: "Peut expirer à partir du",
};

/** This section's words in the reader's language. */
export function useExpiringText() {
  const i18n = useI18n();
  const dict = i18n.lang === "fr" ? fr : en;
  const t = (key: Key, params?: Record<string, string | number>) => dict[key].replace(/\{(\w+)\}/g, (whole, name: string) => (params && name in params ? String(params[name]) : whole));
  return { ...i18n, t };
}
export const expiringMessages = { en, fr };

/** Expiry warnings: the brand's customers' balances that may be expired within 30 days. */
export function ExpiringSection({ apiKey }: { apiKey: string }) {
  const { t, formatDate, formatNumber } = useExpiringText();
  const q = useBrandQuery("expiring", apiKey, getExpiring);
  const days = q.data?.days ?? WARNING_DAYS;
  return (
    <section className="card" aria-labelledby="expiring-title" data-testid="expiring">
      <h2 id="expiring-title">{t("title")}</h2>
      <p>{t("intro", { days })}</p>
      {q.isPending && <p>{t("loading")}</p>}
      {q.error && <p role="alert">{t("failed", { message: q.error.message })}</p>}
      {q.data && q.data.expiryPeriod === 0 && <p>{t("off")}</p>}
      {q.data && q.data.expiryPeriod > 0 && (
        <>
          <p className="muted">{t("period", { days: Math.round(q.data.expiryPeriod / 86_400) })}</p>
          {q.data.balances.length === 0 ? (
            <p>{t("none", { days })}</p>
          ) : (
            <div className="brand-days-wrap" role="region" aria-labelledby="expiring-caption" tabIndex={0}>
              <table data-testid="expiring-balances">
                <caption id="expiring-caption">{t("caption", { days })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("customer")}</th>
                    <th scope="col">{t("balance")}</th>
                    <th scope="col">{t("expiresAt")}</th>
                  </tr>
                </thead>
                <tbody>
                  {q.data.balances.map((b) => (
                    <tr key={b.customer} data-customer={b.customer}>
                      <th scope="row" className="brand-address">
                        {b.customer}
                      </th>
                      <td>{formatNumber(BigInt(b.balance))}</td>
                      <td>
                        <time dateTime={new Date(b.expiresAt * 1000).toISOString()}>{formatDate(b.expiresAt * 1000, true)}</time>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
