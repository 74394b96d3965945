import { useI18n } from "../common/i18n/useI18n";
import type { RecognisedCustomer } from "../common/relay";

/** `0x1234…abcd`. */
function short(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** One recognised customer: the name they chose to share (else their short address), visits, points, tier. */
export function CustomerCard({ customer: c }: { customer: RecognisedCustomer }) {
  const { t, formatDate, formatNumber } = useI18n();
  return (
    <li className="card customer" data-customer={c.customer.toLowerCase()}>
      <h3>{c.displayName ?? <code>{short(c.customer)}</code>}</h3>
      <p className="muted small">{t("staff.seen", { when: formatDate(new Date(c.seenAt), true) })}</p>
      <ul className="facts">
        <li>{c.lastVisit ? t("staff.lastVisit", { when: formatDate(new Date(c.lastVisit), true) }) : t("staff.firstVisit")}</li>
        {c.visitCount !== undefined && <li>{t("staff.visits", { count: c.visitCount })}</li>}
        <li data-testid="customer-points">{t("staff.points", { points: formatNumber(BigInt(c.points)) })}</li>
        {c.tier != null && <li>{t("staff.tier", { tier: c.tier })}</li>}
      </ul>
    </li>
  );
}
