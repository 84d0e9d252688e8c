//! The app's state, managed by Tauri: where the store lives, the open store
//! (when unlocked) and the settings. Commands run their store work on a
//! blocking thread so that Argon2 or a long query never freezes the window.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use waystation_store::{KEYRING_FILE, Store};

use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::settings::Settings;

/// An unlocked store and what belongs to this sign-in.
pub struct Session {
    /// The open store.
    pub store: Store,
    last_activity: Instant,
}

impl Session {
    /// A session for a store just opened.
    pub fn new(store: Store) -> Self {
        Self { store, last_activity: Instant::now() }
    }
}

/// Everything the commands share.
pub struct Shared {
    dir: PathBuf,
    session: Mutex<Option<Session>>,
    settings: Mutex<Settings>,
}

/// Tauri-managed handle to [`Shared`].
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in one command must not lock everybody out of the store.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    /// State for a store kept in `dir`.
    pub fn new(dir: PathBuf) -> Self {
        let settings = Settings::load(&dir);
        Self(Arc::new(Shared { dir, session: Mutex::new(None), settings: Mutex::new(settings) }))
    }

    /// Run `f` on a blocking thread (the store is synchronous).
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Shared) -> CommandResult<T> + Send + 'static,
    ) -> CommandResult<T> {
        let shared = Arc::clone(&self.0);
        tauri::async_runtime::spawn_blocking(move || f(&shared))
            .await
            .map_err(|_| CommandError::new(ErrorCode::Internal, "the command stopped unexpectedly"))?
    }

    /// The shared state, for the idle-lock watcher.
    pub fn shared(&self) -> &Shared {
        &self.0
    }
}

impl Shared {
    /// The store's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether a store was created in the folder.
    pub fn store_exists(&self) -> bool {
        self.dir.join(KEYRING_FILE).exists()
    }

    /// Work with the open store; counts as activity for the idle lock.
    pub fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> CommandResult<T>) -> CommandResult<T> {
        let mut g = guard(&self.session);
        let s = g.as_mut().ok_or_else(CommandError::locked)?;
        s.last_activity = Instant::now();
        f(s)
    }

    /// Look at the open store without counting as activity (the sync line polls).
    pub fn peek_session<T>(&self, f: impl FnOnce(&Session) -> CommandResult<T>) -> CommandResult<T> {
        let g = guard(&self.session);
        f(g.as_ref().ok_or_else(CommandError::locked)?)
    }

    /// The signed-in user, if unlocked.
    pub fn signed_in(&self) -> Option<String> {
        guard(&self.session).as_ref().map(|s| s.store.user().as_str().to_owned())
    }

    /// Replace the session (after an unlock or a create), locking any open one first.
    pub fn open(&self, session: Session) -> CommandResult<()> {
        let old = guard(&self.session).replace(session);
        if let Some(old) = old {
            old.store.lock()?;
        }
        Ok(())
    }

    /// Lock: the store records it, closes and wipes its key.
    pub fn lock(&self) -> CommandResult<()> {
        let old = guard(&self.session).take();
        match old {
            Some(s) => Ok(s.store.lock()?),
            None => Ok(()),
        }
    }

    /// Lock when nothing happened for the idle time. True when it locked.
    pub fn lock_if_idle(&self, now: Instant) -> bool {
        let idle = Duration::from_secs(u64::from(self.settings().idle_lock_minutes) * 60);
        let mut g = guard(&self.session);
        let expired = g.as_ref().is_some_and(|s| now.duration_since(s.last_activity) >= idle);
        if expired && let Some(s) = g.take() {
            // Locking also wipes the key; an audit write failing here must not keep it open.
            let _ = s.store.lock();
        }
        expired
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        *guard(&self.settings)
    }

    /// Check, keep and save new settings.
    pub fn set_settings(&self, s: Settings) -> CommandResult<Settings> {
        let s = s.validate()?;
        s.save(&self.dir)?;
        *guard(&self.settings) = s;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waystation_core::{DeviceId, OrgId, UserName};
    use waystation_store::{KdfParams, Passphrase};

    #[test]
    fn the_store_locks_itself_after_the_idle_time_and_not_before() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().join("store"));
        let s = state.shared();
        s.set_settings(Settings { idle_lock_minutes: 15, ..Settings::default() }).unwrap();
        let user = UserName::parse("user", "ana.lopez").unwrap();
        let org = OrgId::parse("org", "local-demo").unwrap();
        let pass = Passphrase::new("a long passphrase").unwrap();
        let store = Store::create(s.dir(), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap();
        s.open(Session::new(store)).unwrap();
        let start = Instant::now();

        assert!(!s.lock_if_idle(start + Duration::from_secs(14 * 60)));
        assert_eq!(s.signed_in().as_deref(), Some("ana.lopez"));
        assert!(s.lock_if_idle(start + Duration::from_secs(15 * 60 + 1)));
        assert_eq!(s.signed_in(), None);
        let e = s.with_session(|_| Ok(())).unwrap_err();
        assert_eq!(e.code, ErrorCode::Locked);
        // The store can be unlocked again: locking closed it cleanly.
        Store::unlock(s.dir(), &user, &pass).unwrap().lock().unwrap();
    }

    #[test]
    fn polling_does_not_keep_an_idle_store_open() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().join("store"));
        let s = state.shared();
        let user = UserName::parse("user", "ana.lopez").unwrap();
        let org = OrgId::parse("org", "local-demo").unwrap();
        let pass = Passphrase::new("a long passphrase").unwrap();
        let store = Store::create(s.dir(), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap();
        s.open(Session::new(store)).unwrap();
        let start = Instant::now();
        s.peek_session(|session| Ok(session.store.outbox_len()?)).unwrap();
        assert!(s.lock_if_idle(start + Duration::from_secs(15 * 60 + 1)), "a peek is not activity");
    }
}
