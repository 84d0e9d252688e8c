import { describe, expect, it } from "vitest";
import { en } from "./en";
import { es } from "./es";
import { translateConsole } from "./ConsoleI18n";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the console's catalogs", () => {
  it("have the same keys in English and Spanish, each translated, with the same placeholders", () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(es[key], key).toBeTypeOf("string");
      expect(es[key].trim(), key).not.toBe("");
      if (!/\.(one|two|few|many)$/.test(key)) expect(placeholders(es[key]), key).toEqual(placeholders(en[key]));
    }
  });
  it("use the desktop's plural rules", () => {
    expect(translateConsole("en", "device.behindCount", { count: 1 })).toBe("1 change of the feed not yet received");
    expect(translateConsole("en", "device.behindCount", { count: 4 })).toBe("4 changes of the feed not yet received");
    expect(translateConsole("es", "device.refusedCount", { count: 1 })).toBe("1 rechazado");
    expect(translateConsole("es", "device.refusedCount", { count: 0 })).toBe("0 rechazados");
  });
  it("switch the language button to the other language's own name", () => {
    expect(translateConsole("en", "app.switchLanguage")).toBe("Español");
    expect(translateConsole("es", "app.switchLanguage")).toBe("English");
  });
});
