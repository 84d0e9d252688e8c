/** How a case's custody clock reads at a given instant. The deadlines and their
 * warning times come from core's `CustodyClock`; this only compares them with now. */
import type { CustodyClock, Deadline, DeadlineKind } from "../../bindings";

export type DeadlineState = "met" | "ok" | "warning" | "overdue";

export interface DeadlineReading {
  kind: DeadlineKind;
  state: DeadlineState;
  /** Milliseconds until due (negative once overdue); 0 when met. */
  remainingMs: number;
  dueAt: string;
  metAt: string | null;
}

export interface ClockReading {
  inCustodyMs: number;
  deadlines: DeadlineReading[];
  /** The most urgent state of all deadlines, for the row's marker and the filter. */
  worst: DeadlineState;
}

const RANK: Record<DeadlineState, number> = { met: 0, ok: 1, warning: 2, overdue: 3 };

export function deadlineState(d: Deadline, now: number): DeadlineState {
  if (d.met_at) return "met";
  if (now >= Date.parse(d.due_at)) return "overdue";
  if (now >= Date.parse(d.warn_at)) return "warning";
  return "ok";
}

export function readClock(clock: CustodyClock, now: number): ClockReading {
  const deadlines = clock.deadlines.map((d) => {
    const state = deadlineState(d, now);
    return {
      kind: d.kind,
      state,
      remainingMs: state === "met" ? 0 : Date.parse(d.due_at) - now,
      dueAt: d.due_at,
      metAt: d.met_at,
    };
  });
  const worst = deadlines.reduce<DeadlineState>((w, d) => (RANK[d.state] > RANK[w] ? d.state : w), "met");
  return { inCustodyMs: Math.max(0, now - Date.parse(clock.in_custody_since)), deadlines, worst };
}

/** A deadline is "near" when it warns or has passed: what the list's filter shows. */
export const isDeadlineNear = (clock: CustodyClock | null, now: number) =>
  clock !== null && RANK[readClock(clock, now).worst] >= RANK.warning;
