/** What each intake step needs before the next one, as plain-words problems
 * keyed by field path (the same paths core's errors name). Pure: the screens
 * and the tests call the same code. Core checks again on save. */
import { problem, type Problems } from "../../components/problem";
import type { Instrument } from "../../bindings";
import { isDateEmpty, isoDate } from "../../components/MemorableDate";
import { CLOCK_SLACK_MS, STATION_CODE } from "../../bindings/vocabulary";
import { parseTime, splitList, yearsBetween } from "../../shared/caseForm/dates";
import { encounterLocal, isContiguous, STEPS, type IntakeDraft, type StepId } from "./draft";

export function validateEncounter(d: IntakeDraft, now: Date): Problems {
  const p: Problems = {};
  const e = d.encounter;
  if (isDateEmpty(e.date)) p["encounter.occurred_at"] = problem("intake.err.occurredAtRequired");
  else if (!isoDate(e.date)) p["encounter.occurred_at"] = problem("intake.err.dateInvalid");
  if (!e.time.trim()) p["encounter.time"] = problem("intake.err.timeRequired");
  else if (!parseTime(e.time)) p["encounter.time"] = problem("intake.err.timeInvalid");
  const local = encounterLocal(d);
  if (local && new Date(local).getTime() > now.getTime() + CLOCK_SLACK_MS)
    p["encounter.occurred_at"] = problem("intake.err.occurredAtFuture");
  if (!e.station.trim()) p["encounter.station"] = problem("intake.err.stationRequired");
  else if (!STATION_CODE.test(e.station.trim().toUpperCase())) p["encounter.station"] = problem("intake.err.stationFormat");
  if (!e.type) p["encounter.type"] = problem("intake.err.typeRequired");
  if (!e.accompaniment) p["encounter.accompaniment"] = problem("intake.err.accompanimentRequired");
  return p;
}

const COUNTRY = /^[A-Za-z]{2}$/;
const LANGUAGE = /^[A-Za-z]{3}$/;

export function validateChild(d: IntakeDraft, now: Date): Problems {
  const p: Problems = {};
  const c = d.child;
  if (!c.given_name.trim() && splitList(c.aliases).length === 0) p["child.given_name"] = problem("intake.err.nameRequired");
  if (!isDateEmpty(c.date_of_birth)) {
    const dob = isoDate(c.date_of_birth);
    const local = encounterLocal(d);
    const at = local ? new Date(local) : now;
    const age = dob ? yearsBetween(dob, at) : null;
    if (!dob || age === null) p["child.date_of_birth"] = problem("intake.err.dateInvalid");
    else if (new Date(`${dob}T00:00:00`).getTime() > at.getTime()) p["child.date_of_birth"] = problem("intake.err.dobFuture");
    else if (age >= 18) p["child.date_of_birth"] = problem("intake.err.dobAdult", { age });
  } else if (!c.estimated_age_years.trim()) {
    p["child.date_of_birth"] = problem("intake.err.ageRequired");
  } else if (!/^\d+$/.test(c.estimated_age_years.trim()) || Number(c.estimated_age_years) > 17) {
    p["child.estimated_age_years"] = problem("intake.err.estimatedAgeRange");
  }
  if ((!isDateEmpty(c.date_of_birth) || c.estimated_age_years.trim()) && !c.age_method) p["child.age_method"] = problem("intake.err.ageMethodRequired");
  const badCountry = splitList(c.nationalities).find((x) => !COUNTRY.test(x));
  if (badCountry !== undefined) p["child.nationalities"] = problem("intake.err.countryCode", { code: badCountry });
  const badLang = splitList(c.languages).find((x) => !LANGUAGE.test(x));
  if (badLang !== undefined) p["child.languages"] = problem("intake.err.languageCode", { code: badLang });
  if (!c.interpreter_used) p["child.interpreter_used"] = problem("intake.err.interpreterRequired");
  return p;
}

export function validateAdults(d: IntakeDraft): Problems {
  const p: Problems = {};
  if (d.encounter.accompaniment && d.encounter.accompaniment !== "alone" && d.adults.length === 0)
    p["adults"] = problem("intake.err.adultMissing");
  d.adults.forEach((a, i) => {
    if (!a.name.trim()) p[`adults[${i}].name`] = problem("intake.err.adultName");
    if (!a.claimed_relationship) p[`adults[${i}].claimed_relationship`] = problem("intake.err.adultRelationship");
  });
  return p;
}

export function validateScreening(d: IntakeDraft, instrument: Instrument | null): Problems {
  const s = d.screening;
  if (!s.when) return { "screening.when": problem("intake.err.screenWhen") };
  if (s.when === "later") return {};
  if (!instrument) return { "screening.instrument": problem("intake.err.instrumentMissing") };
  const p: Problems = {};
  for (const ind of instrument.indicators) {
    if (!s.answers[ind.id]) p[`screening.answers.${ind.id}`] = problem("intake.err.answerRequired");
  }
  if (isContiguous(d)) {
    for (const cr of instrument.criteria) {
      const a = s.criteria[cr.id];
      if (!a?.answer) p[`screening.criteria.${cr.id}.answer`] = problem("intake.err.answerRequired");
      if (!a?.rationale.trim()) p[`screening.criteria.${cr.id}.rationale`] = problem("intake.err.rationaleRequired");
    }
  }
  return p;
}

export function validateNeeds(d: IntakeDraft): Problems {
  const p: Problems = {};
  d.referrals.forEach((r, i) => {
    if (!r.to) p[`referrals[${i}].to`] = problem("intake.err.referralTo");
  });
  return p;
}

export function validateStep(step: StepId, d: IntakeDraft, instrument: Instrument | null, now: Date): Problems {
  switch (step) {
    case "encounter":
      return validateEncounter(d, now);
    case "child":
      return validateChild(d, now);
    case "adults":
      return validateAdults(d);
    case "screening":
      return validateScreening(d, instrument);
    case "needs":
      return validateNeeds(d);
    case "review":
      return {};
  }
}

/** The first step with a problem, and its problems; null when the draft can be saved. */
export function validateAll(
  d: IntakeDraft,
  instrument: Instrument | null,
  now: Date,
): { step: StepId; problems: Problems } | null {
  for (const step of STEPS) {
    const problems = validateStep(step, d, instrument, now);
    if (Object.keys(problems).length) return { step, problems };
  }
  return null;
}

/** The step a field path belongs to (for errors the shell sends back). */
export function stepOfField(path: string): StepId {
  const head = path.split(/[.[]/)[0];
  switch (head) {
    case "encounter":
      return "encounter";
    case "child":
      return "child";
    case "adults":
      return "adults";
    case "screening":
      return "screening";
    case "referrals":
    case "services":
      return "needs";
    default:
      return "review";
  }
}

export { domId } from "../../components/problem";
