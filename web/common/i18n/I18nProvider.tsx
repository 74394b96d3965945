import { createContext, useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { LANGS, pickLanguage, translate, type Lang, type MessageArgs, type MessageKey } from "./translate";

export interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t<K extends MessageKey>(key: K, ...args: MessageArgs<K>): string;
  /** A date (and time) in the reader's language. */
  formatDate(date: Date | number, withTime?: boolean): string;
  /** A number in the reader's language (digit grouping). */
  formatNumber(value: number | bigint): string;
}

export const I18nContext = createContext<I18n | null>(null);

const STORAGE_KEY = "confiance.lang";

function initialLanguage(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && (LANGS as string[]).includes(saved)) return saved as Lang;
  return pickLanguage(navigator.languages ?? [navigator.language]);
}

/** The reader's language: the browser's, until they choose one (kept in this browser). */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const dates = new Intl.DateTimeFormat(lang, { dateStyle: "long" });
    const dateTimes = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });
    const numbers = new Intl.NumberFormat(lang);
    return {
      lang,
      setLang,
      t: (key, ...args) => translate(lang, key, ...args),
      formatDate: (date, withTime = false) => (withTime ? dateTimes : dates).format(date),
      formatNumber: (n) => numbers.format(n),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
