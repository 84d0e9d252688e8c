import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CaseDetail, CaseDocument } from "../../bindings";
import { CASE_ID, caseDetail, caseShell } from "../../test/caseShell";
import { renderIn } from "../../test/render";
import { CaseDetailScreen } from "./CaseDetailScreen";

const ID = CASE_ID;
const OUTCOME = "0190a1b2-0000-7000-8000-0000000000o1";
const outcomes: NonNullable<CaseDocument["outcomes"]> = [
  { id: OUTCOME, kind: "reunification", occurred_on: "2026-11-24", sponsor_relationship: "aunt_or_uncle", location: "Houston", description: "Home study done" },
];

function detail(doc: Partial<CaseDocument>): CaseDetail {
  return caseDetail({ id: ID, status: "open", child: { given_name: "Rosa" }, services: [], outcomes, ...doc });
}

const shell = (answer: () => unknown) => caseShell(detail({}), answer);

describe("the case screen's lists of logged items (services, outcomes)", () => {
  it("shows each outcome in a row with its Change and Remove, and says when there are no services", async () => {
    shell(() => null);
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    const region = await screen.findByRole("region", { name: "Outcomes" });
    const cells = within(region).getAllByRole("cell").map((c) => c.textContent);
    expect(cells.slice(0, 3)).toEqual(["Reunified with family (Aunt or uncle)", expect.stringMatching(/2026/), "Houston · Home study done"]);
    expect(within(region).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["What happened?", "On what day?", "What was found or decided", "Change"]);
    const change = document.getElementById(`outcome-change-${OUTCOME}`)!;
    expect(change.getAttribute("aria-label")).toMatch(/^Change the outcome “Reunified with family” of /);
    expect(change.getAttribute("aria-expanded")).toBe("false");
    expect(document.getElementById(`outcome-remove-${OUTCOME}`)?.getAttribute("aria-label")).toMatch(/^Remove the outcome “Reunified with family” of /);
    const services = screen.getByRole("region", { name: "Services" });
    expect(within(services).getByText("No services logged yet.")).toBeTruthy();
    expect(within(services).queryByRole("table")).toBeNull();
  });

  it("opens an outcome's correction with its values; Escape closes it, focus back on its Change", async () => {
    const calls = shell(() => null);
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    await screen.findByRole("region", { name: "Outcomes" });
    const change = document.getElementById(`outcome-change-${OUTCOME}`)!;
    fireEvent.click(change);
    expect(change.getAttribute("aria-expanded")).toBe("true");
    const form = screen.getByRole("form", { name: "Change a recorded outcome" });
    expect(document.activeElement?.id).toBe("outcome-kind");
    expect((within(form).getByLabelText(/^Where/) as HTMLInputElement).value).toBe("Houston");
    expect(screen.queryByRole("button", { name: "Record an outcome" })).toBeNull();
    fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    await waitFor(() => expect(document.activeElement?.id).toBe(`outcome-change-${OUTCOME}`));
    expect(screen.queryByRole("form", { name: "Change a recorded outcome" })).toBeNull();
    expect(screen.getByRole("button", { name: "Record an outcome" })).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it("removes an outcome after asking (the question in its own form), focus then on the outcomes' heading", async () => {
    const calls = shell(() => detail({ outcomes: [] }));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    await screen.findByRole("region", { name: "Outcomes" });
    fireEvent.click(document.getElementById(`outcome-remove-${OUTCOME}`)!);
    expect(document.activeElement?.id).toBe("outcome-remove-title");
    fireEvent.click(screen.getByRole("button", { name: "Yes, remove it" }));
    await screen.findByText("Removed.");
    expect(calls).toEqual([["case_remove_item", { id: ID, list: "outcomes", item: OUTCOME }]]);
    await waitFor(() => expect(document.activeElement?.id).toBe("outcomes-title"));
    expect(screen.getByText("No outcomes recorded yet.")).toBeTruthy();
  });
});
