import { describe, expect, it } from "vitest";
import { translate, type MessageKey } from "../../i18n/translate";
import { localToRfc3339 } from "../../shared/caseForm/dates";
import { fieldLabel } from "./Conflicts";
import { custodyEdits, custodyFieldId, custodyForm, custodyIdOf, whenForm, whenValue } from "../../shared/caseForm/custodyForm";
import { encounterEdits, encounterFieldId, encounterForm } from "../../shared/caseForm/followup";

const NOW = new Date(2026, 10, 25, 15, 30); // 25 Nov 2026, 15:30 device time
const day = (d: number, m = 11, y = 2026) => ({ day: String(d), month: String(m), year: String(y) });

describe("a recorded time in a form", () => {
  it("is read at the offset it was written with, and a correction keeps that offset", () => {
    const f = whenForm("2026-11-22T04:35:00-07:00");
    expect(f).toMatchObject({ date: day(22), time: "04:35", offset: "-07:00" });
    const p = {};
    expect(whenValue(p, "x", f, NOW, false)).toBeUndefined();
    expect(whenValue(p, "x", { ...f, time: "03:10" }, NOW, false)).toBe("2026-11-22T03:10:00-07:00");
    expect(whenValue(p, "x", { ...f, date: day(21) }, NOW, false)).toBe("2026-11-21T04:35:00-07:00");
    expect(p).toEqual({});
    expect(whenForm("2026-11-22T04:35:00Z").offset).toBe("+00:00");
  });

  it("a time not recorded yet takes this device's offset; emptied, an optional one is cleared", () => {
    const p = {};
    expect(whenValue(p, "x", whenForm(null), NOW, true)).toBeUndefined();
    expect(whenValue(p, "x", { ...whenForm(null), date: day(24), time: "9:05" }, NOW, true)).toBe(localToRfc3339("2026-11-24T09:05"));
    expect(whenValue(p, "x", { ...whenForm("2026-11-22T04:35:00-07:00"), date: { day: "", month: "", year: "" }, time: "" }, NOW, true)).toBeNull();
    expect(p).toEqual({});
  });

  it("refuses half a time, a time in the future, and an empty required time, beside the right box", () => {
    const p = {};
    whenValue(p, "a", { ...whenForm(null), date: day(24) }, NOW, true);
    whenValue(p, "b", { ...whenForm(null), time: "10:00" }, NOW, true);
    whenValue(p, "c", { ...whenForm(null), date: day(25), time: "16:45" }, NOW, true);
    whenValue(p, "d", whenForm(null), NOW, false);
    whenValue(p, "e", { ...whenForm(null), date: day(31, 2), time: "10:00" }, NOW, true);
    expect(p).toEqual({
      "a-time": { key: "followup.err.whenPart" },
      "b-date": { key: "followup.err.whenPart" },
      "c-time": { key: "followup.err.future" },
      "d-date": { key: "followup.err.dateRequired" },
      "e-date": { key: "followup.err.date" },
    });
  });
});

describe("the encounter's time and custody", () => {
  const e = { occurred_at: "2026-11-24T06:30:00-06:00", station: "LRD-07", type: "between_ports" as const, accompaniment: "alone" as const };

  it("send the encounter's corrected time with its own offset, and refuse one in the future", () => {
    const f = encounterForm(e);
    expect(encounterEdits(e, { ...f, when: { ...f.when, date: day(23) } }, NOW)).toEqual({
      ok: true,
      value: [{ field: "encounter.occurred_at", value: "2026-11-23T06:30:00-06:00", was: e.occurred_at }],
    });
    const r = encounterEdits(e, { ...f, when: { ...f.when, date: day(26) } }, NOW);
    expect(r.ok ? {} : r.problems).toEqual({ [`${encounterFieldId("occurred_at")}-time`]: { key: "followup.err.future" } });
  });

  it("send only the custody fields that changed, each with the value the form opened with", () => {
    const c = { facility: "Ajo Station", transferred_at: "2026-11-24T16:00:00-07:00" };
    const f = custodyForm(c);
    expect(custodyEdits(c, f, NOW)).toEqual({ ok: true, value: [] });
    const edited = {
      ...f,
      facility: " Ajo Station, room 2 ",
      times: { ...f.times, placement_notified_at: { ...f.times.placement_notified_at, date: day(22), time: "11:20" }, transferred_at: { ...f.times.transferred_at, date: { day: "", month: "", year: "" }, time: "" } },
    };
    expect(custodyEdits(c, edited, NOW)).toEqual({
      ok: true,
      value: [
        { field: "custody.placement_notified_at", value: localToRfc3339("2026-11-22T11:20"), was: null },
        { field: "custody.transferred_at", value: null, was: c.transferred_at },
        { field: "custody.facility", value: "Ajo Station, room 2", was: "Ajo Station" },
      ],
    });
    expect(custodyIdOf("custody.placement_notified_at")).toBe(`${custodyFieldId("placement_notified_at")}-time`);
    expect(custodyIdOf("custody.facility")).toBe(custodyFieldId("facility"));
    expect(custodyIdOf("encounter.station")).toBeUndefined();
  });
});

describe("custody fields in the history and conflicts", () => {
  it("are named as the custody form names them, in either language", () => {
    const t = (lang: "en" | "es") => (k: MessageKey) => translate(lang, k);
    expect(fieldLabel({ in: "case", field: "custody.placement_notified_at" }, t("en"))).toBe("Placement office notified");
    expect(fieldLabel({ in: "case", field: "custody.facility" }, t("es"))).toBe("Dónde está el niño o la niña");
    expect(fieldLabel({ in: "case", field: "encounter.occurred_at" }, t("en"))).toBe("When");
  });
});
