import type { Address } from "viem";
import { useI18n } from "../common/i18n/useI18n";
import { Notice } from "../common/components/Notice";
import type { DiscoveredBrand, RelayConfig } from "../common/relay";
import { RedeemForm } from "./RedeemForm";
import { usePoints, useTier } from "./useCustomer";
import type { TillRequest } from "./tillUrl";

const KIND_KEY = { issued: "points.issued", reversed: "points.reversed", redeemed: "points.redeemed", expired: "points.expired" } as const;

/** Balance, its expiry date (when a period is in force), lifetime earned, points not yet issued, tier, the movements, and the redemption form. */
export function PointsPanel({ customer, config, brands, till, onSettled }: { customer: Address; config: RelayConfig; brands: DiscoveredBrand[]; till?: TillRequest; onSettled(): void }) {
  const { t, formatDate, formatNumber } = useI18n();
  const points = usePoints(customer);
  const tier = useTier(customer, config);
  const nameOf = (a: string | null) => brands.find((b) => b.address.toLowerCase() === a?.toLowerCase())?.name ?? a ?? "";
  return (
    <section className="card" aria-labelledby="points-title">
      <h2 id="points-title">{t("points.title")}</h2>
      {points.isPending ? (
        <Notice>{t("points.loading")}</Notice>
      ) : points.isError ? (
        <Notice tone="error">{t("points.failed", { message: points.error.message })}</Notice>
      ) : (
        <>
          <dl className="figures">
            <div>
              <dt>{t("points.balance")}</dt>
              <dd data-testid="balance">{formatNumber(points.data.balance)}</dd>
            </div>
            <div>
              <dt>{t("points.lifetime")}</dt>
              <dd data-testid="lifetime">{formatNumber(points.data.lifetimeEarned)}</dd>
            </div>
            {points.data.pending !== undefined && (
              <div>
                <dt>{t("points.pending")}</dt>
                <dd data-testid="pending-points">{formatNumber(points.data.pending)}</dd>
              </div>
            )}
            {points.data.expiresAt != null && (
              <div>
                <dt>{t("points.expiresAt")}</dt>
                <dd data-testid="points-expiry">
                  <time dateTime={new Date(points.data.expiresAt * 1000).toISOString()}>{formatDate(points.data.expiresAt * 1000)}</time>
                </dd>
              </div>
            )}
            {tier.data && (
              <div>
                <dt>{t("points.tier")}</dt>
                <dd data-testid="tier">{t("points.tierOf", { tier: tier.data.tier, count: tier.data.count })}</dd>
              </div>
            )}
          </dl>
          <h3>{t("points.history")}</h3>
          {points.data.history.length === 0 ? (
            <p className="empty">{t("points.none")}</p>
          ) : (
            <ul className="movements" data-testid="movements">
              {points.data.history.map((m) => (
                <li key={`${m.txHash}-${m.kind}-${m.ref}`}>
                  <span>{m.kind in KIND_KEY ? t(KIND_KEY[m.kind as keyof typeof KIND_KEY], { points: formatNumber(m.points), brand: nameOf(m.brand) }) : `${m.kind} ${formatNumber(m.points)}`}</span>
                  {m.reason && <span className="muted small"> · {t("points.reason", { reason: m.reason })}</span>}
                  <span className="muted small"> · {formatDate(m.timestamp * 1000, true)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <RedeemForm customer={customer} brands={brands.filter((b) => b.acceptsRedemptions)} till={till} onSettled={onSettled} />
    </section>
  );
}
