//! The commands the window may call: each parses its input, calls the store
//! or core, and maps the error. No business rule lives here.
//!
//! The `command_table!` below is the one list of them: it registers each with Tauri
//! ([`handler`]), describes its arguments and result for the generated UI
//! bindings ([`signatures`]), and makes the compiler check that description
//! against the command's own signature.

pub mod cases;
pub mod followup;
pub mod intake;
pub mod session;
pub mod sync;

#[macro_use]
mod table;

use serde_json::Value;
use waystation_core::{CaseId, FieldKey, Instrument, ListKind, ReferralStatus, ScreeningResult};

use crate::document::{NewCaseDocument, OutcomeItem, ReliefItem, ServiceItem};
use crate::settings::Settings;
use crate::views::{CaseDetail, CaseRow};
use cases::{NewNote, Saved};
use session::{SessionInfo, StoreState};
use sync::SyncStatus;
use waystation_core::edit::{FieldEdit, NewReferral};

command_table! {
    // `app` commands take the app's state first; `pure` ones do not.
    // `name: RustType as TsType` gives an argument a narrower TypeScript type
    // than the JSON value the command parses itself.
    app session::store_state() -> StoreState;
    app session::store_create(user: String, passphrase: String) -> SessionInfo;
    app session::device_enroll(server: String, code: String, user: String, passphrase: String) -> SessionInfo;
    app session::unlock(user: String, passphrase: String) -> SessionInfo;
    app session::lock() -> ();
    app session::change_passphrase(current: String, next: String) -> ();
    app session::settings_get() -> Settings;
    app session::settings_set(settings: Settings) -> Settings;
    app cases::case_list() -> Vec<CaseRow>;
    app cases::case_search(text: String) -> Vec<CaseId>;
    app cases::case_get(id: String) -> CaseDetail;
    app cases::case_save_new(input: Value as NewCaseDocument) -> Saved;
    app cases::case_add_note(id: String, note: NewNote) -> CaseDetail;
    app cases::case_resolve_conflict(id: String, key: FieldKey, value: Value) -> CaseDetail;
    app followup::case_referral_status(id: String, referral: String, status: String as ReferralStatus, at: String) -> CaseDetail;
    app followup::case_add_referral(id: String, referral: Value as NewReferral) -> CaseDetail;
    app followup::case_remove_item(id: String, list: String as ListKind, item: String) -> CaseDetail;
    app followup::case_stop_sharing(id: String, org: String) -> CaseDetail;
    app followup::case_add_service(id: String, service: Value as ServiceItem) -> CaseDetail;
    app followup::case_add_relief(id: String, relief: Value as ReliefItem) -> CaseDetail;
    app followup::case_add_outcome(id: String, outcome: Value as OutcomeItem) -> CaseDetail;
    app followup::case_relief_milestone(id: String, relief: String, milestone: String, on: String) -> CaseDetail;
    app followup::case_set_fields(id: String, edits: Value as Vec<FieldEdit>) -> CaseDetail;
    app followup::case_set_item_fields(id: String, list: String as ListKind, item: String, edits: Value as Vec<FieldEdit>) -> CaseDetail;
    app intake::draft_load() -> Option<Value>;
    app intake::draft_save(draft: Value) -> ();
    app intake::draft_discard() -> ();
    pure intake::screening_instruments() -> Vec<Instrument>;
    pure intake::screening_evaluate(input: Value as NewCaseDocument) -> ScreeningResult;
    app sync::sync_status() -> SyncStatus;
    app sync::sync_now() -> ();
    app sync::sync_move_service(server: String) -> SyncStatus;
}
