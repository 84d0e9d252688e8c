// End to end with a real sync service: the app enrolls through its first-run
// form against `waystation-server` (SQLite, 127.0.0.1 port 0), the service
// lists the device; an intake typed by keyboard in the window is listed with
// its custody clock, goes out on "Sync now", and a second device of the same
// organization (waystation-cli) receives it from the service under the same
// case id; a case that device sends arrives in the app after "Sync now".
//
//   WAYSTATION_APP=/path/to/waystation-desktop node --test e2e/sync.e2e.mjs
//
// The service and CLI binaries are taken beside the app unless
// WAYSTATION_SERVER_BIN / WAYSTATION_CLI_BIN say otherwise. Saves
// e2e/artifacts/sync-status.png: the case list with the sync line after the
// intake went out.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
const examples = new URL("../../examples/", import.meta.url).pathname;

const work = mkdtempSync(join(tmpdir(), "waystation-e2e-sync-"));
const data = join(work, "server");
const appStore = newStoreDir();
const env = { ...process.env, WAYSTATION_PASSWORD: PASS, WAYSTATION_LOG: "warn" };
delete env.WAYSTATION_DATABASE_URL;
const admin = (...args) => execFileSync(serverBin, ["--data", data, ...args], { env, encoding: "utf8" }).trim();

let service;
let url;
let app;
let wd;
const s = steps(() => wd);
const { $, heading, pressButton, shot, axeProblems } = s;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The second device: waystation-cli enrolled in the same organization, created on first use. */
let cliReady = null;
function cliDevice() {
  const store = join(work, "cli-store");
  const pw = join(work, "pw");
  const run = (...args) => execFileSync(cliBin, ["--store", store, "--user", USER, "--passphrase-file", pw, ...args], { env, encoding: "utf8" });
  if (!cliReady) {
    writeFileSync(pw, PASS + "\n", { mode: 0o600 });
    const code = admin("device", "code", "--org", ORG, "--role", "agent");
    execFileSync(cliBin, ["--store", store, "enroll", "--server", url, "--code", code, "--user", USER, "--passphrase-file", pw], { env });
    cliReady = true;
  }
  return run;
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
    await syncNow();
    // "N sent" counts what this session pushed: only the intake's changes were made here.
    const line = await syncLineUntil((t) => /Synced: nothing waiting/.test(t) && /[1-9]\d* sent/.test(t), "the intake was sent");
    assert.match(line, /Last sync /);
    assert.doesNotMatch(line, /Sync failed|waiting to sync|refused/);
    await shot("sync-status");
  });

  it("the service holds it: another device of the organization receives the typed case under the same id", async () => {
    const cli = cliDevice();
    cli("sync");
    // The app shows no case id: read it through the app's own case_list command.
    const list = await wd.execAsync(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke("case_list").then(done, (e) => done({ error: String(e && e.message || e) }));`,
    );
    assert.ok(Array.isArray(list), `case_list answered ${JSON.stringify(list)}`);
    const mine = list.filter((c) => c.given_name === CHILD.given);
    assert.equal(mine.length, 1, "the app holds the typed case once");
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
    cli("case", "add", join(examples, "case.json"));
    cli("sync");
    await syncNow();
    await syncLineUntil((t) => /[1-9]\d* received/.test(t) && /Synced: nothing waiting/.test(t), "the case was received");
    // The list is fetched when it is shown: leave it and come back by the navigation.
    await wd.type(await $("button.nav__link", { text: "Settings" }), Key.Enter);
    await heading("Settings");
    await wd.type(await $("button.nav__link", { text: "Cases" }), Key.Enter);
    await heading("Cases");
    await $(".case-table tbody tr", { text: "Rosa Elena Tzul Chox" });
    await $(".case-table tbody tr", { text: `${CHILD.given} ${CHILD.family}` });
  });

  it("has no serious or critical axe-core violation on the sync status", () => {
    assert.deepEqual(axeProblems, []);
  });

  it("keeps none of the typed names readable in the app's store folder", () => {
    assertNoPlaintext(appStore, typedWords(CHILD));
  });
});
