import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Instrument, ScreeningRecord, ScreeningResult } from "../../bindings";
import { renderIn } from "../../test/render";
import { ScreeningResultView } from "./ScreeningResultView";

const instrument: Instrument = {
  id: "demo",
  version: 1,
  title: { en: "Demo", es: "Demo" },
  indicators: [
    { id: "debt", prompt: { en: "Owes money for the journey?", es: "¿Debe dinero por el viaje?" } },
    { id: "papers", prompt: { en: "Someone holds the papers?", es: "¿Alguien guarda los documentos?" } },
    { id: "threats", prompt: { en: "Threatened?", es: "¿Amenazado?" } },
  ],
  contiguous_criteria: [
    { id: "fear", prompt: { en: "Without fear of return?", es: "¿Sin temor a regresar?" } },
    { id: "decides", prompt: { en: "Can decide alone?", es: "¿Puede decidir solo?" } },
  ],
};
const record: ScreeningRecord = {
  instrument_id: "demo",
  instrument_version: 1,
  language: "es",
  interpreter_used: false,
  answers: { debt: "yes", papers: "yes", threats: "declined" },
  contiguous: { fear: { answer: "no", rationale: "Afraid of the gang" }, decides: { answer: "yes", rationale: "Says so" } },
  child_age_years: 12,
};
const present: ScreeningResult = {
  outcome: "indicators_present",
  drivers: ["debt", "papers"],
  open: ["threats"],
  contiguous: {
    may_return: false,
    findings: [
      { criterion: "fear", reason: "answer" },
      { criterion: "decides", reason: "under_14" },
    ],
  },
};

describe("screening result", () => {
  it("names the result and the answers that drove it", () => {
    renderIn("en", <ScreeningResultView result={present} instrument={instrument} record={record} />);
    expect(screen.getByRole("heading", { name: "Trafficking indicators present" })).toBeTruthy();
    const drivers = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(drivers).toContain("Owes money for the journey?");
    expect(drivers).toContain("Someone holds the papers?");
    expect(drivers).not.toContain("Threatened?");
    expect(screen.getByText("1 question not answered, unknown or declined.")).toBeTruthy();
  });
  it("says why the child must not be returned, criterion by criterion", () => {
    renderIn("en", <ScreeningResultView result={present} instrument={instrument} record={record} />);
    expect(screen.getByText("The child must not be returned: transfer to the child placement office.")).toBeTruthy();
    expect(screen.getByText("Without fear of return? — answered “No”")).toBeTruthy();
    expect(screen.getByText("Can decide alone? — a child under 14 is presumed unable to decide alone")).toBeTruthy();
  });
  it("follows the screen's language, prompts included", () => {
    renderIn("es", <ScreeningResultView result={present} instrument={instrument} record={record} />);
    expect(screen.getByRole("heading", { name: "Hay indicadores de trata" })).toBeTruthy();
    expect(screen.getByText("¿Debe dinero por el viaje?")).toBeTruthy();
    expect(screen.getByText("¿Sin temor a regresar? — respuesta «No»")).toBeTruthy();
  });
  it("shows a clean result without drivers, and when return may be considered", () => {
    const clean: ScreeningResult = { outcome: "no_indicators", drivers: [], open: [], contiguous: { may_return: true, findings: [] } };
    renderIn("en", <ScreeningResultView result={clean} instrument={instrument} record={record} />);
    expect(screen.getByRole("heading", { name: "No trafficking indicators found" })).toBeTruthy();
    expect(screen.queryByText("This result comes from these answers:")).toBeNull();
    expect(screen.getByText("All four conditions hold: return may be considered.")).toBeTruthy();
  });
});
