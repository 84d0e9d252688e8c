/** The intake form's state while it is being filled: strings as typed, saved as
 * a draft after every change, turned into a `NewCase` only on save. */
import type {
  Accompanied,
  AgeMethod,
  Answer,
  EncounterType,
  ImmediateNeed,
  Lang,
  NewCase,
  ReferralTo,
  ScreeningRecord,
  Sex,
} from "../../bindings";

export const STEPS = ["encounter", "child", "adults", "screening", "needs", "review"] as const;
export type StepId = (typeof STEPS)[number];

export interface AdultDraft {
  key: string;
  name: string;
  claimed_relationship: string;
}
export interface ReferralDraft {
  key: string;
  to: ReferralTo | "";
  note: string;
}
export interface CriterionDraft {
  answer: Answer | "";
  rationale: string;
}

export interface IntakeDraft {
  version: 1;
  step: StepId;
  saved_at: string | null;
  encounter: {
    /** `datetime-local` text, in the device's time zone. */
    occurred_at: string;
    station: string;
    place: string;
    type: EncounterType | "";
    accompanied: Accompanied | "";
    narrative: string;
  };
  child: {
    given_name: string;
    family_name: string;
    /** Comma-separated. */
    aliases: string;
    date_of_birth: string;
    estimated_age: string;
    age_method: AgeMethod | "";
    sex: Sex | "";
    /** ISO 3166-1 alpha-2 codes, comma-separated. */
    nationalities: string;
    /** ISO 639-3 codes, comma-separated. */
    languages: string;
    interpreter_used: "yes" | "no" | "";
  };
  adults: AdultDraft[];
  screening: {
    instrument_id: string;
    instrument_version: number;
    language: Lang;
    interpreter_used: boolean;
    answers: Record<string, Answer>;
    contiguous: Record<string, CriterionDraft>;
  };
  needs: ImmediateNeed[];
  referrals: ReferralDraft[];
}

export function emptyDraft(lang: Lang): IntakeDraft {
  return {
    version: 1,
    step: "encounter",
    saved_at: null,
    encounter: { occurred_at: "", station: "", place: "", type: "", accompanied: "", narrative: "" },
    child: {
      given_name: "",
      family_name: "",
      aliases: "",
      date_of_birth: "",
      estimated_age: "",
      age_method: "",
      sex: "",
      nationalities: "",
      languages: "",
      interpreter_used: "",
    },
    adults: [],
    screening: {
      instrument_id: "",
      instrument_version: 0,
      language: lang,
      interpreter_used: false,
      answers: {},
      contiguous: {},
    },
    needs: [],
    referrals: [],
  };
}

/** A draft read back from the store, or null when it is not one of ours. */
export function parseDraft(raw: unknown): IntakeDraft | null {
  if (!raw || typeof raw !== "object") return null;
  const d = raw as Partial<IntakeDraft>;
  if (d.version !== 1 || !d.encounter || !d.child || !Array.isArray(d.adults) || !d.screening) return null;
  return raw as IntakeDraft;
}

export const splitList = (text: string): string[] =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Countries whose unaccompanied children get the contiguous-country screening. */
const CONTIGUOUS = new Set(["MX", "CA"]);

export function isContiguous(draft: IntakeDraft): boolean {
  return splitList(draft.child.nationalities).some((c) => CONTIGUOUS.has(c.toUpperCase()));
}

/** Whole years between a date of birth and an instant. */
export function yearsBetween(dob: string, at: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dob);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = at.getFullYear() - y;
  if (at.getMonth() + 1 < mo || (at.getMonth() + 1 === mo && at.getDate() < d)) age -= 1;
  return age;
}

/** The child's age at the encounter, from the date of birth or the estimate. */
export function childAge(draft: IntakeDraft): number | null {
  const at = draft.encounter.occurred_at ? new Date(draft.encounter.occurred_at) : new Date();
  if (draft.child.date_of_birth) return yearsBetween(draft.child.date_of_birth, at);
  const est = draft.child.estimated_age.trim();
  return /^\d+$/.test(est) ? Number(est) : null;
}

/** `datetime-local` text (device time) as RFC 3339 with the device's offset. */
export function localToRfc3339(local: string): string {
  const d = new Date(local);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

export function screeningRecord(draft: IntakeDraft): ScreeningRecord {
  const contiguous = isContiguous(draft)
    ? Object.fromEntries(
        Object.entries(draft.screening.contiguous).map(([id, c]) => [
          id,
          { answer: c.answer || "unknown", rationale: c.rationale.trim() },
        ]),
      )
    : null;
  return {
    instrument_id: draft.screening.instrument_id,
    instrument_version: draft.screening.instrument_version,
    language: draft.screening.language,
    interpreter_used: draft.child.interpreter_used === "yes",
    answers: draft.screening.answers,
    contiguous,
    child_age_years: childAge(draft),
  };
}

/** The draft as the case to save. Call only after `validateAll` found nothing. */
export function toNewCase(draft: IntakeDraft): NewCase {
  const c = draft.child;
  const e = draft.encounter;
  const opt = (s: string) => (s.trim() ? s.trim() : undefined);
  return {
    child: {
      given_name: c.given_name.trim(),
      family_name: c.family_name.trim(),
      aliases: splitList(c.aliases),
      date_of_birth: c.date_of_birth || null,
      estimated_age: c.date_of_birth ? null : c.estimated_age ? Number(c.estimated_age) : null,
      ...(c.age_method ? { age_method: c.age_method } : {}),
      ...(c.sex ? { sex: c.sex } : {}),
      nationalities: splitList(c.nationalities).map((s) => s.toUpperCase()),
      languages: splitList(c.languages).map((s) => s.toLowerCase()),
      interpreter_used: c.interpreter_used === "yes",
    },
    encounter: {
      occurred_at: localToRfc3339(e.occurred_at),
      station: e.station.trim(),
      ...(opt(e.place) ? { place: e.place.trim() } : {}),
      ...(e.type ? { type: e.type } : {}),
      ...(e.accompanied ? { accompanied: e.accompanied } : {}),
      narrative: e.narrative.trim(),
    },
    adults: draft.adults.map((a) => ({ name: a.name.trim(), claimed_relationship: a.claimed_relationship.trim() })),
    screening: draft.screening.instrument_id ? screeningRecord(draft) : null,
    immediate_needs: draft.needs,
    referrals: draft.referrals.flatMap((r) => (r.to ? [{ to: r.to, note: r.note.trim() }] : [])),
  };
}
