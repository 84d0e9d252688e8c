/**
 * Times a case records with their own UTC offset (the encounter's, custody's
 * steps), edited on the case screen: the form shows the time as it was
 * written, at the offset it was written with, and a correction keeps that
 * offset; a time that was not recorded yet takes this device's offset. Also
 * the custody section's form and the edits it sends. No React here.
 */
import type { Custody, FieldEdit } from "../../bindings";
import { emptyDate, isDateEmpty, isoDate, type DateParts } from "../../components/MemorableDate";
import { problem, type Problems } from "../../components/problem";
import { CLOCK_SLACK_MS, CUSTODY_TIMES, type CustodyTime } from "../../bindings/vocabulary";
import { localToRfc3339 } from "./dates";

/** A recorded time as its form holds it: the day and the 24-hour time at `offset` (null: this device's). */
export interface WhenForm {
  date: DateParts;
  time: string;
  offset: string | null;
  /** The value the form opened with, to tell an unchanged time (sent as it was) from a correction. */
  was: string | null;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** The form of a recorded time (or an empty one), read at the offset it was written with. */
export function whenForm(value: string | null | undefined): WhenForm {
  const m = value ? RFC3339.exec(value) : null;
  if (!m) return { date: emptyDate(), time: "", offset: null, was: value ?? null };
  return {
    date: { year: m[1]!, month: String(Number(m[2])), day: String(Number(m[3])) },
    time: `${m[4]}:${m[5]}`,
    offset: m[6]!.toUpperCase() === "Z" ? "+00:00" : m[6]!,
    was: value ?? null,
  };
}

/** `+00:00`-style offset of this device at `local` (`YYYY-MM-DDTHH:MM`). */
const deviceOffset = (local: string) => localToRfc3339(local).slice(-6);

/** The offset a time form shows in its hint: the recorded one, or this device's now. */
export function shownOffset(f: WhenForm, now: Date): string {
  if (f.offset) return f.offset;
  const pad = (n: number) => String(n).padStart(2, "0");
  return deviceOffset(`${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`);
}

/**
 * The value to save for a time form: unchanged (`undefined`), cleared
 * (`null`, when both parts are emptied and `optional`), or the new RFC 3339
 * time. Problems go under `${id}-date` and `${id}-time`.
 */
export function whenValue(p: Problems, id: string, f: WhenForm, now: Date, optional: boolean): string | null | undefined {
  const noDay = isDateEmpty(f.date);
  const noTime = !f.time.trim();
  if (noDay && noTime) {
    if (optional) return f.was === null ? undefined : null;
    p[`${id}-date`] = problem("followup.err.dateRequired");
    return undefined;
  }
  if (noDay || noTime) {
    p[noDay ? `${id}-date` : `${id}-time`] = problem("followup.err.whenPart");
    return undefined;
  }
  const day = isoDate(f.date);
  if (!day) {
    p[`${id}-date`] = problem("followup.err.date");
    return undefined;
  }
  const hm = /^(\d{1,2}):(\d{2})$/.exec(f.time.trim());
  if (!hm || Number(hm[1]) > 23 || Number(hm[2]) > 59) {
    p[`${id}-time`] = problem("followup.err.time");
    return undefined;
  }
  const minute = `${day}T${hm[1]!.padStart(2, "0")}:${hm[2]}`;
  const was = whenForm(f.was);
  if (f.was && was.time && `${isoDate(was.date)}T${was.time}` === minute && was.offset === f.offset) return undefined;
  const at = `${minute}:00${f.offset ?? deviceOffset(minute)}`;
  if (Date.parse(at) > now.getTime() + CLOCK_SLACK_MS) {
    p[`${id}-time`] = problem("followup.err.future");
    return undefined;
  }
  return at;
}


/** The custody section as its form holds it. */
export interface CustodyForm {
  times: Record<CustodyTime, WhenForm>;
  facility: string;
  exceptional_circumstances: string;
}

export function custodyForm(c: Partial<Custody>): CustodyForm {
  const times = Object.fromEntries(CUSTODY_TIMES.map((k) => [k, whenForm(c[k])])) as Record<CustodyTime, WhenForm>;
  return { times, facility: c.facility ?? "", exceptional_circumstances: c.exceptional_circumstances ?? "" };
}

/** The DOM id of a custody field in the edit form (a time's day and time add `-date`, `-time`). */
export const custodyFieldId = (field: string) => `edit-custody-${field}`;

/** The custody fields that changed, each with the value the form opened with, or the problems by DOM id. */
export function custodyEdits(c: Partial<Custody>, f: CustodyForm, now: Date): { ok: true; value: FieldEdit[] } | { ok: false; problems: Problems } {
  const p: Problems = {};
  const edits: FieldEdit[] = [];
  for (const k of CUSTODY_TIMES) {
    const v = whenValue(p, custodyFieldId(k), f.times[k], now, true);
    if (v !== undefined) edits.push({ field: `custody.${k}`, value: v, was: c[k] ?? null });
  }
  for (const k of ["facility", "exceptional_circumstances"] as const) {
    const v = f[k].trim() || null;
    if (v !== (c[k] ?? null)) edits.push({ field: `custody.${k}`, value: v, was: c[k] ?? null });
  }
  return Object.keys(p).length ? { ok: false, problems: p } : { ok: true, value: edits };
}

/** Where the shell's refusal of a custody field goes: a time's to its time box. */
export function custodyIdOf(field: string): string | undefined {
  const k = field.startsWith("custody.") ? field.slice("custody.".length) : null;
  if (!k) return undefined;
  return (CUSTODY_TIMES as readonly string[]).includes(k) ? `${custodyFieldId(k)}-time` : custodyFieldId(k);
}
