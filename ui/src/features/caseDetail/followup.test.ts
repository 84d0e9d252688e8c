import { NEXT_STATUS } from "../../bindings/vocabulary";
import { describe, expect, it } from "vitest";
import type { Child, CommandError, ReliefItem, TimelineEntry } from "../../bindings";
import { translate } from "../../i18n/translate";
import { timelineTarget } from "./Timeline";
import { checkMilestone, checkOutcome, checkRelief, checkService, itemEdits, SERVICE_FIELDS, serviceFormOf, checkStep, childEdits, childFieldId, childForm, encounterEdits, encounterFieldId, encounterForm, milestonesFor, reachedMilestones, serviceForm, shellProblems, statusEdits, stepForm } from "../../shared/caseForm/followup";

const NOW = new Date(2026, 10, 25, 15, 30); // 25 Nov 2026, 15:30 device time
const day = (d: number, m = 11, y = 2026) => ({ day: String(d), month: String(m), year: String(y) });

describe("referral steps", () => {
  it("follow the shell's order and end at declined or completed", () => {
    expect(NEXT_STATUS.sent).toEqual(["acknowledged", "accepted", "declined"]);
    expect(NEXT_STATUS.accepted).toEqual(["completed"]);
    expect(NEXT_STATUS.completed).toEqual([]);
    expect(NEXT_STATUS.declined).toEqual([]);
  });

  it("send the status with the time and the device's offset", () => {
    const r = checkStep({ status: "acknowledged", date: day(25), time: "9:05" }, NOW, "s");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.status).toBe("acknowledged");
    expect(r.value.at).toMatch(/^2026-11-25T09:05:00[+-]\d\d:\d\d$/);
    expect(Date.parse(r.value.at)).toBe(new Date(2026, 10, 25, 9, 5).getTime());
  });

  it("start on now and refuse a missing status, a bad date or time, or a future moment beside each field", () => {
    const f = stepForm(NOW);
    expect(f.time).toBe("15:30");
    expect(f.date).toEqual(day(25));
    // Kept as opened, it is "now" to the second, as the referral's earlier steps are.
    const kept = checkStep({ ...f, status: "sent" }, new Date(2026, 10, 25, 15, 30, 42), "s");
    expect(kept.ok && Date.parse(kept.value.at)).toBe(new Date(2026, 10, 25, 15, 30, 42).getTime());
    const r = checkStep({ status: "", date: day(31, 2), time: "25:00" }, NOW, "s");
    expect(r.ok ? {} : r.problems).toEqual({
      "s-status": { key: "followup.err.choose" },
      "s-date": { key: "followup.err.date" },
      "s-time": { key: "followup.err.time" },
    });
    const later = checkStep({ status: "sent", date: day(25), time: "16:30" }, NOW, "s");
    expect(later.ok ? {} : later.problems).toEqual({ "s-time": { key: "followup.err.future" } });
    const tomorrow = checkStep({ status: "sent", date: day(26), time: "08:00" }, NOW, "s");
    expect(tomorrow.ok ? {} : tomorrow.problems).toEqual({ "s-date": { key: "followup.err.future" } });
  });
});

describe("services, relief and outcomes", () => {
  it("a service needs its kind and a past day; other needs words", () => {
    expect(checkService({ ...serviceForm(NOW), kind: "shelter", description: "  Bed for two nights " }, NOW)).toEqual({
      ok: true,
      value: { kind: "shelter", provided_on: "2026-11-25", description: "Bed for two nights" },
    });
    const r = checkService({ kind: "other", date: { day: "", month: "", year: "" }, description: " " }, NOW);
    expect(r.ok ? {} : r.problems).toEqual({
      "service-date": { key: "followup.err.dateRequired" },
      "service-description": { key: "followup.err.describe" },
    });
  });

  it("a relief application may start with its first milestone; milestones follow the kind", () => {
    expect(checkRelief({ kind: "sijs", description: "", milestone: "court_findings_on", date: day(20) }, NOW)).toEqual({
      ok: true,
      value: { kind: "sijs", court_findings_on: "2026-11-20" },
    });
    expect(checkRelief({ kind: "t_visa", description: "", milestone: "", date: day(99) }, NOW)).toEqual({ ok: true, value: { kind: "t_visa" } });
    expect(milestonesFor("sijs")).toContain("court_findings_on");
    expect(milestonesFor("sijs")).not.toContain("certification_requested_on");
    expect(milestonesFor("u_visa")).toContain("certification_obtained_on");
    expect(milestonesFor("t_visa")).not.toContain("court_findings_on");
    const m = checkMilestone({ milestone: "", date: day(26), receipt: "" }, NOW, "m");
    expect(m.ok ? {} : m.problems).toEqual({ "m-milestone": { key: "followup.err.choose" }, "m-date": { key: "followup.err.future" } });
    expect(checkMilestone({ milestone: "receipt_on", date: day(24), receipt: " eac 2690012345 " }, NOW, "m")).toEqual({
      ok: true,
      value: { milestone: "receipt_on", on: "2026-11-24", receipt: "EAC2690012345" },
    });
    const badReceipt = checkMilestone({ milestone: "receipt_on", date: day(24), receipt: "EAC-123" }, NOW, "m");
    expect(badReceipt.ok ? {} : badReceipt.problems).toEqual({ "m-receipt": { key: "followup.err.receipt" } });
    expect(checkMilestone({ milestone: "filed_on", date: day(24), receipt: "ignored" }, NOW, "m")).toEqual({ ok: true, value: { milestone: "filed_on", on: "2026-11-24" } });
    const r: ReliefItem = { kind: "t_visa", filed_on: "2026-11-25", screened_eligible_on: "2026-11-20" };
    expect(reachedMilestones(r)).toEqual([
      { milestone: "screened_eligible_on", on: "2026-11-20" },
      { milestone: "filed_on", on: "2026-11-25" },
    ]);
  });

  it("an outcome keeps only the optional fields given", () => {
    expect(checkOutcome({ kind: "reunification", date: day(24), sponsor: "aunt_or_uncle", location: " Houston ", description: "" }, NOW)).toEqual({
      ok: true,
      value: { kind: "reunification", occurred_on: "2026-11-24", sponsor_relationship: "aunt_or_uncle", location: "Houston" },
    });
  });
});

describe("corrections of a logged item", () => {
  it("send the changed fields only, clear the emptied ones, and leave fields the form does not show", () => {
    const service = { id: "s1", kind: "shelter" as const, provided_on: "2026-11-24", provider: "casa-esperanza", description: "Bed" };
    const f = serviceFormOf(service);
    expect(f).toEqual({ kind: "shelter", date: day(24), description: "Bed" });
    const r = checkService({ ...f, date: day(23), description: "" }, NOW);
    expect(r.ok && itemEdits(service, r.value, SERVICE_FIELDS)).toEqual([
      { field: "provided_on", value: "2026-11-23", was: "2026-11-24" },
      { field: "description", value: null, was: "Bed" },
    ]);
    const same = checkService(f, NOW);
    expect(same.ok && itemEdits(service, same.value, SERVICE_FIELDS)).toEqual([]);
  });
});

describe("case field edits", () => {
  const child: Partial<Child> = { given_name: "Rosa", family_name: "Tzul", aliases: ["Rosita"], date_of_birth: "2011-06-14", nationalities: ["GT"], languages: ["quc"] };

  it("send only the changed fields, each with the value the form opened with", () => {
    const f = childForm(child);
    expect(f.date_of_birth).toEqual({ day: "14", month: "6", year: "2011" });
    expect(f.aliases).toBe("Rosita");
    const unchanged = childEdits(child, f, NOW);
    expect(unchanged).toEqual({ ok: true, value: [] });
    const r = childEdits(child, { ...f, given_name: " Rosa Elena ", nationalities: "gt, mx", aliases: "" }, NOW);
    expect(r).toEqual({
      ok: true,
      value: [
        { field: "child.given_name", value: "Rosa Elena", was: "Rosa" },
        { field: "child.aliases", value: null, was: ["Rosita"] },
        { field: "child.nationalities", value: ["GT", "MX"], was: ["GT"] },
      ],
    });
  });

  it("refuse a date that is not a day or in the future, and an age that is not a number, beside the field", () => {
    const f = childForm(child);
    const r = childEdits(child, { ...f, date_of_birth: day(30, 2, 2012), estimated_age_years: "about 12" }, NOW);
    expect(r.ok ? {} : r.problems).toEqual({
      [childFieldId("date_of_birth")]: { key: "followup.err.date" },
      [childFieldId("estimated_age_years")]: { key: "followup.err.number" },
    });
    const future = childEdits(child, { ...f, date_of_birth: day(1, 1, 2027) }, NOW);
    expect(future.ok ? {} : future.problems).toEqual({ [childFieldId("date_of_birth")]: { key: "followup.err.future" } });
  });

  it("encounter: the station in capitals, the required choices kept, only the changes sent", () => {
    const e = { occurred_at: "2026-11-24T06:30:00-06:00", station: "LRD-07", type: "between_ports" as const, accompaniment: "alone" as const, narrative: "Found at dawn." };
    const f = encounterForm(e);
    expect(encounterEdits(e, f)).toEqual({ ok: true, value: [] });
    expect(encounterEdits(e, { ...f, station: " lrd-09 ", narrative: "" })).toEqual({
      ok: true,
      value: [
        { field: "encounter.station", value: "LRD-09", was: "LRD-07" },
        { field: "encounter.narrative", value: null, was: "Found at dawn." },
      ],
    });
    const r = encounterEdits(e, { ...f, station: "L", type: "" });
    expect(r.ok ? {} : r.problems).toEqual({
      [encounterFieldId("station")]: { key: "intake.err.stationFormat" },
      [encounterFieldId("type")]: { key: "intake.err.typeRequired" },
    });
  });

  it("change the status only when another one is chosen", () => {
    expect(statusEdits({ status: "open" }, "open")).toEqual({ ok: true, value: [] });
    expect(statusEdits({ status: "open" }, "closed")).toEqual({ ok: true, value: [{ field: "status", value: "closed", was: "open" }] });
    expect(statusEdits({}, "")).toEqual({ ok: false, problems: { "edit-status": { key: "followup.err.statusRequired" } } });
  });
});

describe("the history", () => {
  it("names what changed in the screens' words, in the user's language", () => {
    const t = (lang: "en" | "es") => (key: Parameters<typeof translate>[1]) => translate(lang, key);
    const name = (kind: TimelineEntry["kind"], target: string | null, lang: "en" | "es" = "en") => timelineTarget({ kind, target }, t(lang));
    expect(name("set", "child.given_name")).toBe("Given name");
    expect(name("set", "child.given_name", "es")).toBe("Nombre");
    expect(name("set", "status")).toBe("Case status");
    expect(name("set_item_field", "referrals.sent_at")).toBe("Referrals: Sent");
    expect(name("set_item_field", "referrals.status", "es")).toBe("Remisiones: Estado");
    expect(name("set_item_field", "relief.filed_on")).toBe("Immigration relief: Filed");
    expect(name("add_item", "services")).toBe("Services");
    expect(name("set_item_field", "services.description")).toBe("Services: What was done");
    expect(name("share", "casa-esperanza")).toBe("casa-esperanza");
    expect(name("create_case", "child.given_name, status")).toBe("Given name, Case status");
    expect(name("create_case", "child.given_name, custody.zz_unknown", "es")).toBe("Nombre, custody.zz_unknown");
    expect(name("create_case", null)).toBe("");
    expect(name("set", "custody.zz_unknown")).toBe("custody.zz_unknown");
    expect(name("set_item_field", "outcomes.zz_unknown")).toBe("outcomes.zz_unknown");
  });
});

describe("the shell's refused fields", () => {
  it("go beside the form's field, an unknown one to the fallback, and other failures stay alerts", () => {
    const e: CommandError = {
      code: "invalid",
      message: "…",
      fields: [
        { field: "child.nationalities[0]", message: "\"Guatemala\" is not a country code" },
        { field: "child.photo", message: "is wrong" },
      ],
    };
    const idOf = (f: string) => (f === "child.nationalities" ? "nat" : undefined);
    expect(shellProblems(e, idOf, "first")).toEqual({ nat: { text: "\"Guatemala\" is not a country code" }, first: { text: "is wrong" } });
    expect(shellProblems({ code: "locked", message: "locked" }, idOf, "first")).toBeNull();
  });
});
