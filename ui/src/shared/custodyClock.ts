/** How a case's custody clock reads now. Core read the clock (`CustodyClock`)
 * at its `now` and decided each deadline's state with its warning rule; the
 * screen only counts down from there, and marks a deadline overdue once its
 * time runs out. The list asks core again every minute, so "due soon" is
 * always core's decision. */
import type { CustodyClock, Deadline, DeadlineKind } from "../bindings";

export type DeadlineState = Deadline["state"];

export interface DeadlineReading {
  kind: DeadlineKind;
  state: DeadlineState;
  /** Milliseconds until due at `now` (negative once overdue). */
  remainingMs: number;
  dueAt: string;
  metAt: string | null;
  /** For a met deadline: whether it was met in time. */
  onTime: boolean | null;
}

export interface ClockReading {
  inCustody: boolean;
  inCustodyMs: number;
  deadlines: DeadlineReading[];
  /** The most urgent state of all deadlines, for the row's marker and the filter. */
  worst: DeadlineState;
}

const RANK: Record<DeadlineState, number> = { met: 0, ok: 1, due_soon: 2, overdue: 3 };

export function readClock(clock: CustodyClock, now: number): ClockReading {
  const elapsed = Math.max(0, now - Date.parse(clock.now));
  const deadlines = clock.deadlines.map((d): DeadlineReading => {
    const remainingMs = d.time_left_seconds * 1000 - elapsed;
    const state: DeadlineState = d.state !== "met" && remainingMs <= 0 ? "overdue" : d.state;
    return {
      kind: d.kind,
      state,
      remainingMs,
      dueAt: d.due_at,
      metAt: d.met_at,
      onTime: d.state === "met" ? d.on_time : null,
    };
  });
  const worst = deadlines.reduce<DeadlineState>((w, d) => (RANK[d.state] > RANK[w] ? d.state : w), "met");
  return {
    inCustody: clock.in_custody,
    inCustodyMs: clock.time_in_custody_seconds * 1000 + (clock.in_custody ? elapsed : 0),
    deadlines,
    worst,
  };
}

/** A deadline is "near" when core says it is due soon, or it has passed: what the list's filter shows. */
export const isDeadlineNear = (clock: CustodyClock | null, now: number) =>
  clock !== null && RANK[readClock(clock, now).worst] >= RANK.due_soon;
