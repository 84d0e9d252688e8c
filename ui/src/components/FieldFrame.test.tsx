import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderIn } from "../test/render";
import { RadioGroup } from "./choices";
import { Field } from "./Field";

describe("field frame", () => {
  it("puts the label above, the hint and the error beside the control, and describes a group by both", () => {
    renderIn(
      "en",
      <RadioGroup
        id="sex"
        legend="Sex"
        hint="As the child says."
        error={{ text: "Choose one." }}
        value=""
        onChange={() => undefined}
        options={[{ value: "female", label: "Female" }]}
        required={false}
      />,
    );
    const group = screen.getByRole("group", { name: /^Sex\s*\(optional\)$/ });
    expect(group.getAttribute("aria-describedby")).toBe("sex--hint sex--error");
    expect(group.className).toBe("fieldset form-group form-group--error");
    expect(screen.getByRole("alert").id).toBe("sex--error");
    expect(screen.getByRole("alert").textContent).toBe("Choose one.");
  });

  it("labels one control and marks it optional unless required", () => {
    const { rerender } = renderIn(
      "en",
      <Field id="station" label="Station">
        <input id="station" />
      </Field>,
    );
    expect(screen.getByLabelText("Station (optional)")).toBeTruthy();
    rerender(
      <Field id="station" label="Station" required>
        <input id="station" />
      </Field>,
    );
    expect(screen.getByLabelText("Station")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
