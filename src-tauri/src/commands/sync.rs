//! The sync line: the outbox and the sync state the store keeps (service,
//! last success, last error). Syncing itself from the window is not wired
//! yet: an enrolled store is synced by `waystation-cli sync` meanwhile.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tauri::State;
use waystation_store::Store;

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
    state.run(|s| s.peek_session(|session| status_of(&session.store))).await
}

/// The line for `store`: its outbox and the sync state it keeps.
fn status_of(store: &Store) -> CommandResult<SyncStatus> {
    // A sync state that does not read shows as "not enrolled" rather than failing the line.
    let state = waystation_sync::read_state(store).ok().flatten().unwrap_or_default();
    Ok(SyncStatus {
        queued: store.outbox_len()?,
        last_success_at: state.last_success,
        running: false,
        progress: None,
        last_error: state.last_error.map(|m| CommandError::new(ErrorCode::SyncFailed, m)),
        server: state.server,
    })
}

/// Sync now. Comes with the sync client.
#[tauri::command]
pub async fn sync_now() -> CommandResult<()> {
    Err(CommandError::new(ErrorCode::Unavailable, "this device is not enrolled with a sync service"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use waystation_core::{DeviceId, OrgId, UserName};
    use waystation_store::{KdfParams, Passphrase};
    use waystation_sync::SyncState;

    #[test]
    fn the_line_shows_the_outbox_and_the_kept_sync_state() {
        let dir = tempfile::tempdir().unwrap();
        let user = UserName::parse("user", "ana.lopez").unwrap();
        let org = OrgId::parse("org", "border-station-7").unwrap();
        let pass = Passphrase::new("a long passphrase").unwrap();
        let mut store = Store::create(dir.path(), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap();

        let local = status_of(&store).unwrap();
        assert_eq!((local.queued, local.server.as_deref()), (0, None));

        let (id, changes) =
            waystation_core::NewCase::parse(include_str!("../../../examples/case.json")).unwrap().into_changes(&org);
        store.save_new_case(id, changes).unwrap();
        let mut state = SyncState::default();
        state.server = Some("https://sync.example.org".into());
        state.last_error = Some("the service did not answer".into());
        store.set_sync_state(&serde_json::to_string(&state).unwrap()).unwrap();

        let line = status_of(&store).unwrap();
        assert!(line.queued > 0, "the new case's changes wait in the outbox");
        assert_eq!(line.server.as_deref(), Some("https://sync.example.org"));
        let error = line.last_error.unwrap();
        assert_eq!((error.code, error.message.as_str()), (ErrorCode::SyncFailed, "the service did not answer"));
    }
}
