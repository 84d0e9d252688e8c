// Steps both end-to-end suites share: keyboard helpers over one WebDriver
// session, a screenshot with an axe-core check, a whole intake typed by
// keyboard, and the check that a store folder keeps none of the typed names
// readable. Keyboard only: keys typed into the element that has focus, Space
// on radios and checkboxes, Enter on buttons.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Key } from "./webdriver.mjs";

export const artifacts = new URL("./artifacts/", import.meta.url).pathname;
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Keyboard steps on the session `getWd()` returns (the session changes when a test restarts the app). */
export function steps(getWd) {
  const $ = (css, opts) => getWd().waitFor(css, opts);
  const button = (text) => $("button", { text });
  const axeProblems = [];
  return {
    $,
    axeProblems,
    heading: (text, opts) => $("h1", { text, ...opts }),
    button,
    async key(css, k) {
      await getWd().type(await $(css), k);
    },
    async typeInto(css, text) {
      await getWd().type(await $(css), text);
    },
    async pressButton(text) {
      await getWd().type(await button(text), Key.Enter);
    },
    /** Save a screenshot in e2e/artifacts/ and check the screen with axe-core in the real WebKit page. */
    async shot(name) {
      const wd = getWd();
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, `${name}.png`), await wd.screenshot());
      await wd.exec(`if (!window.axe) { ${axeSource} } return true;`);
      const bad = await wd.execAsync(
        `const done = arguments[arguments.length - 1];
         window.axe.run(document, { resultTypes: ["violations"] }).then(
           (r) => done(r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id + ": " + v.help)),
           (e) => done(["axe could not run: " + e]));`,
      );
      for (const b of bad) axeProblems.push(`${name}: ${b}`);
    },
  };
}

/**
 * From the Encounter step of a new intake to the saved case's detail, by
 * keyboard: encounter, child, one adult, screening (first indicator yes, the
 * rest no, so the child must not be returned), a service and a referral,
 * review, save. `who` holds the fictional names typed; `shot(name)` is called
 * at the screening result, the review and the detail (pass a no-op to skip).
 */
export async function completeIntake(s, getWd, who, shot = async () => undefined) {
  const { $, heading, key, typeInto, pressButton } = s;
  const wd = getWd();
  // Yesterday, 06:30 local time: in the past and well inside the custody limits whatever day the suite runs.
  const day = new Date(Date.now() - 24 * 3600 * 1000);
  await heading("Encounter");
  await typeInto("#encounter-occurred_at", String(day.getMonth() + 1));
  await typeInto("#encounter-occurred_at--day", String(day.getDate()));
  await typeInto("#encounter-occurred_at--year", String(day.getFullYear()));
  await typeInto("#encounter-time", "06:30");
  await typeInto("#encounter-station", who.station);
  // Regression: fixing the first problem must not pull focus to the error summary mid-word.
  assert.equal(await wd.prop(await $("#encounter-station"), "value"), who.station);
  await key("#encounter-type", Key.Space);
  await key("#encounter-accompaniment--unrelated_or_unverified_adult", Key.Space);
  await typeInto("#encounter-narrative", `Found near ${who.place} road crossing with one adult.`);
  await pressButton("Continue");

  await heading("Child");
  await typeInto("#child-given_name", who.given);
  await typeInto("#child-family_name", who.family);
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
  await typeInto("#adults-0-name", who.adult);
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
  await heading(`${who.given} ${who.family}`);
  await $(".case-detail .clock", { text: "In custody" });
  await $(".case-detail", { text: who.station });
  await shot("case-detail");
}

/** The words an intake of `who` typed, that no file of an encrypted store may hold readable. */
export const typedWords = (who) => [who.given, who.family, ...who.adult.split(" "), who.place];

/** Every file under `dir` (the store's folder) keeps none of `words` readable, in UTF-8 or UTF-16. */
export function assertNoPlaintext(dir, words) {
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  assert.ok(files.some((f) => f.endsWith(".db") || f.includes("db")), `the store has a database (${files.join(", ")})`);
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const w of words) {
      assert.equal(bytes.includes(Buffer.from(w)), false, `${w} readable in ${f}`);
      assert.equal(bytes.includes(Buffer.from(w, "utf16le")), false, `${w} readable (UTF-16) in ${f}`);
    }
  }
}
