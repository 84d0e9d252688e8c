import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderIn } from "../../test/render";
import { FirstRunScreen, validateFirstRun } from "./FirstRunScreen";

describe("first run", () => {
  it("says plainly, in the device's language, that a revoked device was erased", () => {
    renderIn("es", <FirstRunScreen onReady={() => undefined} notice="revoked" />);
    expect(screen.getByRole("alert").textContent).toContain("Un administrador revocó este equipo");
  });

  it("shows no notice on an ordinary first run", () => {
    renderIn("en", <FirstRunScreen onReady={() => undefined} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("asks for the service address and the code before enrolling", () => {
    const f = { mode: "enroll" as const, server: "sync.example.org", code: " ", user: "demo.agent", passphrase: "correct horse battery", confirm: "correct horse battery" };
    expect(Object.keys(validateFirstRun(f)).sort()).toEqual(["code", "server"]);
    expect(validateFirstRun({ ...f, server: "http://127.0.0.1:8080", code: "ABCD-1234" })).toEqual({});
  });
});
