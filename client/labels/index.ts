import en from "./en.json";
import fr from "./fr.json";
import type { CategoryName } from "../categories";

/**
 * Words for purposes and data categories, in the languages Confiance ships (en.json, fr.json: plain
 * data files an app or a translator can use directly). A brand's own texts for a purpose come from
 * discovery (`getBrands`) and take precedence over these.
 */
export type Language = "en" | "fr";
export const LANGUAGES: readonly Language[] = ["en", "fr"];

export type PurposeText = { title: string; description: string };
export type CategoryText = { title: string; examples: string };
export type Labels = { purposes: Record<string, PurposeText>; categories: Record<string, CategoryText> };

export const labels: Record<Language, Labels> = { en, fr };

export type PurposeLabelParameters = {
  /** The purpose's name ("loyalty"); null or undefined for an unnamed purpose. */
  name: string | null | undefined;
  /** The wanted language; English is the fallback. */
  language: string;
  /** The brand's own texts for this purpose by language, from discovery. */
  texts?: Partial<Record<string, PurposeText>> | undefined;
};

/**
 * How to show a purpose to a person: the brand's text in `language`, else Confiance's label for a known
 * name in `language`, else the same in English; undefined when nothing describes it (show its name or id).
 *
 * @example purposeLabel({ name: "loyalty", language: "fr" }).title // "Points de fidélité"
 */
export function purposeLabel({ name, language, texts }: PurposeLabelParameters): PurposeText | undefined {
  const lang = baseLanguage(language);
  const known = (l: Language) => (name ? labels[l].purposes[name] : undefined);
  return texts?.[lang] ?? known(lang) ?? texts?.en ?? known("en");
}

/**
 * How to show a data category to a person, in `language` (English fallback). Unnamed bits (`bit-N`)
 * have no label: their meaning is in the brand's notice.
 *
 * @example categoryLabel({ name: "location", language: "fr" }) // { title: "Localisation", examples: "..." }
 */
export function categoryLabel({ name, language }: { name: CategoryName | string; language: string }): CategoryText | undefined {
  const lang = baseLanguage(language);
  return labels[lang].categories[name] ?? labels.en.categories[name];
}

/** "fr-FR" -> "fr"; any language Confiance does not ship -> "en". */
export function baseLanguage(language: string): Language {
  const base = language.toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(base ?? "") ? (base as Language) : "en";
}
