import type { Lang } from "../bindings";
import { en, type MessageKey } from "./en";
import { es } from "./es";
import { pluralRulesFor } from "./format";

export type { MessageKey };
export type Vars = Record<string, string | number>;

const catalogs: Record<Lang, Record<MessageKey, string>> = { en, es };

/**
 * The message `key` in `lang`, with `{name}` placeholders filled from `vars`.
 * When `vars.count` is a number and the catalog has `key.one` (or another CLDR
 * plural category of `lang`), that form is used; `key` itself is the general form.
 */
export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const catalog: Record<string, string> = catalogs[lang];
  let template = catalog[key] ?? en[key];
  if (typeof vars?.count === "number") {
    const form = catalog[`${key}.${pluralRulesFor(lang).select(vars.count)}`];
    if (form !== undefined) template = form;
  }
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export const LANGS: readonly Lang[] = ["en", "es"];
