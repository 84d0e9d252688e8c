/** Dates, times and durations in the user's locale, through Intl. */
import type { Lang } from "../bindings";

/* Building an Intl formatter costs about 100 times more than using one, and a
 * case list formats thousands of dates: keep one per (locale, options). */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();

/** The shared `Intl.DateTimeFormat` for `locale` and `options`. */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = dateFormats.get(key);
  if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

/** The shared `Intl.NumberFormat` for `locale` and `options`. */
export function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

/** The shared `Intl.PluralRules` (cardinal) for `locale`. */
export function pluralRulesFor(locale: string): Intl.PluralRules {
  let r = pluralRules.get(locale);
  if (!r) pluralRules.set(locale, (r = new Intl.PluralRules(locale)));
  return r;
}

/** The locale for `lang`: the system's own regional variant when it speaks that
 * language (es-MX, en-GB), else the bare language. */
export function localeFor(lang: Lang, systemLocales: readonly string[]): string {
  const own = systemLocales.find((l) => l.toLowerCase().split("-")[0] === lang);
  return own ?? lang;
}

export function formatDateTime(locale: string, iso: string | number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return dateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(d);
}

export function formatDate(locale: string, iso: string): string {
  // A bare date (2014-03-09) is a calendar day, not an instant: format it in UTC.
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(d);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function unit(locale: string, value: number, u: "day" | "hour" | "minute"): string {
  return numberFormat(locale, { style: "unit", unit: u, unitDisplay: "short" }).format(value);
}

/** A span of time, coarse enough to read at a glance: "2 days 4 hr", "5 hr 10 min", "12 min". */
export function formatDuration(locale: string, ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= 2 * DAY) {
    const days = Math.floor(abs / DAY);
    const hours = Math.floor((abs % DAY) / HOUR);
    return hours ? `${unit(locale, days, "day")} ${unit(locale, hours, "hour")}` : unit(locale, days, "day");
  }
  if (abs >= HOUR) {
    const hours = Math.floor(abs / HOUR);
    const minutes = Math.floor((abs % HOUR) / MINUTE);
    return minutes ? `${unit(locale, hours, "hour")} ${unit(locale, minutes, "minute")}` : unit(locale, hours, "hour");
  }
  return unit(locale, Math.max(0, Math.floor(abs / MINUTE)), "minute");
}
