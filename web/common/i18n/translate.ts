import { en } from "./en";
import { fr } from "./fr";

/** A message's key. */
export type MessageKey = keyof typeof en;
/** A full set of messages for one language: every key of the English reference. */
export type Dictionary = { readonly [K in MessageKey]: string };

export const dictionaries = { en, fr } as const satisfies Record<string, Dictionary>;
/** The app's languages. */
export type Lang = keyof typeof dictionaries;
export const LANGS = Object.keys(dictionaries) as Lang[];

/** The names of a message's `{parameters}`, read from the English text's type. */
type ParamNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | ParamNames<Rest> : never;
/** `t`'s arguments after the key: none, or an object naming every parameter. */
export type MessageArgs<K extends MessageKey> = [ParamNames<(typeof en)[K]>] extends [never] ? [] : [params: Record<ParamNames<(typeof en)[K]>, string | number>];

/** A message without parameters. */
export type PlainMessageKey = { [K in MessageKey]: MessageArgs<K> extends [] ? K : never }[MessageKey];

/** The message `key` in `lang`, with its `{parameters}` filled in. */
export function translate<K extends MessageKey>(lang: Lang, key: K, ...[params]: MessageArgs<K>): string {
  const text: string = dictionaries[lang][key];
  if (!params) return text;
  const values = params as Record<string, string | number>;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/**
 * The first of the browser's preferred languages (`navigator.languages`) that the app speaks, by
 * primary subtag ("fr-CA" is French); English when none.
 */
export function pickLanguage(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0];
    if ((LANGS as string[]).includes(primary!)) return primary as Lang;
  }
  return "en";
}
