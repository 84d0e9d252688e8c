// End to end, the sync administrators' console in headless Chromium against a
// real `waystation-server` (127.0.0.1, port 0, a fresh data folder and key)
// that serves it at /admin/ under its Content-Security-Policy, with real
// `waystation-cli` field devices:
//
// - sign-in errors beside the field, the lockout after 5 wrong passwords in words;
// - a sync administrator signs in by keyboard alone, sees the overview, issues a
//   one-time code on the Enrollment page (shown once, with a QR code);
// - a CLI device enrolls with that code and syncs; it appears in Devices with
//   its last contact; its page shows its details and history; it is revoked in
//   the console behind a confirmation (focus trapped, Escape returns focus),
//   and its next `waystation-cli sync` exits 3 (revoked) and wipes its store;
// - two CLI devices edit the same field of the same case offline, both sync:
//   the conflict shows in the Conflicts page under the case's reference with
//   both values, field named as the screens name it; "Keep this value" settles
//   it, and after their next sync both devices hold the chosen value;
// - users (add with the password rule, change role, disable), organizations
//   (add), audit; a supervisor reads but cannot revoke or issue codes;
// - Spanish from the header's switch (lang attribute), a session ended under
//   the page goes back to sign-in saying so; every page refreshes by itself;
// - axe-core on each page: no serious or critical violation; no CSP violation;
// - screenshots of each page into ui/screenshots/console-*.png.
//
// Runs on SQLite, and also on PostgreSQL when WAYSTATION_TEST_DATABASE_URL is
// set (a fresh database waystation_test_<uuidv7> made and dropped with psql):
//
//   cd ui && npm run build:admin && (cd .. && cargo build -p waystation-server -p waystation-cli) \
//     && node --test e2e/console.e2e.mjs
//
// Binaries: WAYSTATION_SERVER_BIN / WAYSTATION_CLI_BIN, default ../target/debug/.
// Chromium: CHROMIUM, default /usr/bin/chromium.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const root = new URL("../../", import.meta.url).pathname;
const serverBin = process.env.WAYSTATION_SERVER_BIN ?? join(root, "target/debug/waystation-server");
const cliBin = process.env.WAYSTATION_CLI_BIN ?? join(root, "target/debug/waystation-cli");
const examples = join(root, "examples");
const shots = new URL("../screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

const PASS = "correct horse battery staple";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A UUIDv7's 32 hex digits: the test databases' names carry one (start-postgres.sh drops old ones by it). */
function uuidv7hex() {
  const ms = Date.now().toString(16).padStart(12, "0");
  const rand = randomBytes(10).toString("hex");
  return `${ms}7${rand.slice(1, 4)}${((parseInt(rand[4], 16) & 3) | 8).toString(16)}${rand.slice(5, 20)}`;
}

/** An example case as an agent's device may write it (no note of a class agents may not read). */
function agentCase(work, name) {
  const c = JSON.parse(readFileSync(join(examples, name), "utf8"));
  c.notes = (c.notes ?? []).filter((n) => ["general", "law_enforcement_sensitive", "medical"].includes(n.sensitivity));
  delete c.id;
  const path = join(work, `agent-${name}`);
  writeFileSync(path, JSON.stringify(c));
  return path;
}

const backends = [{ name: "sqlite", screenshots: true }];
if (process.env.WAYSTATION_TEST_DATABASE_URL) backends.push({ name: "postgres", screenshots: false });

for (const backend of backends) {
  describe(`the sync console on ${backend.name}`, { concurrency: false }, () => {
    const work = mkdtempSync(join(tmpdir(), `waystation-e2e-console-${backend.name}-`));
    // On a shared PostgreSQL, names of this run only.
    const tag = randomBytes(3).toString("hex");
    const ORG = `border-station-${tag}`;
    const ADMIN = `ana.admin.${tag}`;
    const SUPERVISOR = `sam.supervisor.${tag}`;
    const LOCKED = `lou.locked.${tag}`;
    const AGENT = `demo.agent.${tag}`;
    const PARTNER = `casa-esperanza-${tag}`;
    const env = { ...process.env, WAYSTATION_PASSWORD: PASS, WAYSTATION_LOG: "warn" };
    for (const k of ["WAYSTATION_DATABASE_URL", "WAYSTATION_KEY", "WAYSTATION_KEY_COMMAND", "WAYSTATION_STORE", "WAYSTATION_USER"]) delete env[k];
    const keyFile = join(work, "database.key");
    let dbArgs = ["--data", join(work, "server")];
    let database = null;
    let service;
    let url;
    let browser;
    let context;
    let page;
    const problems = []; // page errors and CSP violations
    const axeFindings = [];

    const admin = (...args) => execFileSync(serverBin, [...dbArgs, ...args], { env, encoding: "utf8" }).trim();

    /** A CLI field device, enrolled on first use with a code from the service's command line (or the one given). */
    const devices = new Map();
    function cli(name, { code } = {}) {
      const store = join(work, `store-${name}`);
      const pw = join(work, "pw");
      if (!existsSync(pw)) writeFileSync(pw, PASS + "\n", { mode: 0o600 });
      const base = ["--store", store, "--user", AGENT, "--passphrase-file", pw];
      if (!devices.has(name)) {
        const c = code ?? admin("device", "code", "--org", ORG, "--role", "agent");
        execFileSync(cliBin, [...base, "enroll", "--server", url, "--code", c, "--device-name", name], { env, encoding: "utf8" });
        devices.set(name, store);
      }
      const run = (...args) => execFileSync(cliBin, [...base, ...args], { env, encoding: "utf8" });
      run.raw = (...args) => spawnSync(cliBin, [...base, ...args], { env, encoding: "utf8" });
      run.store = store;
      return run;
    }

    async function axe(name) {
      await page.evaluate(axeSource); // through the debugger, as the page's CSP allows no inline script
      const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      for (const v of bad)
        axeFindings.push(`${name}: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
      return bad;
    }

    /** Screenshot (SQLite run) and axe-core on the page as it is. */
    async function look(name) {
      await page.waitForTimeout(300);
      if (backend.screenshots) await page.screenshot({ path: `${shots}console-${name}.png`, fullPage: true });
      const bad = await axe(name);
      assert.deepEqual(bad.map((v) => v.id), [], `${name}: axe found serious or critical violations`);
    }

    const heading = (name, opts = {}) => page.getByRole("heading", { level: 1, name, ...opts });

    /** What has the keyboard focus: its accessible name, roughly (label, aria-label, text). */
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return { name: "", tag: "" };
        const labelled = el.getAttribute("aria-labelledby");
        const name =
          el.getAttribute("aria-label") ??
          (labelled ? document.getElementById(labelled)?.textContent : null) ??
          (el.labels && el.labels[0] ? el.labels[0].textContent : null) ??
          el.textContent ??
          "";
        const style = getComputedStyle(el);
        return { name: name.replace(/\s+/g, " ").trim(), tag: el.tagName.toLowerCase(), outline: style.outlineStyle, width: style.outlineWidth };
      });

    /** Press Tab (or Shift+Tab) until the focus is on `name`; the focus ring must show. */
    async function tabTo(name, { max = 120, back = false } = {}) {
      const want = typeof name === "string" ? new RegExp(`^${escape(name)}$`) : name;
      const seen = [];
      for (let i = 0; i < max; i++) {
        await page.keyboard.press(back ? "Shift+Tab" : "Tab");
        const f = await focused();
        seen.push(f.name);
        if (want.test(f.name)) {
          assert.notEqual(f.outline, "none", `the focus on “${f.name}” is visible`);
          return f;
        }
      }
      throw new Error(`Tab never reached “${name}”; went through: ${seen.slice(-40).join(" | ")}`);
    }

    /** Go to a page from the console's navigation, by keyboard: Tab to its link, Enter. */
    async function navigate(link, title) {
      await page.keyboard.press("Escape");
      await page.locator("body").focus().catch(() => {});
      await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
      await tabTo(link);
      await page.keyboard.press("Enter");
      await heading(title).waitFor();
      // The page's heading takes the focus: the keyboard starts there.
      assert.equal((await focused()).tag, "h1");
    }

    /** Sign in by keyboard alone from a fresh sign-in page. */
    async function signInByKeyboard(user, password) {
      await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
      await tabTo("User name");
      await page.keyboard.type(user);
      await page.keyboard.press("Tab");
      assert.equal((await focused()).name, "Password");
      await page.keyboard.type(password);
      await page.keyboard.press("Enter");
    }

    before(async () => {
      execFileSync(serverBin, ["key", "new", "--file", keyFile]);
      env.WAYSTATION_KEY_FILE = keyFile;
      if (backend.name === "postgres") {
        const base = new URL(process.env.WAYSTATION_TEST_DATABASE_URL);
        const name = `waystation_test_${uuidv7hex()}`;
        execFileSync("psql", [base.toString(), "-q", "-c", `CREATE DATABASE ${name}`]);
        const db = new URL(base);
        db.pathname = `/${name}`;
        database = { base: base.toString(), name, url: db.toString() };
        dbArgs = ["--database-url", database.url];
        admin("migrate");
      }
      admin("org", "add", ORG);
      admin("user", "add", "--org", ORG, "--role", "sync_admin", ADMIN);
      admin("user", "add", "--org", ORG, "--role", "supervisor", SUPERVISOR);
      admin("user", "add", "--org", ORG, "--role", "sync_admin", LOCKED);
      admin("user", "add", "--org", ORG, "--role", "agent", AGENT);
      service = spawn(serverBin, [...dbArgs, "serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "inherit"] });
      const line = await new Promise((resolve, reject) => {
        createInterface({ input: service.stdout }).once("line", resolve);
        service.once("exit", () => reject(new Error("waystation-server did not start")));
      });
      url = line.replace(/^listening on /, "").trim();
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      });
      context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US", timezoneId: "America/Chicago" });
      page = await context.newPage();
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
      });
    });

    after(async () => {
      await browser?.close();
      if (service && service.exitCode === null && service.signalCode === null) {
        const gone = new Promise((r) => service.once("exit", r));
        service.kill("SIGTERM");
        await Promise.race([gone, sleep(5000)]);
        if (service.exitCode === null && service.signalCode === null) service.kill("SIGKILL");
      }
      if (database) spawnSync("psql", [database.base, "-q", "-c", `DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`]);
      rmSync(work, { recursive: true, force: true });
    });

    it("is served at /admin/ as built, under the console's CSP", async () => {
      const res = await fetch(`${url}/admin/`);
      assert.equal(res.status, 200);
      const html = await res.text();
      const built = readFileSync(new URL("../dist-admin/index.html", import.meta.url), "utf8");
      assert.equal(html, built, "the service serves the index.html of ui/dist-admin");
      const csp = res.headers.get("content-security-policy") ?? "";
      for (const part of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"])
        assert.ok(csp.includes(part), `CSP has ${part}: ${csp}`);
      const asset = html.match(/src="(\/admin\/assets\/[^"]+\.js)"/)?.[1];
      assert.ok(asset, "the page loads its script from /admin/assets/");
      assert.equal((await fetch(`${url}${asset}`)).status, 200);
      assert.doesNotMatch(html, /<script>(?!<\/script>)|<style/, "no inline script or style");
    });

    it("says sign-in errors beside the field, in plain words", async () => {
      await page.goto(`${url}/admin/`);
      await heading("Sign in to the sync console").waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("Enter your user name.").waitFor();
      assert.equal(await page.getByLabel("User name").getAttribute("aria-invalid"), "true");
      await page.getByLabel("User name").fill(ADMIN);
      await page.getByLabel("Password").fill("not the password at all");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("The user name or password is wrong. Check them and try again.").waitFor();
      // The message is tied to the password field.
      const described = await page.getByLabel("Password").getAttribute("aria-describedby");
      assert.match(await page.locator(`[id="${described}"]`).innerText(), /user name or password is wrong/);
      await look("sign-in-error");
    });

    it("says the lockout's wait in words after 5 wrong passwords", async () => {
      await page.reload();
      for (let i = 0; i < 6; i++) {
        await page.getByLabel("User name").fill(LOCKED);
        await page.getByLabel("Password").fill(`wrong password number ${i}`);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForFunction(() => !document.querySelector("button[type=submit]")?.disabled);
        if (await page.getByRole("heading", { name: "Too many wrong passwords" }).isVisible()) break;
      }
      await page.getByRole("heading", { name: "Too many wrong passwords" }).waitFor();
      await page.getByText(/signing in is blocked for now\. Try again in \d+ min/).waitFor();
      // Even the right password waits now.
      await page.getByLabel("Password").fill(PASS);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText(/Try again in \d+ min/).waitFor();
      await look("sign-in-lockout");
    });

    it("signs a sync administrator in by keyboard alone and shows the overview", async () => {
      await page.reload();
      await heading("Sign in to the sync console").waitFor();
      // The page's heading has the focus; the skip link is the first thing Tab reaches on the page.
      assert.equal((await focused()).tag, "h1");
      const first = await page.evaluate(() => document.querySelector("a[href], button, input, select, textarea")?.textContent);
      assert.equal(first, "Skip to main content");
      await tabTo("Skip to main content", { back: true });
      await signInByKeyboard(ADMIN, PASS);
      await heading("Overview").waitFor();
      const header = page.getByRole("banner");
      await header.getByText(`Signed in as ${ADMIN}`).waitFor();
      await header.getByText(`Sync administrator of ${ORG}`).waitFor();
      await page.getByRole("heading", { name: "Needs attention" }).waitFor();
      await page.getByRole("heading", { name: "Devices by state" }).waitFor();
      await page.getByText("Changes received in the last 24 hours").waitFor();
      await look("overview");
    });

    let code;
    it("issues a one-time code on the Enrollment page, shown once with its expiry and a QR code", async () => {
      await navigate("Enrollment", "Enrollment");
      await tabTo("Role the laptop syncs as");
      assert.equal(await page.getByLabel("Role the laptop syncs as").inputValue(), "agent");
      await tabTo("How long the code works, in hours");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("0");
      await page.keyboard.press("Enter");
      await page.getByText("Enter a whole number of hours from 1 to 720.").waitFor();
      await page.keyboard.press("Control+A");
      await page.keyboard.type("48");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Enrollment code for a Border agent laptop" }).waitFor();
      code = (await page.getByTestId("enrollment-code").innerText()).trim();
      assert.ok(code.length >= 8, `a code: ${code}`);
      await page.getByText(/^Works once, until /).waitFor();
      const qr = page.getByRole("img", { name: "QR code of the enrollment code" });
      assert.equal(await qr.evaluate((el) => el.tagName.toLowerCase()), "svg");
      assert.ok((await qr.locator("path").getAttribute("d")).length > 100, "the QR code has modules");
      await page.getByText(`waystation-cli enroll --server ${url} --code ${code}`).waitFor();
      // Listed as unused (without the code itself).
      const row = page.getByRole("table", { name: "Unused codes" }).getByRole("row").filter({ hasText: "Border agent" });
      await row.first().waitFor();
      assert.equal(await page.getByRole("table", { name: "Unused codes" }).getByText(code).count(), 0);
      await look("enrollment");
    });

    it("a CLI device enrolls with that code, syncs, and appears in Devices with its last contact", async () => {
      const laptop = cli("laptop-revoke", { code });
      laptop("case", "add", agentCase(work, "accompanied-child.json"));
      laptop("sync");
      // The code was used: the unused list no longer has it (the page refreshes by itself).
      await page.getByText("No unused codes.").waitFor({ timeout: 15000 });
      await navigate("Devices", "Devices");
      const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "laptop-revoke" }) });
      await row.waitFor({ timeout: 15000 });
      assert.match(await row.innerText(), /Border agent/);
      assert.match(await row.innerText(), /ago/);
      assert.doesNotMatch(await row.innerText(), /Never/);
      // Filter by name; the focus stays in the filter through refreshes.
      await tabTo("Name contains");
      await page.keyboard.type("no such laptop");
      await page.getByText("No device matches. Clear the filters to see them all.").waitFor();
      await sleep(6000);
      assert.equal((await focused()).name, "Name contains", "a refresh keeps the focus");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("revoke");
      await row.waitFor();
      await look("devices");
    });

    it("shows the device's details and history, and revokes it behind a confirmation", async () => {
      await tabTo("laptop-revoke");
      await page.keyboard.press("Enter");
      await heading("laptop-revoke").waitFor();
      for (const term of ["Enrolled", "Last contact", "Last pull", "How far behind", "Refused changes", "App version", "Protocol version"])
        await page.getByRole("term").filter({ hasText: new RegExp(`^${escape(term)}$`) }).waitFor();
      await page.getByRole("heading", { name: "History" }).waitFor();
      await look("device");
      // Revoke: the dialog says what happens; Tab stays inside; Escape gives the focus back.
      await tabTo("Revoke this device");
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "Revoke laptop-revoke?" });
      await dialog.waitFor();
      await dialog.getByText(/erases its local store .* at its next contact with the service/).waitFor();
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press("Tab");
        assert.ok(await page.evaluate(() => !!document.activeElement?.closest("dialog")), "the focus stays in the dialog");
      }
      await look("device-revoke-dialog");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      assert.equal((await focused()).name, "Revoke this device", "the focus is back on the button");
      await page.keyboard.press("Enter");
      await dialog.waitFor();
      await tabTo("Yes, revoke it");
      await page.keyboard.press("Enter");
      await page.getByText("laptop-revoke is revoked. It erases its local store at its next contact.").waitFor();
      await page.getByText(/This device is revoked/).waitFor();
      assert.equal(await page.getByRole("button", { name: "Revoke this device" }).count(), 0);
    });

    it("the revoked laptop's next sync wipes it", async () => {
      const laptop = cli("laptop-revoke");
      const r = laptop.raw("sync");
      assert.equal(r.status, 3, `sync exits 3 when revoked: ${r.stdout} ${r.stderr}`);
      assert.match(r.stderr, /revoked/i);
      const after = laptop.raw("case", "list");
      assert.notEqual(after.status, 0, "the store is gone");
      const left = existsSync(laptop.store) ? readdirSync(laptop.store) : [];
      assert.ok(!left.some((f) => /\.(db|sqlite)$/.test(f)), `no store file is left: ${left.join(", ")}`);
      await page.reload();
      await heading("laptop-revoke").waitFor();
      await page.getByText("Revoked", { exact: true }).first().waitFor();
    });

    let caseId;
    const A_VALUE = "Amaru";
    const B_VALUE = "Illari";
    it("shows two devices' concurrent writes to a field as a conflict under the case's reference", async () => {
      const a = cli("laptop-a");
      const b = cli("laptop-b");
      caseId = a("case", "add", agentCase(work, "case.json")).trim();
      a("sync");
      b("sync");
      const given = JSON.parse(b("case", "show", caseId)).child.given_name;
      // Both offline: each writes the same field without seeing the other's write.
      a("case", "set", caseId, "child.given_name", JSON.stringify(A_VALUE));
      b("case", "set", caseId, "child.given_name", JSON.stringify(B_VALUE));
      a("sync");
      b("sync");
      await navigate("Conflicts", "Conflicts");
      const ref = caseId.slice(-8);
      const section = page.getByRole("region", { name: `Case ${ref}` });
      await section.waitFor({ timeout: 15000 });
      const text = await section.innerText();
      assert.ok(!text.includes(given), "the case is named by its reference, never the child's name");
      await section.getByRole("heading", { name: "Field: Given name" }).waitFor();
      for (const v of [A_VALUE, B_VALUE]) await section.getByText(v, { exact: true }).waitFor();
      await section.getByText(new RegExp(`by ${escape(AGENT)} on laptop-a`)).waitFor();
      await section.getByText(new RegExp(`by ${escape(AGENT)} on laptop-b`)).waitFor();
      await look("conflicts");
      // Keep the first device's value (the later write would show otherwise).
      await tabTo(`Keep this value for Given name: ${A_VALUE}`);
      await page.keyboard.press("Enter");
      await page.getByText(new RegExp(`Kept “${A_VALUE}” for Given name in case ${ref}`)).waitFor();
      await page.getByText("No open conflicts.").waitFor({ timeout: 15000 });
    });

    it("both devices hold the chosen value after their next sync", async () => {
      for (const name of ["laptop-a", "laptop-b"]) {
        const d = cli(name);
        d("sync");
        const shown = JSON.parse(d("case", "show", caseId));
        assert.equal(shown.child.given_name, A_VALUE, `${name} holds the kept value`);
        assert.deepEqual(shown.conflicts, [], `${name} holds no conflict`);
      }
    });

    it("adds a user with the password rule, changes its role, disables it", async () => {
      await navigate("Users", "Users");
      const name = `new.user.${tag}`;
      await tabTo("User name");
      await page.keyboard.type(name);
      await tabTo("Role");
      await page.getByLabel("Role", { exact: true }).selectOption("agent");
      await tabTo("Password");
      await page.keyboard.type("too short");
      await page.keyboard.press("Enter");
      await page.getByText("The password must have at least 12 characters.").waitFor();
      assert.equal((await focused()).name, "Password", "the focus goes to the field at fault");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("a long enough password");
      await page.keyboard.press("Enter");
      await page.getByText(`${name} was added.`).waitFor();
      const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name }) });
      await row.waitFor();
      await row.getByLabel(`Role of ${name}`, { exact: true }).selectOption("ngo_staff");
      await row.getByRole("button", { name: `Change role of ${name}` }).click();
      await page.getByText(`${name} is now: NGO field staff.`).waitFor();
      await tabTo(`Disable ${name}`);
      await page.keyboard.press("Enter");
      await page.getByText(`${name} is disabled and can no longer sign in.`).waitFor();
      await row.getByText("Disabled", { exact: true }).waitFor();
      // A new password, in a dialog.
      await tabTo(`New password for ${name}`);
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: `New password for ${name}` });
      await dialog.waitFor();
      await page.keyboard.type("another long password");
      await page.keyboard.press("Enter");
      await page.getByText(`The password of ${name} was changed.`).waitFor();
      await look("users");
    });

    it("lists the organizations and adds a partner", async () => {
      await navigate("Organizations", "Organizations");
      await page.getByRole("row").filter({ hasText: ORG }).filter({ hasText: "Your organization" }).waitFor();
      await tabTo("Short id");
      await page.keyboard.type("Not An Id");
      await page.keyboard.press("Enter");
      await page.getByText(/Enter a short id of lowercase letters/).waitFor();
      await page.keyboard.press("Control+A");
      await page.keyboard.type(PARTNER);
      await page.keyboard.press("Enter");
      await page.getByText(`${PARTNER} was added.`).waitFor();
      await page.getByRole("row").filter({ hasText: PARTNER }).waitFor();
      await look("orgs");
    });

    it("shows the latest audit entries", async () => {
      await navigate("Audit", "Audit");
      const table = page.getByRole("table", { name: "Audit log" });
      await table.waitFor();
      await table.getByText("device.revoke").first().waitFor();
      await table.getByText("conflict.settle").first().waitFor();
      await look("audit");
    });

    it("switches to Spanish from the header", async () => {
      await navigate("Overview", "Overview");
      await tabTo("Español");
      await page.keyboard.press("Enter");
      await heading("Resumen").waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), "es");
      await page.getByRole("navigation", { name: "Consola" }).getByRole("link", { name: "Dispositivos" }).waitFor();
      await page.getByRole("button", { name: "Cerrar sesión" }).waitFor();
      await look("overview-es");
      await page.getByRole("navigation", { name: "Consola" }).getByRole("link", { name: "Conflictos" }).click();
      await heading("Conflictos").waitFor();
      await page.getByText("No hay conflictos abiertos.").waitFor();
      await page.getByRole("button", { name: "English" }).click();
      await heading("Conflicts").waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    });

    it("goes back to sign-in, saying so, when the session ends under the page", async () => {
      await navigate("Devices", "Devices");
      await context.clearCookies();
      await heading("Sign in to the sync console").waitFor({ timeout: 15000 });
      await page.getByText(/You are not signed in, or the service no longer knows your session/).waitFor();
      await signInByKeyboard(ADMIN, PASS);
      await heading("Devices").waitFor(); // the same page as before
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByText("You signed out.").waitFor();
    });

    it("shows a supervisor every page read-only, but lets them settle conflicts", async () => {
      await signInByKeyboard(SUPERVISOR, PASS);
      await heading("Devices").waitFor();
      await page.getByText(/You are signed in as a supervisor/).waitFor();
      await page.getByLabel("Name contains").fill("laptop-a");
      await page.getByRole("link", { name: "laptop-a" }).click();
      await heading("laptop-a").waitFor();
      assert.equal(await page.getByRole("button", { name: "Revoke this device" }).count(), 0);
      await page.getByRole("link", { name: "Enrollment" }).click();
      await heading("Enrollment").waitFor();
      assert.equal(await page.getByRole("button", { name: "Issue the code" }).count(), 0);
      await page.getByRole("link", { name: "Users" }).click();
      await heading("Users").waitFor();
      assert.equal(await page.getByRole("button", { name: /^Disable / }).count(), 0);
      await look("users-supervisor");
      // The service refuses anyway.
      const res = await page.evaluate(async () => {
        const s = await (await fetch("/v1/admin/session")).json();
        const r = await fetch("/v1/admin/orgs", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf_token },
          body: JSON.stringify({ id: "not-allowed" }),
        });
        return r.status;
      });
      assert.equal(res, 403);
    });

    it("had no serious or critical axe violation, no page error and no CSP violation", () => {
      assert.deepEqual(axeFindings, []);
      assert.deepEqual(problems, []);
    });
  });
}
