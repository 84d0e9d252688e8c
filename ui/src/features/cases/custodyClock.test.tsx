import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CaseRow, CustodyClock, Deadline } from "../../bindings";
import { renderIn } from "../../test/render";
import { CustodyClockView } from "../../shared/CustodyClockView";
import { readClock } from "../../shared/custodyClock";
import { visibleCases } from "./filterCases";

const H = 3_600_000;
const t0 = Date.parse("2026-11-23T12:00:00Z");
const at = (h: number) => new Date(t0 + h * H).toISOString();

/** A clock as core reads it `readAtH` hours after custody started (warning 12 h before). */
function clockAt(readAtH: number, met: Partial<Record<Deadline["kind"], number>> = {}): CustodyClock {
  const d = (kind: Deadline["kind"], dueH: number): Deadline => {
    const left = (dueH - readAtH) * 3600;
    const m = met[kind];
    if (m !== undefined) return { kind, due_at: at(dueH), met_at: at(m), time_left_seconds: left, state: "met", on_time: m <= dueH };
    return { kind, due_at: at(dueH), met_at: null, time_left_seconds: left, state: left <= 0 ? "overdue" : left <= 12 * 3600 ? "due_soon" : "ok" };
  };
  return {
    started_at: at(0),
    now: at(readAtH),
    in_custody: true,
    time_in_custody_seconds: readAtH * 3600,
    deadlines: [d("screening", 48), d("transfer", 72)],
  };
}

describe("custody clock reading", () => {
  it("keeps core's states and counts down from the moment core read the clock", () => {
    const c = clockAt(40);
    const r = readClock(c, t0 + 40 * H + 30 * 60_000);
    expect(r.deadlines.map((d) => d.state)).toEqual(["due_soon", "ok"]);
    expect(r.deadlines[0]!.remainingMs).toBe(7 * H + 30 * 60_000);
    expect(r.inCustodyMs).toBe(40 * H + 30 * 60_000);
    expect(r.worst).toBe("due_soon");
  });
  it("marks a deadline overdue once its time runs out, before the list is fetched again", () => {
    const r = readClock(clockAt(47), t0 + 48 * H + 60_000);
    expect(r.deadlines[0]!.state).toBe("overdue");
    expect(r.worst).toBe("overdue");
  });
  it("treats a met deadline as done, whatever the time", () => {
    const r = readClock(clockAt(100, { screening: 5, transfer: 70 }), t0 + 100 * H);
    expect(r.worst).toBe("met");
    expect(r.deadlines.every((d) => d.onTime)).toBe(true);
  });
});

describe("custody clock display", () => {
  it("shows time in custody and the time left, flagging the deadline that is due soon", () => {
    renderIn("en", <CustodyClockView clock={clockAt(40)} now={t0 + 40 * H + 30 * 60_000} />);
    expect(screen.getByText("In custody 40 hr 30 min")).toBeTruthy();
    const screening = screen.getByText(/Screening due in/).closest("li")!;
    expect(screening.textContent).toBe("Soon: Screening due in 7 hr 30 min");
    expect(screening.className).toContain("deadline--due_soon");
    const transfer = screen.getByText(/Transfer due in/).closest("li")!;
    expect(transfer.textContent).toBe("Transfer due in 31 hr 30 min");
    expect(transfer.className).toContain("deadline--ok");
  });
  it("says by how much a deadline was missed, in Spanish too", () => {
    renderIn("es", <CustodyClockView clock={clockAt(74, { screening: 20 })} now={t0 + 74 * H} />);
    expect(screen.getByText("En custodia desde hace 3 d 2 h")).toBeTruthy();
    const transfer = screen.getByText(/Traslado: vencido/).closest("li")!;
    expect(transfer.textContent).toBe("Vencido: Traslado: vencido hace 2 h");
    expect(transfer.className).toContain("deadline--overdue");
    expect(screen.getByText(/Evaluación: se cumplió el/).closest("li")!.className).toContain("deadline--met");
  });
  it("says when a deadline was met late", () => {
    renderIn("en", <CustodyClockView clock={clockAt(60, { screening: 50 })} now={t0 + 60 * H} />);
    expect(screen.getByText(/^Screening done late/)).toBeTruthy();
  });
  it("says so when a case has no clock", () => {
    renderIn("en", <CustodyClockView clock={null} now={t0} />);
    expect(screen.getByText("No custody clock")).toBeTruthy();
  });
});

describe("case list filters", () => {
  const row = (id: string, patch: Partial<CaseRow>): CaseRow => ({
    id,
    given_name: id,
    family_name: "",
    status: "open",
    station: "LRD-07",
    encounter_at: at(0),
    clock: clockAt(40),
    needs_screening: false,
    referral_pending: false,
    has_conflict: false,
    updated_at: at(0),
    ...patch,
  });
  // Read at the same moment as the others, its deadlines 30 hours further off.
  const calm: CustodyClock = {
    ...clockAt(40),
    deadlines: clockAt(40).deadlines.map((d) => ({ ...d, time_left_seconds: d.time_left_seconds + 30 * 3600, state: "ok" as const })),
  };
  const cases = [row("calm", { clock: calm }), row("near", { needs_screening: true }), row("conflicted", { has_conflict: true, clock: null })];
  const now = t0 + 40 * H;
  it("narrows by every active filter, most urgent first", () => {
    expect(visibleCases(cases, new Set(), null, now).map((c) => c.id)).toEqual(["near", "calm", "conflicted"]);
    expect(visibleCases(cases, new Set(["deadline_near"]), null, now).map((c) => c.id)).toEqual(["near"]);
    expect(visibleCases(cases, new Set(["deadline_near", "conflict"]), null, now)).toEqual([]);
    expect(visibleCases(cases, new Set(["conflict"]), null, now).map((c) => c.id)).toEqual(["conflicted"]);
  });
  it("keeps the search's order and drops hits that are not in the list", () => {
    expect(visibleCases(cases, new Set(), ["conflicted", "ghost", "calm"], now).map((c) => c.id)).toEqual(["conflicted", "calm"]);
  });
});
