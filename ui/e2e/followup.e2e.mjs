// End to end in the real app: the follow-up of a saved case from its screen,
// by keyboard only, against a fresh store. A case is made by the intake, then
// its referral moves on, a referral to a new organization is added (the case
// is shared with it) and removed again after a confirmation, a service is logged, a relief application gets a
// milestone, the child's name is corrected (after a bad value is refused
// beside its field), and the case screen and its history are read back.
//
//   WAYSTATION_APP=/path/to/waystation-desktop node --test e2e/followup.e2e.mjs
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { newStoreDir, startApp } from "./harness.mjs";
import { assertNoPlaintext, completeIntake, steps, typedWords } from "./intake.mjs";
import { Key } from "./webdriver.mjs";

const application = process.env.WAYSTATION_APP;
if (!application) throw new Error("set WAYSTATION_APP to the desktop binary (built with --features custom-protocol)");

const USER = "nadia.ruiz";
const PASS = "correct horse battery staple";
// Fictional names; none may be readable in the store's files.
const CHILD = { given: "Yesenia", family: "Cumez", adult: "Abelino Sacor", place: "Chimaltenango", station: "SND-03" };
const CORRECTED = "Yessenia";
// The organization a referral made after the intake names: the case is shared with it.
const ORG = "clinica-del-valle";

/** WebDriver's Escape key. */
const ESCAPE = "\uE00C";

const store = newStoreDir();
let app;
let wd;

const s = steps(() => wd);
const { $, heading, key, typeInto, pressButton, shot, axeProblems } = s;

/** Press the button whose accessible name (its aria-label) is `label`. */
async function pressLabelled(label) {
  await wd.type(await $(`button[aria-label="${label}"]`), Key.Enter);
}

/** Empty a text box by keyboard. */
async function clear(css) {
  const el = await $(css);
  const value = String(await wd.prop(el, "value"));
  await wd.type(el, Key.Backspace.repeat(value.length));
  assert.equal(await wd.prop(el, "value"), "");
}

/** Poll `check` until it holds (the screen moves focus after it renders), failing with `what` after a while. */
async function until(check, what) {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(what);
}

/** Counts of history entries taken before an edit. */
const seen = { names: 0, nationalities: 0 };

/** How many entries of the case screen's history hold `text`. */
async function historyCount(text) {
  const timeline = await wd.text(await $(".timeline"));
  return timeline.split(text).length - 1;
}

/** Replace a text box's value by keyboard. */
async function retype(css, text) {
  await clear(css);
  await typeInto(css, text);
}

/** The id of the element that has focus. */
async function focused() {
  return wd.attr(await wd.active(), "id");
}

before(async () => {
  app = await startApp({ application, store });
  wd = app.wd;
});
after(async () => {
  await app?.close();
  rmSync(dirname(store), { recursive: true, force: true });
});

describe("the follow-up of a saved case", { concurrency: false }, () => {
  it("starts from a case saved by the intake", async () => {
    await heading("Set up this device");
    await key("#mode--local", Key.Space);
    await typeInto("#user", USER);
    await typeInto("#passphrase", PASS);
    await typeInto("#passphrase_confirm", PASS + Key.Enter);
    await heading("Cases");
    await pressButton("Start a new intake");
    await completeIntake(s, () => wd, CHILD);
    await $("#referrals-title");
    await $(".tag--ref-drafted", { text: "Drafted" });
  });

  it("moves the referral to its next status with the time", async () => {
    await pressLabelled("Update status of the Federal child placement office referral");
    // The only next step is preselected and has focus; the day and time start on now.
    assert.equal(await focused(), "ref-step-status");
    assert.equal(await wd.prop(await $("#ref-step-status"), "checked"), true);
    assert.match(String(await wd.prop(await $("#ref-step-time"), "value")), /^\d\d:\d\d$/);
    await pressButton("Save the status");
    await $("#referrals-title + .saved-note", { text: "Saved." });
    await $(".tag--ref-sent", { text: "Sent" });
    assert.equal(await focused(), "referrals-title", "focus goes back to the referrals");
  });

  it("adds a referral to a new organization, refusing a bad organization id beside its field", async () => {
    await pressButton("Add a referral");
    assert.equal(await focused(), "referral-to");
    await typeInto("#referral-to", "Med");
    assert.equal(await wd.prop(await $("#referral-to"), "value"), "medical");
    await typeInto("#referral-org", "Clínica");
    await typeInto("#referral-reason", "Dental pain reported at the shelter.");
    await pressButton("Save the referral");
    const error = await $("#referral-org--error", { text: "lowercase" });
    assert.equal(await wd.attr(await $("#referral-org"), "aria-invalid"), "true");
    assert.match(await wd.text(error), /casa-esperanza/);
    assert.equal(await focused(), "referral-org", "focus goes to the refused field");
    await clear("#referral-org");
    await typeInto("#referral-org", ORG);
    await pressButton("Save the referral");
    await $("#referrals-title + .saved-note", { text: `Saved. The case is now shared with ${ORG}.` });
    await $(".tag--ref-drafted", { text: "Drafted" });
    assert.equal(await wd.text(await wd.active()), "Add a referral", "focus returns to the button");
  });

  it("removes the drafted referral after a confirmation, and Escape cancels it first", async () => {
    const label = "Remove the drafted referral to Medical";
    await pressLabelled(label);
    assert.equal(await focused(), "referral-remove-title", "the question has focus");
    // The last referral to the organization: removing it ends the sharing, and the question says so.
    const confirm = await $("form[aria-labelledby=referral-remove-title]", { text: `This is the last referral to ${ORG}` });
    await shot("case-followup-remove");
    assert.ok(confirm);
    await wd.type(await wd.active(), ESCAPE);
    await until(async () => (await wd.attr(await wd.active(), "aria-label")) === label, "Escape: focus back on Remove");
    assert.equal(await wd.exec(`return document.querySelectorAll("form[aria-labelledby=referral-remove-title]").length;`), 0);
    await pressLabelled(label);
    await pressButton("Yes, remove it");
    await $("#referrals-title + .saved-note", { text: "Removed." });
    assert.equal(await focused(), "referrals-title", "focus goes to the referrals once the row is gone");
    const drafted = await wd.exec(`return document.querySelectorAll(".tag--ref-drafted").length;`);
    assert.equal(drafted, 0, "the drafted referral is gone");
  });

  it("logs a service", async () => {
    await pressButton("Log a service");
    assert.equal(await focused(), "service-kind");
    await typeInto("#service-kind", "Int");
    assert.equal(await wd.prop(await $("#service-kind"), "value"), "interpretation");
    await typeInto("#service-description", "Mam interpreter for the shelter intake.");
    await pressButton("Save the service");
    const services = await $("section[aria-labelledby=services-title]", { text: "Saved." });
    const text = await wd.text(services);
    assert.match(text, /Interpreter/);
    assert.match(text, /Mam interpreter for the shelter intake\./);
    assert.equal(await wd.text(await wd.active()), "Log a service", "focus returns to the button, ready for another");
  });

  it("corrects the logged service", async () => {
    const id = await wd.exec(
      `const row = [...document.querySelectorAll("section[aria-labelledby=services-title] tbody tr")].find((r) => r.textContent.includes("Mam interpreter"));
       return row.querySelector("button").id;`,
    );
    await wd.type(await $(`#${id}`), Key.Enter);
    await $("h3", { text: "Change a logged service" });
    assert.equal(await focused(), "service-kind");
    await typeInto("#service-description", " By phone.");
    await pressButton("Save the service");
    await $("section[aria-labelledby=services-title] tbody", { text: "Mam interpreter for the shelter intake. By phone." });
    assert.equal(await focused(), id, "focus returns to the service's Change button");
  });

  it("starts a T visa application and records a milestone", async () => {
    await pressButton("Start a relief application");
    await typeInto("#relief-kind", "T");
    assert.equal(await wd.prop(await $("#relief-kind"), "value"), "t_visa");
    await typeInto("#relief-milestone", "Scr");
    assert.equal(await wd.prop(await $("#relief-milestone"), "value"), "screened_eligible_on");
    await pressButton("Save the application");
    await $("section[aria-labelledby=relief-title] .relief", { text: "Screened as likely eligible" });

    await pressLabelled("Record a milestone for the T visa (I-914) application");
    assert.equal(await focused(), "relief-step-milestone");
    await typeInto("#relief-step-milestone", "F");
    assert.equal(await wd.prop(await $("#relief-step-milestone"), "value"), "filed_on");
    await pressButton("Save the milestone");
    const relief = await $("section[aria-labelledby=relief-title] .relief", { text: "Filed" });
    assert.match(await wd.text(relief), /Screened as likely eligible/);
  });

  it("refuses a bad value beside its field and saves nothing", async () => {
    // How the intake wrote the child (one change per field, or all in the case's creation) is not this test's business:
    // count the history's entries before, and compare after.
    seen.names = await historyCount("Changed Given name by");
    seen.nationalities = await historyCount("Changed Nationalities by");
    await pressLabelled("Edit Child");
    assert.equal(await focused(), "edit-child-given_name");
    await clear("#edit-child-given_name");
    await typeInto("#edit-child-given_name", CORRECTED);
    await clear("#edit-child-nationalities");
    await typeInto("#edit-child-nationalities", "Mexico");
    await pressButton("Save the changes");
    const error = await $("#edit-child-nationalities--error", { text: "MEXICO" });
    assert.match(await wd.text(error), /country code/);
    const input = await $("#edit-child-nationalities");
    assert.equal(await wd.attr(input, "aria-invalid"), "true");
    assert.match(await wd.attr(input, "aria-describedby"), /edit-child-nationalities--error/);
    assert.equal(await focused(), "edit-child-nationalities", "focus goes to the refused field");
    await shot("case-followup-error");
    // Nothing was saved: the heading still has the name as it was.
    assert.equal(await wd.text(await $("#case-title")), `${CHILD.given} ${CHILD.family}`);
  });

  it("corrects the child's name", async () => {
    await clear("#edit-child-nationalities");
    await typeInto("#edit-child-nationalities", "MX");
    await pressButton("Save the changes");
    await heading(`${CORRECTED} ${CHILD.family}`);
    await $("section[aria-labelledby=child-title] .saved-note", { text: "Saved." });
    assert.equal(await wd.attr(await wd.active(), "aria-label"), "Edit Child", "focus returns to Edit");
  });

  it("corrects a typo in the station code", async () => {
    await pressLabelled("Edit Encounter");
    assert.equal(await focused(), "edit-encounter-occurred_at-date", "the encounter's day comes first");
    await clear("#edit-encounter-station");
    await typeInto("#edit-encounter-station", "snd-05");
    await pressButton("Save the changes");
    await $("section[aria-labelledby=encounter-title] .saved-note", { text: "Saved." });
    await $("section[aria-labelledby=encounter-title] dl", { text: "SND-05" });
  });

  it("moves the encounter four days back, and the custody clock shows the transfer overdue", async () => {
    const clock = async () => wd.text(await $(".clock"));
    assert.match(await clock(), /Transfer due in/, "the intake's encounter was yesterday");
    await pressLabelled("Edit Encounter");
    const back = new Date(Date.now() - 4 * 24 * 3600 * 1000);
    await retype("#edit-encounter-occurred_at-date", String(back.getMonth() + 1));
    await retype("#edit-encounter-occurred_at-date--day", String(back.getDate()));
    await retype("#edit-encounter-occurred_at-date--year", String(back.getFullYear()));
    await pressButton("Save the changes");
    await $("section[aria-labelledby=encounter-title] .saved-note", { text: "Saved." });
    await $(".clock", { text: "Transfer overdue by" });
  });

  it("refuses an encounter time in the future beside the time box", async () => {
    await pressLabelled("Edit Encounter");
    const ahead = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    await retype("#edit-encounter-occurred_at-date", String(ahead.getMonth() + 1));
    await retype("#edit-encounter-occurred_at-date--day", String(ahead.getDate()));
    await retype("#edit-encounter-occurred_at-date--year", String(ahead.getFullYear()));
    await pressButton("Save the changes");
    await $("#edit-encounter-occurred_at-time--error", { text: "cannot be in the future" });
    assert.equal(await focused(), "edit-encounter-occurred_at-time");
    await wd.type(await wd.active(), ESCAPE);
    await until(async () => (await wd.attr(await wd.active(), "aria-label")) === "Edit Encounter", "Escape: focus back on Edit");
    await $(".clock", { text: "Transfer overdue by" });
  });

  it("records custody: where the child is held and when the placement office was told; the clock counts it done", async () => {
    await pressLabelled("Edit Custody");
    assert.equal(await focused(), "edit-custody-facility");
    await typeInto("#edit-custody-facility", "Station juvenile room 2");
    const told = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    await typeInto("#edit-custody-placement_notified_at-date", String(told.getMonth() + 1));
    await typeInto("#edit-custody-placement_notified_at-date--day", String(told.getDate()));
    await typeInto("#edit-custody-placement_notified_at-date--year", String(told.getFullYear()));
    await typeInto("#edit-custody-placement_notified_at-time", "08:15");
    await pressButton("Save the changes");
    await $("section[aria-labelledby=custody-title] .saved-note", { text: "Saved." });
    await $("section[aria-labelledby=custody-title] dl", { text: "Station juvenile room 2" });
    await $(".clock", { text: "Notice to placement office done" });
    assert.equal(await wd.attr(await wd.active(), "aria-label"), "Edit Custody", "focus returns to Edit");
    await shot("case-followup-custody");
  });

  it("shows it all on the case screen, and in its history, after reading the case again", async () => {
    await pressButton("Back to cases");
    await heading("Cases");
    await wd.type(await $(".case-table tbody tr a, .case-table tbody tr button", { text: CORRECTED }), Key.Enter);
    await heading(`${CORRECTED} ${CHILD.family}`);
    await $(".tag--ref-sent", { text: "Sent" });
    await $("section[aria-labelledby=services-title]", { text: "Mam interpreter for the shelter intake. By phone." });
    await $("section[aria-labelledby=relief-title] .relief", { text: "Filed" });
    await $("section[aria-labelledby=encounter-title] dl", { text: "SND-05" });
    const timeline = await wd.text(await $(".timeline"));
    const changes = [
      "Changed Given name",
      "Changed Referrals: Status",
      "Changed Referrals: Sent",
      "Added to Services",
      "Changed Services: What was done",
      "Added to Immigration relief",
      "Changed Immigration relief: Filed",
      "Changed Station or port code",
      "Added to Referrals",
      `Shared with ${ORG}`,
      "Changed When",
      "Changed Placement office notified",
      "Changed Where the child is held",
      "Removed from Referrals",
      `Stopped sharing with ${ORG}`,
    ];
    for (const change of changes) {
      assert.ok(timeline.includes(change), `the history shows “${change}”`);
    }
    const count = (text) => timeline.split(text).length - 1;
    assert.equal(count("Changed Given name by"), seen.names + 1, "the correction, once");
    assert.equal(count("Changed Nationalities by"), seen.nationalities, "the refused edit left no change");
    await shot("case-followup");
  });

  it("has no serious or critical axe-core violation on the case screen", () => {
    assert.deepEqual(axeProblems, []);
  });

  it("keeps none of the typed names readable in the store's files", async () => {
    await app.close();
    app = undefined;
    assertNoPlaintext(store, [...typedWords(CHILD), CORRECTED]);
  });
});
