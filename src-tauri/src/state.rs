//! The app's state, managed by Tauri: where the store lives, the open store
//! (when unlocked) and the settings. Commands run their store work on a
//! blocking thread so that Argon2 or a long query never freezes the window.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use waystation_store::{KEYRING_FILE, Store};
use waystation_sync::SharedStore;

use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::settings::Settings;
use crate::sync_task::{Counts, SessionRuns};
use crate::sync_task::{Emitter, SyncTask};

/// An unlocked store and what belongs to this sign-in. The store is shared
/// with the background sync task, which holds it for one batch at a time.
pub struct Session {
    /// The open store.
    store: SharedStore,
    last_activity: Instant,
    sync: Option<SyncTask>,
    /// What the syncs did since unlocking (kept when the sync task starts again).
    runs: Arc<Mutex<SessionRuns>>,
}

impl Session {
    /// A session for a store just opened.
    pub fn new(store: Store) -> Self {
        Self { store: Arc::new(Mutex::new(store)), last_activity: Instant::now(), sync: None, runs: Arc::default() }
    }

    /// Stop the sync task and lock the store (records it, wipes the key). When the
    /// task does not let go of the store in time, the store closes when it does.
    fn close(mut self) -> CommandResult<()> {
        if let Some(task) = self.sync.take() {
            task.stop();
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut store = self.store;
        loop {
            match Arc::try_unwrap(store) {
                Ok(m) => return Ok(m.into_inner().unwrap_or_else(PoisonError::into_inner).lock()?),
                Err(still_shared) if Instant::now() < deadline => {
                    store = still_shared;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(_) => return Ok(()),
            }
        }
    }
}

/// Why the app went back to first run on its own (shown there, once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// An administrator revoked this device; its store was wiped.
    Revoked,
}

/// The background sync stopped by [`AppState::pause_sync`]; it starts again when this is dropped.
pub struct SyncPaused {
    app: AppState,
    /// Whether a session was open when the sync was stopped.
    restart: bool,
}

impl Drop for SyncPaused {
    fn drop(&mut self) {
        self.app.0.paused.store(false, Ordering::SeqCst);
        if self.restart {
            // Locked meanwhile: nothing to start. Any other failure shows on the sync line at the next "Sync now".
            let _ = self.app.start_sync();
        }
    }
}

/// Everything the commands share.
pub struct Shared {
    dir: PathBuf,
    session: Mutex<Option<Session>>,
    settings: Mutex<Settings>,
    notice: Mutex<Option<Notice>>,
    emitter: Mutex<Option<Emitter>>,
    /// The sync state is being changed (a move): the background sync stays stopped.
    paused: AtomicBool,
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
        Self(Arc::new(Shared {
            dir,
            session: Mutex::new(None),
            settings: Mutex::new(settings),
            notice: Mutex::new(None),
            emitter: Mutex::new(None),
            paused: AtomicBool::new(false),
        }))
    }

    /// Where sync events go (the window); set once at start.
    pub fn set_emitter(&self, emitter: Emitter) {
        *guard(&self.0.emitter) = Some(emitter);
    }

    /// Start the background sync of the open store, when it is enrolled (a no-op otherwise or when running).
    pub fn start_sync(&self) -> CommandResult<()> {
        let mut g = guard(&self.0.session);
        let Some(session) = g.as_mut() else { return Err(CommandError::locked()) };
        if self.0.paused.load(Ordering::SeqCst) || session.sync.as_ref().is_some_and(SyncTask::is_running) {
            return Ok(());
        }
        let emitter = guard(&self.0.emitter).clone();
        let runs = Arc::clone(&session.runs);
        session.sync = SyncTask::start(Arc::clone(&session.store), runs, self.clone(), emitter)?;
        Ok(())
    }

    /// Sync now: wake the running task, or start it again after it stopped on an error.
    pub fn sync_now(&self) -> CommandResult<()> {
        {
            let g = guard(&self.0.session);
            let session = g.as_ref().ok_or_else(CommandError::locked)?;
            if let Some(task) = session.sync.as_ref().filter(|t| t.is_running()) {
                task.nudge();
                return Ok(());
            }
        }
        self.start_sync()?;
        let g = guard(&self.0.session);
        match g.as_ref().and_then(|s| s.sync.as_ref()) {
            Some(_) => Ok(()),
            None => Err(CommandError::new(ErrorCode::Unavailable, "this device is not enrolled with a sync service")),
        }
    }

    /// Stop the background sync and keep it stopped while the returned guard
    /// lives (dropping it starts the sync again): for changing the sync state
    /// the task would otherwise overwrite. Waits until the task let go (at
    /// most 30 s); also the open store, to change.
    pub async fn pause_sync(&self) -> CommandResult<(SyncPaused, SharedStore)> {
        if self.0.paused.swap(true, Ordering::SeqCst) {
            return Err(CommandError::new(ErrorCode::Unavailable, "the sync service is being changed already"));
        }
        let mut paused = SyncPaused { app: self.clone(), restart: false };
        let store = {
            let g = guard(&self.0.session);
            let session = g.as_ref().ok_or_else(CommandError::locked)?;
            if let Some(task) = &session.sync {
                task.stop();
            }
            Arc::clone(&session.store)
        };
        paused.restart = true;
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.0.sync_running() {
            if Instant::now() > deadline {
                return Err(CommandError::new(ErrorCode::Unavailable, "the sync did not stop; try again in a moment"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok((paused, store))
    }

    /// The device was revoked: its store is already wiped. Forget the session; first run says why.
    pub(crate) fn revoked(&self) {
        let old = guard(&self.0.session).take();
        // The files are gone: dropping closes the database and wipes the key without writing.
        drop(old);
        *guard(&self.0.notice) = Some(Notice::Revoked);
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

    /// The window's event channel, when there is a window.
    pub fn emitter(&self) -> Option<Emitter> {
        guard(&self.0.emitter).clone()
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
    pub fn with_session<T>(&self, f: impl FnOnce(&mut Store) -> CommandResult<T>) -> CommandResult<T> {
        let store = {
            let mut g = guard(&self.session);
            let s = g.as_mut().ok_or_else(CommandError::locked)?;
            s.last_activity = Instant::now();
            Arc::clone(&s.store)
        };
        let mut store = guard(&store);
        f(&mut store)
    }

    /// Look at the open store without counting as activity (the sync line polls).
    pub fn peek_session<T>(&self, f: impl FnOnce(&Store) -> CommandResult<T>) -> CommandResult<T> {
        let store = Arc::clone(&guard(&self.session).as_ref().ok_or_else(CommandError::locked)?.store);
        let store = guard(&store);
        f(&store)
    }

    /// The live progress of the background sync, if it runs for the open store.
    pub fn sync_progress(&self) -> Option<waystation_sync::Progress> {
        guard(&self.session).as_ref().and_then(|s| s.sync.as_ref()).map(SyncTask::progress)
    }

    /// Whether the background sync runs for the open store.
    pub fn sync_running(&self) -> bool {
        guard(&self.session).as_ref().and_then(|s| s.sync.as_ref()).is_some_and(SyncTask::is_running)
    }

    /// Changes sent and received since unlocking (zero when locked).
    pub fn sync_since_unlock(&self) -> Counts {
        let session = guard(&self.session);
        let Some(s) = session.as_ref() else { return Counts::default() };
        let live = s.sync.as_ref().map(SyncTask::progress);
        guard(&s.runs).since_unlock(live.as_ref())
    }

    /// The signed-in user, if unlocked.
    pub fn signed_in(&self) -> Option<String> {
        let store = Arc::clone(&guard(&self.session).as_ref()?.store);
        let user = guard(&store).user().as_str().to_owned();
        Some(user)
    }

    /// Take the notice first run shows (once).
    pub fn take_notice(&self) -> Option<Notice> {
        guard(&self.notice).take()
    }

    /// Replace the session (after an unlock or a create), locking any open one first.
    pub fn open(&self, session: Session) -> CommandResult<()> {
        *guard(&self.notice) = None;
        let old = guard(&self.session).replace(session);
        match old {
            Some(old) => old.close(),
            None => Ok(()),
        }
    }

    /// Lock: stop syncing; the store records it, closes and wipes its key.
    pub fn lock(&self) -> CommandResult<()> {
        let old = guard(&self.session).take();
        match old {
            Some(s) => s.close(),
            None => Ok(()),
        }
    }

    /// Lock when nothing happened for the idle time. True when it locked.
    pub fn lock_if_idle(&self, now: Instant) -> bool {
        let idle = Duration::from_secs(u64::from(self.settings().idle_lock_minutes) * 60);
        let mut g = guard(&self.session);
        let expired = g.as_ref().is_some_and(|s| now.duration_since(s.last_activity) >= idle);
        if expired && let Some(s) = g.take() {
            drop(g);
            // Locking also wipes the key; an audit write failing here must not keep it open.
            let _ = s.close();
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

    const USER: &str = "ana.lopez";
    const PASS: &str = "a long passphrase";

    /// The app's state with a local store just created and open in `dir`.
    fn unlocked(dir: &Path) -> AppState {
        let state = AppState::new(dir.join("store"));
        let s = state.shared();
        let user = UserName::parse("user", USER).unwrap();
        let org = OrgId::parse("org", "local-demo").unwrap();
        let pass = Passphrase::new(PASS).unwrap();
        let store = Store::create(s.dir(), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap();
        s.open(Session::new(store)).unwrap();
        state
    }

    #[test]
    fn the_store_locks_itself_after_the_idle_time_and_not_before() {
        let dir = tempfile::tempdir().unwrap();
        let state = unlocked(dir.path());
        let s = state.shared();
        s.set_settings(Settings { idle_lock_minutes: 15, ..Settings::default() }).unwrap();
        let start = Instant::now();

        assert!(!s.lock_if_idle(start + Duration::from_secs(14 * 60)));
        assert_eq!(s.signed_in().as_deref(), Some("ana.lopez"));
        assert!(s.lock_if_idle(start + Duration::from_secs(15 * 60 + 1)));
        assert_eq!(s.signed_in(), None);
        let e = s.with_session(|_| Ok(())).unwrap_err();
        assert_eq!(e.code, ErrorCode::Locked);
        // The store can be unlocked again: locking closed it cleanly.
        let user = UserName::parse("user", USER).unwrap();
        Store::unlock(s.dir(), &user, &Passphrase::new(PASS).unwrap()).unwrap().lock().unwrap();
    }

    #[test]
    fn polling_does_not_keep_an_idle_store_open() {
        let dir = tempfile::tempdir().unwrap();
        let state = unlocked(dir.path());
        let s = state.shared();
        let start = Instant::now();
        s.peek_session(|store| Ok(store.outbox_len()?)).unwrap();
        assert!(s.lock_if_idle(start + Duration::from_secs(15 * 60 + 1)), "a peek is not activity");
    }
}
