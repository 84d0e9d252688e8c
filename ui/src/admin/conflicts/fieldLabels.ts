/**
 * A conflicting field named in the screens' words: the desktop's own labels
 * (the intake's and the case screen's, from its catalog), else the console's
 * names for fields the desktop screens do not ask, else the path itself.
 */
import type { FieldKey as DesktopFieldKey, Lang } from "../../bindings";
import { en as desktopEn } from "../../i18n/en";
import { translate, type MessageKey } from "../../i18n/translate";
import { fieldLabel as desktopFieldLabel, keyPath, LIST_TITLE, showValue } from "../../features/caseDetail/labels";
import type { FieldKey } from "../api/schema";
import { consoleCatalogs, translateConsole, type ConsoleKey } from "../i18n/ConsoleI18n";

export { keyPath, showValue };

const consoleKey = (k: string): ConsoleKey | null => (k in consoleCatalogs.en ? (k as ConsoleKey) : null);
const desktopKey = (k: string): MessageKey | null => (k in desktopEn ? (k as MessageKey) : null);

export function consoleFieldLabel(key: FieldKey, lang: Lang): string {
  const k = key as DesktopFieldKey;
  const dt = (m: MessageKey) => translate(lang, m);
  const path = keyPath(k);
  const desktop = desktopFieldLabel(k, dt);
  if (desktop !== path) return desktop;
  if (k.in === "case") {
    const [section, field] = k.field.split(".");
    if (section && field) {
      // The screening form's own labels (instrument, language, interpreter).
      const screening = section === "screening" ? desktopKey(`screening.${field}`) : null;
      if (screening) return dt(screening);
      const own = consoleKey(`field.${section}.${field}`);
      if (own) return translateConsole(lang, own);
    }
    return path;
  }
  if (k.in !== "item") return path;
  const own = consoleKey(`field.${k.list}.${k.field}`);
  return `${dt(LIST_TITLE[k.list])}: ${own ? translateConsole(lang, own) : k.field}`;
}
