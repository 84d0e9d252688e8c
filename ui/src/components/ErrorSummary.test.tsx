import { act, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderIn } from "../test/render";
import { ErrorSummary } from "./ErrorSummary";
import { problem } from "./problem";

describe("error summary", () => {
  const two = { "encounter.station": problem("intake.err.stationRequired"), "encounter.type": problem("intake.err.typeRequired") };

  it("takes focus after a submit and links to each field", () => {
    renderIn("en", <ErrorSummary problems={two} labels={{}} attempt={1} />);
    const box = screen.getByRole("heading", { name: "Fix 2 problems before you go on" }).parentElement!;
    expect(document.activeElement).toBe(box);
    expect(screen.getByRole("link", { name: "Enter the station or port code." }).getAttribute("href")).toBe("#encounter-station");
  });

  it("does not pull focus from the field being fixed when a problem goes away (regression)", () => {
    const input = document.createElement("input");
    document.body.appendChild(input);
    const { rerender } = renderIn("en", <ErrorSummary problems={two} labels={{}} attempt={1} />);
    act(() => input.focus());
    rerender(<ErrorSummary problems={{ "encounter.type": two["encounter.type"] }} labels={{}} attempt={1} />);
    expect(document.activeElement).toBe(input);
    input.remove();
  });
});
