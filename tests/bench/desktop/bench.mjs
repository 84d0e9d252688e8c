// The desktop start benchmark (issue 5): the Waystation app with a store of
// many cases against an empty Tauri window built the same way, in the same
// run, each launched RUNS times (interleaved, after one unmeasured warm-up
// launch of each) by tauri-driver and WebKitWebDriver under Xvfb.
//
// Start: from the app process's start (its start time in /proc, so the
// driver's own set-up is not counted) to the first screen painted: the
// unlock screen (`h1` "Unlock Waystation" and `#passphrase`) for ours,
// `#empty-window-ready` for the empty window. The page is polled over
// WebDriver; once the element is there, the time is taken after the next
// frame (requestAnimationFrame, then a task), the same for both apps.
// Memory: PSS (/proc/<pid>/smaps_rollup) summed over the app process and all
// its descendants (WebKit's web and network processes), taken once painted.
// Ours also: unlock with the real passphrase, the time from Enter to the case
// list painted with every case, and from the first key of a search to the
// filtered list painted; the page's commands are timed by wrapping
// window.__TAURI_INTERNALS__.invoke from the outside (the UI is not changed).
//
// Run by tests/bench/desktop-start.sh, which builds the apps and the store.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { Key, WebDriver } from "../../../ui/e2e/webdriver.mjs";
import { descendants, freePort, startDisplay } from "../../../ui/e2e/harness.mjs";

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`set ${name}`);
  return v;
};
const OURS = realpathSync(env("BENCH_OURS_APP"));
const EMPTY = realpathSync(env("BENCH_EMPTY_APP"));
const STORE = env("BENCH_STORE");
const USER = env("BENCH_USER");
const PASSPHRASE = env("BENCH_PASSPHRASE");
const CASES = Number(env("BENCH_CASES"));
const SEARCH = env("BENCH_SEARCH");
const HITS = Number(env("BENCH_HITS"));
const RUNS = Number(env("BENCH_RUNS", "5"));
const JSON_OUT = process.env.BENCH_JSON_OUT;
// Only start and memory (no unlock, list or search): many launches in little time.
const START_ONLY = process.env.BENCH_START_ONLY === "1";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));



const exeOf = (pid) => {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
};
const CLK_TCK = 100; // getconf CLK_TCK on Linux

/** When `pid` started, in ms since the epoch (10 ms resolution). */
function startEpochMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const startTicks = Number(fields[19]); // field 22 of stat
  const uptimeS = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const bootEpochMs = Date.now() - uptimeS * 1000;
  return bootEpochMs + (startTicks * 1000) / CLK_TCK;
}

/** PSS and RSS in KiB of `pid` and its descendants, with their names. */
function memory(pid) {
  let pss = 0;
  let rss = 0;
  const procs = [];
  for (const p of [pid, ...descendants(pid)]) {
    let text;
    try {
      text = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
    } catch {
      continue;
    }
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
    pss += kb("Pss");
    rss += kb("Rss");
    let name = "?";
    try {
      name = readFileSync(`/proc/${p}/comm`, "utf8").trim();
    } catch {
      /* gone */
    }
    procs.push(`${name}:${Math.round(kb("Pss") / 1024)}`);
  }
  return { pssMiB: pss / 1024, rssMiB: rss / 1024, procs: procs.join(" ") };
}


async function startDriver(display) {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, DISPLAY: display, WAYSTATION_STORE: STORE },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  driver.stderr.on("data", (d) => (stderr += d));
  for (let i = 0; ; i++) {
    if (driver.exitCode !== null) throw new Error(`tauri-driver exited: ${stderr.slice(0, 400)}`);
    if (await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false)) break;
    if (i > 100) throw new Error("tauri-driver did not answer");
    await sleep(100);
  }
  return { driver, base: `http://127.0.0.1:${port}` };
}

// Resolves, after the next frame is painted, with Date.now() if `test` holds, else null.
const PAINTED = (test) => `const done = arguments[arguments.length - 1];
  const ok = (() => { ${test} })();
  if (!ok) { done(null); } else { requestAnimationFrame(() => setTimeout(() => done(Date.now()), 0)); }`;
const OURS_READY = `return [...document.querySelectorAll("h1")].some((h) => h.textContent === "Unlock Waystation")
  && !!document.querySelector("#passphrase");`;
const EMPTY_READY = `return !!document.querySelector("#empty-window-ready");`;

/** Launch `app` in a new session; time to painted, memory once painted. */
async function launch(driverInfo, app, ready) {
  const wd = new WebDriver(driverInfo.base);
  await wd.start(app);
  const pid = descendants(driverInfo.driver.pid).find((p) => exeOf(p) === app);
  if (!pid) throw new Error(`no ${app} process under tauri-driver`);
  const started = startEpochMs(pid);
  const sessionAt = Date.now();
  let paintedAt = null;
  const end = Date.now() + 60_000;
  while (paintedAt === null) {
    paintedAt = await wd.execAsync(PAINTED(ready)).catch(() => null);
    if (paintedAt === null) {
      if (Date.now() > end) throw new Error(`${app}: the first screen never appeared`);
      await sleep(10);
    }
  }
  const mem = memory(pid);
  return { wd, pid, startMs: paintedAt - started, sessionMs: sessionAt - started, ...mem };
}

async function finish(wd, pid) {
  await wd.quit();
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await sleep(100);
  if (existsSync(`/proc/${pid}`)) process.kill(pid, "SIGKILL"); // the app this run started, by its id
}

// In-page probe: the first key, and the moment `cond` holds after a paint.
const PROBE = (cond) => `
  const b = (window.__bench = { key: null, done: null });
  document.addEventListener("keydown", () => { if (b.key === null) b.key = performance.now(); }, { capture: true });
  const cond = () => { ${cond} };
  const tick = () => {
    if (cond()) { requestAnimationFrame(() => setTimeout(() => { b.done = performance.now(); }, 0)); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return true;`;

// The commands alone, called from the page through its own IPC (the UI's
// invoke cannot be wrapped: Tauri makes it read-only): what the shell and the
// store cost, apart from rendering.
const COMMANDS = `const done = arguments[arguments.length - 1];
  const [search, user, passphrase] = arguments;
  const inv = window.__TAURI_INTERNALS__.invoke;
  (async () => {
    let t = performance.now();
    const list = await inv("case_list", {});
    const caseListCmdMs = performance.now() - t;
    const caseListBytes = JSON.stringify(list).length;
    t = performance.now();
    await inv("case_search", { text: search });
    const searchCmdMs = performance.now() - t;
    await inv("lock", {});
    t = performance.now();
    await inv("unlock", { user, passphrase });
    const unlockCmdMs = performance.now() - t;
    return { caseListCmdMs, caseListBytes, searchCmdMs, unlockCmdMs };
  })().then(done, (e) => done({ error: String(e?.message ?? JSON.stringify(e)) }));`;

async function waitProbe(wd, what, timeout = 180_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const b = await wd.exec("return window.__bench;");
    if (b && b.done !== null && b.key !== null) return b;
    if (Date.now() > end) throw new Error(`${what}: not done after ${timeout} ms (${JSON.stringify(b)?.slice(0, 300)})`);
    await sleep(50);
  }
}

/** Unlock, open the list of every case, search: ours only. */
async function useOurs(wd, pid) {
  // The list draws a page of 100 rows; the search waits until every drawn row is a hit.
  const rows = (n, name) => `const trs = [...document.querySelectorAll("table.case-table tbody tr")];
    return trs.length === ${Math.min(n, 100)}
    ${name ? `&& trs.every((tr) => tr.textContent.includes(${JSON.stringify(name)}))` : ""}
    && (document.querySelector(".result-count")?.textContent ?? "").includes("Showing ${Math.min(n, 100)} of")`;
  const listCond = `if (![...document.querySelectorAll('h1')].some((h) => h.textContent === 'Cases')) return false; ${rows(CASES)}`;
  await wd.exec(PROBE(listCond));
  const pass = await wd.waitFor("#passphrase");
  await wd.type(pass, PASSPHRASE);
  await wd.exec("window.__bench.key = null; return true;");
  await wd.type(pass, Key.Enter);
  const u = await waitProbe(wd, "the case list");
  const listMem = memory(pid);

  await wd.exec(PROBE(rows(HITS, SEARCH)));
  const box = await wd.waitFor("#case-search");
  await wd.type(box, SEARCH);
  const s = await waitProbe(wd, "the search");
  const cmds = await wd.execAsync(COMMANDS, [SEARCH, USER, PASSPHRASE]);
  if (cmds.error) throw new Error(`the commands alone: ${cmds.error}`);
  return { listMs: u.done - u.key, listPssMiB: listMem.pssMiB, searchMs: s.done - s.key, ...cmds };
}

const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

async function main() {
  const display = await startDisplay();
  const driverInfo = await startDriver(display.display);
  const results = { ours: [], empty: [] };
  try {
    for (let round = 0; round <= RUNS; round++) {
      const warm = round === 0;
      for (const kind of ["empty", "ours"]) {
        const app = kind === "ours" ? OURS : EMPTY;
        const r = await launch(driverInfo, app, kind === "ours" ? OURS_READY : EMPTY_READY);
        let extra = {};
        try {
          if (kind === "ours" && !START_ONLY) extra = await useOurs(r.wd, r.pid);
        } finally {
          await finish(r.wd, r.pid);
        }
        const row = { round, warm, startMs: r.startMs, sessionMs: r.sessionMs, pssMiB: r.pssMiB, rssMiB: r.rssMiB, procs: r.procs, ...extra };
        if (!warm) results[kind].push(row);
        console.error(`${warm ? "warm-up" : `run ${round}`} ${kind}: ${JSON.stringify(row, (k, v) => (typeof v === "number" ? Math.round(v * 10) / 10 : v))}`);
        await sleep(500);
      }
    }
  } finally {
    if (driverInfo.driver.exitCode === null) process.kill(driverInfo.driver.pid, "SIGTERM");
    await sleep(300);
    if (display.child && display.child.exitCode === null) process.kill(display.child.pid, "SIGTERM");
  }

  const m = (kind, key) => median(results[kind].map((r) => r[key]));
  const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
  // Each round's ours / empty window, then their median: steadier than the ratio of medians when the
  // machine's load (and so the sharing PSS divides by) changes between rounds.
  const paired = (key) => median(results.ours.map((o, i) => o[key] / results.empty[i][key]));
  const line = (what, key, unit, d = 0) => {
    const o = m("ours", key);
    const e = m("empty", key);
    return `${what.padEnd(34)} ${(f(o, d) + " " + unit).padStart(12)} ${(f(e, d) + " " + unit).padStart(12)} ${(f(o / e, 2) + "x").padStart(7)} ${(f(paired(key), 2) + "x").padStart(7)}`;
  };
  const out = [
    `Desktop start, ${RUNS} launches each (medians), ${CASES} cases in the store; target: ratio <= 1.5x`,
    `${"".padEnd(34)} ${"ours".padStart(12)} ${"empty window".padStart(12)} ${"ratio".padStart(7)} ${"paired".padStart(7)}`,
    line("start to first screen painted", "startMs", "ms"),
    line("PSS, app + WebKit processes", "pssMiB", "MiB"),
    line("RSS (for reference)", "rssMiB", "MiB"),
    ...(START_ONLY
      ? []
      : [
        `unlock (Enter) to the case list painted (the first ${Math.min(CASES, 100)} of ${CASES} rows): ${f(m("ours", "listMs"))} ms; the commands alone: unlock ${f(m("ours", "unlockCmdMs"))} ms, case_list ${f(m("ours", "caseListCmdMs"))} ms (${f(m("ours", "caseListBytes") / 1e6, 1)} MB of JSON)`,
        `PSS with the case list open:   ${f(m("ours", "listPssMiB"))} MiB`,
        `search "${SEARCH}" (first key to the hits painted, ${Math.min(HITS, 100)} of ${HITS}, includes the UI's 150 ms pause): ${f(m("ours", "searchMs"))} ms (the command alone ${f(m("ours", "searchCmdMs"))} ms)`,
        ]),
  ].join("\n");
  console.log(out);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ runs: RUNS, cases: CASES, results }, null, 2));
}

await main();
