import { describe, expect, it } from "vitest";
import { en } from "./en";
import { es } from "./es";
import { formatDuration, localeFor } from "./format";
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
