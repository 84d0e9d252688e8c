//! The case list, search, one case, a new case, a note, a conflict's choice.

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tauri::State;
use waystation_core::{CaseId, Change, FieldKey, FieldPath, ItemId, ListKind, NewCase, Sensitivity, validate_change};
use waystation_store::Store;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::views::{self, CaseDetail, CaseRow};

pub(crate) fn case_id(text: &str) -> CommandResult<CaseId> {
    Ok(CaseId::parse("id", text)?)
}

pub(crate) fn load_detail(store: &mut Store, id: CaseId) -> CommandResult<CaseDetail> {
    let view = store.case(id)?.ok_or_else(|| CommandError::from(waystation_store::StoreError::CaseNotFound(id)))?;
    let ops = store.operations(id)?;
    let mut detail = views::detail(view, &ops, Utc::now());
    detail.note_classes = super::session::note_classes(store);
    detail.owned_here = detail.owner.as_deref() == Some(store.owner_org().as_str());
    detail.may_stop_sharing =
        detail.owned_here && super::session::sync_role(store) == Some(waystation_core::Role::Supervisor);
    Ok(detail)
}

/// Every case, with its custody clock read now.
#[tauri::command]
pub async fn case_list(state: State<'_, AppState>) -> CommandResult<Vec<CaseRow>> {
    state
        .run(|s| {
            s.with_session(|store| {
                let now = Utc::now();
                Ok(store.case_views()?.iter().map(|v| views::row(v, now)).collect())
            })
        })
        .await
}

/// Ids of the cases matching `text`, best first.
#[tauri::command]
pub async fn case_search(state: State<'_, AppState>, text: String) -> CommandResult<Vec<CaseId>> {
    state.run(move |s| s.with_session(|store| Ok(store.search(&text)?))).await
}

/// One case, its history and its clock.
#[tauri::command]
pub async fn case_get(state: State<'_, AppState>, id: String) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let id = case_id(&id)?;
            s.with_session(|store| load_detail(store, id))
        })
        .await
}

/// The id of a saved case.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Saved {
    id: CaseId,
}

/// Save a new case from its document (the intake). Core parses it whole:
/// any refused field comes back named, and nothing is saved.
#[tauri::command]
pub async fn case_save_new(state: State<'_, AppState>, input: Value) -> CommandResult<Saved> {
    state
        .run(move |s| {
            let case = NewCase::from_value(&input, Utc::now().date_naive())?;
            s.with_session(|store| {
                let owner = store.owner_org().clone();
                let (id, changes) = case.into_changes(&owner);
                let id = store.save_new_case(id, changes)?;
                Ok(Saved { id })
            })
        })
        .await
}

/// A note added from the case screen.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    sensitivity: Sensitivity,
    text: String,
}

/// Add a note, written now by the signed-in user.
#[tauri::command]
pub async fn case_add_note(state: State<'_, AppState>, id: String, note: NewNote) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let id = case_id(&id)?;
            s.with_session(|store| {
                if !super::session::note_classes(store).contains(&note.sensitivity) {
                    return Err(CommandError::field(
                        "sensitivity",
                        "this device's role may not read this class of note, so it may not write one; choose another class",
                    ));
                }
                let mut value = Map::new();
                value.insert("sensitivity".into(), json!(note.sensitivity));
                value.insert("text".into(), Value::String(note.text.trim().to_owned()));
                let now = Utc::now();
                value.insert("written_at".into(), json!(now.to_rfc3339_opts(SecondsFormat::Secs, true)));
                value.insert("author".into(), json!(store.user()));
                let change = Change::AddItem { list: ListKind::Notes, item: ItemId::new(), value };
                validate_change(&change, now.date_naive())?;
                store.edit(id, vec![change])?;
                load_detail(store, id)
            })
        })
        .await
}

/// Choose the value of a field edited on two devices at once. The store
/// writes it superseding every concurrent value, which resolves the conflict.
#[tauri::command]
pub async fn case_resolve_conflict(
    state: State<'_, AppState>,
    id: String,
    key: FieldKey,
    value: Value,
) -> CommandResult<CaseDetail> {
    state
        .run(move |s| {
            let id = case_id(&id)?;
            let change = match &key {
                FieldKey::Case { field } => {
                    Some(Change::Set { field: FieldPath::parse(field)?, value, supersedes: Vec::new() })
                }
                FieldKey::Item { list, item, field } => Some(Change::SetItemField {
                    list: *list,
                    item: *item,
                    field: field.clone(),
                    value,
                    supersedes: Vec::new(),
                }),
                // Removed on one device, edited on another: `null` removes it (seeing the edit), any
                // other value keeps it (an edit that supersedes the removal), chosen below.
                FieldKey::Removal { list, item } if value.is_null() => {
                    Some(Change::RemoveItem { list: *list, item: *item, seen: None })
                }
                FieldKey::Removal { .. } => None,
            };
            if let Some(change) = &change {
                validate_change(change, Utc::now().date_naive())?;
            }
            s.with_session(|store| {
                let change = match (change, &key) {
                    (Some(c), _) => c,
                    (None, FieldKey::Removal { list, item }) => {
                        let ops = store.operations(id)?;
                        let state = waystation_core::CaseState::from_ops(&ops)
                            .map_err(|e| CommandError::new(crate::error::ErrorCode::Internal, e.to_string()))?;
                        state.keep_item_change(*list, *item).ok_or_else(|| {
                            CommandError::field("key", "this item has no field to keep; remove it instead")
                        })?
                    }
                    (None, _) => unreachable!("only a removal is chosen here"),
                };
                store.edit(id, vec![change])?;
                load_detail(store, id)
            })
        })
        .await
}
