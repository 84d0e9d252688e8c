//! The follow-up of a saved case from its screen: a new referral and its
//! next status, a service, a relief application and its milestones, an
//! outcome, the removal of an item entered by mistake, and corrections of
//! case-level fields. Each parses its input, lets
//! core's rules ([`waystation_core::edit`]) check the edit against the case as
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
use crate::state::AppState;
use crate::views::CaseDetail;
use waystation_core::edit::{self, FieldEdit};

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
                let org = store.owner_org().clone();
                edit_case_view(store, &id, |view| {
                    let mut changes = edit::referral_status_changes(&view.document, referral, status, &at, Utc::now())?;
                    // Recorded as declined by the owner: a reason to share the case goes.
                    if status == ReferralStatus::Declined {
                        changes.extend(edit::sharing_ends_with(view, &org, referral));
                    }
                    Ok(changes)
                })
            })
        })
        .await
}

/// Add an item (`value`: its fields) to a follow-up list.
async fn add_item(state: State<'_, AppState>, id: String, list: ListKind, value: Value) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let change = edit::new_item_change(list, value, Utc::now())?;
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
                    Ok(vec![edit::relief_milestone_change(doc, relief, &milestone, &on, Utc::now())?])
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
                edit_case_view(store, &id, |view| Ok(edit::new_referral_changes(view, referral, Utc::now())?))
            })
        })
        .await
}

/// Remove an item entered by mistake (`list`: `services`, `outcomes`,
/// `adults`, or `referrals` for a referral still drafted). Notes are never
/// removed. The last referral to an organization takes the sharing with it:
/// its devices remove the case at their next sync.
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
                let org = store.owner_org().clone();
                edit_case_view(store, &id, |view| {
                    let mut changes = vec![edit::remove_item_change(&view.document, list, item, Utc::now())?];
                    if list == ListKind::Referrals {
                        changes.extend(edit::sharing_ends_with(view, &org, item));
                    }
                    Ok(changes)
                })
            })
        })
        .await
}

/// Stop sharing the case with organization `org` (a supervisor of the
/// owning organization only): its referrals stay as the record, and that
/// organization's devices remove the case at their next sync.
#[tauri::command]
pub async fn case_stop_sharing(state: State<'_, AppState>, id: String, org: String) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            s.with_session(|store| {
                let (own, role) = (store.owner_org().clone(), super::session::sync_role(store));
                edit_case_view(store, &id, |view| {
                    let role = role.ok_or_else(|| {
                        CommandError::field("org", "this laptop is not enrolled: there is no sharing to stop")
                    })?;
                    Ok(vec![edit::stop_sharing_change(view, &own, role, &org)?])
                })
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
                edit_case(store, &id, |doc| Ok(edit::item_field_changes(doc, list, item, edits, Utc::now())?))
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
            s.with_session(|store| edit_case(store, &id, |doc| Ok(edit::field_changes(doc, edits, Utc::now())?)))
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

    /// A store holding `examples/case.json`, edited at [`now`].
    struct Fixture {
        _dir: tempfile::TempDir,
        store: Store,
        id: waystation_core::CaseId,
    }

    fn now() -> edit::Now {
        chrono::DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().to_utc()
    }

    fn fixture() -> Fixture {
        use waystation_core::{DeviceId, NewCase, OrgId, UserName};
        use waystation_store::{KdfParams, Passphrase};
        let dir = tempfile::tempdir().unwrap();
        let user = UserName::parse("user", "ana.lopez").unwrap();
        let org = OrgId::parse("org", "casa-esperanza").unwrap();
        let pass = Passphrase::new("a long passphrase").unwrap();
        let mut store =
            Store::create(&dir.path().join("store"), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests())
                .unwrap();
        let (id, changes) =
            NewCase::parse(include_str!("../../../examples/case.json"), now().date_naive()).unwrap().into_changes(&org);
        store.save_new_case(id, changes).unwrap();
        Fixture { _dir: dir, store, id }
    }

    fn status(value: &str) -> FieldEdit {
        FieldEdit { field: "status".into(), value: json!(value), was: None }
    }

    #[test]
    fn a_case_that_is_not_here_is_not_found() {
        let mut f = fixture();
        let e = edit_case(&mut f.store, &waystation_core::CaseId::new().to_string(), |_| Ok(vec![])).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
        let e = edit_case(&mut f.store, "not-a-case", |_| Ok(vec![])).unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid);
    }

    #[test]
    fn an_accepted_edit_is_in_the_audit_chain_and_a_refused_one_is_not() {
        let mut f = fixture();
        let entries = |f: &Fixture| f.store.audit_verify().expect("the audit chain verifies").entries;
        let start = entries(&f);
        let refused =
            edit_case(&mut f.store, &f.id.to_string(), |d| Ok(edit::field_changes(d, vec![status("lost")], now())?));
        let e = refused.unwrap_err();
        assert_eq!(
            (e.code, e.fields[0].field.as_str()),
            (ErrorCode::Invalid, "status"),
            "core's refusal, its field named"
        );
        let after_refused = entries(&f);
        edit_case(&mut f.store, &f.id.to_string(), |d| Ok(edit::field_changes(d, vec![status("closed")], now())?))
            .unwrap();
        let after_saved = entries(&f);
        // Reading the case may be audited either way; the write adds its own entry on top.
        assert!(
            after_saved - after_refused > after_refused - start,
            "refused: +{}, saved: +{}",
            after_refused - start,
            after_saved - after_refused
        );
    }

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
