import { useI18n } from "../shared/i18n/useI18n";

/** The staff room (route `/staff`): to be built on web/shared. */
export default function StaffPage() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("staff.title")}</h1>
      <p>{t("room.soon")}</p>
    </>
  );
}
