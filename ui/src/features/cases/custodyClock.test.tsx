import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CustodyClock, CaseSummary } from "../../bindings";
import { renderIn } from "../../test/render";
import { CustodyClockView } from "./CustodyClockView";
import { readClock } from "./custodyClock";
import { visibleCases } from "./filterCases";

const H = 3_600_000;
const t0 = Date.parse("2026-11-23T12:00:00Z");
const at = (h: number) => new Date(t0 + h * H).toISOString();
const clock: CustodyClock = {
  in_custody_since: at(0),
  deadlines: [
    { kind: "screening", due_at: at(48), warn_at: at(36), met_at: null },
    { kind: "transfer", due_at: at(72), warn_at: at(60), met_at: null },
  ],
};

describe("custody clock reading", () => {
  it("goes ok → warning → overdue as each deadline approaches and passes", () => {
    expect(readClock(clock, t0 + 10 * H).worst).toBe("ok");
    expect(readClock(clock, t0 + 36 * H).deadlines.map((d) => d.state)).toEqual(["warning", "ok"]);
    expect(readClock(clock, t0 + 49 * H).deadlines.map((d) => d.state)).toEqual(["overdue", "ok"]);
    expect(readClock(clock, t0 + 61 * H).worst).toBe("overdue");
  });
  it("treats a met deadline as done, whatever the time", () => {
    const met = { ...clock, deadlines: [{ ...clock.deadlines[0]!, met_at: at(5) }] };
    const r = readClock(met, t0 + 100 * H);
    expect(r.worst).toBe("met");
    expect(r.inCustodyMs).toBe(100 * H);
  });
});

describe("custody clock display", () => {
  it("shows time in custody and the time left, flagging the deadline that warns", () => {
    renderIn("en", <CustodyClockView clock={clock} now={t0 + 40 * H + 30 * 60_000} />);
    expect(screen.getByText("In custody 40 hr 30 min")).toBeTruthy();
    const screening = screen.getByText(/Screening due in/).closest("li")!;
    expect(screening.textContent).toBe("Soon: Screening due in 7 hr 30 min");
    expect(screening.className).toContain("deadline--warning");
    const transfer = screen.getByText(/Transfer due in/).closest("li")!;
    expect(transfer.textContent).toBe("Transfer due in 31 hr 30 min");
    expect(transfer.className).toContain("deadline--ok");
  });
  it("says by how much a deadline was missed, in Spanish too", () => {
    renderIn("es", <CustodyClockView clock={clock} now={t0 + 74 * H} />);
    expect(screen.getByText("En custodia desde hace 3 d 2 h")).toBeTruthy();
    const transfer = screen.getByText(/Traslado: vencido/).closest("li")!;
    expect(transfer.textContent).toBe("Vencido: Traslado: vencido hace 2 h");
    expect(transfer.className).toContain("deadline--overdue");
  });
  it("says so when a case has no clock", () => {
    renderIn("en", <CustodyClockView clock={null} now={t0} />);
    expect(screen.getByText("No custody clock")).toBeTruthy();
  });
});

describe("case list filters", () => {
  const row = (id: string, patch: Partial<CaseSummary>): CaseSummary => ({
    id,
    given_name: id,
    family_name: "",
    status: "open",
    station: "LRD-07",
    encounter_at: at(0),
    clock,
    needs_screening: false,
    referral_pending: false,
    has_conflict: false,
    updated_at: at(0),
    ...patch,
  });
  const cases = [
    row("calm", { clock: { ...clock, in_custody_since: at(30), deadlines: [{ kind: "transfer", due_at: at(102), warn_at: at(90), met_at: null }] } }),
    row("near", { needs_screening: true }),
    row("conflicted", { has_conflict: true, clock: null }),
  ];
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
