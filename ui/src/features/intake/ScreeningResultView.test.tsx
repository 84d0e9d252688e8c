import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Instrument, ScreeningResult } from "../../bindings";
import { renderIn } from "../../test/render";
import { ScreeningResultView } from "./ScreeningResultView";

const instrument: Instrument = {
  id: "demo",
  version: 1,
  title: { en: "Demo", es: "Demo" },
  introduction: { en: "Read this.", es: "Lea esto." },
  indicators: [
    { id: "owes_debt", category: "debt", asked_of: "child", prompt: { en: "Owes money for the journey?", es: "¿Debe dinero por el viaje?" } },
    { id: "papers", category: "documents", asked_of: "child", prompt: { en: "Someone holds the papers?", es: "¿Alguien guarda los documentos?" } },
    { id: "threats", category: "threats", asked_of: "child", prompt: { en: "Threatened?", es: "¿Amenazado?" } },
  ],
  criteria: [
    { id: "no_credible_fear", prompt: { en: "Without fear of return?", es: "¿Sin temor a regresar?" } },
    { id: "able_to_decide_independently", prompt: { en: "Can decide alone?", es: "¿Puede decidir solo?" } },
  ],
};
const criteria = { no_credible_fear: { answer: "no" as const, rationale: "Afraid of the gang" }, able_to_decide_independently: { answer: "yes" as const, rationale: "" } };
// As core computes it: drivers name the question; their effect text is not shown.
const present: ScreeningResult = {
  indicators: "present",
  indicators_present: ["owes_debt", "papers"],
  indicators_open: ["threats"],
  contiguous_return: "not_eligible",
  drivers: [
    { question: "owes_debt", effect: "answered yes: debt indicator present" },
    { question: "papers", effect: "answered yes: documents indicator present" },
    { question: "indicators", effect: "trafficking indicators present: the child must not be returned" },
    { question: "no_credible_fear", effect: "answered no: criterion not met" },
    { question: "able_to_decide_independently", effect: "answered yes without a rationale: record why" },
    { question: "child.age", effect: "the child is 12: under 14 is presumed unable to decide independently" },
  ],
};

describe("screening result", () => {
  it("names the result and the answers that drove it", () => {
    renderIn("en", <ScreeningResultView result={present} instrument={instrument} criteria={criteria} age={12} />);
    expect(screen.getByRole("heading", { name: "Trafficking indicators present" })).toBeTruthy();
    const items = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(items.slice(0, 2)).toEqual(["Owes money for the journey?", "Someone holds the papers?"]);
    expect(items).not.toContain("Threatened?");
    expect(screen.getByText("1 question not answered, unknown or declined.")).toBeTruthy();
  });
  it("says why the child must not be returned, reason by reason", () => {
    renderIn("en", <ScreeningResultView result={present} instrument={instrument} criteria={criteria} age={12} />);
    expect(screen.getByText("The child must not be returned: transfer to the child placement office.")).toBeTruthy();
    expect(screen.getByText("trafficking indicators are present")).toBeTruthy();
    expect(screen.getByText("No credible fear — answered “No”")).toBeTruthy();
    expect(screen.getByText("Able to decide independently — answered “Yes” without a reason: write why")).toBeTruthy();
    expect(screen.getByText("the child is 12: a child under 14 is presumed unable to decide alone")).toBeTruthy();
  });
  it("follows the screen's language, prompts included", () => {
    renderIn("es", <ScreeningResultView result={present} instrument={instrument} criteria={criteria} age={12} />);
    expect(screen.getByRole("heading", { name: "Hay indicadores de trata" })).toBeTruthy();
    expect(screen.getByText("¿Debe dinero por el viaje?")).toBeTruthy();
    expect(screen.getByText("Sin temor creíble — respuesta «No»")).toBeTruthy();
  });
  it("shows a clean result without drivers, and when return may be considered", () => {
    const clean: ScreeningResult = { indicators: "none", indicators_present: [], indicators_open: [], contiguous_return: "eligible", drivers: [] };
    renderIn("en", <ScreeningResultView result={clean} instrument={instrument} criteria={criteria} age={15} />);
    expect(screen.getByRole("heading", { name: "No trafficking indicators found" })).toBeTruthy();
    expect(screen.queryByText("This result comes from these answers:")).toBeNull();
    expect(screen.getByText("All four conditions hold: return may be considered.")).toBeTruthy();
  });
  it("says nothing about return for a child from elsewhere", () => {
    const r: ScreeningResult = { ...present, contiguous_return: "not_applicable", drivers: present.drivers.slice(0, 2) };
    renderIn("en", <ScreeningResultView result={r} instrument={instrument} criteria={{}} age={12} />);
    expect(screen.queryByText(/returned/)).toBeNull();
  });
});
