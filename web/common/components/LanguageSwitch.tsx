import { useI18n } from "../i18n/useI18n";
import { LANGS, type Lang } from "../i18n/translate";

const NAMES: Record<Lang, string> = { en: "English", fr: "Français" };

/** The languages as toggle buttons, each named in its own language. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t("lang.label")}>
      {LANGS.map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={l === lang} onClick={() => setLang(l)}>
          {NAMES[l]}
        </button>
      ))}
    </div>
  );
}
