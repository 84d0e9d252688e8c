/** The console's i18n: the desktop's machinery (translateIn, plural rules, Intl formats) on the console's own catalogs. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { Lang } from "../../bindings";
import { formatDateTime, formatDuration, localeFor } from "../../i18n/format";
import { systemLang } from "../../i18n/I18nProvider";
import { translateIn, type Vars } from "../../i18n/translate";
import { en, type ConsoleKey } from "./en";
import { es } from "./es";

export type { ConsoleKey };
export const consoleCatalogs: Record<Lang, Record<ConsoleKey, string>> = { en, es };

export function translateConsole(lang: Lang, key: ConsoleKey, vars?: Vars): string {
  return translateIn(consoleCatalogs, lang, key, vars);
}

export interface ConsoleI18n {
  lang: Lang;
  locale: string;
  setLang: (lang: Lang) => void;
  t: (key: ConsoleKey, vars?: Vars) => string;
  dateTime: (iso: string | number) => string;
  duration: (ms: number) => string;
  /** "3 days 4 hr ago", or "Never" for no time. */
  ago: (iso: string | null | undefined, now: number) => string;
}

const Ctx = createContext<ConsoleI18n | null>(null);
const STORAGE = "waystation-console-lang";

function savedLang(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE);
    return v === "en" || v === "es" ? v : null;
  } catch {
    return null;
  }
}

export function ConsoleI18nProvider({ initial, children }: { initial?: Lang; children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initial ?? savedLang() ?? systemLang());
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translateConsole(lang, "app.title");
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE, l);
    } catch {
      /* private mode: the choice lasts for this page */
    }
  }, []);
  const value = useMemo<ConsoleI18n>(() => {
    const systemLocales = typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]);
    const locale = localeFor(lang, systemLocales);
    const t = (key: ConsoleKey, vars?: Vars) => translateConsole(lang, key, vars);
    return {
      lang,
      locale,
      setLang,
      t,
      dateTime: (iso) => formatDateTime(locale, iso),
      duration: (ms) => formatDuration(locale, ms),
      ago: (iso, now) => {
        if (!iso) return t("time.never");
        const at = new Date(iso).getTime();
        if (Number.isNaN(at)) return iso;
        return t("time.ago", { time: formatDuration(locale, Math.max(0, now - at)) });
      },
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useConsoleI18n(): ConsoleI18n {
  const v = useContext(Ctx);
  if (!v) throw new Error("useConsoleI18n outside ConsoleI18nProvider");
  return v;
}
