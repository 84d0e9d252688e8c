/** Every desktop command: its name, its arguments and its result, in one place.
 * `src/ipc.ts` is typed by this map; `src-tauri/src/lib.rs` registers the same names. */
import type { CaseDetail, CaseId, CaseSummary, FieldKey, NewCase, NewNote } from "./case";
import type { JsonValue } from "./json";
import type { Instrument, ScreeningResult } from "./screening";
import type { Session, Settings, StoreState } from "./session";
import type { SyncStatus } from "./sync";

type NoArgs = Record<never, never>;

export interface Commands {
  store_state: { args: NoArgs; result: StoreState };
  /** First run, local only: create the store and its first user. */
  store_create: { args: { user: string; passphrase: string }; result: Session };
  /** First run, enrolled: enroll with the service, first sign-in online. */
  device_enroll: { args: { server: string; code: string; user: string; passphrase: string }; result: Session };
  unlock: { args: { user: string; passphrase: string }; result: Session };
  lock: { args: NoArgs; result: null };
  change_passphrase: { args: { current: string; next: string }; result: null };
  settings_get: { args: NoArgs; result: Settings };
  settings_set: { args: { settings: Settings }; result: Settings };
  case_list: { args: NoArgs; result: CaseSummary[] };
  case_search: { args: { text: string }; result: CaseId[] };
  case_get: { args: { id: CaseId }; result: CaseDetail };
  case_save_new: { args: { input: NewCase }; result: { id: CaseId } };
  case_add_note: { args: { id: CaseId; note: NewNote }; result: CaseDetail };
  case_resolve_conflict: { args: { id: CaseId; key: FieldKey; value: JsonValue }; result: CaseDetail };
  draft_load: { args: NoArgs; result: JsonValue | null };
  draft_save: { args: { draft: JsonValue }; result: null };
  draft_discard: { args: NoArgs; result: null };
  screening_instruments: { args: NoArgs; result: Instrument[] };
  /** The result core computes for the screening of a (draft) case: the case is parsed whole, as on save. */
  screening_evaluate: { args: { input: NewCase }; result: ScreeningResult };
  sync_status: { args: NoArgs; result: SyncStatus };
  sync_now: { args: NoArgs; result: null };
}

export type CommandName = keyof Commands;
export type ArgsOf<C extends CommandName> = Commands[C]["args"];
export type ResultOf<C extends CommandName> = Commands[C]["result"];
