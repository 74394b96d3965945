import type { Money, MoneyDay } from "./brandApi";
import { barScale, formatAssetAmount } from "./brandApi";
import type { AssetDecimals } from "./SettlementDecimals";
import { useBrandText } from "./messages";

/**
 * The brand's totals, and a small chart of points issued and redeemed by day with the same figures as a
 * table. Amounts of the settlement asset are written with its decimals as read from the chain; until they
 * are known they show as "…", and if they cannot be read, in base units, said so.
 */
export function MoneySection({ money, days, decimals }: { money: Money; days: MoneyDay[] | undefined; decimals: AssetDecimals }) {
  const { t, formatNumber } = useBrandText();
  const m = money.totals;
  const asset = (v: string) => (decimals.status === "ready" ? formatAssetAmount(v, decimals.decimals) : decimals.status === "failed" ? t("money.baseUnits", { value: v }) : "…");
  const rows: [string, string][] = [
    [t("money.backing"), asset(m.backing)],
    [t("money.deposited"), asset(m.deposited)],
    [t("money.withdrawn"), asset(m.withdrawn)],
    [t("money.issued"), m.issued],
    [t("money.reversed"), m.reversed],
    [t("money.redeemed"), m.redeemed],
    [t("money.redeemedValue"), asset(m.redeemedValue)],
    [t("money.expired"), m.expired],
    [t("money.liability"), m.liability],
    [t("money.liabilityValue"), asset(m.liabilityValue)],
  ];
  return (
    <section className="card" aria-labelledby="money-title">
      <h2 id="money-title">{t("money.title")}</h2>
      <dl className="brand-figures" data-testid="money">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {decimals.status === "failed" && <p role="alert">{t("money.decimalsFailed", { message: decimals.message })}</p>}
      {money.indexedBlock !== null && <p className="muted">{t("money.asOf", { block: money.indexedBlock })}</p>}
      <p className="muted">{t("money.rule")}</p>
      {days && <DailyChart days={days} formatNumber={formatNumber} />}
    </section>
  );
}

function DailyChart({ days, formatNumber }: { days: MoneyDay[]; formatNumber: (n: number) => string }) {
  const { t } = useBrandText();
  const issued = days.map((d) => Number(d.issued));
  const redeemed = days.map((d) => Number(d.redeemed));
  const scale = barScale([...issued, ...redeemed]);
  const active = days.filter((d) => d.issued !== "0" || d.redeemed !== "0" || d.reversed !== "0");
  const w = 8;
  const height = 80;
  return (
    <>
      <h3>{t("chart.title")}</h3>
      {active.length === 0 ? (
        <p>{t("chart.empty")}</p>
      ) : (
        <>
          <svg className="brand-chart" viewBox={`0 0 ${days.length * w * 2} ${height}`} role="img" aria-label={t("chart.caption")} preserveAspectRatio="none">
            {days.map((d, i) => (
              <g key={d.day}>
                <rect x={i * w * 2} y={height - scale[i]! * height} width={w - 1} height={scale[i]! * height} className="bar-issued" />
                <rect x={i * w * 2 + w} y={height - scale[days.length + i]! * height} width={w - 1} height={scale[days.length + i]! * height} className="bar-redeemed" />
              </g>
            ))}
          </svg>
          <div className="brand-days-wrap" role="region" aria-labelledby="brand-days-caption" tabIndex={0}>
            <table className="brand-days">
              <caption id="brand-days-caption">{t("chart.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("chart.day")}</th>
                <th scope="col">{t("money.issued")}</th>
                <th scope="col">{t("money.reversed")}</th>
                <th scope="col">{t("money.redeemed")}</th>
                <th scope="col">{t("money.liability")}</th>
              </tr>
            </thead>
            <tbody>
              {active.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td>{formatNumber(Number(d.issued))}</td>
                  <td>{formatNumber(Number(d.reversed))}</td>
                  <td>{formatNumber(Number(d.redeemed))}</td>
                  <td>{formatNumber(Number(d.liability))}</td>
                </tr>
              ))}
            </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
