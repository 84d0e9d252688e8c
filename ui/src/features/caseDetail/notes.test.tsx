import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { caseDetail } from "../../test/caseShell";
import { renderIn } from "../../test/render";
import { Notes } from "./Notes";

const classesOffered = () =>
  within(screen.getByLabelText("Who may read it", { exact: false }))
    .getAllByRole("option")
    .map((o) => o.textContent);

describe("adding a note", () => {
  it("offers only the classes this device may write: no legally privileged note on an agent's device", () => {
    renderIn("en", <Notes detail={{ ...caseDetail({}), note_classes: ["general", "law_enforcement_sensitive", "medical"] }} onChanged={() => undefined} />);
    const offered = classesOffered();
    expect(offered).toContain("Law-enforcement sensitive");
    expect(offered).not.toContain("Legally privileged");
  });
  it("offers an NGO device its legal notes and no law-enforcement ones", () => {
    renderIn("en", <Notes detail={{ ...caseDetail({}), note_classes: ["general", "legal_privileged", "medical"] }} onChanged={() => undefined} />);
    const offered = classesOffered();
    expect(offered).toContain("Legally privileged");
    expect(offered).not.toContain("Law-enforcement sensitive");
  });
});
