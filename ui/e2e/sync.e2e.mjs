// End to end with a real sync service: the app enrolls through its first-run
// form against `waystation-server` (SQLite, 127.0.0.1 port 0), the service
// lists the device, and a case another device (waystation-cli) synced arrives
// in the app after "Sync now".
//
//   WAYSTATION_APP=/path/to/waystation-desktop node --test e2e/sync.e2e.mjs
//
// The service and CLI binaries are taken beside the app unless
// WAYSTATION_SERVER_BIN / WAYSTATION_CLI_BIN say otherwise.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { newStoreDir, startApp } from "./harness.mjs";
import { Key } from "./webdriver.mjs";

const application = process.env.WAYSTATION_APP;
if (!application) throw new Error("set WAYSTATION_APP to the desktop binary (built with --features custom-protocol)");
const serverBin = process.env.WAYSTATION_SERVER_BIN ?? join(dirname(application), "waystation-server");
const cliBin = process.env.WAYSTATION_CLI_BIN ?? join(dirname(application), "waystation-cli");
const ORG = "border-station-7";
const USER = "demo.agent";
const PASS = "correct horse battery staple";
const examples = new URL("../../examples/", import.meta.url).pathname;

const work = mkdtempSync(join(tmpdir(), "waystation-e2e-sync-"));
const data = join(work, "server");
const env = { ...process.env, WAYSTATION_PASSWORD: PASS, WAYSTATION_LOG: "warn" };
delete env.WAYSTATION_DATABASE_URL;
const admin = (...args) => execFileSync(serverBin, ["--data", data, ...args], { env, encoding: "utf8" }).trim();

let service;
let url;
let app;
let wd;
const $ = (css, opts) => wd.waitFor(css, opts);

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
  app = await startApp({ application, store: newStoreDir() });
  wd = app.wd;
});
after(async () => {
  await app?.close();
  service?.kill();
});

describe("the desktop app with a sync service", { concurrency: false }, () => {
  it("enrolls through the first-run form and syncs at once", async () => {
    const code = admin("device", "code", "--org", ORG, "--role", "agent");
    await $("h1", { text: "Set up this device" });
    await wd.type(await $("#mode"), Key.Space);
    await wd.type(await $("#server"), url);
    await wd.type(await $("#code"), code);
    await wd.type(await $("#user"), USER);
    await wd.type(await $("#passphrase"), PASS);
    await wd.type(await $("#passphrase_confirm"), PASS + Key.Enter);
    await $("h1", { text: "Cases", timeout: 60000 });
    await $(".sync__line", { text: "Synced: nothing waiting", timeout: 60000 });
    const devices = admin("device", "list").split("\n").filter(Boolean);
    assert.equal(devices.length, 1);
    assert.match(devices[0], new RegExp(`${ORG}\\tagent\\tactive\\tlast contact`));
  });

  it("receives, after Sync now, a case another device sent", async () => {
    const store = join(work, "cli-store");
    const pw = join(work, "pw");
    writeFileSync(pw, PASS + "\n", { mode: 0o600 });
    const code = admin("device", "code", "--org", ORG, "--role", "agent");
    const cli = (...args) => execFileSync(cliBin, ["--store", store, ...args], { env, encoding: "utf8" });
    cli("enroll", "--server", url, "--code", code, "--user", USER, "--passphrase-file", pw);
    cli("--user", USER, "--passphrase-file", pw, "case", "add", join(examples, "case.json"));
    cli("--user", USER, "--passphrase-file", pw, "sync");
    await wd.type(await $("button.sync__now"), Key.Enter);
    const session = await $(".sync__session", { text: "received since unlocking", timeout: 60000 });
    assert.doesNotMatch(await wd.text(session), /, 0 received/);
  });
});
