import { useI18n } from "../shared/i18n/useI18n";

/** The audit room (route `/audit`): to be built on web/shared. */
export default function AuditPage() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <p>{t("room.soon")}</p>
    </>
  );
}
