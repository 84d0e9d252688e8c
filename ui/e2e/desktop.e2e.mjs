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
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { newStoreDir, startApp } from "./harness.mjs";
import { Key } from "./webdriver.mjs";

const application = process.env.WAYSTATION_APP;
if (!application) throw new Error("set WAYSTATION_APP to the desktop binary (built with --features custom-protocol)");
const artifacts = new URL("./artifacts/", import.meta.url).pathname;
mkdirSync(artifacts, { recursive: true });

const USER = "ana.lopez";
const PASS = "correct horse battery staple";
// Names typed into the intake; none may be readable in the store's files.
const SECRET_WORDS = ["Xochitl", "Quispe", "Ramiro", "Tzoc", "Huehuetenango"];

const store = newStoreDir();
let app;
let wd;

const $ = (css, opts) => wd.waitFor(css, opts);
async function key(css, k) {
  await wd.type(await $(css), k);
}
async function typeInto(css, text) {
  await wd.type(await $(css), text);
}
async function heading(text) {
  return $("h1", { text });
}
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const axeProblems = [];

/** Save a screenshot of the screen and check it with axe-core in the real WebKit page. */
async function shot(name) {
  writeFileSync(join(artifacts, `${name}.png`), await wd.screenshot());
  await wd.exec(`if (!window.axe) { ${axeSource} } return true;`);
  const bad = await wd.execAsync(
    `const done = arguments[arguments.length - 1];
     window.axe.run(document, { resultTypes: ["violations"] }).then(
       (r) => done(r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id + ": " + v.help)),
       (e) => done(["axe could not run: " + e]));`,
  );
  for (const b of bad) axeProblems.push(`${name}: ${b}`);
}
async function button(text) {
  return $("button", { text });
}
async function pressButton(text) {
  await wd.type(await button(text), Key.Enter);
}

before(async () => {
  app = await startApp({ application, store });
  wd = app.wd;
});
after(async () => {
  await app?.close();
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
    await typeInto("#encounter-occurred_at", "11");
    await typeInto("#encounter-occurred_at--day", "24");
    await typeInto("#encounter-occurred_at--year", "2026");
    await typeInto("#encounter-time", "06:30");
    await typeInto("#encounter-station", "LRD-07");
    // Regression: fixing the first problem must not pull focus to the error summary mid-word.
    assert.equal(await wd.prop(await $("#encounter-station"), "value"), "LRD-07");
    await key("#encounter-type", Key.Space);
    await key("#encounter-accompaniment--unrelated_or_unverified_adult", Key.Space);
    await typeInto("#encounter-narrative", "Found near Huehuetenango road crossing with one adult.");
    await pressButton("Continue");

    await heading("Child");
    await typeInto("#child-given_name", "Xochitl");
    await typeInto("#child-family_name", "Quispe");
    await typeInto("#child-date_of_birth", "5");
    await typeInto("#child-date_of_birth--day", "2");
    await typeInto("#child-date_of_birth--year", "2013");
    await key("#child-age_method", Key.Space);
    await typeInto("#child-nationalities", "MX");
    await typeInto("#child-languages", "spa");
    await key("#child-interpreter_used--no", Key.Space);
    await pressButton("Continue");

    await heading("Accompanying adults");
    await pressButton("Add an adult");
    await typeInto("#adults-0-name", "Ramiro Tzoc");
    await typeInto("#adults-0-claimed_relationship", "Aunt");
    await pressButton("Continue");

    await heading("Screening");
    await key("#screening-when", Key.Space);
    await $("ol.questions");
    const groups = await wd.findAll("ol.questions fieldset");
    assert.ok(groups.length >= 10, `the instrument's questions are shown (${groups.length})`);
    const first = await wd.findAll("ol.questions fieldset input[type=radio]");
    // First question yes, every other no.
    await wd.type(first[0], Key.Space);
    for (const radio of await wd.findAll("ol.questions li:not(:first-child) input[value=no]")) await wd.type(radio, Key.Space);
    for (const radio of await wd.findAll(".card input[value=no]")) await wd.type(radio, Key.Space);
    for (const why of await wd.findAll(".card textarea")) await wd.type(why, "She said the man keeps her papers.");
    await $(".result", { text: "The child must not be returned" });
    await shot("intake-screening");
    await pressButton("Continue");

    await heading("Needs and referrals");
    await key("#services", Key.Space);
    await pressButton("Add a referral");
    await typeInto("#referrals-0-to", "F");
    await pressButton("Continue");

    await heading("Review and save");
    await $(".autosave", { text: "Draft saved" });
    await shot("intake-review");
    await pressButton("Save the case");
    await heading("Xochitl Quispe");
    await $(".case-detail .clock", { text: "In custody" });
    await $(".case-detail", { text: "LRD-07" });
    await shot("case-detail");
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
    const files = [];
    const walk = (dir) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(store);
    assert.ok(files.some((f) => f.endsWith(".db") || f.includes("db")), `the store has a database (${files.join(", ")})`);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const w of SECRET_WORDS) {
        assert.equal(bytes.includes(Buffer.from(w)), false, `${w} readable in ${f}`);
        assert.equal(bytes.includes(Buffer.from(w, "utf16le")), false, `${w} readable (UTF-16) in ${f}`);
      }
    }
  });
});

describe("a crash in the middle of an intake", { concurrency: false }, () => {
  it("restores the draft when the app starts again", async () => {
      await app.close();
      app = await startApp({ application, store });
      wd = app.wd;
      await heading("Unlock Waystation");
      await typeInto("#passphrase", PASS + Key.Enter);
      await heading("Cases");
      await pressButton("Start a new intake");
      await typeInto("#encounter-station", "ELP-02");
      await $(".autosave", { text: "Draft saved" });
      assert.ok(app.killApp() > 0, "the app process was found and killed");
      await app.close();
      app = await startApp({ application, store });
      wd = app.wd;
      await heading("Unlock Waystation");
      await typeInto("#passphrase", PASS + Key.Enter);
      await heading("Cases");
      await pressButton("Start a new intake");
      await $(".alert--info", { text: "was restored" });
      assert.equal(await wd.prop(await $("#encounter-station"), "value"), "ELP-02");
  });
});
