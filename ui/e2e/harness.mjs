// Starts what the desktop end-to-end test needs and stops it again, each
// process by its own id: a display (Xvfb, when none is set), tauri-driver on
// free ports (it exits 0 and orphans WebKitWebDriver when a port is taken, so
// it is checked alive before use), and a fresh store folder.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebDriver } from "./webdriver.mjs";

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const alive = (child) => child && child.exitCode === null && child.signalCode === null;

/** SIGTERM, wait for the exit (up to 5 s), then SIGKILL: nothing of ours outlives the test. */
async function stop(child) {
  if (!alive(child)) return;
  const gone = new Promise((r) => child.once("exit", r));
  try {
    process.kill(child.pid, "SIGTERM");
  } catch {
    return; /* already gone */
  }
  await Promise.race([gone, sleep(5000)]);
  if (alive(child)) {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
    await Promise.race([gone, sleep(2000)]);
  }
}

/** A display for the app: $DISPLAY, or a fresh Xvfb on a free number. */
export async function startDisplay() {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, child: null };
  for (let n = 90; n < 140; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
    const child = spawn("Xvfb", [`:${n}`, "-screen", "0", "1280x900x24", "-nolisten", "tcp"], { stdio: "ignore" });
    for (let i = 0; i < 50 && !existsSync(`/tmp/.X11-unix/X${n}`); i++) await sleep(100);
    if (child.exitCode === null) return { display: `:${n}`, child };
  }
  throw new Error("no free X display for Xvfb");
}

/** One run of the app: display, driver, store folder. `env` reaches the app. */
export async function startApp({ application, store, env = {} }) {
  const display = await startDisplay();
  const port = await freePort();
  const nativePort = await freePort();
  const driverBin = process.env.TAURI_DRIVER ?? "tauri-driver";
  const driver = spawn(driverBin, ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, ...env, DISPLAY: display.display, WAYSTATION_STORE: store },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  driver.stderr.on("data", (d) => (stderr += d));
  const wd = new WebDriver(`http://127.0.0.1:${port}`);
  try {
    for (let i = 0; ; i++) {
      if (driver.exitCode !== null) throw new Error(`tauri-driver exited: ${stderr.slice(0, 400)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 100) throw new Error("tauri-driver did not answer");
      await sleep(100);
    }
    await wd.start(application);
  } catch (e) {
    // Leave nothing behind when the app could not be started.
    await wd.quit();
    await stop(driver);
    await stop(display.child);
    throw e;
  }
  return {
    wd,
    /** Kill the app itself (SIGKILL, no chance to save): found among the driver's own descendants by its binary. */
    killApp() {
      const pids = descendants(driver.pid).filter((pid) => {
        try {
          return readlinkSync(`/proc/${pid}/exe`) === application;
        } catch {
          return false;
        }
      });
      for (const pid of pids) process.kill(pid, "SIGKILL");
      return pids.length;
    },
    async close() {
      await wd.quit();
      await stop(driver);
      await stop(display.child);
    },
  };
}

/** Every descendant of `pid`, from /proc (processes that end meanwhile are skipped). */
export function descendants(pid) {
  const out = [];
  const walk = (p) => {
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const task of tasks) {
      let kids = "";
      try {
        kids = readFileSync(`/proc/${p}/task/${task}/children`, "utf8");
      } catch {
        continue;
      }
      for (const k of kids.split(/\s+/).filter(Boolean).map(Number)) {
        out.push(k);
        walk(k);
      }
    }
  };
  walk(pid);
  return out;
}

export function newStoreDir() {
  return join(mkdtempSync(join(tmpdir(), "waystation-e2e-")), "store");
}
