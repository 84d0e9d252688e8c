// Looks at every main screen in headless Chromium: the mock build (IPC answered
// in the page, see src/dev/mockBackend.ts) served by `vite preview` on 127.0.0.1
// and a free port. Saves a screenshot of each screen into screenshots/ and runs
// axe-core on it; exits non-zero when axe reports a serious or critical violation
// or a step of the walk-through fails.
//
//   npm run screens            (CHROMIUM=/path/to/chromium to override)
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { preview } from "vite";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const out = new URL("../screenshots/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const server = await preview({
  mode: "mock",
  build: { outDir: "dist-mock" },
  preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
  logLevel: "warn",
});
const base = server.resolvedUrls.local[0];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "en-US", timezoneId: "America/Chicago" });
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));

async function shot(name, { fullPage = true } = {}) {
  await page.waitForTimeout(250);
  await page.screenshot({ path: `${out}${name}.png`, fullPage });
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) problems.push(`${name}: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
  console.log(`${name}.png  axe: ${result.violations.length} violation(s), ${bad.length} serious or critical`);
}
const open = (q) => page.goto(`${base}?${q}`, { waitUntil: "networkidle" });
const expectText = async (text) => {
  await page.getByText(text, { exact: false }).first().waitFor({ timeout: 3000 });
};

try {
  await open("store=absent");
  await expectText("Set up this device");
  await page.getByRole("button", { name: /Create the local store|Enroll/ }).click();
  await expectText("Choose how this device will be used");
  await shot("01-first-run-errors");

  await open("store=locked");
  await expectText("Unlock Waystation");
  await page.keyboard.type("not the passphrase");
  await page.keyboard.press("Enter");
  await expectText("4 more wrong tries");
  await shot("02-unlock-wrong-passphrase");
  await page.keyboard.type("correct horse battery");
  await page.keyboard.press("Enter");
  await expectText("Showing 4 of 4 cases");
  await shot("03-case-list");
  await page.getByLabel("Deadline near or passed").check();
  await expectText("Showing 3 of 4");
  await page.getByLabel("Search cases").fill("luc");
  await expectText("Showing 1 of 4");
  await shot("04-case-list-filtered-search", { fullPage: false });
  await page.getByLabel("Deadline near or passed").uncheck();
  await page.getByLabel("Search cases").fill("");

  // Intake: submit an empty step first, then fill every step.
  await page.getByRole("button", { name: "Start a new intake" }).click();
  await expectText("Step 1 of 6");
  await page.getByRole("button", { name: "Continue" }).click();
  await expectText("Enter the station or port code.");
  await shot("05-intake-encounter-errors");
  await page.locator("#encounter-occurred_at").fill("11");
  await page.locator("#encounter-occurred_at--day").fill("24");
  await page.locator("#encounter-occurred_at--year").fill("2026");
  await page.getByLabel("At what time?").fill("06:30");
  await page.getByLabel("Station or port code").fill("LRD-07");
  await page.getByLabel("Between ports of entry").check();
  await page.getByLabel("With an adult who is not a parent, or not verified").check();
  await page.getByLabel("What happened").fill("Found near the river with one adult who said he was her uncle.");
  await page.getByRole("button", { name: "Continue" }).click();
  await expectText("Step 2 of 6");
  await page.getByLabel("Given name").fill("Rosa");
  await page.locator("#child-date_of_birth").fill("5");
  await page.locator("#child-date_of_birth--day").fill("2");
  await page.locator("#child-date_of_birth--year").fill("2013");
  await page.getByLabel("From a document").check();
  await page.getByLabel("Nationalities").fill("MX");
  await page.getByLabel("Languages the child speaks").fill("spa");
  await page.locator("#child-interpreter_used--no").check();
  await shot("06-intake-child");
  await page.getByRole("button", { name: "Continue" }).click();
  await expectText("Step 3 of 6");
  await page.getByRole("button", { name: "Continue" }).click();
  await expectText("add the adult who was with the child");
  await page.getByRole("button", { name: "Add an adult" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Unknown man");
  await page.getByLabel("Relationship the adult claims").selectOption("aunt_or_uncle");
  await page.getByRole("button", { name: "Continue" }).click();
  await expectText("Step 4 of 6");
  await page.getByLabel("Now, as part of this intake").check();
  const groups = page.locator("ol.questions > li");
  for (let i = 0; i < (await groups.count()); i++) await groups.nth(i).getByLabel(i === 0 ? "Yes" : "No", { exact: true }).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expectText("Write why.");
  await shot("07-intake-screening-contiguous-errors");
  const cards = page.locator(".card");
  for (let i = 0; i < (await cards.count()); i++) {
    await cards.nth(i).getByLabel("No", { exact: true }).check();
    await cards.nth(i).getByLabel("Why").fill("She said the man took her papers.");
  }
  await expectText("The child must not be returned");
  await shot("08-intake-screening-result");
  await page.getByRole("button", { name: "Continue" }).click();
  await expectText("Step 5 of 6");
  await page.getByLabel("Medical care").check();
  await page.getByLabel("Food, water and clothing").check();
  await page.getByRole("button", { name: "Add a referral" }).click();
  await page.getByLabel("Refer to").selectOption("child_placement");
  await page.getByRole("button", { name: "Continue" }).click();
  await expectText("Step 6 of 6");
  await expectText("Draft saved");
  await shot("09-intake-review");
  await page.getByRole("button", { name: "Save the case" }).click();
  await expectText("History of changes");
  await page.getByRole("button", { name: "Back to cases" }).click();
  await expectText("Showing 5 of 5 cases");

  await page.getByRole("button", { name: "Mateo" }).click();
  await expectText("changed on two devices at once");
  await shot("10-case-detail-conflict");
  await page.getByRole("button", { name: "Back to cases" }).click();

  await page.getByRole("button", { name: "Settings" }).click();
  await expectText("Lock after this many minutes");
  await page.getByLabel("Lock after this many minutes without use").fill("45");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expectText("The lock time must be from 1 to 30 minutes.");
  await shot("11-settings");
  await page.getByLabel("Español").check();
  await expectText("Configuración");
  await page.getByRole("button", { name: "Casos" }).click();
  await expectText("Se muestran 5 de 5 casos");
  await shot("12-case-list-es");
  await page.keyboard.press("Control+Shift+L");
  await expectText("Desbloquear Waystation");
  await shot("13-unlock-es");

  await open("store=unlocked&sync=running");
  await expectText("Syncing: 4 of 12");
  await shot("14-sync-running", { fullPage: false });
  await open("store=unlocked&sync=error");
  await expectText("Sync failed");
  await shot("15-sync-error", { fullPage: false });
} catch (e) {
  problems.push(`walk-through failed: ${e.message.split("\n")[0]}`);
  await page.screenshot({ path: `${out}failure.png`, fullPage: true }).catch(() => undefined);
} finally {
  await browser.close();
  await new Promise((r) => server.httpServer.close(r));
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`all screens looked at; screenshots in ${out}`);
