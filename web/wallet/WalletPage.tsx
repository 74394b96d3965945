import { useI18n } from "../shared/i18n/useI18n";
import { RequireWallet } from "../shared/components/RequireWallet";
import { Notice } from "../shared/components/Notice";
import { useBrands } from "../shared/useBrands";
import { BrandList } from "./BrandList";
import { DelegateForm } from "./DelegateForm";
import { YourData } from "./YourData";

/** The customer's wallet (route `/`). */
export default function WalletPage() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("wallet.title")}</h1>
      <p className="lead">{t("wallet.intro")}</p>
      <RequireWallet>
        {({ address, config }) => (
          <>
            <Brands />
            <DelegateForm address={address} config={config} />
            <YourData address={address} />
          </>
        )}
      </RequireWallet>
    </>
  );
}

function Brands() {
  const { t } = useI18n();
  const brands = useBrands();
  return (
    <section aria-labelledby="brands-title">
      <h2 id="brands-title">{t("brands.title")}</h2>
      {brands.isPending ? <Notice>{t("brands.loading")}</Notice> : brands.isError ? <Notice tone="error">{t("brands.failed", { message: brands.error.message })}</Notice> : <BrandList brands={brands.data} />}
    </section>
  );
}
