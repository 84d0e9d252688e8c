import type { CaseId, CaseRow } from "../../bindings";
import { isDeadlineNear, readClock } from "../../shared/custodyClock";

export const FILTERS = ["deadline_near", "needs_screening", "referral_pending", "conflict"] as const;
export type CaseFilter = (typeof FILTERS)[number];

function matches(c: CaseRow, f: CaseFilter, now: number): boolean {
  switch (f) {
    case "deadline_near":
      return isDeadlineNear(c.clock, now);
    case "needs_screening":
      return c.needs_screening;
    case "referral_pending":
      return c.referral_pending;
    case "conflict":
      return c.has_conflict;
  }
}

/** Earliest unmet deadline, for ordering the most urgent case first. */
function urgency(c: CaseRow, now: number): number {
  if (!c.clock) return Number.POSITIVE_INFINITY;
  const open = readClock(c.clock, now).deadlines.filter((d) => d.state !== "met");
  return open.length ? Math.min(...open.map((d) => d.remainingMs)) : Number.POSITIVE_INFINITY;
}

/**
 * The rows to show: every active filter must match (they narrow), and when a
 * search ran, only its hits, in its order (best first). Without a search the most
 * urgent deadline comes first.
 */
export function visibleCases(
  cases: CaseRow[],
  filters: ReadonlySet<CaseFilter>,
  searchHits: CaseId[] | null,
  now: number,
): CaseRow[] {
  const active = [...filters];
  const pass = (c: CaseRow) => active.every((f) => matches(c, f, now));
  if (searchHits) {
    const byId = new Map(cases.map((c) => [c.id, c]));
    return searchHits.flatMap((id) => {
      const c = byId.get(id);
      return c && pass(c) ? [c] : [];
    });
  }
  // Read each clock once, not once per comparison (10,000 cases: ~130,000 comparisons).
  return cases
    .filter(pass)
    .map((c) => ({ c, u: urgency(c, now) }))
    .sort((a, b) => (a.u === b.u ? 0 : a.u < b.u ? -1 : 1))
    .map(({ c }) => c);
}
