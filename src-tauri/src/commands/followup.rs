//! The follow-up of a saved case from its screen: a new referral and its
//! next status, a service, a relief application and its milestones, an
//! outcome, the removal of an item entered by mistake, and corrections of
//! case-level fields. Each parses its input, lets
//! [`crate::followup`] check the edit by core's rules against the case as
//! this device has it, and saves the changes in one store transaction (op
//! log, outbox and audit log together). A refused edit saves nothing. The
//! device's clock is read here, at the boundary, and passed to the rules.

use chrono::Utc;
use serde_json::Value;
use tauri::State;
use waystation_core::{CaseView, Change, ItemId, ListKind, ReferralStatus};
use waystation_store::Store;

use super::cases::{case_id, load_detail};
use crate::error::{CommandError, CommandResult};
use crate::followup::{self, FieldEdit};
use crate::state::AppState;
use crate::views::CaseDetail;

fn item_id(field: &str, text: &str) -> CommandResult<ItemId> {
    Ok(ItemId::parse(field, text)?)
}

/// Case `id` merged, as this device has it.
fn view(store: &mut Store, id: waystation_core::CaseId) -> CommandResult<CaseView> {
    store.case(id)?.ok_or_else(|| CommandError::from(waystation_store::StoreError::CaseNotFound(id)))
}

/// Build the changes from the case's document with `build`, save them (none: nothing to save), and read the case again.
pub(crate) fn edit_case(
    store: &mut Store,
    id: &str,
    build: impl FnOnce(&Value) -> CommandResult<Vec<Change>>,
) -> CommandResult<CaseDetail> {
    edit_case_view(store, id, |view| build(&view.document))
}

/// [`edit_case`] for a rule that needs more than the document: who owns the
/// case and whom it is shared with.
pub(crate) fn edit_case_view(
    store: &mut Store,
    id: &str,
    build: impl FnOnce(&CaseView) -> CommandResult<Vec<Change>>,
) -> CommandResult<CaseDetail> {
    let id = case_id(id)?;
    let changes = build(&view(store, id)?)?;
    if !changes.is_empty() {
        store.edit(id, changes)?;
    }
    load_detail(store, id)
}

/// Move a referral to its next status, dated `at` (RFC 3339 with the offset).
#[tauri::command]
pub async fn case_referral_status(
    state: State<'_, AppState>,
    id: String,
    referral: String,
    status: String,
    at: String,
) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let referral = item_id("referral", &referral)?;
            let status = ReferralStatus::parse(&Value::String(status)).map_err(|e| e.under("referrals.status"))?;
            s.with_session(|store| {
                edit_case(store, &id, |doc| followup::referral_status_changes(doc, referral, status, &at, Utc::now()))
            })
        })
        .await
}

/// Add an item (`value`: its fields) to a follow-up list.
async fn add_item(state: State<'_, AppState>, id: String, list: ListKind, value: Value) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let change = followup::new_item_change(list, value, Utc::now())?;
            s.with_session(|store| edit_case(store, &id, |_| Ok(vec![change])))
        })
        .await
}

/// Log a service delivered to the child.
#[tauri::command]
pub async fn case_add_service(state: State<'_, AppState>, id: String, service: Value) -> CommandResult<CaseDetail> {
    add_item(state, id, ListKind::Services, service).await
}

/// Open a relief application (T visa, U visa, SIJS, asylum, other), with any milestones already reached.
#[tauri::command]
pub async fn case_add_relief(state: State<'_, AppState>, id: String, relief: Value) -> CommandResult<CaseDetail> {
    add_item(state, id, ListKind::Relief, relief).await
}

/// Record an outcome (placement, sponsor release, reunification, a follow-up visit…).
#[tauri::command]
pub async fn case_add_outcome(state: State<'_, AppState>, id: String, outcome: Value) -> CommandResult<CaseDetail> {
    add_item(state, id, ListKind::Outcomes, outcome).await
}

/// Date one milestone (`filed_on`…) of a relief application, on day `on` (`YYYY-MM-DD`).
#[tauri::command]
pub async fn case_relief_milestone(
    state: State<'_, AppState>,
    id: String,
    relief: String,
    milestone: String,
    on: String,
) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let relief = item_id("relief", &relief)?;
            s.with_session(|store| {
                edit_case(store, &id, |doc| {
                    Ok(vec![followup::relief_milestone_change(doc, relief, &milestone, &on, Utc::now())?])
                })
            })
        })
        .await
}

/// Add a referral (`to`, `org`?, `drafted_at`, `reason`?, `reference`?) as
/// drafted; a receiving organization the case is not shared with yet gets
/// it shared in the same save.
#[tauri::command]
pub async fn case_add_referral(state: State<'_, AppState>, id: String, referral: Value) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            s.with_session(|store| {
                edit_case_view(store, &id, |view| followup::new_referral_changes(view, referral, Utc::now()))
            })
        })
        .await
}

/// Remove an item entered by mistake (`list`: `services`, `outcomes`,
/// `adults`, or `referrals` for a referral still drafted). Notes are never removed.
#[tauri::command]
pub async fn case_remove_item(
    state: State<'_, AppState>,
    id: String,
    list: String,
    item: String,
) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let list: ListKind = list.parse()?;
            let item = item_id("item", &item)?;
            s.with_session(|store| {
                edit_case(store, &id, |doc| Ok(vec![followup::remove_item_change(doc, list, item, Utc::now())?]))
            })
        })
        .await
}

/// Correct fields of a logged service, relief application or outcome
/// (`list`: `services`, `relief`, `outcomes`); one refused field saves none.
#[tauri::command]
pub async fn case_set_item_fields(
    state: State<'_, AppState>,
    id: String,
    list: String,
    item: String,
    edits: Value,
) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let list: ListKind = list.parse()?;
            let item = item_id("item", &item)?;
            let edits = parse_edits(edits)?;
            s.with_session(|store| {
                edit_case(store, &id, |doc| followup::item_field_changes(doc, list, item, edits, Utc::now()))
            })
        })
        .await
}

/// Correct case-level fields: only those whose value changed are saved, each
/// superseding what this device has seen of it; one refused field saves none.
#[tauri::command]
pub async fn case_set_fields(state: State<'_, AppState>, id: String, edits: Value) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let edits = parse_edits(edits)?;
            s.with_session(|store| edit_case(store, &id, |doc| followup::field_changes(doc, edits, Utc::now())))
        })
        .await
}

/// The edits a form sends, each `{field, value, was?}`; anything else is refused as a whole.
fn parse_edits(edits: Value) -> CommandResult<Vec<FieldEdit>> {
    serde_json::from_value(edits)
        .map_err(|_| CommandError::field("edits", "must be a list of {field, value, was} objects, one per field"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn malformed_edits_are_refused_with_a_field_not_a_transport_error() {
        for bad in
            [json!({"field": "status"}), json!([{"field": "status"}]), json!([{"field": "status", "value": 1, "x": 2}])]
        {
            let e = parse_edits(bad).unwrap_err();
            assert_eq!((e.code, e.fields[0].field.as_str()), (ErrorCode::Invalid, "edits"));
        }
        let ok = parse_edits(json!([{"field": "status", "value": "closed"}])).unwrap();
        assert_eq!(ok[0].field, "status");
    }
}
