import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { Lang } from "../bindings";
import { formatDate, formatDateTime, formatDuration, localeFor } from "./format";
import { translate, type MessageKey, type Vars } from "./translate";

export interface I18n {
  lang: Lang;
  locale: string;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, vars?: Vars) => string;
  dateTime: (iso: string | number) => string;
  date: (iso: string) => string;
  duration: (ms: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

function systemLocales(): readonly string[] {
  return typeof navigator === "undefined" ? [] : navigator.languages ?? [navigator.language];
}

/** The language the system prefers, when we have it; else English. */
export function systemLang(): Lang {
  return systemLocales().some((l) => l.toLowerCase().startsWith("es")) ? "es" : "en";
}

export function I18nProvider({ initial, children }: { initial?: Lang; children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(initial ?? systemLang());
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const t = useCallback((key: MessageKey, vars?: Vars) => translate(lang, key, vars), [lang]);
  const value = useMemo<I18n>(() => {
    const locale = localeFor(lang, systemLocales());
    return {
      lang,
      locale,
      setLang,
      t,
      dateTime: (iso) => formatDateTime(locale, iso),
      date: (iso) => formatDate(locale, iso),
      duration: (ms) => formatDuration(locale, ms),
    };
  }, [lang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}
