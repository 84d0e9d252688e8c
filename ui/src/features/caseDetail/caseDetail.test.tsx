import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { describe, expect, it } from "vitest";
import type { CaseDetail, CaseRow, FieldKey } from "../../bindings";
import { translate } from "../../i18n/translate";
import { SYNC_CHANGED } from "../../ipc";
import { renderIn } from "../../test/render";
import { CaseListScreen } from "../cases/CaseListScreen";
import { CaseDetailScreen, shortCaseId } from "./CaseDetailScreen";
import { fieldLabel } from "./Conflicts";

const ID = "0190a1b2-0000-7000-8000-00000000c0de";
const DEVICE = "7c1e9a40-0000-7000-8000-00000000d001";
const OTHER = "7c1e9a40-0000-7000-8000-00000000d002";

function detail(given: string): CaseDetail {
  const hlc = (device: string) => ({ wall_ms: Date.parse("2026-11-24T06:30:00Z"), counter: 0, device });
  return {
    id: ID,
    owner: "border-station-7",
    shared_with: [],
    may_stop_sharing: false,
    owned_here: true,
    clock: null,
    document: { id: ID, status: "open", child: { given_name: given } },
    conflicts: [
      {
        key: { in: "case", field: "child.family_name" },
        values: [
          { op: "op-1", hlc: hlc(DEVICE), device: DEVICE, user: "ana.lopez", value: "Pérez" },
          { op: "op-2", hlc: hlc(OTHER), device: OTHER, user: "jorge.m", value: "Peres" },
        ],
      },
    ],
    timeline: [],
    note_classes: ["general", "law_enforcement_sensitive", "medical"],
  };
}

function row(id: string, given: string): CaseRow {
  return { id, given_name: given, family_name: "", status: "open", station: "LRD-07", encounter_at: null, clock: null, needs_screening: false, referral_pending: false, has_conflict: false, updated_at: null };
}

describe("conflict field label", () => {
  const t = (lang: "en" | "es") => (key: Parameters<typeof translate>[1]) => translate(lang, key);
  it("uses the intake's label in the user's language, the path only for a field without one", () => {
    const given: FieldKey = { in: "case", field: "child.given_name" };
    expect(fieldLabel(given, t("en"))).toBe("Given name");
    expect(fieldLabel(given, t("es"))).toBe("Nombre");
    expect(fieldLabel({ in: "case", field: "encounter.occurred_at" }, t("en"))).toBe("When");
    expect(fieldLabel({ in: "item", list: "adults", item: "a1", field: "name" }, t("es"))).toBe("Adultos acompañantes: Nombre");
    expect(fieldLabel({ in: "case", field: "custody.zz_unknown" }, t("en"))).toBe("custody.zz_unknown");
    expect(fieldLabel({ in: "item", list: "referrals", item: "r1", field: "status" }, t("en"))).toBe("Referrals: Status");
    expect(fieldLabel({ in: "item", list: "relief", item: "v1", field: "approved_on" }, t("es"))).toBe("Alivio migratorio: Aprobada");
  });
});

describe("case detail", () => {
  it("shows the case reference and the full id", async () => {
    mockIPC(() => detail("Lucía"));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    await screen.findByRole("heading", { name: "Lucía" });
    expect(shortCaseId(ID)).toBe("0000c0de");
    expect(screen.getByText("Case reference").nextElementSibling?.textContent).toBe("0000c0de");
    expect(screen.getByText("Full case ID").nextElementSibling?.textContent).toBe(ID);
    expect(screen.getByText("Field: Family name")).toBeTruthy();
  });

  it("reads the case again after a sync that changed something, keeping a conflict choice", async () => {
    let given = "Lucía";
    mockIPC((cmd) => (cmd === "case_get" ? detail(given) : null), { shouldMockEvents: true });
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    await screen.findByRole("heading", { name: "Lucía" });
    const choice = screen.getByLabelText(/Peres/) as HTMLInputElement;
    fireEvent.click(choice);
    expect(choice.checked).toBe(true);

    given = "Lucía María";
    await act(() => emit(SYNC_CHANGED, { sent: 0, received: 3 }));
    await screen.findByRole("heading", { name: "Lucía María" });
    expect((screen.getByLabelText(/Peres/) as HTMLInputElement).checked).toBe(true);
  });
});

describe("an item removed on one device and edited on another", () => {
  it("is shown as such, and removing it again sends null for the removal key", async () => {
    const key: FieldKey = { in: "removal", list: "adults", item: "0190a1b2-0000-7000-8000-0000000a0001" };
    const hlc = (device: string) => ({ wall_ms: Date.parse("2026-11-24T06:30:00Z"), counter: 0, device });
    const flagged: CaseDetail = {
      ...detail("Lucía"),
      conflicts: [
        {
          key,
          values: [
            { op: "op-r", hlc: hlc(DEVICE), device: DEVICE, user: "ana.lopez", value: null },
            { op: "op-e", hlc: hlc(OTHER), device: OTHER, user: "jorge.m", value: "Tía Rosa" },
          ],
        },
      ],
    };
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "case_get") return flagged;
      if (cmd === "case_resolve_conflict") {
        calls.push(args);
        return detail("Lucía");
      }
      return null;
    });
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    await screen.findByText("Removed on one device, edited on another: Accompanying adults");
    expect(screen.getByLabelText(/Keep it, with this change: Tía Rosa/)).toBeTruthy();
    fireEvent.click(screen.getByLabelText(/Remove it/));
    fireEvent.click(screen.getByRole("button", { name: "Keep the chosen value" }));
    await waitFor(() => expect(calls).toEqual([{ id: ID, key, value: null }]));
  });
});

describe("case list", () => {
  it("shows a case received by sync without leaving the list, keeping the search text", async () => {
    let rows = [row("0190a1b2-0000-7000-8000-000000000001", "Lucía")];
    let hits = ["0190a1b2-0000-7000-8000-000000000001"];
    mockIPC(
      (cmd) => {
        if (cmd === "case_list") return rows;
        if (cmd === "case_search") return hits;
        return null;
      },
      { shouldMockEvents: true },
    );
    renderIn("en", <CaseListScreen onOpen={() => undefined} onNewIntake={() => undefined} />);
    await screen.findByRole("button", { name: "Lucía" });
    const search = screen.getByLabelText("Search cases") as HTMLInputElement;
    fireEvent.change(search, { target: { value: "Lu" } });
    await waitFor(() => expect(screen.getByText("Showing 1 of 1 cases")).toBeTruthy());

    rows = [...rows, row("0190a1b2-0000-7000-8000-000000000002", "Luisa")];
    hits = [...hits, "0190a1b2-0000-7000-8000-000000000002"];
    await act(() => emit(SYNC_CHANGED, { sent: 0, received: 5 }));
    await screen.findByRole("button", { name: "Luisa" });
    expect(search.value).toBe("Lu");
  });
});
