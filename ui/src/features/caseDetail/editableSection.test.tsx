import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CaseDetail, CaseDocument } from "../../bindings";
import { CASE_ID, caseDetail, caseShell } from "../../test/caseShell";
import { renderIn } from "../../test/render";
import { CaseDetailScreen } from "./CaseDetailScreen";

const ID = CASE_ID;
const ADULT = "0190a1b2-0000-7000-8000-0000000000a1";

function detail(doc: Partial<CaseDocument>): CaseDetail {
  return caseDetail({
    id: ID,
    status: "referred",
    child: { given_name: "Rosa", family_name: "Tzul", sex: "female" },
    encounter: { occurred_at: "2026-11-20T08:30:00-06:00", station: "ELP", type: "port_of_entry", accompaniment: "alone", narrative: "Met at the bridge" },
    adults: [{ id: ADULT, name: "Marco" }],
    ...doc,
  });
}

/** The shell answering `case_get` with `doc`, recording every other call; `answer` decides what a save returns. */
const shell = (doc: Partial<CaseDocument>, answer: (cmd: string, args: Record<string, unknown>) => unknown = () => detail(doc)) =>
  caseShell(detail(doc), answer);

const SECTIONS = [
  { title: "Child", id: "child", first: "edit-child-given_name", doc: {} },
  { title: "Encounter", id: "encounter", first: "edit-encounter-occurred_at-date", doc: {} },
  { title: "Custody", id: "custody", first: "edit-custody-facility", doc: { custody: { facility: "CBP El Paso station" } } },
] as const;

describe("the case screen's editable sections (child, encounter, custody)", () => {
  it.each(SECTIONS)("$title: Edit opens its form on the first question; an unchanged save says so without a call; focus returns to Edit", async ({ title, id, first, doc }) => {
    const calls = shell(doc);
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    const region = await screen.findByRole("region", { name: title });
    expect(region.getAttribute("aria-labelledby")).toBe(`${id}-title`);
    expect(region.querySelector("dl.summary")).toBeTruthy();
    fireEvent.click(within(region).getByRole("button", { name: `Edit ${title}` }));
    const form = within(region).getByRole("form", { name: `Edit ${title}` });
    expect(form.getAttribute("aria-labelledby")).toBe(`edit-${id}-title`);
    expect(document.activeElement?.id).toBe(first);
    expect(region.querySelector("dl.summary")).toBeNull();
    fireEvent.click(within(form).getByRole("button", { name: "Save the changes" }));
    await within(region).findByText("Nothing was changed.");
    expect(calls).toHaveLength(0);
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe(`Edit ${title}`));

    // Opened again, the note is gone; Escape cancels, focus back on Edit.
    fireEvent.click(within(region).getByRole("button", { name: `Edit ${title}` }));
    expect(within(region).queryByText("Nothing was changed.")).toBeNull();
    fireEvent.keyDown(document.getElementById(first)!, { key: "Escape" });
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe(`Edit ${title}`));
    expect(within(region).queryByRole("form")).toBeNull();
    expect(region.querySelector(".saved-note")?.textContent).toBe("");
    expect(calls).toHaveLength(0);
  });

  it("says custody has nothing recorded yet instead of an empty summary", async () => {
    shell({});
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    const region = await screen.findByRole("region", { name: "Custody" });
    expect(within(region).getByText("No custody details recorded yet.")).toBeTruthy();
    expect(region.querySelector("dl")).toBeNull();
    expect(within(region).getByRole("button", { name: "Edit Custody" })).toBeTruthy();
  });

  it("saves a changed custody field, says Saved. and shows the new value", async () => {
    const calls = shell({}, () => detail({ custody: { facility: "Casa shelter" } }));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    const region = await screen.findByRole("region", { name: "Custody" });
    fireEvent.click(within(region).getByRole("button", { name: "Edit Custody" }));
    fireEvent.change(within(region).getByLabelText(/Where the child is held/), { target: { value: "Casa shelter" } });
    fireEvent.click(within(region).getByRole("button", { name: "Save the changes" }));
    await within(region).findByText("Saved.");
    expect(calls).toEqual([["case_set_fields", { id: ID, edits: [{ field: "custody.facility", value: "Casa shelter", was: null }] }]]);
    expect(within(region).getByText("Casa shelter")).toBeTruthy();
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Edit Custody"));
  });

  it("puts the shell's refusal of a field beside it and keeps the form open", async () => {
    const calls = shell({}, () => {
      throw { code: "invalid", message: "child.sex: not a sex", fields: [{ field: "child.sex", message: "is not one of the choices" }] };
    });
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    const region = await screen.findByRole("region", { name: "Child" });
    fireEvent.click(within(region).getByRole("button", { name: "Edit Child" }));
    fireEvent.change(within(region).getByLabelText(/^Sex/), { target: { value: "male" } });
    fireEvent.click(within(region).getByRole("button", { name: "Save the changes" }));
    const error = await within(region).findByText("is not one of the choices");
    expect(error.id).toBe("edit-child-sex--error");
    await waitFor(() => expect(document.activeElement?.id).toBe("edit-child-sex"));
    expect(within(region).getByRole("form", { name: "Edit Child" })).toBeTruthy();
    expect(calls).toHaveLength(1);
  });

  it("lets focus land on the encounter's heading (a removed adult's button is gone), not on the child's", async () => {
    shell({});
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    await screen.findByRole("region", { name: "Encounter" });
    expect(document.getElementById("encounter-title")?.getAttribute("tabindex")).toBe("-1");
    expect(document.getElementById("child-title")?.hasAttribute("tabindex")).toBe(false);
    expect(document.getElementById("custody-title")?.hasAttribute("tabindex")).toBe(false);
  });

  it("closes an adult's removal question when Edit opens the encounter's form", async () => {
    shell({});
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    const region = await screen.findByRole("region", { name: "Encounter" });
    fireEvent.click(within(region).getByRole("button", { name: /Remove .*Marco/ }));
    expect(within(region).getByRole("form", { name: /Marco/ })).toBeTruthy();
    fireEvent.click(within(region).getByRole("button", { name: "Edit Encounter" }));
    expect(within(region).queryByRole("form", { name: /Marco/ })).toBeNull();
    fireEvent.keyDown(document.getElementById("edit-encounter-station")!, { key: "Escape" });
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Edit Encounter"));
    expect(within(region).queryByRole("form")).toBeNull();
  });

  it("changes the case status with the same shell: only the status is sent, focus back on its Edit", async () => {
    const calls = shell({}, () => detail({ status: "closed" }));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit Case status" }));
    fireEvent.click(screen.getByLabelText("Closed"));
    fireEvent.click(screen.getByRole("button", { name: "Save the status" }));
    await screen.findByText("Saved.");
    expect(calls).toEqual([["case_set_fields", { id: ID, edits: [{ field: "status", value: "closed", was: "referred" }] }]]);
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Edit Case status"));
  });
});
