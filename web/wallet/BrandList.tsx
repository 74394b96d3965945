import type { RelayBrand } from "../shared/relayAdapter";
import { useI18n } from "../shared/i18n/useI18n";

/** The brands with how many purposes each defines; an empty state when the relay lists none. */
export function BrandList({ brands }: { brands: readonly RelayBrand[] }) {
  const { t } = useI18n();
  if (brands.length === 0) return <p className="empty">{t("brands.empty")}</p>;
  return (
    <ul className="brands">
      {brands.map((b) => (
        <li key={b.address} className="card">
          <h3>{b.name}</h3>
          <p className="muted">{t("brands.purposes", { count: b.purposes.length })}</p>
          <code className="address">{b.address}</code>
        </li>
      ))}
    </ul>
  );
}
