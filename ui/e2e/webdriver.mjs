// A small W3C WebDriver client over fetch: just what the desktop end-to-end
// test needs (sessions, elements, keys, screenshots). tauri-driver speaks this
// protocol and forwards it to WebKitWebDriver, which drives the real window.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const Key = { Tab: "\uE004", Enter: "\uE007", Space: "\uE00D", Shift: "\uE008", Control: "\uE009", Backspace: "\uE003" };

export class WebDriver {
  constructor(base) {
    this.base = base;
    this.session = null;
  }

  async cmd(method, path, body) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json).slice(0, 300)}`);
    return json.value;
  }

  async start(application) {
    const v = await this.cmd("POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application } } },
    });
    this.session = v.sessionId;
  }

  async quit() {
    if (this.session) await this.cmd("DELETE", `/session/${this.session}`).catch(() => undefined);
    this.session = null;
  }

  s(path) {
    return `/session/${this.session}${path}`;
  }

  /** The first element matching `css`, or null. */
  async find(css) {
    const v = await this.cmd("POST", this.s("/elements"), { using: "css selector", value: css });
    return v.length ? v[0][ELEMENT] : null;
  }

  async findAll(css) {
    const v = await this.cmd("POST", this.s("/elements"), { using: "css selector", value: css });
    return v.map((e) => e[ELEMENT]);
  }

  /** Wait until `css` matches (and, when given, its text contains `text`). */
  async waitFor(css, { text, timeout = 15000 } = {}) {
    const end = Date.now() + timeout;
    let last = "";
    for (;;) {
      const els = await this.findAll(css).catch(() => []);
      for (const el of els) {
        last = await this.text(el).catch(() => "");
        if (text === undefined || last.includes(text)) return el;
      }
      if (Date.now() > end) throw new Error(`no ${css}${text ? ` with “${text}”` : ""} (last text: “${last.slice(0, 120)}”)`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  text(el) {
    return this.cmd("GET", this.s(`/element/${el}/text`));
  }
  attr(el, name) {
    return this.cmd("GET", this.s(`/element/${el}/attribute/${name}`));
  }
  prop(el, name) {
    return this.cmd("GET", this.s(`/element/${el}/property/${name}`));
  }

  /** Type into an element: it takes focus and receives key events, as from a keyboard. */
  type(el, text) {
    return this.cmd("POST", this.s(`/element/${el}/value`), { text });
  }

  /** Press keys on whatever has focus (a chord when several: all down, then all up). */
  async press(...keys) {
    const actions = [...keys.map((k) => ({ type: "keyDown", value: k })), ...keys.reverse().map((k) => ({ type: "keyUp", value: k }))];
    await this.cmd("POST", this.s("/actions"), { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", this.s("/actions")).catch(() => undefined);
  }

  /** The element that has focus. */
  async active() {
    const v = await this.cmd("GET", this.s("/element/active"));
    return v[ELEMENT];
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", this.s("/screenshot")), "base64");
  }

  exec(script, args = []) {
    return this.cmd("POST", this.s("/execute/sync"), { script, args });
  }

  /** Run a script that calls its last argument when done. */
  execAsync(script, args = []) {
    return this.cmd("POST", this.s("/execute/async"), { script, args });
  }
}
