import { useI18n } from "../common/i18n/useI18n";
import { en, fr, type CoalitionKey } from "./coalitionTexts";

/** The room's messages in the reader's language, with the app's formats. */
export function useCoalitionText() {
  const i18n = useI18n();
  const dict = i18n.lang === "fr" ? fr : en;
  const t = (key: CoalitionKey, params?: Record<string, string | number>) =>
    params ? dict[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : dict[key];
  return { ...i18n, t };
}

export const messages = { en, fr };
