//! First run, unlock, lock, passphrase and settings.

use serde::Serialize;
use tauri::State;
use waystation_core::{DeviceId, OrgId, Sensitivity, UserName};
use waystation_store::{KdfParams, Passphrase, Store};

use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::settings::Settings;
use crate::state::{AppState, Notice, Session};

/// The organization of a local-only (demo) store, which no service knows.
const LOCAL_ORG: &str = "local-demo";

/// Whether this device has a store, and whether it is open.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StoreState {
    /// No store yet: first run.
    Absent {
        /// Why the app came back to first run on its own (the device was revoked), if it did.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        notice: Option<Notice>,
    },
    /// A store, locked.
    Locked {
        /// Its local users.
        users: Vec<String>,
    },
    /// A store, open.
    Unlocked {
        /// Its local users.
        users: Vec<String>,
        /// Who is signed in.
        user: String,
    },
}

/// Who is signed in, on which device.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SessionInfo {
    user: String,
    org: Option<String>,
    device: String,
}

fn info(store: &Store) -> SessionInfo {
    SessionInfo {
        user: store.user().to_string(),
        org: Some(store.owner_org().to_string()),
        device: store.device().to_string(),
    }
}

/// The note classes a device may write: exactly those its sync role may read
/// (core's `Role::may_write`), so that it never holds a note its role may not
/// see. A local-only store has no role: every class. When its sync state
/// cannot be read, only general notes.
pub fn note_classes(store: &Store) -> Vec<Sensitivity> {
    match waystation_sync::read_state(store) {
        Ok(Some(state)) => match state.role {
            Some(role) => Sensitivity::ALL.into_iter().filter(|c| role.may_write(*c)).collect(),
            None => Sensitivity::ALL.to_vec(),
        },
        Ok(None) => Sensitivity::ALL.to_vec(),
        Err(_) => vec![Sensitivity::General],
    }
}

/// The role this device syncs as; `None` for a local-only store (or one
/// whose sync state cannot be read).
pub fn sync_role(store: &Store) -> Option<waystation_core::Role> {
    waystation_sync::read_state(store).ok().flatten().and_then(|s| s.role)
}

fn user(text: &str) -> CommandResult<UserName> {
    Ok(UserName::parse("user", text)?)
}

/// Whether there is a store, and who may unlock it.
#[tauri::command]
pub async fn store_state(state: State<'_, AppState>) -> CommandResult<StoreState> {
    state
        .run(|s| {
            if !s.store_exists() {
                return Ok(StoreState::Absent { notice: s.take_notice() });
            }
            let users = Store::users_in(s.dir())?.into_iter().map(|u| u.to_string()).collect();
            Ok(match s.signed_in() {
                Some(user) => StoreState::Unlocked { users, user },
                None => StoreState::Locked { users },
            })
        })
        .await
}

/// First run, local only: create the store and its first user, and open it.
#[tauri::command]
pub async fn store_create(state: State<'_, AppState>, user: String, passphrase: String) -> CommandResult<SessionInfo> {
    state
        .run(move |s| {
            let name = self::user(&user)?;
            let pass = Passphrase::new(passphrase)?;
            let org = OrgId::parse("org", LOCAL_ORG)?;
            let store = Store::create(s.dir(), &name, &pass, DeviceId::new(), &org, KdfParams::default())?;
            let out = info(&store);
            s.open(Session::new(store))?;
            Ok(out)
        })
        .await
}

/// First run, enrolled with a service: trade the one-time code for this
/// device's credential, sign the user in online (the service password
/// becomes the store's passphrase), create the store with the device id and
/// organization the service gave, open it and start syncing.
#[tauri::command]
pub async fn device_enroll(
    state: State<'_, AppState>,
    server: String,
    code: String,
    user: String,
    passphrase: String,
) -> CommandResult<SessionInfo> {
    enroll(&state, &server, &code, &user, passphrase, KdfParams::default()).await
}

/// Event with each step of an enrollment: `{step, attempt, wait_secs, words}`.
pub const ENROLL_PROGRESS_EVENT: &str = "enroll://progress";

/// What the window is told of an enrollment step: a word it translates, and the English words.
pub fn enroll_progress_payload(step: &waystation_sync::EnrollProgress) -> serde_json::Value {
    use waystation_sync::EnrollProgress as P;
    let (name, attempt, wait) = match step {
        P::Enrolling { attempt } => ("enrolling", Some(*attempt), None),
        P::Enrolled => ("enrolled", None, None),
        P::SigningIn { attempt } => ("signing_in", Some(*attempt), None),
        P::SignedIn => ("signed_in", None, None),
        P::StoreCreated => ("store_created", None, None),
        P::Waiting { wait, .. } => ("waiting", None, Some(wait.as_secs_f64().ceil() as u64)),
        P::Resuming { .. } => ("resuming", None, None),
        _ => ("working", None, None),
    };
    serde_json::json!({ "step": name, "attempt": attempt, "wait_secs": wait, "words": step.words() })
}

/// [`device_enroll`] without the window, with the store's key-derivation cost `kdf`.
pub async fn enroll(
    state: &AppState,
    server: &str,
    code: &str,
    user: &str,
    passphrase: String,
    kdf: KdfParams,
) -> CommandResult<SessionInfo> {
    let passphrase = zeroize::Zeroizing::new(passphrase);
    let name = self::user(user)?;
    if server.trim().is_empty() {
        return Err(CommandError::field("server", "enter the address of the sync service"));
    }
    if code.trim().is_empty() {
        return Err(CommandError::field("code", "enter the enrollment code from your administrator"));
    }
    let device_name =
        std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "waystation-desktop".into());
    let mut enrollment = waystation_sync::Enrollment::new(
        server.trim(),
        waystation_protocol::EnrollmentCode::new(code.trim()),
        device_name,
        name,
        passphrase.as_str(),
        state.shared().dir(),
        kdf,
    );
    // The window says what is happening: each try, each wait, a resumed enrollment.
    if let Some(emit) = state.emitter() {
        enrollment.progress = Some(std::sync::Arc::new(move |step: waystation_sync::EnrollProgress| {
            emit(ENROLL_PROGRESS_EVENT, enroll_progress_payload(&step));
        }));
    }
    let store = waystation_sync::enroll(enrollment).await?;
    let out = info(&store);
    let app = state.clone();
    state
        .run(move |s| {
            s.open(Session::new(store))?;
            app.start_sync()
        })
        .await?;
    Ok(out)
}

/// Unlock as `user`.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, user: String, passphrase: String) -> CommandResult<SessionInfo> {
    let out = state
        .run(move |s| {
            let name = self::user(&user)?;
            // A passphrase the policy refuses cannot be the right one: count it as wrong.
            let pass = Passphrase::new(passphrase)
                .map_err(|_| CommandError::new(ErrorCode::WrongPassphrase, "wrong passphrase"))?;
            let store = Store::unlock(s.dir(), &name, &pass)?;
            let out = info(&store);
            s.open(Session::new(store))?;
            Ok(out)
        })
        .await?;
    // Syncing is a convenience: a sync state that cannot be read must not keep the user out.
    let app = state.inner().clone();
    let _ = state.run(move |_| app.start_sync()).await;
    Ok(out)
}

/// Lock now: close the store and wipe its key from memory.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> CommandResult<()> {
    state.run(|s| s.lock()).await
}

/// Change the signed-in user's passphrase (no re-encryption: the key is re-wrapped).
#[tauri::command]
pub async fn change_passphrase(state: State<'_, AppState>, current: String, next: String) -> CommandResult<()> {
    state
        .run(move |s| {
            let current = Passphrase::new(current)
                .map_err(|_| CommandError::new(ErrorCode::WrongPassphrase, "wrong passphrase"))?;
            let next = Passphrase::new(next)?;
            s.with_session(|store| Ok(store.change_passphrase(&current, &next)?))
        })
        .await
}

/// The settings (readable while locked: the unlock screen uses the language).
#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> CommandResult<Settings> {
    state.run(|s| Ok(s.settings())).await
}

/// Change the settings.
#[tauri::command]
pub async fn settings_set(state: State<'_, AppState>, settings: Settings) -> CommandResult<Settings> {
    state.run(move |s| s.set_settings(settings)).await
}

#[cfg(test)]
mod tests {
    use waystation_core::Role;
    use waystation_store::Passphrase;

    use super::*;

    fn store(dir: &std::path::Path) -> Store {
        let user = UserName::parse("user", "ana.lopez").unwrap();
        let org = OrgId::parse("org", "border-7").unwrap();
        let pass = Passphrase::new("a long passphrase").unwrap();
        Store::create(&dir.join("store"), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap()
    }

    #[test]
    fn a_device_writes_only_the_note_classes_its_role_may_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = store(dir.path());
        assert_eq!(note_classes(&s), Sensitivity::ALL, "a local-only store syncs with no one");
        for (role, legal, law_enforcement) in [(Role::Agent, false, true), (Role::NgoStaff, true, false)] {
            let mut state = waystation_sync::SyncState::default();
            state.role = Some(role);
            waystation_sync::save_state(&mut s, &state).unwrap();
            let classes = note_classes(&s);
            assert_eq!(classes.contains(&Sensitivity::LegalPrivileged), legal, "{role}");
            assert_eq!(classes.contains(&Sensitivity::LawEnforcementSensitive), law_enforcement, "{role}");
            assert!(classes.contains(&Sensitivity::General) && classes.contains(&Sensitivity::Medical));
        }
    }
}
