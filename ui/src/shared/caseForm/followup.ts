/**
 * The logic of the case screen's follow-up forms, without React: what each
 * form holds, the checks made before anything is sent (plain words beside
 * the field), the value sent to the shell, and the shell's refused fields
 * put back beside the form's fields. The shell checks everything again by
 * core's rules; these checks only save a round trip for the obvious.
 */
import type {
  Accompaniment,
  AgeMethod,
  CaseDocument,
  CaseStatus,
  Child,
  CommandError,
  Encounter,
  EncounterType,
  FieldEdit,
  NewReferral,
  OutcomeItem,
  OutcomeKind,
  ReferralItem,
  ReferralStatus,
  ReferralTo,
  Relationship,
  ReliefItem,
  ReliefKind,
  ServiceItem,
  ServiceKind,
  Sex,
} from "../../bindings";
import { emptyDate, isDateEmpty, isoDate, type DateParts } from "../../components/MemorableDate";
import { problem, type Problems } from "../../components/problem";
import { instantToRfc3339, localToRfc3339, splitList, todayIso } from "./dates";
import { whenForm, whenValue, type WhenForm } from "./custodyForm";
import { CLOCK_SLACK_MS, MILESTONES, MILESTONES_OF, ORG_ID, REMOVABLE_REFERRAL_STATUSES, STATION_CODE, type Milestone } from "../../bindings/vocabulary";

/** The milestones that apply to a kind of relief (core's `ReliefKind::milestones`): a law-enforcement certification for T and U visas, court findings for SIJS. */
export function milestonesFor(kind: ReliefKind): Milestone[] {
  return [...MILESTONES_OF[kind]];
}

/** The milestones an application has reached, in order, with their days. */
export function reachedMilestones(r: ReliefItem): { milestone: Milestone; on: string }[] {
  return MILESTONES.flatMap((m) => (r[m] ? [{ milestone: m, on: r[m] }] : []));
}

/** A form's check: the value to send, or the problems by field id. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problems };
const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (problems: Problems): { ok: false; problems: Problems } => ({ ok: false, problems });

const pad = (n: number) => String(n).padStart(2, "0");

/** Today's date as the date boxes hold it. */
export function dateOf(now: Date): DateParts {
  return { day: String(now.getDate()), month: String(now.getMonth() + 1), year: String(now.getFullYear()) };
}


/** Check a day: required, a real date, not after today. `id` is the field's DOM id. */
function checkDay(p: Problems, id: string, d: DateParts, now: Date): string | null {
  if (isDateEmpty(d)) {
    p[id] = problem("followup.err.dateRequired");
    return null;
  }
  const iso = isoDate(d);
  if (!iso) {
    p[id] = problem("followup.err.date");
    return null;
  }
  if (iso > todayIso(now)) {
    p[id] = problem("followup.err.future");
    return null;
  }
  return iso;
}

// ---------------------------------------------------------------- referral

/** A referral's next step as the form holds it. */
export interface StepForm {
  status: ReferralStatus | "";
  date: DateParts;
  time: string;
  /** The minute the form opened on: kept as is, it means "now", sent to the second
   * (a referral drafted a few seconds ago must not seem to move before it was written). */
  opened?: string;
}

const minuteOf = (now: Date) => `${todayIso(now)}T${pad(now.getHours())}:${pad(now.getMinutes())}`;

export const stepForm = (now: Date): StepForm => ({
  status: "",
  date: dateOf(now),
  time: `${pad(now.getHours())}:${pad(now.getMinutes())}`,
  opened: minuteOf(now),
});

/** A day and a time as a form holds them; `opened` is the minute the form opened on. */
interface When {
  date: DateParts;
  time: string;
  opened?: string | undefined;
}

/**
 * Check a day and time (`${prefix}-date`, `${prefix}-time`): the time as
 * RFC 3339 with the device's offset, to the second when the form's "now"
 * was kept; null with the problems set when it is not a real past time.
 */
function checkWhen(p: Problems, prefix: string, f: When, now: Date): string | null {
  const day = checkDay(p, `${prefix}-date`, f.date, now);
  const hm = /^(\d{1,2}):(\d{2})$/.exec(f.time.trim());
  if (!hm || Number(hm[1]) > 23 || Number(hm[2]) > 59) p[`${prefix}-time`] = problem("followup.err.time");
  if (!day || !hm) return null;
  const minute = `${day}T${pad(Number(hm[1]))}:${hm[2]}`;
  const at = minute === f.opened ? instantToRfc3339(now.getTime()) : localToRfc3339(minute);
  if (Date.parse(at) > now.getTime() + CLOCK_SLACK_MS) {
    p[`${prefix}-time`] = problem("followup.err.future");
    return null;
  }
  return at;
}

/** The step's status and time (RFC 3339 with the device's offset), or the problems by field id under `prefix`. */
export function checkStep(f: StepForm, now: Date, prefix: string): Checked<{ status: ReferralStatus; at: string }> {
  const p: Problems = {};
  if (!f.status) p[`${prefix}-status`] = problem("followup.err.choose");
  const at = checkWhen(p, prefix, f, now);
  if (Object.keys(p).length || !f.status || !at) return bad(p);
  return ok({ status: f.status, at });
}

/** A referral written after the intake, as its form holds it. */
export interface ReferralForm extends When {
  to: ReferralTo | "";
  /** The receiving organization's short id, when it uses Waystation (may be empty). */
  org: string;
  reason: string;
}

export const referralForm = (now: Date): ReferralForm => ({
  to: "",
  org: "",
  reason: "",
  date: dateOf(now),
  time: `${pad(now.getHours())}:${pad(now.getMinutes())}`,
  opened: minuteOf(now),
});

/** The new referral to send (drafted when it was written), or the problems by field id (`referral-…`). */
export function checkReferral(f: ReferralForm, now: Date): Checked<NewReferral> {
  const p: Problems = {};
  if (!f.to) p["referral-to"] = problem("followup.err.choose");
  const org = f.org.trim().toLowerCase();
  if (org && !ORG_ID.test(org)) p["referral-org"] = problem("followup.err.org");
  const at = checkWhen(p, "referral", f, now);
  if (Object.keys(p).length || !f.to || !at) return bad(p);
  const reason = f.reason.trim();
  return ok({ to: f.to, drafted_at: at, ...(org ? { org } : {}), ...(reason ? { reason } : {}) });
}

/** Whether removing a referral is offered: only one still drafted was entered by mistake rather than sent. */
export const isRemovableReferral = (r: ReferralItem) => REMOVABLE_REFERRAL_STATUSES.includes(r.status);

// ---------------------------------------------------------------- lists

export interface ServiceForm {
  kind: ServiceKind | "";
  date: DateParts;
  description: string;
}
export const serviceForm = (now: Date): ServiceForm => ({ kind: "", date: dateOf(now), description: "" });

/** The service to send, or the problems by field id. */
export function checkService(f: ServiceForm, now: Date): Checked<{ kind: ServiceKind; provided_on: string; description?: string }> {
  const p: Problems = {};
  if (!f.kind) p["service-kind"] = problem("followup.err.choose");
  const day = checkDay(p, "service-date", f.date, now);
  const description = f.description.trim();
  if (f.kind === "other" && !description) p["service-description"] = problem("followup.err.describe");
  if (Object.keys(p).length || !f.kind || !day) return bad(p);
  return ok({ kind: f.kind, provided_on: day, ...(description ? { description } : {}) });
}

/** A logged service back in the form, to correct it. */
export function serviceFormOf(s: ServiceItem): ServiceForm {
  return { kind: s.kind, date: partsOf(s.provided_on), description: s.description ?? "" };
}

/**
 * The corrections of a logged item: `fields` of `next` (the checked form;
 * a field it leaves out is cleared) that differ from `item`, each with the
 * value the form was opened with.
 */
export function itemEdits(item: object, next: object, fields: readonly string[]): FieldEdit[] {
  const was = item as Record<string, unknown>;
  const now = next as Record<string, unknown>;
  return fields.flatMap((f) => (same(was[f], now[f]) ? [] : [{ field: f, value: (now[f] ?? null) as FieldEdit["value"], was: (was[f] ?? null) as FieldEdit["was"] }]));
}

export const SERVICE_FIELDS = ["kind", "provided_on", "description"] as const;
export const OUTCOME_FIELDS = ["kind", "occurred_on", "sponsor_relationship", "location", "description"] as const;

export interface ReliefForm {
  kind: ReliefKind | "";
  description: string;
  milestone: Milestone | "";
  date: DateParts;
}
export const reliefForm = (now: Date): ReliefForm => ({ kind: "", description: "", milestone: "", date: dateOf(now) });

/** The new application to send (with its first milestone when one is chosen), or the problems. */
export function checkRelief(f: ReliefForm, now: Date): Checked<ReliefItem> {
  const p: Problems = {};
  if (!f.kind) p["relief-kind"] = problem("followup.err.choose");
  const description = f.description.trim();
  if (f.kind === "other" && !description) p["relief-description"] = problem("followup.err.describe");
  let day: string | null = null;
  if (f.milestone) day = checkDay(p, "relief-date", f.date, now);
  if (Object.keys(p).length || !f.kind) return bad(p);
  const relief: ReliefItem = { kind: f.kind, ...(description ? { description } : {}) };
  if (f.milestone && day) relief[f.milestone] = day;
  return ok(relief);
}

export interface MilestoneForm {
  milestone: Milestone | "";
  date: DateParts;
  /** The USCIS receipt number, asked with the receipt notice's milestone. */
  receipt: string;
}
export const milestoneForm = (now: Date): MilestoneForm => ({ milestone: "", date: dateOf(now), receipt: "" });

/** The milestone and its day, with the receipt number when the receipt notice gives one. */
export function checkMilestone(f: MilestoneForm, now: Date, prefix: string): Checked<{ milestone: Milestone; on: string; receipt?: string }> {
  const p: Problems = {};
  if (!f.milestone) p[`${prefix}-milestone`] = problem("followup.err.choose");
  const day = checkDay(p, `${prefix}-date`, f.date, now);
  const receipt = f.milestone === "receipt_on" ? f.receipt.replace(/\s+/g, "").toUpperCase() : "";
  if (receipt && !/^[A-Z]{3}\d{10}$/.test(receipt)) p[`${prefix}-receipt`] = problem("followup.err.receipt");
  if (Object.keys(p).length || !f.milestone || !day) return bad(p);
  return ok({ milestone: f.milestone, on: day, ...(receipt ? { receipt } : {}) });
}

export interface OutcomeForm {
  kind: OutcomeKind | "";
  date: DateParts;
  sponsor: Relationship | "";
  location: string;
  description: string;
}
export const outcomeForm = (now: Date): OutcomeForm => ({ kind: "", date: dateOf(now), sponsor: "", location: "", description: "" });

/** A recorded outcome back in the form, to correct it. */
export function outcomeFormOf(o: OutcomeItem): OutcomeForm {
  return { kind: o.kind, date: partsOf(o.occurred_on), sponsor: o.sponsor_relationship ?? "", location: o.location ?? "", description: o.description ?? "" };
}

export function checkOutcome(f: OutcomeForm, now: Date): Checked<OutcomeItem> {
  const p: Problems = {};
  if (!f.kind) p["outcome-kind"] = problem("followup.err.choose");
  const day = checkDay(p, "outcome-date", f.date, now);
  const [location, description] = [f.location.trim(), f.description.trim()];
  if (f.kind === "other" && !description) p["outcome-description"] = problem("followup.err.describe");
  if (Object.keys(p).length || !f.kind || !day) return bad(p);
  return ok({
    kind: f.kind,
    occurred_on: day,
    ...(f.sponsor ? { sponsor_relationship: f.sponsor } : {}),
    ...(location ? { location } : {}),
    ...(description ? { description } : {}),
  });
}

// ---------------------------------------------------------------- case fields

/** The child section as a form holds it (the intake's, and the case screen's edit form): text as typed, lists comma-separated. */
export interface ChildForm {
  given_name: string;
  family_name: string;
  /** Comma-separated. */
  aliases: string;
  date_of_birth: DateParts;
  estimated_age_years: string;
  age_method: AgeMethod | "";
  sex: Sex | "";
  /** ISO 3166-1 alpha-2 codes, comma-separated. */
  nationalities: string;
  /** ISO 639-3 codes, comma-separated. */
  languages: string;
}

function partsOf(iso: string | undefined): DateParts {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso) : null;
  return m ? { year: m[1]!, month: String(Number(m[2])), day: String(Number(m[3])) } : emptyDate();
}

export function childForm(c: Partial<Child>): ChildForm {
  return {
    given_name: c.given_name ?? "",
    family_name: c.family_name ?? "",
    aliases: (c.aliases ?? []).join(", "),
    date_of_birth: partsOf(c.date_of_birth),
    estimated_age_years: c.estimated_age_years != null ? String(c.estimated_age_years) : "",
    age_method: c.age_method ?? "",
    sex: c.sex ?? "",
    nationalities: (c.nationalities ?? []).join(", "),
    languages: (c.languages ?? []).join(", "),
  };
}

const list = (s: string, upper = false) => splitList(s).map((x) => (upper ? x.toUpperCase() : x));
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The DOM id of a child field in the edit form. */
export const childFieldId = (field: string) => `edit-child-${field}`;

/**
 * The edits to send for the fields whose value changed (each with the value
 * the form was opened with, so the shell refuses an edit of a field a sync
 * changed meanwhile), or the problems by field id.
 */
export function childEdits(c: Partial<Child>, f: ChildForm, now: Date): Checked<FieldEdit[]> {
  const p: Problems = {};
  let dob: string | null = null;
  if (!isDateEmpty(f.date_of_birth)) {
    dob = isoDate(f.date_of_birth);
    if (!dob) p[childFieldId("date_of_birth")] = problem("followup.err.date");
    else if (dob > todayIso(now)) p[childFieldId("date_of_birth")] = problem("followup.err.future");
  }
  const est = f.estimated_age_years.trim();
  if (est && !/^\d+$/.test(est)) p[childFieldId("estimated_age_years")] = problem("followup.err.number");
  if (Object.keys(p).length) return bad(p);
  const text = (s: string) => (s.trim() ? s.trim() : null);
  const next: Record<keyof ChildForm, unknown> = {
    given_name: text(f.given_name),
    family_name: text(f.family_name),
    aliases: list(f.aliases).length ? list(f.aliases) : null,
    date_of_birth: dob,
    estimated_age_years: est ? Number(est) : null,
    age_method: f.age_method || null,
    sex: f.sex || null,
    nationalities: list(f.nationalities, true).length ? list(f.nationalities, true) : null,
    languages: list(f.languages).length ? list(f.languages).map((l) => l.toLowerCase()) : null,
  };
  const edits: FieldEdit[] = [];
  for (const [k, v] of Object.entries(next) as [keyof ChildForm, unknown][]) {
    const was = (c as Record<string, unknown>)[k] ?? null;
    if (!same(was, v)) edits.push({ field: `child.${k}`, value: v as FieldEdit["value"], was: was as FieldEdit["was"] });
  }
  return ok(edits);
}

/** The encounter's editable facts as the form holds them; its time is shown and corrected at the offset it was recorded with. */
export interface EncounterForm {
  when: WhenForm;
  station: string;
  place: string;
  type: EncounterType | "";
  accompaniment: Accompaniment | "";
  narrative: string;
}

export function encounterForm(e: Partial<Encounter>): EncounterForm {
  return {
    when: whenForm(e.occurred_at),
    station: e.station ?? "",
    place: e.place ?? "",
    type: e.type ?? "",
    accompaniment: e.accompaniment ?? "",
    narrative: e.narrative ?? "",
  };
}

/** The DOM id of an encounter field in the edit form. */
export const encounterFieldId = (field: string) => `edit-encounter-${field}`;

/** The changed encounter fields; its time (not in the future), the type and whether the child was alone stay required, as in the intake. */
export function encounterEdits(e: Partial<Encounter>, f: EncounterForm, now: Date = new Date()): Checked<FieldEdit[]> {
  const p: Problems = {};
  const occurredAt = whenValue(p, encounterFieldId("occurred_at"), f.when, now, false);
  const station = f.station.trim().toUpperCase();
  if (!station) p[encounterFieldId("station")] = problem("intake.err.stationRequired");
  else if (!STATION_CODE.test(station)) p[encounterFieldId("station")] = problem("intake.err.stationFormat");
  if (!f.type) p[encounterFieldId("type")] = problem("intake.err.typeRequired");
  if (!f.accompaniment) p[encounterFieldId("accompaniment")] = problem("intake.err.accompanimentRequired");
  if (Object.keys(p).length) return bad(p);
  const text = (s: string) => (s.trim() ? s.trim() : null);
  const next: Record<Exclude<keyof EncounterForm, "when">, unknown> = {
    station,
    place: text(f.place),
    type: f.type,
    accompaniment: f.accompaniment,
    narrative: text(f.narrative),
  };
  const edits: FieldEdit[] = [];
  if (occurredAt) edits.push({ field: "encounter.occurred_at", value: occurredAt, was: e.occurred_at ?? null });
  for (const [k, v] of Object.entries(next) as [keyof EncounterForm, unknown][]) {
    const was = (e as Record<string, unknown>)[k] ?? null;
    if (!same(was, v)) edits.push({ field: `encounter.${k}`, value: v as FieldEdit["value"], was: was as FieldEdit["was"] });
  }
  return ok(edits);
}

/** The case status edit, when it changed. */
export function statusEdits(doc: CaseDocument, status: CaseStatus | ""): Checked<FieldEdit[]> {
  if (!status) return bad({ "edit-status": problem("followup.err.statusRequired") });
  const was = doc.status ?? null;
  return ok(was === status ? [] : [{ field: "status", value: status, was }]);
}

// ---------------------------------------------------------------- the shell's answer

/**
 * The shell's refused fields beside the form's fields: `idOf` names the DOM
 * id for a field path (`child.nationalities[0]` is looked up as
 * `child.nationalities`); a field the form does not show goes to `fallback`.
 * `null` when the error refused no field (show it as an alert instead).
 */
export function shellProblems(e: CommandError, idOf: (field: string) => string | undefined, fallback: string): Problems | null {
  if (e.code !== "invalid" || !e.fields?.length) return null;
  const p: Problems = {};
  for (const f of e.fields) {
    const id = idOf(f.field.replace(/\[\d+\]/g, "")) ?? fallback;
    p[id] ??= { text: f.message };
  }
  return p;
}
