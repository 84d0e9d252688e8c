import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it, vi } from "vitest";
import { LanguageToggle } from "../../App";
import { errorId } from "../../components/Field";
import { renderIn } from "../../test/render";
import { validateFirstRun } from "./FirstRunScreen";
import { UnlockScreen } from "./UnlockScreen";
import { unlockOutcome } from "./unlockOutcome";

describe("unlock outcome", () => {
  it("puts a wrong passphrase beside the field, with the tries left", () => {
    const o = unlockOutcome({ code: "wrong_passphrase", message: "x", attempts_left: 2 }, 0);
    expect(o).toEqual({ kind: "field", problems: { passphrase: { key: "unlock.err.wrongLeft", vars: { left: 2 } } } });
  });
  it("turns a lockout into an instant to wait for", () => {
    expect(unlockOutcome({ code: "locked_out", message: "x", retry_after_secs: 540 }, 1000)).toEqual({ kind: "lockout", until: 541_000 });
  });
});

describe("first run", () => {
  it("asks for a long enough passphrase, typed twice the same", () => {
    const p = validateFirstRun({ mode: "local", server: "", code: "", user: "Ana Lopez", passphrase: "short", confirm: "shorter" });
    expect(Object.keys(p).sort()).toEqual(["passphrase", "passphrase_confirm", "user"]);
    expect(validateFirstRun({ mode: "local", server: "", code: "", user: "ana", passphrase: "a long passphrase", confirm: "a long passphrase" })).toEqual({});
    expect(Object.keys(validateFirstRun({ mode: "enroll", server: "sync.org", code: "", user: "ana", passphrase: "a long passphrase", confirm: "a long passphrase" })).sort()).toEqual(["code", "server"]);
  });
});

describe("unlock screen", () => {
  it("shows a wrong passphrase beside the field and clears it", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return Promise.reject({ code: "wrong_passphrase", message: "wrong", attempts_left: 4 });
    });
    const onUnlocked = vi.fn();
    renderIn("en", <UnlockScreen users={["ana.lopez"]} onUnlocked={onUnlocked} />);
    const pass = screen.getByLabelText("Passphrase") as HTMLInputElement;
    await userEvent.type(pass, "nope nope nope{Enter}");
    await waitFor(() => expect(screen.getByText(/4 more wrong tries/)).toBeTruthy());
    expect(calls).toEqual([["unlock", { user: "ana.lopez", passphrase: "nope nope nope" }]]);
    expect(pass.getAttribute("aria-invalid")).toBe("true");
    expect(pass.getAttribute("aria-describedby")).toContain(errorId("passphrase"));
    expect(pass.value).toBe("");
    expect(onUnlocked).not.toHaveBeenCalled();
  });

  it("says how long a lockout lasts and blocks the button", async () => {
    mockIPC(() => Promise.reject({ code: "locked_out", message: "locked", retry_after_secs: 540 }));
    renderIn("en", <UnlockScreen users={["ana.lopez"]} onUnlocked={() => undefined} />);
    await userEvent.type(screen.getByLabelText("Passphrase"), "whatever it is{Enter}");
    await waitFor(() => expect(screen.getByText(/Try again in 9 min/)).toBeTruthy());
    expect((screen.getByRole("button", { name: "Unlock" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("does not call the shell with an empty passphrase", async () => {
    const cmds: string[] = [];
    mockIPC((cmd) => cmds.push(cmd));
    renderIn("en", <UnlockScreen users={["ana.lopez"]} onUnlocked={() => undefined} />);
    fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
    expect(await screen.findByText("Enter your passphrase.")).toBeTruthy();
    expect(cmds).toEqual([]);
  });
});

describe("language switching", () => {
  it("changes every text of the screen at once, errors included, and back", async () => {
    mockIPC(() => Promise.reject({ code: "wrong_passphrase", message: "wrong" }));
    renderIn(
      "en",
      <>
        <LanguageToggle />
        <UnlockScreen users={["ana.lopez"]} onUnlocked={() => undefined} />
      </>,
    );
    await userEvent.type(screen.getByLabelText("Passphrase"), "nope nope nope{Enter}");
    await screen.findByText("That passphrase is not right. Check it and try again.");
    await userEvent.click(screen.getByRole("button", { name: "Español" }));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Desbloquear Waystation");
    expect(screen.getByLabelText("Frase de contraseña")).toBeTruthy();
    expect(screen.getByText("Esa frase de contraseña no es correcta. Revísela e inténtelo de nuevo.")).toBeTruthy();
    expect(document.documentElement.lang).toBe("es");
    await userEvent.click(screen.getByRole("button", { name: "English" }));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Unlock Waystation");
  });
});
