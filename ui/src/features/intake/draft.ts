/** The intake form's state while it is being filled: strings as typed, saved as
 * a draft after every change, turned into a case document only on save. */
import type {
  Accompaniment,
  Answer,
  CriterionKind,
  EncounterType,
  NewCaseDocument,
  PromptLanguage,
  ReferralTo,
  Relationship,
  Screening,
  ServiceKind,
} from "../../bindings";
import { emptyDate, isoDate, type DateParts } from "../../components/MemorableDate";
import { CONTIGUOUS_COUNTRIES } from "../../bindings/vocabulary";
import { instantToRfc3339, localToRfc3339, parseTime, splitList, todayIso, yearsBetween } from "../../shared/caseForm/dates";
import type { ChildForm } from "../../shared/caseForm/followup";

export const STEPS = ["encounter", "child", "adults", "screening", "needs", "review"] as const;
export type StepId = (typeof STEPS)[number];

export interface AdultDraft {
  key: string;
  name: string;
  claimed_relationship: Relationship | "";
  description: string;
}
export interface ReferralDraft {
  key: string;
  to: ReferralTo | "";
  reason: string;
}
export interface CriterionDraft {
  answer: Answer | "";
  rationale: string;
}

export interface IntakeDraft {
  version: 3;
  step: StepId;
  saved_at: string | null;
  encounter: {
    /** The day of the encounter, as typed. */
    date: DateParts;
    /** The time, as typed (`06:30`, `6:30`, `0630`), in the device's time zone. */
    time: string;
    station: string;
    place: string;
    type: EncounterType | "";
    accompaniment: Accompaniment | "";
    narrative: string;
  };
  child: ChildForm & { interpreter_used: "yes" | "no" | "" };
  adults: AdultDraft[];
  screening: {
    /** Screen now, or save the case to screen later (it then shows as "needs screening"). */
    when: "now" | "later" | "";
    instrument: string;
    version: number;
    prompt_language: PromptLanguage;
    interpreter: string;
    /** RFC 3339: when the screening step was first opened. */
    started_at: string | null;
    answers: Record<string, Answer>;
    criteria: Partial<Record<CriterionKind, CriterionDraft>>;
  };
  /** Services given at once (water and food, medical care …), recorded as services delivered today. */
  services: ServiceKind[];
  referrals: ReferralDraft[];
}

export function emptyDraft(lang: PromptLanguage): IntakeDraft {
  return {
    version: 3,
    step: "encounter",
    saved_at: null,
    encounter: { date: emptyDate(), time: "", station: "", place: "", type: "", accompaniment: "", narrative: "" },
    child: {
      given_name: "",
      family_name: "",
      aliases: "",
      date_of_birth: emptyDate(),
      estimated_age_years: "",
      age_method: "",
      sex: "",
      nationalities: "",
      languages: "",
      interpreter_used: "",
    },
    adults: [],
    screening: {
      when: "",
      instrument: "",
      version: 0,
      prompt_language: lang,
      interpreter: "",
      started_at: null,
      answers: {},
      criteria: {},
    },
    services: [],
    referrals: [],
  };
}

/** A draft read back from the store, or null when it is not one of ours. */
export function parseDraft(raw: unknown): IntakeDraft | null {
  if (!raw || typeof raw !== "object") return null;
  const d = raw as Partial<IntakeDraft>;
  if (d.version !== 3 || !d.encounter || !d.child || !Array.isArray(d.adults) || !d.screening) return null;
  return raw as IntakeDraft;
}

/** Countries whose children get the contiguous-country questions (core's `CountryCode::is_contiguous`). */
const CONTIGUOUS: ReadonlySet<string> = new Set(CONTIGUOUS_COUNTRIES);

export function isContiguous(draft: IntakeDraft): boolean {
  return splitList(draft.child.nationalities).some((c) => CONTIGUOUS.has(c.toUpperCase()));
}

/** The encounter's local date and time (`YYYY-MM-DDTHH:MM`), or null while incomplete. */
export function encounterLocal(draft: IntakeDraft): string | null {
  const day = isoDate(draft.encounter.date);
  const time = parseTime(draft.encounter.time);
  return day && time ? `${day}T${time}` : null;
}

/** The child's age in whole years at the encounter, from the date of birth or the estimate. */
export function childAge(draft: IntakeDraft): number | null {
  const local = encounterLocal(draft);
  const at = local ? new Date(local) : new Date();
  const dob = isoDate(draft.child.date_of_birth);
  if (dob) return yearsBetween(dob, at);
  const est = draft.child.estimated_age_years.trim();
  return /^\d+$/.test(est) ? Number(est) : null;
}

const trimmed = (s: string) => (s.trim() ? s.trim() : undefined);

/** Drop keys whose value is undefined, so the document holds only what was entered. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function screeningDoc(draft: IntakeDraft, now: Date): Screening | undefined {
  const s = draft.screening;
  if (s.when !== "now" || !s.instrument) return undefined;
  const contiguous = isContiguous(draft);
  const criteria = Object.fromEntries(
    Object.entries(s.criteria).flatMap(([id, c]) =>
      contiguous && c?.answer ? [[id, compact({ answer: c.answer, rationale: trimmed(c.rationale) })]] : [],
    ),
  );
  return compact({
    instrument: s.instrument,
    version: s.version,
    prompt_language: s.prompt_language,
    interpreter: trimmed(s.interpreter),
    started_at: s.started_at ?? undefined,
    completed_at: instantToRfc3339(now.getTime()),
    answers: s.answers,
    criteria: Object.keys(criteria).length ? criteria : undefined,
  });
}

/** The draft as the case document to save. Call after `validateAll` found nothing. */
export function toNewCase(draft: IntakeDraft, now: Date): NewCaseDocument {
  const c = draft.child;
  const e = draft.encounter;
  const list = (s: string, f: (x: string) => string) => {
    const l = splitList(s).map(f);
    return l.length ? l : undefined;
  };
  return compact({
    child: compact({
      given_name: trimmed(c.given_name),
      family_name: trimmed(c.family_name),
      aliases: list(c.aliases, (x) => x),
      date_of_birth: isoDate(c.date_of_birth) ?? undefined,
      estimated_age_years:
        !isoDate(c.date_of_birth) && c.estimated_age_years.trim() ? Number(c.estimated_age_years) : undefined,
      age_method: c.age_method || undefined,
      sex: c.sex || undefined,
      nationalities: list(c.nationalities, (x) => x.toUpperCase()),
      languages: list(c.languages, (x) => x.toLowerCase()),
      interpreter_used: c.interpreter_used ? c.interpreter_used === "yes" : undefined,
    }),
    encounter: compact({
      occurred_at: localToRfc3339(encounterLocal(draft) ?? ""),
      station: trimmed(e.station)?.toUpperCase(),
      place: trimmed(e.place),
      type: e.type as Exclude<typeof e.type, "">,
      accompaniment: e.accompaniment as Exclude<typeof e.accompaniment, "">,
      narrative: trimmed(e.narrative),
    }),
    screening: screeningDoc(draft, now),
    adults: draft.adults.length
      ? draft.adults.map((a) =>
          compact({
            name: trimmed(a.name),
            claimed_relationship: a.claimed_relationship || undefined,
            description: trimmed(a.description),
          }),
        )
      : undefined,
    services: draft.services.length
      ? draft.services.map((kind) => ({ kind, provided_on: todayIso(now) }))
      : undefined,
    referrals: draft.referrals.some((r) => r.to)
      ? draft.referrals.flatMap((r) =>
          r.to
            ? [compact({ to: r.to, status: "drafted" as const, drafted_at: instantToRfc3339(now.getTime()), reason: trimmed(r.reason) })]
            : [],
        )
      : undefined,
  });
}
