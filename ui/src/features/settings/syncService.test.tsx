import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import type { Settings, SyncStatus } from "../../bindings";
import { errorId } from "../../components/Field";
import { translate } from "../../i18n/translate";
import { renderIn } from "../../test/render";
import { idleSync } from "../../test/syncStatus";
import { SettingsScreen } from "./SettingsScreen";
import { checkServiceAddress, moveRefusal } from "./syncService";

const OLD = "http://127.0.0.1:8443/";
const NEW = "http://localhost:8443";

const line = (server: string | null): SyncStatus => idleSync(server);

const settings = { language: "en", idle_lock_minutes: 15 } as Settings;

/** The shell: `sync_status` answers `server`; a move answers `move` (a value or a thrown error); every call is recorded. */
function shell(server: string | null, move: (to: string) => unknown) {
  const calls: [string, unknown][] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    if (cmd === "sync_status") return line(server);
    if (cmd === "sync_move_service") return move((args as { server: string }).server);
    return null;
  });
  return calls;
}

const moves = (calls: [string, unknown][]) => calls.filter(([c]) => c === "sync_move_service");

describe("the new service address", () => {
  const text = (r: ReturnType<typeof checkServiceAddress>) =>
    "problem" in r && "key" in r.problem ? translate("en", r.problem.key, r.problem.vars) : r;
  it("is a full http(s) address other than the one in use", () => {
    expect(checkServiceAddress("  https://sync.example.org/ ", OLD)).toEqual({ server: "https://sync.example.org/" });
    expect(text(checkServiceAddress(" ", OLD))).toBe("Enter the new address of the sync service.");
    expect(text(checkServiceAddress("sync.example.org", OLD))).toBe("Enter the full address of the sync service, starting with https://");
    expect(text(checkServiceAddress("HTTP://127.0.0.1:8443", OLD))).toBe("This laptop already syncs with this address.");
  });
  it("refused by the shell shows beside the field when it is about the address, in the alert otherwise", () => {
    const refused = moveRefusal({ code: "invalid", message: "x", fields: [{ field: "server", message: "it cannot be reached (refused)" }] });
    expect("problem" in refused && "key" in refused.problem && translate("es", refused.problem.key, refused.problem.vars)).toBe(
      "No se cambió la dirección: it cannot be reached (refused)",
    );
    // A refusal the shell names by a word is said in the user's language.
    const named = (word: string) => {
      const r = moveRefusal({ code: "invalid", message: "x", fields: [{ field: "server", message: word }] });
      return "problem" in r && "key" in r.problem ? translate("es", r.problem.key, r.problem.vars) : null;
    };
    expect(named("unreachable")).toBe(
      "No se cambió la dirección: nadie responde allí. Revise la dirección o vuelva a intentarlo cuando este equipo tenga conexión.",
    );
    expect(named("unknown_device")).toBe(
      "No se cambió la dirección: el servicio de esa dirección no conoce este equipo. Revise la dirección con su administrador.",
    );
    expect(named("not_the_service")).toBe("No se cambió la dirección: lo que responde allí no es un servicio de sincronización de Waystation.");
    expect(moveRefusal({ code: "locked", message: "locked" })).toEqual({ failure: { code: "locked", message: "locked" } });
  });
});

describe("sync service in Settings", () => {
  it("moves to a new address with the keyboard only, says so and puts focus back on the opener", async () => {
    const calls = shell(OLD, (to) => line(to));
    renderIn("en", <SettingsScreen settings={settings} onSettings={() => undefined} onLock={() => undefined} />);
    const region = await screen.findByRole("region", { name: "Sync service" });
    await within(region).findByText(`This laptop syncs with ${OLD}`);
    const opener = within(region).getByRole("button", { name: "Change address" });
    opener.focus();
    await userEvent.keyboard("{Enter}");
    const field = within(region).getByLabelText(/New address of the sync service/) as HTMLInputElement;
    expect(document.activeElement).toBe(field);
    await userEvent.keyboard(`${NEW}{Enter}`);
    await within(region).findByText(`This laptop now syncs with ${NEW}.`);
    expect(moves(calls)).toEqual([["sync_move_service", { server: NEW }]]);
    expect(within(region).getByText(`This laptop syncs with ${NEW}`)).toBeTruthy();
    expect(within(region).queryByRole("form")).toBeNull();
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Change address"));
  });

  it("shows a refusal beside the field, keeps the form open and changes nothing", async () => {
    const calls = shell(OLD, () => {
      throw {
        code: "invalid",
        message: "the service address was not changed to http://127.0.0.1:9/: it cannot be reached",
        fields: [{ field: "server", message: "unreachable" }],
      };
    });
    renderIn("en", <SettingsScreen settings={settings} onSettings={() => undefined} onLock={() => undefined} />);
    const region = await screen.findByRole("region", { name: "Sync service" });
    await userEvent.click(await within(region).findByRole("button", { name: "Change address" }));
    await userEvent.keyboard("http://127.0.0.1:9{Enter}");
    const error = await within(region).findByText("The address was not changed: nothing answers there. Check the address, or try again when this laptop is online.");
    const field = within(region).getByLabelText(/New address of the sync service/);
    expect(error.id).toBe(errorId("new_server"));
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(field.getAttribute("aria-describedby")).toContain(errorId("new_server"));
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(moves(calls)).toHaveLength(1);
    expect(within(region).getByText(`This laptop syncs with ${OLD}`)).toBeTruthy();
    expect(within(region).queryByText(/now syncs with/)).toBeNull();
  });

  it("checks the address before asking the shell, and Escape cancels with focus back on the opener", async () => {
    const calls = shell(OLD, (to) => line(to));
    renderIn("es", <SettingsScreen settings={settings} onSettings={() => undefined} onLock={() => undefined} />);
    const region = await screen.findByRole("region", { name: "Servicio de sincronización" });
    await userEvent.click(await within(region).findByRole("button", { name: "Cambiar la dirección" }));
    await userEvent.keyboard("sync.example.org{Enter}");
    await within(region).findByText("Escriba la dirección completa del servicio, empezando por https://");
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Cambiar la dirección"));
    expect(within(region).queryByRole("form")).toBeNull();
    expect(moves(calls)).toEqual([]);
  });

  it("has no address to change on a local-only laptop", async () => {
    shell(null, () => null);
    renderIn("en", <SettingsScreen settings={settings} onSettings={() => undefined} onLock={() => undefined} />);
    const region = await screen.findByRole("region", { name: "Sync service" });
    await within(region).findByText(/not enrolled with a sync service/);
    expect(within(region).queryByRole("button")).toBeNull();
  });
});
