import { useMemo } from "react";
import type { Address } from "viem";
import { useI18n } from "../common/i18n/useI18n";
import { RequireWallet } from "../common/components/RequireWallet";
import { Notice } from "../common/components/Notice";
import { useBrands } from "../common/useBrands";
import type { RelayConfig } from "../common/relay";
import { BrandCard } from "./BrandCard";
import { DelegateForm } from "./DelegateForm";
import { HistoryPanel } from "./HistoryPanel";
import { PointsPanel } from "./PointsPanel";
import { parseTillUrl } from "./tillUrl";
import { useConsents, useRefreshCustomer } from "./useCustomer";
import { YourData } from "./YourData";

/** The customer's wallet (route `/`); a till's QR code link (`/?redeem=...`) opens it with the redemption filled in. */
export default function WalletPage() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("wallet.title")}</h1>
      <p className="lead">{t("wallet.intro")}</p>
      <RequireWallet>{({ address, config }) => <Wallet address={address} config={config} />}</RequireWallet>
    </>
  );
}

function Wallet({ address, config }: { address: Address; config: RelayConfig }) {
  const { t } = useI18n();
  const brands = useBrands();
  const consents = useConsents(address);
  const refresh = useRefreshCustomer(address);
  const till = useMemo(() => parseTillUrl(window.location.href), []);
  return (
    <>
      <section aria-labelledby="brands-title">
        <h2 id="brands-title">{t("brands.title")}</h2>
        <p className="small">{t("brands.intro")}</p>
        {brands.isPending || consents.isPending ? (
          <Notice>{t("brands.loading")}</Notice>
        ) : brands.isError ? (
          <Notice tone="error">{t("brands.failed", { message: brands.error.message })}</Notice>
        ) : consents.isError ? (
          <Notice tone="error">{t("brands.failed", { message: consents.error.message })}</Notice>
        ) : brands.data.length === 0 ? (
          <p className="empty">{t("brands.empty")}</p>
        ) : (
          <ul className="brands">
            {brands.data.map((b) => (
              <BrandCard key={b.address} customer={address} brand={b} consents={consents.data} onSettled={refresh} />
            ))}
          </ul>
        )}
      </section>
      <PointsPanel customer={address} config={config} brands={brands.data ?? []} till={till} onSettled={refresh} />
      <HistoryPanel customer={address} config={config} brands={brands.data ?? []} />
      <DelegateForm address={address} config={config} />
      <YourData address={address} />
    </>
  );
}
