//! The intake's draft and its screening: instruments and the computed result.

use serde_json::Value;
use tauri::State;
use waystation_core::{Catalog, Instrument, NewCase, ScreeningResult};

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// The intake's draft slot in the store (one per user).
const INTAKE_DRAFT: &str = "intake";

/// The saved draft, if any (kept inside the encrypted store).
#[tauri::command]
pub async fn draft_load(state: State<'_, AppState>) -> CommandResult<Option<Value>> {
    state
        .run(|s| {
            s.with_session(|store| {
                // A draft that no longer parses is dropped rather than blocking the intake.
                Ok(store.draft(INTAKE_DRAFT)?.and_then(|d| serde_json::from_str(&d).ok()))
            })
        })
        .await
}

/// Keep the draft (the UI sends it a moment after each change), encrypted in the store.
#[tauri::command]
pub async fn draft_save(state: State<'_, AppState>, draft: Value) -> CommandResult<()> {
    state.run(move |s| s.with_session(|store| Ok(store.set_draft(INTAKE_DRAFT, &draft.to_string())?))).await
}

/// Drop the draft (saved as a case, or discarded).
#[tauri::command]
pub async fn draft_discard(state: State<'_, AppState>) -> CommandResult<()> {
    state.run(|s| s.with_session(|store| Ok(store.discard_draft(INTAKE_DRAFT)?))).await
}

/// The newest version of each screening instrument, for new screenings.
#[tauri::command]
pub async fn screening_instruments() -> CommandResult<Vec<Instrument>> {
    let catalog = Catalog::builtin();
    let mut ids: Vec<&str> = catalog.instruments().map(|i| i.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids.into_iter().filter_map(|id| catalog.latest(id)).cloned().collect())
}

/// The result core computes for the screening of a draft case, parsed whole as on save.
#[tauri::command]
pub async fn screening_evaluate(input: Value) -> CommandResult<ScreeningResult> {
    let case = NewCase::from_value(&input, chrono::Utc::now().date_naive())?;
    case.screening
        .and_then(|s| s.result)
        .ok_or_else(|| CommandError::field("screening", "there is no screening to evaluate"))
}
