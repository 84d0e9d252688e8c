// End to end in the real app: the Tauri binary (a custom-protocol build, so the
// embedded UI), driven through tauri-driver and WebKitWebDriver under Xvfb,
// against a fresh store. Input is keyboard only: keys typed into the element
// that has focus, Space on radios and checkboxes, Enter on buttons.
//
//   WAYSTATION_APP=/path/to/waystation-desktop node --test e2e/
//
// Saves a screenshot of each main screen in e2e/artifacts/.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { newStoreDir, startApp } from "./harness.mjs";
import { assertNoPlaintext, completeIntake, steps, typedWords } from "./intake.mjs";
import { Key } from "./webdriver.mjs";

const application = process.env.WAYSTATION_APP;
if (!application) throw new Error("set WAYSTATION_APP to the desktop binary (built with --features custom-protocol)");

const USER = "ana.lopez";
const PASS = "correct horse battery staple";
// Fictional names typed into the intake; none may be readable in the store's files.
const CHILD = { given: "Xochitl", family: "Quispe", adult: "Ramiro Tzoc", place: "Huehuetenango", station: "LRD-07" };

const store = newStoreDir();
let app;
let wd;

const s = steps(() => wd);
const { $, heading, key, typeInto, pressButton, shot, axeProblems } = s;

before(async () => {
  app = await startApp({ application, store });
  wd = app.wd;
});
after(async () => {
  await app?.close();
  rmSync(dirname(store), { recursive: true, force: true });
});

describe("the desktop app", { concurrency: false }, () => {
  it("creates a local store on first run and shows the empty case list", async () => {
    await heading("Set up this device");
    await shot("first-run");
    await key("#mode--local", Key.Space);
    await typeInto("#user", USER);
    await typeInto("#passphrase", PASS);
    await typeInto("#passphrase_confirm", PASS + Key.Enter);
    await heading("Cases");
    await $(".empty", { text: "No cases on this device yet." });
  });

  it("shows a required field's error beside it and saves nothing", async () => {
    await pressButton("Start a new intake");
    await heading("Encounter");
    await pressButton("Continue");
    const error = await $("#encounter-station--error", { text: "Enter the station or port code." });
    assert.ok(error);
    const input = await $("#encounter-station");
    assert.equal(await wd.attr(input, "aria-invalid"), "true");
    assert.match(await wd.attr(input, "aria-describedby"), /encounter-station--error/);
    await shot("intake-error");
  });

  it("completes an intake by keyboard", async () => {
    await completeIntake(s, () => wd, CHILD, shot);
  });

  it("lists the new case with its custody clock", async () => {
    await pressButton("Back to cases");
    await heading("Cases");
    const row = await $(".case-table tbody tr", { text: "Xochitl Quispe" });
    const text = await wd.text(row);
    assert.match(text, /In custody/);
    assert.match(text, /Transfer due in/);
    await $(".result-count", { text: "Showing 1 of 1 cases" });
    // The sync line polls every few seconds: the saved case's changes show as queued.
    let sync = "";
    for (let i = 0; i < 40 && !/Local only: [1-9]\d* changes kept/.test(sync); i++) {
      sync = await wd.text(await $(".sync"));
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(sync, /Local only: [1-9]\d* changes kept on this device/);
    await shot("case-list");
  });

  it("finds the case as you type", async () => {
    await typeInto("#case-search", "xoch");
    await $(".result-count", { text: "Showing 1 of 1" });
    await typeInto("#case-search", "zzzz");
    await $(".empty", { text: "No case matches" });
    const search = await $("#case-search");
    for (let i = 0; i < 8; i++) await wd.type(search, Key.Backspace);
    await $(".result-count", { text: "Showing 1 of 1" });
  });

  it("locks by the shortcut, refuses a wrong passphrase beside the field, and unlocks", async () => {
    await wd.press(Key.Control, Key.Shift, "l");
    await heading("Unlock Waystation");
    await typeInto("#passphrase", "not the passphrase" + Key.Enter);
    await $("#passphrase--error", { text: "That passphrase is not right" });
    await shot("unlock-error");
    await typeInto("#passphrase", PASS + Key.Enter);
    await heading("Cases");
    await $(".case-table", { text: "Xochitl Quispe" });
  });

  it("switches the screens to Spanish and back", async () => {
    await pressButton("Español");
    await heading("Casos");
    await $(".result-count", { text: "Se muestran 1 de 1 casos" });
    await $(".case-table", { text: "En custodia" });
    await shot("case-list-es");
    await pressButton("English");
    await heading("Cases");
  });

  it("has no serious or critical axe-core violation on any screen looked at", () => {
    assert.deepEqual(axeProblems, []);
  });

  it("keeps none of the typed names readable in the store's files", () => {
    assertNoPlaintext(store, typedWords(CHILD));
  });
});

describe("a crash in the middle of an intake", { concurrency: false }, () => {
  /** Start the app again on the same store, unlock, and open a new intake. */
  async function startUnlockAndBeginIntake() {
    app = await startApp({ application, store });
    wd = app.wd;
    await heading("Unlock Waystation");
    await typeInto("#passphrase", PASS + Key.Enter);
    await heading("Cases", { timeout: 45000 });
    await pressButton("Start a new intake");
    // The first screen after a restart (and a kill) reads the store's draft: on a loaded
    // two-core machine that was seen to take longer than the usual wait.
    await heading("Encounter", { timeout: 45000 });
  }

  it("restores the draft when the app starts again", async () => {
    await app.close();
    await startUnlockAndBeginIntake();
    await typeInto("#encounter-station", "ELP-02");
    await $(".autosave", { text: "Draft saved" });
    assert.ok(app.killApp() > 0, "the app process was found and killed");
    await app.close();
    await startUnlockAndBeginIntake();
    await $(".alert--info", { text: "was restored" });
    assert.equal(await wd.prop(await $("#encounter-station"), "value"), "ELP-02");
  });
});
