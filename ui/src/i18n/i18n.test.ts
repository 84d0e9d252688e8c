import { describe, expect, it } from "vitest";
import { en } from "./en";
import { es } from "./es";
import { dateTimeFormat, formatDate, formatDateTime, formatDuration, localeFor, numberFormat, pluralRulesFor } from "./format";
import { translate } from "./translate";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("catalogs", () => {
  it("Spanish has every English key, translated, with the same placeholders", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(es[key], key).toBeTypeOf("string");
      if (en[key] !== "") expect(es[key], key).not.toBe("");
      // Plural forms may spell the number out; the general form must keep every placeholder.
      if (!/\.(one|two|few|many)$/.test(key)) expect(placeholders(es[key]), key).toEqual(placeholders(en[key]));
    }
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  });

  it("fills placeholders and keeps unknown ones visible", () => {
    expect(translate("en", "app.signedInAs", { user: "ana.lopez" })).toBe("Signed in as ana.lopez");
    expect(translate("es", "app.signedInAs", { user: "ana.lopez" })).toBe("Sesión de ana.lopez");
    expect(translate("en", "app.signedInAs")).toBe("Signed in as {user}");
  });

  it("chooses the plural form by the language's rules", () => {
    expect(translate("en", "sync.queued", { count: 1 })).toBe("1 change waiting to sync");
    expect(translate("en", "sync.queued", { count: 3 })).toBe("3 changes waiting to sync");
    expect(translate("es", "sync.queued", { count: 1 })).toBe("1 cambio por sincronizar");
    expect(translate("es", "sync.queued", { count: 0 })).toBe("0 cambios por sincronizar");
    expect(translate("en", "form.errorSummary", { count: 1 })).toBe("Fix this problem before you go on");
  });
});

describe("locale and durations", () => {
  it("uses the system's regional variant of the chosen language", () => {
    expect(localeFor("es", ["en-US", "es-MX"])).toBe("es-MX");
    expect(localeFor("es", ["en-US"])).toBe("es");
    expect(localeFor("en", ["en-GB"])).toBe("en-GB");
  });

  it("reads a duration at a glance, in the locale", () => {
    const H = 3_600_000;
    expect(formatDuration("en", 7 * H + 59 * 60_000)).toBe("7 hr 59 min");
    expect(formatDuration("en", 50 * H)).toBe("2 days 2 hr");
    expect(formatDuration("en", 12 * 60_000)).toBe("12 min");
    expect(formatDuration("es", 7 * H + 5 * 60_000)).toBe("7 h 5 min");
    expect(formatDuration("es", 72 * H)).toBe("3 d");
  });
});

describe("cached Intl formatters", () => {
  it("give the same text as fresh formatters, and one object per locale and options", () => {
    const iso = "2026-11-23T12:34:00Z";
    for (const locale of ["en", "es", "es-MX"]) {
      const fresh = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
      expect(formatDateTime(locale, iso)).toBe(fresh);
      expect(formatDate(locale, "2014-03-09")).toBe(
        new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date("2014-03-09T00:00:00Z")),
      );
      const opts = { style: "unit", unit: "hour", unitDisplay: "short" } as const;
      expect(numberFormat(locale, opts).format(5)).toBe(new Intl.NumberFormat(locale, opts).format(5));
      expect(numberFormat(locale, opts)).toBe(numberFormat(locale, { ...opts }));
      expect(pluralRulesFor(locale).select(1)).toBe(new Intl.PluralRules(locale).select(1));
    }
    expect(dateTimeFormat("en", { dateStyle: "short" })).toBe(dateTimeFormat("en", { dateStyle: "short" }));
    expect(dateTimeFormat("en", { dateStyle: "short" })).not.toBe(dateTimeFormat("en", { dateStyle: "long" }));
  });

  it("switching language uses the new locale, not the cached one", () => {
    const H = 3_600_000;
    expect(formatDuration("en", 72 * H)).toBe("3 days");
    expect(formatDuration("es", 72 * H)).toBe("3 d");
    expect(formatDuration("en", 72 * H)).toBe("3 days");
    const iso = "2026-03-09T12:00:00Z";
    expect(formatDate("en", iso)).not.toBe(formatDate("es", iso));
    expect(formatDate("es", iso)).toMatch(/mar/);
    expect(dateTimeFormat("es", { dateStyle: "medium" }).resolvedOptions().locale).toMatch(/^es/);
    expect(translate("en", "sync.queued", { count: 1 })).toBe("1 change waiting to sync");
    expect(translate("es", "sync.queued", { count: 1 })).toBe("1 cambio por sincronizar");
    expect(translate("es", "sync.queued", { count: 2 })).toBe("2 cambios por sincronizar");
  });
});
