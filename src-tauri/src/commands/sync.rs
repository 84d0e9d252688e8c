//! The sync line. Until the sync client lands the store is local only: the
//! line shows the changes kept in the outbox.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tauri::State;

use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::state::AppState;

/// What the always-visible sync line shows.
#[derive(Debug, Serialize)]
pub struct SyncStatus {
    queued: u64,
    last_success_at: Option<DateTime<Utc>>,
    running: bool,
    progress: Option<Progress>,
    last_error: Option<CommandError>,
    server: Option<String>,
}

/// How far a running sync is.
#[derive(Debug, Serialize)]
pub struct Progress {
    done: u64,
    total: u64,
}

/// The sync line's state. Polled by the window; not counted as activity
/// (polling must not keep an idle store unlocked).
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CommandResult<SyncStatus> {
    state
        .run(|s| {
            s.peek_session(|session| {
                Ok(SyncStatus {
                    queued: session.store.outbox_len()?,
                    last_success_at: None,
                    running: false,
                    progress: None,
                    last_error: None,
                    server: None,
                })
            })
        })
        .await
}

/// Sync now. Comes with the sync client.
#[tauri::command]
pub async fn sync_now() -> CommandResult<()> {
    Err(CommandError::new(ErrorCode::Unavailable, "this device is not enrolled with a sync service"))
}
