import type { Lang } from "../bindings";
import { en, type MessageKey } from "./en";
import { es } from "./es";
import { pluralRulesFor } from "./format";

export type { MessageKey };
export type Vars = Record<string, string | number>;

const catalogs: Record<Lang, Record<MessageKey, string>> = { en, es };

/**
 * The message `key` of `catalogs[lang]` (the English catalog when it lacks it), with
 * `{name}` placeholders filled from `vars`. When `vars.count` is a number and the
 * catalog has `key.one` (or another CLDR plural category of `lang`), that form is
 * used; `key` itself is the general form. Any catalog pair: the desktop's below,
 * the sync administrators' console's in `admin/i18n`.
 */
export function translateIn<K extends string>(catalogs: Record<Lang, Record<K, string>>, lang: Lang, key: K, vars?: Vars): string {
  const catalog: Record<string, string> = catalogs[lang];
  let template = catalog[key] ?? catalogs.en[key];
  if (typeof vars?.count === "number") {
    const form = catalog[`${key}.${pluralRulesFor(lang).select(vars.count)}`];
    if (form !== undefined) template = form;
  }
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The desktop's message `key` in `lang` (see `translateIn`). */
export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  return translateIn(catalogs, lang, key, vars);
}

export const LANGS: readonly Lang[] = ["en", "es"];
