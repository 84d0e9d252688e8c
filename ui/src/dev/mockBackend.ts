/**
 * DEV ONLY — bundled only by `vite build --mode mock` (see main.tsx). Answers the
 * desktop commands in the page with an in-memory stand-in, so the screens can be
 * looked at and screenshotted in a plain browser. The real answers come from
 * src-tauri over the real store; nothing here is used by the app or its tests.
 *
 * URL parameters: `store=absent|locked|unlocked` (default locked),
 * `sync=idle|running|error|local` (default idle), `lang=en|es`.
 */
import builtinInstrument from "../../../crates/core/src/screening/waystation-child-screen-v1.json";
import { mockIPC } from "@tauri-apps/api/mocks";
import type {
  CaseDetail,
  CaseRow,
  CommandError,
  Commands,
  CustodyClock,
  Instrument,
  JsonValue,
  Deadline,
  NewCaseDocument,
  ScreeningResult,
  Settings,
  StoreState,
  SyncStatus,
} from "../bindings";

const H = 3_600_000;
const params = new URLSearchParams(location.search);
const now = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();

function clock(sinceHoursAgo: number, screened: boolean, from = now): CustodyClock {
  const since = from - sinceHoursAgo * H;
  const deadline = (kind: Deadline["kind"], dueH: number, metAt: number | null): Deadline => {
    const due = since + dueH * H;
    const left = (due - from) / 1000;
    if (metAt !== null) return { kind, due_at: iso(due), met_at: iso(metAt), time_left_seconds: left, state: "met", on_time: metAt <= due };
    const state = left <= 0 ? "overdue" : left <= 12 * 3600 ? "due_soon" : "ok";
    return { kind, due_at: iso(due), met_at: null, time_left_seconds: left, state };
  };
  return {
    started_at: iso(since),
    now: iso(from),
    in_custody: true,
    time_in_custody_seconds: sinceHoursAgo * 3600,
    deadlines: [
      deadline("screening", 48, screened ? Math.min(since + 5 * H, from) : null),
      deadline("placement_notification", 48, since + 2 * H),
      deadline("transfer", 72, null),
    ],
  };
}

// The real built-in instrument, so the screens are looked at with its real prompts.
const instrument = builtinInstrument as Instrument;

const summaries: CaseRow[] = [
  { id: "0190a1b2-0000-7000-8000-000000000001", given_name: "Lucía", family_name: "Ramírez", status: "open", station: "LRD-07", encounter_at: iso(now - 40 * H), clock: clock(40, false), needs_screening: true, referral_pending: true, has_conflict: false, updated_at: iso(now - H) },
  { id: "0190a1b2-0000-7000-8000-000000000002", given_name: "Mateo", family_name: "", status: "open", station: "LRD-07", encounter_at: iso(now - 70 * H), clock: clock(70, true), needs_screening: false, referral_pending: true, has_conflict: true, updated_at: iso(now - 2 * H) },
  { id: "0190a1b2-0000-7000-8000-000000000003", given_name: "Ixchel", family_name: "Tzul", status: "referred", station: "ELP-02", encounter_at: iso(now - 5 * H), clock: clock(5, true), needs_screening: false, referral_pending: false, has_conflict: false, updated_at: iso(now - 3 * H) },
  { id: "0190a1b2-0000-7000-8000-000000000004", given_name: "", family_name: "", status: "open", station: "SDG-11", encounter_at: iso(now - 80 * H), clock: clock(80, false), needs_screening: true, referral_pending: false, has_conflict: false, updated_at: iso(now - 9 * H) },
];

function detailOf(s: CaseRow): CaseDetail {
  const dev = "7c1e9a40-0000-7000-8000-00000000d001";
  const dev2 = "7c1e9a40-0000-7000-8000-00000000d002";
  const t0 = Date.parse(s.encounter_at ?? iso(now));
  const hlc = (ms: number, device = dev) => ({ wall_ms: ms, counter: 0, device });
  return {
    id: s.id,
    owner: "border-station-7",
    shared_with: ["casa-esperanza"],
    may_stop_sharing: true,
    owned_here: true,
    clock: s.clock,
    document: {
      id: s.id,
      status: s.status,
      child: { given_name: s.given_name, family_name: s.family_name, aliases: ["Lu"], date_of_birth: "2012-03-09", age_method: "document", sex: "female", nationalities: ["GT"], languages: ["quc", "spa"], interpreter_used: true },
      encounter: { occurred_at: s.encounter_at ?? iso(now), station: s.station, place: "Rio Grande, near mile marker 12", type: "between_ports", accompaniment: "unrelated_or_unverified_adult", narrative: "Found with a group of six adults. The child says the man with her is an uncle; he could not give her birth date." },
      adults: [{ id: "a1", name: "Unknown man", claimed_relationship: "aunt_or_uncle", verified_relationship: "unrelated" }],
      referrals: [
        { id: "r1", to: "child_placement", status: "sent", drafted_at: iso(t0 + 2 * H) },
        { id: "r2", to: "legal_services", status: "drafted", drafted_at: iso(t0 + 3 * H) },
      ],
      notes: [
        { id: "n1", sensitivity: "general", text: "Asked for her mother; gave a phone number.", written_at: iso(t0 + H), author: "ana.lopez" },
        { id: "n2", sensitivity: "medical", text: "Dehydrated; given fluids.", written_at: iso(t0 + 2 * H), author: "ana.lopez" },
      ],
    },
    conflicts: s.has_conflict
      ? [
          {
            key: { in: "case", field: "child.date_of_birth" },
            values: [
              { op: "op-1", hlc: hlc(t0 + 4 * H), device: dev, user: "ana.lopez", value: "2012-03-09" },
              { op: "op-2", hlc: hlc(t0 + 4 * H + 60_000, dev2), device: dev2, user: "jorge.m", value: "2011-03-09" },
            ],
          },
        ]
      : [],
    timeline: [
      { op: "op-0", hlc: hlc(t0), user: "ana.lopez", device: dev, kind: "create_case", target: null },
      { op: "op-a", hlc: hlc(t0 + 60_000), user: "ana.lopez", device: dev, kind: "set", target: "child.given_name" },
      { op: "op-b", hlc: hlc(t0 + 2 * H), user: "ana.lopez", device: dev, kind: "add_item", target: "referrals" },
      { op: "op-c", hlc: hlc(t0 + 3 * H, dev2), user: "jorge.m", device: dev2, kind: "share", target: "casa-esperanza" },
    ],
    // An agent's device: no legal-privileged notes.
    note_classes: ["general", "law_enforcement_sensitive", "medical"],
  };
}

/** Core's rule (screening/result.rs), restated for the mock only. */
function evaluate(c: NewCaseDocument): ScreeningResult {
  const sc = c.screening;
  const answers = sc?.answers ?? {};
  const drivers: ScreeningResult["drivers"] = [];
  const present = instrument.indicators.filter((i) => answers[i.id] === "yes").map((i) => i.id);
  const open = instrument.indicators.filter((i) => answers[i.id] !== "yes" && answers[i.id] !== "no").map((i) => i.id);
  present.forEach((q) => drivers.push({ question: q, effect: "answered yes" }));
  const indicators = present.length ? "present" : open.length ? "incomplete" : "none";
  const contiguous = (c.child?.nationalities ?? []).some((n) => n === "MX" || n === "CA");
  let contiguous_return: ScreeningResult["contiguous_return"] = "not_applicable";
  if (contiguous) {
    let no = indicators === "present";
    let incomplete = indicators === "incomplete";
    if (no) drivers.push({ question: "indicators", effect: "present" });
    for (const cr of instrument.criteria) {
      const a = sc?.criteria?.[cr.id];
      if (!a) incomplete = true;
      else if (a.answer === "no") no = true;
      else if (a.answer !== "yes" || !a.rationale) incomplete = true;
      if (!a || a.answer !== "yes" || !a.rationale) drivers.push({ question: cr.id, effect: "not met" });
    }
    const dob = c.child?.date_of_birth;
    const age = dob ? Math.floor((Date.parse(c.encounter.occurred_at) - Date.parse(dob)) / (365.25 * 24 * H)) : (c.child?.estimated_age_years ?? null);
    if (age === null) {
      incomplete = true;
      drivers.push({ question: "child.age", effect: "age not recorded" });
    } else if (age < 14) {
      no = true;
      drivers.push({ question: "child.age", effect: "under 14" });
    }
    contiguous_return = no ? "not_eligible" : incomplete ? "incomplete" : "eligible";
  }
  return { indicators, indicators_present: present, indicators_open: open, contiguous_return, drivers };
}

const fail = (e: CommandError) => Promise.reject(e);

export function installMockBackend() {
  let store = (params.get("store") ?? "locked") as StoreState["state"];
  const users = ["ana.lopez", "jorge.m"];
  let user = users[0]!;
  let wrong = 0;
  let lockedUntil = 0;
  let draft: JsonValue | null = null;
  let settings: Settings = { language: params.get("lang") === "es" ? "es" : "en", idle_lock_minutes: 15 };
  const syncMode = params.get("sync") ?? "idle";
  const sync: SyncStatus = {
    queued: syncMode === "idle" ? 0 : 12,
    last_success_at: syncMode === "local" ? null : iso(now - 25 * 60_000),
    running: syncMode === "running",
    phase: syncMode === "local" ? null : syncMode === "running" ? "pushing" : "waiting",
    refused: 0,
    sent: syncMode === "running" ? 4 : 0,
    received: 0,
    receiving: 0,
    progress: syncMode === "running" ? { done: 4, total: 12 } : null,
    last_error: syncMode === "error" ? { code: "offline", message: "connection refused" } : null,
    server: syncMode === "local" ? null : "https://sync.example.org",
  };

  const handlers: { [C in keyof Commands]: (a: Commands[C]["args"]) => Commands[C]["result"] | Promise<Commands[C]["result"]> } = {
    store_state: () => (store === "absent" ? { state: "absent" } : store === "locked" ? { state: "locked", users } : { state: "unlocked", users, user }),
    store_create: (a) => {
      store = "unlocked";
      user = a.user;
      return { user: a.user, org: null, device: "d1" };
    },
    device_enroll: () => fail({ code: "offline", message: "the service at that address did not answer" }),
    unlock: (a) => {
      if (Date.now() < lockedUntil) return fail({ code: "locked_out", message: "locked out", retry_after_secs: Math.ceil((lockedUntil - Date.now()) / 1000) });
      if (a.passphrase !== "correct horse battery") {
        wrong += 1;
        if (wrong >= 5) {
          lockedUntil = Date.now() + 600_000;
          return fail({ code: "locked_out", message: "locked out", retry_after_secs: 600 });
        }
        return fail({ code: "wrong_passphrase", message: "wrong passphrase", attempts_left: 5 - wrong });
      }
      wrong = 0;
      store = "unlocked";
      user = a.user;
      return { user: a.user, org: "border-station-7", device: "d1" };
    },
    lock: () => {
      store = "locked";
      return null;
    },
    change_passphrase: (a) => (a.current === "correct horse battery" ? null : fail({ code: "wrong_passphrase", message: "wrong" })),
    settings_get: () => settings,
    settings_set: (a) => (settings = a.settings),
    case_list: () => summaries,
    case_search: (a) => {
      const q = a.text.toLowerCase();
      return summaries.filter((s) => `${s.given_name} ${s.family_name} ${s.station}`.toLowerCase().includes(q)).map((s) => s.id);
    },
    case_get: (a) => {
      const s = summaries.find((x) => x.id === a.id);
      return s ? detailOf(s) : fail({ code: "not_found", message: "no such case" });
    },
    case_save_new: (a) => {
      const id = `0190a1b2-0000-7000-8000-${String(summaries.length + 1).padStart(12, "0")}`;
      summaries.unshift({
        id,
        given_name: a.input.child?.given_name ?? "",
        family_name: a.input.child?.family_name ?? "",
        status: "open",
        station: a.input.encounter.station ?? "",
        encounter_at: a.input.encounter.occurred_at ?? null,
        clock: clock(0, a.input.screening !== undefined, Date.now()),
        needs_screening: a.input.screening === undefined,
        referral_pending: (a.input.referrals ?? []).length > 0,
        has_conflict: false,
        updated_at: iso(Date.now()),
      });
      return { id };
    },
    case_add_note: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    case_resolve_conflict: (a) => {
      const s = summaries.find((x) => x.id === a.id)!;
      s.has_conflict = false;
      return detailOf(s);
    },
    // The follow-up edits answer with the case as it was: the mock keeps no case documents.
    case_referral_status: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    case_add_referral: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    case_remove_item: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    case_stop_sharing: (a) => ({ ...detailOf(summaries.find((x) => x.id === a.id)!), shared_with: [] }),
    case_add_service: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    case_add_relief: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    case_add_outcome: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    case_relief_milestone: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    case_set_fields: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    case_set_item_fields: (a) => detailOf(summaries.find((x) => x.id === a.id)!),
    draft_load: () => draft,
    draft_save: (a) => {
      draft = a.draft;
      return null;
    },
    draft_discard: () => {
      draft = null;
      return null;
    },
    screening_instruments: () => [instrument],
    screening_evaluate: (a) => evaluate(a.input),
    sync_status: () => sync,
    sync_now: () => null,
    sync_move_service: (a) => {
      if (/:9\b/.test(a.server)) return fail({ code: "invalid", message: "refused", fields: [{ field: "server", message: "unreachable" }] });
      sync.server = a.server;
      return sync;
    },
  };

  mockIPC((cmd, payload) => {
    if (store === "locked" && !["store_state", "unlock", "lock", "sync_status", "settings_get"].includes(cmd))
      return fail({ code: "locked", message: "locked" });
    const h = (handlers as Record<string, (a: unknown) => unknown>)[cmd];
    return h ? h(payload ?? {}) : fail({ code: "unavailable", message: `no mock for ${cmd}` });
  });
}
