import { useI18n } from "../shared/i18n/useI18n";

/** The brand room (route `/brand`): to be built on web/shared. */
export default function BrandPage() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("brand.title")}</h1>
      <p>{t("room.soon")}</p>
    </>
  );
}
