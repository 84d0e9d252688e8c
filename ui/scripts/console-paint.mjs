// The console benchmark's browser part (crates/server/benches/console.rs):
// in headless Chromium, time from submitting the sign-in to the device list
// painted (its first row visible), on a service already seeded.
//   node scripts/console-paint.mjs <base url> <user> <password>
import { chromium } from "playwright-core";

const [base, user, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    await page.goto(`${base}/admin/#/devices`);
    await page.getByLabel("User name").fill(user);
    await page.getByLabel("Password").fill(password);
    const start = performance.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("table tbody tr").first().waitFor({ state: "visible", timeout: 60_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    runs.push(performance.now() - start);
    await context.close();
  }
  runs.sort((a, b) => a - b);
  console.log(`sign-in to device list painted in Chromium: ${runs[1].toFixed(0)} ms (median of 3: ${runs.map((r) => r.toFixed(0)).join(", ")})`);
} finally {
  await browser.close();
}
