import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import type { CaseRow } from "../../bindings";
import { renderIn } from "../../test/render";
import { CaseListScreen } from "./CaseListScreen";
import { moreCount, nextLimit, pageOf, PAGE_SIZE, sameRowMinute, shownCount } from "./casePaging";
import { visibleCases } from "./filterCases";

const id = (n: number) => `0190a1b2-0000-7000-8000-${String(n).padStart(12, "0")}`;
function row(n: number, over: Partial<CaseRow> = {}): CaseRow {
  return {
    id: id(n),
    given_name: `Child${n}`,
    family_name: "",
    status: "open",
    station: "LRD-07",
    encounter_at: null,
    clock: null,
    needs_screening: n % 3 === 0,
    referral_pending: false,
    has_conflict: false,
    updated_at: null,
    ...over,
  };
}

describe("paging helper", () => {
  it("shows a page at a time and never more than there are", () => {
    expect(PAGE_SIZE).toBe(100);
    expect(shownCount(10_000, 100)).toBe(100);
    expect(shownCount(42, 100)).toBe(42);
    expect(moreCount(10_000, 100)).toBe(100);
    expect(moreCount(150, 100)).toBe(50);
    expect(moreCount(100, 100)).toBe(0);
    expect(moreCount(0, 100)).toBe(0);
    expect(nextLimit(150, 100)).toBe(150);
    expect(nextLimit(10_000, 200)).toBe(300);
    const rows = Array.from({ length: 250 }, (_, i) => i);
    expect(pageOf(rows, 100)).toEqual(rows.slice(0, 100));
    expect(pageOf(rows, 300)).toBe(rows);
  });

  it("redraws a row only when its case or its minute changed", () => {
    const c = row(1);
    const open = () => undefined;
    const t = Date.parse("2026-11-25T18:00:10Z");
    expect(sameRowMinute({ c, now: t, onOpen: open }, { c, now: t + 30_000, onOpen: open })).toBe(true);
    expect(sameRowMinute({ c, now: t, onOpen: open }, { c, now: t + 60_000, onOpen: open })).toBe(false);
    expect(sameRowMinute({ c, now: t, onOpen: open }, { c: { ...c }, now: t, onOpen: open })).toBe(false);
  });

  it("filters over every case, not only the page on screen", () => {
    const all = Array.from({ length: 1000 }, (_, i) => row(i));
    const screening = visibleCases(all, new Set(["needs_screening"]), null, Date.now());
    expect(screening).toHaveLength(334);
    expect(screening.at(-1)!.id).toBe(id(999));
    const hits = visibleCases(all, new Set(), [id(998), id(5)], Date.now());
    expect(hits.map((c) => c.id)).toEqual([id(998), id(5)]);
  });
});

describe("case list with many cases", () => {
  it("draws the first 100, announces the count, and shows 100 more on demand", async () => {
    const rows = Array.from({ length: 1_250 }, (_, i) => row(i));
    mockIPC((cmd, args) => {
      if (cmd === "case_list") return rows;
      if (cmd === "case_search") return (args as { text: string }).text === "Child1249" ? [id(1249)] : [];
      return null;
    });
    renderIn("en", <CaseListScreen onOpen={() => undefined} onNewIntake={() => undefined} />);
    const count = await screen.findByText("Showing 100 of 1,250 cases");
    expect(count.getAttribute("aria-live")).toBe("polite");
    // Plain selectors: role queries over hundreds of rows are slow in jsdom.
    const drawn = () => document.querySelectorAll(".case-table tbody tr").length;
    expect(drawn()).toBe(100);

    const more = screen.getByText("Show 100 more");
    expect(more.tagName).toBe("BUTTON");
    fireEvent.click(more);
    await screen.findByText("Showing 200 of 1,250 cases");
    expect(drawn()).toBe(200);
    expect(document.activeElement?.textContent).toBe("Child100");

    // A filter narrows over all cases and starts again at the first page.
    fireEvent.click(screen.getByLabelText("Needs screening"));
    await screen.findByText("Showing 100 of 1,250 cases 417 cases match the search and filters.");

    // A search finds a case far beyond the first page.
    fireEvent.click(screen.getByLabelText("Needs screening"));
    fireEvent.change(screen.getByLabelText("Search cases"), { target: { value: "Child1249" } });
    await screen.findByText("Showing 1 of 1,250 cases");
    expect(screen.getByText("Child1249").tagName).toBe("BUTTON");
    expect(screen.queryByText(/more$/)).toBeNull();
  }, 30_000);

  it("speaks Spanish", async () => {
    const rows = Array.from({ length: 150 }, (_, i) => row(i));
    mockIPC((cmd) => (cmd === "case_list" ? rows : null));
    renderIn("es", <CaseListScreen onOpen={() => undefined} onNewIntake={() => undefined} />);
    await screen.findByText("Se muestran 100 de 150 casos");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Mostrar 50 más" })));
    await waitFor(() => expect(screen.getByText("Se muestran 150 de 150 casos")).toBeTruthy());
  }, 20_000);
});
