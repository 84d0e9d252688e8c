import { describe, expect, it } from "vitest";
import type { Instrument } from "../../bindings";
import { translate } from "../../i18n/translate";
import type { Problem } from "../../components/problem";
import { isoDate } from "../../components/MemorableDate";
import { parseTime } from "../../shared/caseForm/dates";
import { emptyDraft, toNewCase, type IntakeDraft } from "./draft";
import { stepOfField, validateAll, validateChild, validateEncounter, validateAdults, validateScreening } from "./validate";

const now = new Date("2026-11-25T15:00:00");
const text = (p: Problem | undefined) => (p === undefined ? undefined : "text" in p ? p.text : translate("en", p.key, p.vars));

const instrument: Instrument = {
  id: "demo",
  version: 2,
  title: { en: "Demo", es: "Demo" },
  introduction: { en: "Read this.", es: "Lea esto." },
  indicators: [
    { id: "debt", category: "debt", asked_of: "child", prompt: { en: "Owes money?", es: "¿Debe dinero?" } },
    { id: "papers", category: "documents", asked_of: "child", prompt: { en: "Papers held?", es: "¿Documentos retenidos?" } },
  ],
  criteria: [{ id: "no_credible_fear", prompt: { en: "No fear?", es: "¿Sin temor?" } }],
};

function filled(): IntakeDraft {
  const d = emptyDraft("en");
  d.encounter = { date: { day: "25", month: "11", year: "2026" }, time: "6:30", station: "LRD-07", place: "", type: "between_ports", accompaniment: "alone", narrative: "" };
  d.child = { ...d.child, given_name: "Rosa", date_of_birth: { day: "2", month: "5", year: "2013" }, age_method: "document", nationalities: "GT", languages: "spa, quc", interpreter_used: "no" };
  d.screening = { ...d.screening, when: "now", instrument: "demo", version: 2, answers: { debt: "yes", papers: "no" } };
  return d;
}

describe("encounter step", () => {
  it("names each missing answer in plain words", () => {
    const p = validateEncounter(emptyDraft("en"), now);
    expect(text(p["encounter.occurred_at"])).toBe("Enter the day of the encounter.");
    expect(text(p["encounter.time"])).toBe("Enter the time of the encounter.");
    expect(text(p["encounter.station"])).toBe("Enter the station or port code.");
    expect(text(p["encounter.type"])).toBe("Choose how the child was encountered.");
    expect(text(p["encounter.accompaniment"])).toBe("Say whether the child was alone or with an adult.");
    expect(p["encounter.place"]).toBeUndefined();
  });
  it("refuses an encounter in the future", () => {
    const d = filled();
    d.encounter.date = { day: "26", month: "11", year: "2026" };
    d.encounter.time = "10:00";
    expect(text(validateEncounter(d, now)["encounter.occurred_at"])).toMatch(/cannot be in the future/);
  });
  it("finds nothing wrong with a complete encounter", () => {
    expect(validateEncounter(filled(), now)).toEqual({});
  });
});

describe("dates and times as typed", () => {
  it("refuses a day that does not exist and a time that cannot be", () => {
    const d = filled();
    d.encounter.date = { day: "31", month: "11", year: "2026" };
    d.encounter.time = "25:10";
    const p = validateEncounter(d, now);
    expect(text(p["encounter.occurred_at"])).toMatch(/^Enter a real date/);
    expect(text(p["encounter.time"])).toBe("Enter the time as hours and minutes, like 06:30 or 18:45.");
  });
  it("reads the usual ways of writing a time", () => {
    expect(parseTime("6:30")).toBe("06:30");
    expect(parseTime("0630")).toBe("06:30");
    expect(parseTime("18.45")).toBe("18:45");
    expect(parseTime("18h45")).toBe("18:45");
    expect(parseTime("7")).toBeNull();
    expect(parseTime("24:00")).toBeNull();
  });
  it("builds a calendar day only from a real one", () => {
    expect(isoDate({ day: "2", month: "5", year: "2013" })).toBe("2013-05-02");
    expect(isoDate({ day: "29", month: "2", year: "2025" })).toBeNull();
    expect(isoDate({ day: "29", month: "2", year: "2024" })).toBe("2024-02-29");
    expect(isoDate({ day: "2", month: "5", year: "13" })).toBeNull();
  });
});

describe("child step", () => {
  it("accepts an alias instead of a name", () => {
    const d = filled();
    d.child.given_name = "";
    expect(text(validateChild(d, now)["child.given_name"])).toMatch(/given name, or an alias/);
    d.child.aliases = "La Flaca";
    expect(validateChild(d, now)["child.given_name"]).toBeUndefined();
  });
  it("asks for an age one way or the other, and how it was known", () => {
    const d = filled();
    d.child.date_of_birth = { day: "", month: "", year: "" };
    expect(text(validateChild(d, now)["child.date_of_birth"])).toBe(
      "Enter a date of birth, or an estimated age if it is not known.",
    );
    d.child.estimated_age_years = "19";
    expect(text(validateChild(d, now)["child.estimated_age_years"])).toBe("The estimated age must be a whole number from 0 to 17.");
    d.child.estimated_age_years = "15";
    d.child.age_method = "";
    const p = validateChild(d, now);
    expect(p["child.estimated_age_years"]).toBeUndefined();
    expect(text(p["child.age_method"])).toBe("Say how the age was established.");
  });
  it("says when a date of birth makes the person an adult", () => {
    const d = filled();
    d.child.date_of_birth = { day: "1", month: "1", year: "2007" };
    expect(text(validateChild(d, now)["child.date_of_birth"])).toMatch(/makes the person 19 years old/);
  });
  it("quotes the bad country or language code", () => {
    const d = filled();
    d.child.nationalities = "GT, Mexico";
    d.child.languages = "spa, Spanish";
    const p = validateChild(d, now);
    expect(text(p["child.nationalities"])).toMatch(/^“Mexico” is not a two-letter country code/);
    expect(text(p["child.languages"])).toMatch(/^“Spanish” is not a three-letter language code/);
  });
});

describe("adults step", () => {
  it("asks for the adult when the child was not alone", () => {
    const d = filled();
    d.encounter.accompaniment = "unrelated_or_unverified_adult";
    expect(text(validateAdults(d)["adults"])).toMatch(/add the adult who was with the child/);
    d.adults = [{ key: "k", name: " ", claimed_relationship: "aunt_or_uncle", description: "" }];
    const p = validateAdults(d);
    expect(p["adults"]).toBeUndefined();
    expect(text(p["adults[0].name"])).toBe("Enter the adult's name, or “unknown”.");
  });
});

describe("screening step", () => {
  it("wants an answer to every question", () => {
    const d = filled();
    d.screening.answers = { debt: "yes" };
    expect(Object.keys(validateScreening(d, instrument))).toEqual(["screening.answers.papers"]);
  });
  it("asks the contiguous-country questions, with a rationale, only for a child from Mexico or Canada", () => {
    const d = filled();
    expect(validateScreening(d, instrument)).toEqual({});
    d.child.nationalities = "mx";
    const p = validateScreening(d, instrument);
    expect(text(p["screening.criteria.no_credible_fear.answer"])).toMatch(/^Choose an answer/);
    expect(text(p["screening.criteria.no_credible_fear.rationale"])).toBe("Write why. The reason is part of the record.");
    d.screening.criteria = { no_credible_fear: { answer: "no", rationale: "Afraid of the gang." } };
    expect(validateScreening(d, instrument)).toEqual({});
  });
});

describe("the whole draft", () => {
  it("stops at the first step with a problem", () => {
    const d = filled();
    d.child.interpreter_used = "";
    expect(validateAll(d, instrument, now)?.step).toBe("child");
    expect(validateAll(filled(), instrument, now)).toBeNull();
  });
  it("becomes a new case with trimmed, normalized values", () => {
    const d = filled();
    d.child.nationalities = " gt ,mx";
    d.referrals = [{ key: "r", to: "child_placement", reason: " urgent " }, { key: "s", to: "", reason: "" }];
    d.services = ["medical_care"];
    d.screening.criteria = { no_credible_fear: { answer: "no", rationale: " Afraid. " } };
    const c = toNewCase(d, now);
    expect(c.child?.nationalities).toEqual(["GT", "MX"]);
    expect(c.child?.languages).toEqual(["spa", "quc"]);
    expect(c.child?.family_name).toBeUndefined();
    expect(c.encounter.occurred_at).toMatch(/^2026-11-25T06:30:00[+-]\d{2}:\d{2}$/);
    expect(c.encounter.station).toBe("LRD-07");
    expect(c.referrals).toEqual([
      { to: "child_placement", status: "drafted", drafted_at: expect.stringMatching(/^2026-11-25T15:00:00[+-]/), reason: "urgent" },
    ]);
    expect(c.services).toEqual([{ kind: "medical_care", provided_on: "2026-11-25" }]);
    expect(c.screening?.answers).toEqual({ debt: "yes", papers: "no" });
    expect(c.screening?.criteria).toEqual({ no_credible_fear: { answer: "no", rationale: "Afraid." } });
    expect(c.screening?.completed_at).toMatch(/^2026-11-25T15:00:00/);
  });
  it("leaves the screening out when it is put off, and asks nothing more", () => {
    const d = filled();
    d.screening.when = "later";
    d.screening.answers = {};
    expect(validateScreening(d, instrument)).toEqual({});
    expect(toNewCase(d, now).screening).toBeUndefined();
    d.screening.when = "";
    expect(Object.keys(validateScreening(d, instrument))).toEqual(["screening.when"]);
  });
  it("sends an error from the shell to the step of its field", () => {
    expect(stepOfField("child.date_of_birth")).toBe("child");
    expect(stepOfField("adults[0].name")).toBe("adults");
    expect(stepOfField("referrals[1].to")).toBe("needs");
    expect(stepOfField("services[0].kind")).toBe("needs");
  });
});
