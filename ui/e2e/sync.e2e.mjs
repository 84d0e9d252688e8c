// End to end with a real sync service: the app enrolls through its first-run
// form against `waystation-server` (SQLite, 127.0.0.1 port 0), the service
// lists the device; an intake typed by keyboard in the window is listed with
// its custody clock, goes out on "Sync now", and a second device of the same
// organization (waystation-cli) receives it from the service under the same
// case id; a case that device sends appears in the open case list after "Sync
// now" (the sync line counts what was sent and received since unlocking); a
// concurrent write to the typed case's given name on two other devices
// (`waystation-cli case set`) shows in the app as a
// conflict on "Given name" with both values, beside the case's reference,
// the user keeps one by keyboard, and the other device then holds that value
// and no conflict. In Settings the app follows the service to another name
// of it (localhost), after refusing an address nobody answers at.
//
//   WAYSTATION_APP=/path/to/waystation-desktop node --test e2e/sync.e2e.mjs
//
// The service and CLI binaries are taken beside the app unless
// WAYSTATION_SERVER_BIN / WAYSTATION_CLI_BIN say otherwise. Saves in
// e2e/artifacts/ sync-status.png (the case list with the sync line after the
// intake went out), case-conflict.png (the case detail with the conflict) and
// sync-service-refused.png / sync-service-moved.png (Settings).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { newStoreDir, startApp } from "./harness.mjs";
import { assertNoPlaintext, completeIntake, steps, typedWords } from "./intake.mjs";
import { Key } from "./webdriver.mjs";

const application = process.env.WAYSTATION_APP;
if (!application) throw new Error("set WAYSTATION_APP to the desktop binary (built with --features custom-protocol)");
const serverBin = process.env.WAYSTATION_SERVER_BIN ?? join(dirname(application), "waystation-server");
const cliBin = process.env.WAYSTATION_CLI_BIN ?? join(dirname(application), "waystation-cli");
const ORG = "border-station-7";
const USER = "demo.agent";
const PASS = "correct horse battery staple";
// Fictional names typed into the intake in the window.
const CHILD = { given: "Yaretzi", family: "Ccahuana", adult: "Baltazar Ixcoy", place: "Cuilapa", station: "ELP-09" };
// The given name another device writes to the same case at the same time.
const OTHER_GIVEN = "Itzanami";
const THIRD_GIVEN = "Nayeli";
const examples = new URL("../../examples/", import.meta.url).pathname;

const work = mkdtempSync(join(tmpdir(), "waystation-e2e-sync-"));

/** An example case as the CLI's agent device may write it: without the notes of a class agents may not read
 * (write rules match read rules: `case add` refuses a legal-privileged note on an agent's device). */
function asAgentWrites(name) {
  const agentReads = ["general", "law_enforcement_sensitive", "medical"];
  const c = JSON.parse(readFileSync(join(examples, name), "utf8"));
  c.notes = (c.notes ?? []).filter((n) => agentReads.includes(n.sensitivity));
  const path = join(work, `agent-${name}`);
  writeFileSync(path, JSON.stringify(c));
  return path;
}
const data = join(work, "server");
const appStore = newStoreDir();
// The service's database key: a fresh one per run, in a file only this user reads.
const keyFile = join(data + "-key");
execFileSync(serverBin, ["key", "new", "--file", keyFile]);
const env = { ...process.env, WAYSTATION_PASSWORD: PASS, WAYSTATION_LOG: "warn", WAYSTATION_KEY_FILE: keyFile };
delete env.WAYSTATION_DATABASE_URL;
delete env.WAYSTATION_KEY;
delete env.WAYSTATION_KEY_COMMAND;
const admin = (...args) => execFileSync(serverBin, ["--data", data, ...args], { env, encoding: "utf8" }).trim();

let service;
let url;
let app;
let wd;
let caseId; // the typed case's id, as the app's case_list gives it
const s = steps(() => wd);
const { $, heading, pressButton, shot, axeProblems } = s;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A device running waystation-cli, enrolled in the same organization on first use. */
const enrolled = new Set();
function cliDevice(name = "cli-store") {
  const store = join(work, name);
  const pw = join(work, "pw");
  const run = (...args) => execFileSync(cliBin, ["--store", store, "--user", USER, "--passphrase-file", pw, ...args], { env, encoding: "utf8" });
  if (!enrolled.has(name)) {
    writeFileSync(pw, PASS + "\n", { mode: 0o600 });
    const code = admin("device", "code", "--org", ORG, "--role", "agent");
    execFileSync(cliBin, ["--store", store, "enroll", "--server", url, "--code", code, "--user", USER, "--passphrase-file", pw], { env });
    enrolled.add(name);
  }
  return run;
}

/** Wait, on the case list and without leaving it, until a row holds `text` and `ok(rowText)`:
 * the list reads the cases again when a sync that changed something is over. */
async function untilListed(text, ok = () => true, timeout = 60000) {
  await heading("Cases");
  const end = Date.now() + timeout;
  for (;;) {
    for (const row of await wd.findAll(".case-table tbody tr")) {
      const t = await wd.text(row).catch(() => "");
      if (t.includes(text) && ok(t)) return row;
    }
    if (Date.now() > end) throw new Error(`no case row with “${text}” as expected after ${timeout} ms`);
    await sleep(250);
  }
}

/** Sync `device` (a CLI device) until `ok(case show)` holds: the service may not hold the app's push yet. */
async function untilShown(device, id, ok, what, timeout = 60000) {
  const end = Date.now() + timeout;
  for (;;) {
    device("sync");
    const shown = JSON.parse(device("case", "show", id));
    if (ok(shown)) return shown;
    if (Date.now() > end) throw new Error(`the other device never saw ${what}`);
    await sleep(1000);
  }
}

/** The sync line's whole text once `ok(text)` holds (it polls every few seconds and follows sync events). */
async function syncLineUntil(ok, what, timeout = 60000) {
  const end = Date.now() + timeout;
  let text = "";
  for (;;) {
    text = await wd.text(await $(".sync")).catch(() => "");
    if (ok(text)) return text;
    if (Date.now() > end) throw new Error(`the sync line never said ${what} (last: “${text}”)`);
    await sleep(200);
  }
}

/** Press "Sync now" by keyboard (hidden while a sync runs: wait for it, retry if it went away under us). */
async function syncNow() {
  for (let i = 0; ; i++) {
    try {
      await wd.type(await $("button.sync__now", { timeout: 60000 }), Key.Enter);
      return;
    } catch (e) {
      if (i >= 5) throw e;
      await sleep(300);
    }
  }
}

before(async () => {
  service = spawn(serverBin, ["--data", data, "serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "ignore"] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: service.stdout }).once("line", resolve);
    service.once("exit", () => reject(new Error("waystation-server did not start")));
  });
  url = line.replace(/^listening on /, "").trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  admin("org", "add", ORG);
  admin("user", "add", "--org", ORG, "--role", "agent", USER);
  app = await startApp({ application, store: appStore });
  wd = app.wd;
});
after(async () => {
  await app?.close();
  if (service && service.exitCode === null && service.signalCode === null) {
    const gone = new Promise((r) => service.once("exit", r));
    service.kill("SIGTERM");
    await Promise.race([gone, sleep(5000)]);
    if (service.exitCode === null && service.signalCode === null) service.kill("SIGKILL");
  }
  rmSync(work, { recursive: true, force: true });
  rmSync(dirname(appStore), { recursive: true, force: true });
});

describe("the desktop app with a sync service", { concurrency: false }, () => {
  it("enrolls through the first-run form and syncs at once", async () => {
    const code = admin("device", "code", "--org", ORG, "--role", "agent");
    await heading("Set up this device");
    await s.key("#mode", Key.Space);
    await s.typeInto("#server", url);
    await s.typeInto("#code", code);
    await s.typeInto("#user", USER);
    await s.typeInto("#passphrase", PASS);
    await s.typeInto("#passphrase_confirm", PASS + Key.Enter);
    await heading("Cases", { timeout: 60000 });
    await $(".sync__line", { text: "Synced: nothing waiting", timeout: 60000 });
    const devices = admin("device", "list").split("\n").filter(Boolean);
    assert.equal(devices.length, 1);
    assert.match(devices[0], new RegExp(`${ORG}\\tagent\\tactive\\tlast contact`));
  });

  it("completes an intake by keyboard and lists it with its custody clock", async () => {
    await pressButton("Start a new intake");
    await completeIntake(s, () => wd, CHILD);
    await pressButton("Back to cases");
    await heading("Cases");
    const row = await $(".case-table tbody tr", { text: `${CHILD.given} ${CHILD.family}` });
    const text = await wd.text(row);
    assert.match(text, /In custody/);
    assert.match(text, /Transfer due in/);
    assert.match(text, new RegExp(CHILD.station));
  });

  it("sends it on Sync now: the sync line says nothing is waiting", async () => {
    // The intake's changes were queued when it was saved; the line counts the outbox each time it is polled.
    await syncNow();
    const line = await syncLineUntil((t) => /Synced: nothing waiting/.test(t), "nothing is waiting");
    assert.match(line, /Last sync /);
    assert.doesNotMatch(line, /Sync failed|waiting to sync|refused/);
    await shot("sync-status");
  });

  it("the service holds it: another device of the organization receives the typed case under the same id", async () => {
    const cli = cliDevice();
    cli("sync");
    // Read the id through the app's own case_list command (the detail shows it too: checked below).
    const list = await wd.execAsync(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke("case_list").then(done, (e) => done({ error: String(e && e.message || e) }));`,
    );
    assert.ok(Array.isArray(list), `case_list answered ${JSON.stringify(list)}`);
    const mine = list.filter((c) => c.given_name === CHILD.given);
    assert.equal(mine.length, 1, "the app holds the typed case once");
    caseId = mine[0].id;
    const found = cli("search", CHILD.given).split("\n").filter(Boolean);
    assert.deepEqual(found, [mine[0].id], "the other device finds the typed child's name under the app's case id");
    assert.deepEqual(cli("search", CHILD.adult.split(" ")[1]).split("\n").filter(Boolean), [mine[0].id]);
    const shown = JSON.parse(cli("case", "show", mine[0].id));
    assert.equal(shown.id, mine[0].id);
    assert.equal(shown.child.given_name, CHILD.given);
    assert.equal(shown.child.family_name, CHILD.family);
    assert.equal(shown.encounter.station, CHILD.station);
    assert.match(shown.encounter.narrative, new RegExp(CHILD.place));
    assert.deepEqual(shown.adults.map((a) => a.name), [CHILD.adult]);
    assert.deepEqual(shown.conflicts, []);
  });

  it("receives, after Sync now, a case another device sent", async () => {
    const cli = cliDevice();
    cli("case", "add", asAgentWrites("case.json"));
    cli("sync");
    await syncNow();
    await untilListed("Rosa Elena Tzul Chox");
    await $(".case-table tbody tr", { text: `${CHILD.given} ${CHILD.family}` });
    // The typed case went out in an earlier sync than this one: both count since unlocking.
    const counts = (t) => (t.match(/(\d+) sent, (\d+) received since unlocking/) ?? []).slice(1).map(Number);
    const line = await syncLineUntil((t) => counts(t).length === 2 && counts(t).every((n) => n > 0), "what was sent and received");
    assert.ok(counts(line)[1] >= 2, `the case received holds several changes: “${line}”`);
  });

  // Two other devices that hold the case change its given name at the same
  // time (`case set`, each without having seen the other's change): both
  // writes supersede the typed value but not each other, so the service and
  // every device hold both values as a conflict.
  it("shows a concurrent write to the same field as a conflict with both values, chosen by keyboard", async () => {
    assert.ok(caseId, "the typed case's id is known");
    const second = cliDevice();
    const third = cliDevice("cli-store-3");
    third("sync");
    assert.equal(JSON.parse(third("case", "show", caseId)).child.given_name, CHILD.given, "the third device holds the case");
    second("case", "set", caseId, "child.given_name", JSON.stringify(OTHER_GIVEN));
    third("case", "set", caseId, "child.given_name", JSON.stringify(THIRD_GIVEN));
    second("sync");
    third("sync");
    second("sync");
    const seen = JSON.parse(second("case", "show", caseId));
    assert.deepEqual(
      seen.conflicts.map((c) => [c.key.field, c.values.map((v) => v.value).sort()]),
      [["child.given_name", [OTHER_GIVEN, THIRD_GIVEN].sort()]],
      "the other device holds exactly this conflict",
    );

    await syncNow();
    await untilListed(CHILD.family, (t) => /Conflict/.test(t));
    await wd.type(await $(".case-table tbody tr button.link-button", { text: CHILD.family }), Key.Enter);
    await $("#conflicts-title", { text: "A field was changed on two devices at once" });
    // The reference to quote on the phone, and the full id to copy.
    assert.equal(await wd.text(await $(".case-ref__short")), caseId.slice(-8));
    assert.equal(await wd.text(await $(".case-ref__full")), caseId);
    const conflict = await $(".conflict", { text: "Field: Given name" });
    const text = await wd.text(conflict);
    assert.match(text, new RegExp(OTHER_GIVEN));
    assert.match(text, new RegExp(THIRD_GIVEN));
    await shot("case-conflict");
    // Keep the second device's value (the third device's later write would win by clock otherwise).
    const label = await $(".conflict label.choice__label", { text: OTHER_GIVEN });
    await s.key(`#${await wd.attr(label, "for")}`, Key.Space);
    await pressButton("Keep the chosen value");
    await heading(`${OTHER_GIVEN} ${CHILD.family}`);
    for (let i = 0; i < 50 && (await wd.find("#conflicts-title")); i++) await sleep(100);
    assert.equal(await wd.find("#conflicts-title"), null, "the conflict is gone from the detail");
  });

  it("sends the choice: the other device sees the chosen value and no conflict", async () => {
    await syncNow();
    const second = cliDevice();
    const shown = await untilShown(second, caseId, (c) => c.conflicts.length === 0, "the conflict resolved");
    assert.equal(shown.child.given_name, OTHER_GIVEN);
    await syncLineUntil((t) => /Synced: nothing waiting/.test(t), "nothing is waiting");
  });

  it("follows the service to another address from Settings; a refused address changes nothing", async () => {
    const ESCAPE = "\uE00C";
    const moved = url.replace("127.0.0.1", "localhost");
    const current = () => $("section[aria-labelledby='service-title'] > p", { text: "This laptop syncs with" });
    await pressButton("Settings");
    await heading("Settings");
    assert.match(await wd.text(await current()), new RegExp(`syncs with ${url}/?$`));

    // Nobody answers at port 9: the reason beside the field, the address as it was.
    await pressButton("Change address");
    await s.typeInto("#new_server", "http://127.0.0.1:9" + Key.Enter);
    await $("#new_server--error", { text: "The address was not changed: nothing answers there", timeout: 60000 });
    assert.equal(await wd.attr(await $("#new_server"), "aria-invalid"), "true");
    assert.equal(await wd.attr(await wd.active(), "id"), "new_server", "focus on the refused field");
    await shot("sync-service-refused");
    await wd.type(await wd.active(), ESCAPE);
    assert.equal(await wd.text(await wd.active()), "Change address", "focus returns to the opener");
    assert.match(await wd.text(await current()), new RegExp(`syncs with ${url}/?$`));

    // The same service under another name: kept, and syncs go on.
    await wd.type(await wd.active(), Key.Enter);
    await s.typeInto("#new_server", moved + Key.Enter);
    await $(".saved-note", { text: `This laptop now syncs with ${moved}`, timeout: 60000 });
    assert.match(await wd.text(await current()), new RegExp(`syncs with ${moved}/?$`));
    await shot("sync-service-moved");
    // A case another device sends now reaches the app through the new address.
    await pressButton("Cases");
    const cli = cliDevice();
    cli("case", "add", asAgentWrites("child-with-referrals.json"));
    cli("sync");
    await syncNow();
    await untilListed("Kevin Alexander Portillo Amaya");
    await syncLineUntil((t) => /Synced: nothing waiting/.test(t) && !/Sync failed/.test(t), "synced at the new address");
  });

  it("has no serious or critical axe-core violation on the sync status, the conflict and the sync service settings", () => {
    assert.deepEqual(axeProblems, []);
  });

  it("keeps none of the typed names readable in the app's store folder", () => {
    assertNoPlaintext(appStore, [...typedWords(CHILD), OTHER_GIVEN, THIRD_GIVEN]);
  });
});
