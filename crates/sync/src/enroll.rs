//! Enrollment: a new device trades a one-time code for its credential, the
//! user signs in online once, and the local store is created with the
//! device id and organization the service gave.

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use waystation_core::UserName;
use waystation_protocol::{
    DeviceCredential, EnrollRequest, EnrollResponse, EnrollmentCode, ErrorCode, Password, SignInRequest,
};
use waystation_store::{KdfParams, Passphrase, Sealed, Store, StoreError};
use zeroize::Zeroizing;

use crate::client::{Client, parse_server_url};
use crate::engine::{SyncOptions, Syncer};
use crate::error::{EnrollStanding, Result, SyncError};
use crate::state::{self, SyncState};
use crate::watch::Backoff;

/// What enrolling a device needs.
pub struct Enrollment<'a> {
    /// The service's address.
    pub server: &'a str,
    /// The one-time code an administrator printed.
    pub code: EnrollmentCode,
    /// A label for administrators.
    pub device_name: String,
    /// The user signing in.
    pub user: UserName,
    /// The user's password on the service, which also becomes the store's passphrase.
    pub password: &'a str,
    /// The folder of the new store (empty or missing).
    pub dir: &'a Path,
    /// Key-derivation cost for the store and the sync state.
    pub kdf: KdfParams,
    /// How many times each request is tried when the link fails or the
    /// service is busy (at least once), waiting `backoff` between tries.
    pub attempts: u32,
    /// The waits between tries.
    pub backoff: Backoff,
    /// Told each step and each wait, for a screen or a terminal to say what is happening.
    pub progress: Option<Arc<dyn Fn(EnrollProgress) + Send + Sync>>,
}

impl std::fmt::Debug for Enrollment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrollment")
            .field("server", &self.server)
            .field("user", &self.user)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl<'a> Enrollment<'a> {
    /// An enrollment with the usual retries (5 tries, 1 s doubling up to 30 s) and no progress report.
    pub fn new(
        server: &'a str,
        code: EnrollmentCode,
        device_name: String,
        user: UserName,
        password: &'a str,
        dir: &'a Path,
        kdf: KdfParams,
    ) -> Self {
        Self {
            server,
            code,
            device_name,
            user,
            password,
            dir,
            kdf,
            attempts: 5,
            backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(30)),
            progress: None,
        }
    }
}

/// A step of an enrollment, as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnrollProgress {
    /// Asking the service to enroll this device (try `attempt`).
    Enrolling {
        /// 1 for the first try.
        attempt: u32,
    },
    /// The service enrolled the device; its credential is kept, sealed under the password.
    Enrolled,
    /// Checking the password with the service (try `attempt`).
    SigningIn {
        /// 1 for the first try.
        attempt: u32,
    },
    /// The service accepted the password.
    SignedIn,
    /// The encrypted store was created (its sync state is written next).
    StoreCreated,
    /// A try failed in a way that may pass; the next one starts after `wait`.
    Waiting {
        /// What failed, in plain words.
        reason: String,
        /// Until the next try.
        wait: Duration,
    },
    /// Picking up an enrollment that stopped earlier, from `from`.
    Resuming {
        /// Where it had stopped, in plain words.
        from: &'static str,
    },
}

impl EnrollProgress {
    /// What is happening, in plain words (English).
    pub fn words(&self) -> String {
        match self {
            EnrollProgress::Enrolling { attempt: 1 } => "enrolling this device with the sync service".into(),
            EnrollProgress::Enrolling { attempt } => {
                format!("enrolling this device with the sync service (try {attempt})")
            }
            EnrollProgress::Enrolled => "the service enrolled this device".into(),
            EnrollProgress::SigningIn { attempt: 1 } => "checking the password with the service".into(),
            EnrollProgress::SigningIn { attempt } => format!("checking the password with the service (try {attempt})"),
            EnrollProgress::SignedIn => "the service accepted the password".into(),
            EnrollProgress::StoreCreated => "created the encrypted store".into(),
            EnrollProgress::Waiting { reason, wait } => {
                format!("{reason}; trying again in {} s (the code is still good)", wait.as_secs_f64().ceil() as u64)
            }
            EnrollProgress::Resuming { from } => format!("picking up the enrollment that stopped {from}"),
        }
    }
}

/// What an enrollment keeps beside the store's folder until it is finished:
/// its request id (not secret) and, once the service answered, the answer
/// with the device credential, sealed under the user's password.
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answer: Option<Sealed>,
}

const SEALED_FOR: &str = "enrollment-answer";

impl Kept {
    /// What is kept at `path`: `None` when nothing is; an error when the
    /// file is there but cannot be read (a new id would lose the code).
    fn load(path: &Path) -> Result<Option<Kept>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(SyncError::State(format!("the enrollment kept in {} cannot be read: {e}", path.display())));
            }
        };
        let kept: Kept = serde_json::from_str(&text).map_err(|_| {
            SyncError::State(format!(
                "the enrollment kept in {} is damaged; remove that file to start over with a new code",
                path.display()
            ))
        })?;
        let id = &kept.request_id;
        if !(16..=64).contains(&id.len()) || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(SyncError::State(format!(
                "the enrollment kept in {} is damaged; remove that file to start over with a new code",
                path.display()
            )));
        }
        Ok(Some(kept))
    }

    fn save(&self, path: &Path) -> Result<()> {
        let keep =
            |err: std::io::Error| SyncError::State(format!("keeping the enrollment in {}: {err}", path.display()));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(keep)?;
        }
        let text = serde_json::to_string(self).map_err(|e| SyncError::State(e.to_string()))?;
        let tmp = path.with_extension("enrollment.tmp");
        let mut file = std::fs::File::create(&tmp).map_err(keep)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(keep)?;
        file.sync_all().map_err(keep)?;
        std::fs::rename(&tmp, path).map_err(keep)
    }

    /// The service's answer kept by an earlier try, when `passphrase` opens it.
    fn answer(&self, user: &UserName, passphrase: &Passphrase) -> Result<Option<EnrollResponse>> {
        let Some(sealed) = &self.answer else { return Ok(None) };
        let Some(plain) = sealed.open(SEALED_FOR, user.as_str(), passphrase)? else { return Ok(None) };
        Ok(serde_json::from_slice(&plain).ok())
    }
}

fn report(e: &Enrollment<'_>, step: EnrollProgress) {
    if let Some(progress) = &e.progress {
        progress(step);
    }
}

/// Try `call` up to `e.attempts` times while it fails in a way that may pass.
async fn with_retries<T, F, Fut>(
    e: &Enrollment<'_>,
    backoff: &mut Backoff,
    step: fn(u32) -> EnrollProgress,
    call: F,
) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut attempt = 1;
    loop {
        report(e, step(attempt));
        match call().await {
            Err(err) if err.is_transient() && attempt < e.attempts.max(1) => {
                let wait = backoff.next_delay();
                report(e, EnrollProgress::Waiting { reason: transient_words(&err), wait });
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            other => {
                backoff.reset();
                return other;
            }
        }
    }
}

fn transient_words(err: &SyncError) -> String {
    match err {
        SyncError::Unreachable(detail) => format!("the sync service cannot be reached ({detail})"),
        SyncError::Busy { message, .. } => format!("the sync service is busy ({message})"),
        other => other.to_string(),
    }
}

/// A failed request of the enrollment, in words that say what became of it.
fn stopped(err: SyncError) -> SyncError {
    use EnrollStanding as S;
    let standing = match &err {
        SyncError::Refused { code: ErrorCode::EnrollmentCodeUsed, .. } => S::CodeUsedElsewhere,
        SyncError::Refused { code: ErrorCode::EnrollmentCodeExpired, .. } => S::CodeExpired,
        SyncError::Refused { code: ErrorCode::EnrollmentCodeInvalid, .. } => S::CodeInvalid,
        SyncError::Revoked => S::Revoked,
        SyncError::Unreachable(_) | SyncError::Busy { .. } | SyncError::BadAnswer(_) | SyncError::Refused { .. } => {
            S::CodeStillGood
        }
        _ => return err,
    };
    let detail = match &err {
        SyncError::Refused { message, .. } | SyncError::Busy { message, .. } => message.clone(),
        other => transient_words(other),
    };
    SyncError::EnrollmentStopped { standing, detail, transient: err.is_transient() }
}

/// Enroll this device, sign the user in online, and create the store.
///
/// Every step can be cut or killed and `enroll` run again with the same
/// code and password: the request id and the service's sealed answer kept
/// beside the store's folder (`<folder>.enrollment`) let a retry finish the
/// same enrollment — the same device, whose credential the service
/// replaces — and a store created before its sync state was written is
/// picked up. Transient failures are retried `attempts` times with backoff.
/// Refuses (changing nothing) when `dir` holds a finished store.
pub async fn enroll(e: Enrollment<'_>) -> Result<Store> {
    // Check the passphrase policy before spending the one-time code.
    let passphrase = Passphrase::new(e.password)?;
    let url = parse_server_url(e.server)?;
    let kept_path = request_id_path(e.dir);
    let kept = Kept::load(&kept_path)?;
    let db_file = e.dir.join(waystation_store::DB_FILE);
    let mut store_there = Store::users_in(e.dir).is_ok() || db_file.exists();
    if store_there && kept.is_some() && Store::users_in(e.dir).is_err() {
        // Killed while the store was being created, before its key ring was
        // written: its random key was never kept, so the half-made database
        // opens for nobody and holds nothing. Start the store again.
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db_file.clone().into_os_string();
            name.push(suffix);
            match std::fs::remove_file(&name) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(SyncError::State(format!("removing a half-made store: {err}"))),
            }
        }
        store_there = false;
    }
    let mut backoff = e.backoff.clone();
    let client = Client::new(url.clone())?;

    // A store is there: finished, or created by an enrollment that stopped
    // before its sync state was written.
    let mut store = None;
    if store_there {
        if kept.is_none() {
            return Err(SyncError::StoreExists);
        }
        report(&e, EnrollProgress::Resuming { from: "after the store was created" });
        let (dir, user, pass) = (e.dir.to_owned(), e.user.clone(), Passphrase::new(e.password)?);
        let opened = blocking(move || Ok(Store::unlock(&dir, &user, &pass)?)).await.map_err(|err| match err {
            SyncError::Store(StoreError::WrongPassphrase { .. } | StoreError::UnknownUser(_)) => SyncError::State(
                "an enrollment that stopped after creating the store is in this folder, for another user or \
                 password; give the same ones as then"
                    .into(),
            ),
            other => other,
        })?;
        if state::load(&opened)?.is_some() {
            // Finished; only the kept enrollment was left behind.
            let _ = std::fs::remove_file(&kept_path);
            return Err(SyncError::StoreExists);
        }
        store = Some(opened);
    }
    let mut kept = match kept {
        Some(kept) => kept,
        None => {
            let kept = Kept { request_id: uuid::Uuid::now_v7().to_string(), answer: None };
            kept.save(&kept_path)?;
            kept
        }
    };

    let request = EnrollRequest {
        code: e.code.clone(),
        device_name: e.device_name.clone(),
        app_version: env!("CARGO_PKG_VERSION").into(),
        request_id: Some(kept.request_id.clone()),
    };
    let sign_in = SignInRequest { user: e.user.clone(), password: Password::new(e.password) };
    // The answer kept by an earlier try, else the service's (kept before the sign-in).
    let mut reused = true;
    let mut enrolled = match kept.answer(&e.user, &passphrase)? {
        Some(answer) => {
            report(&e, EnrollProgress::Resuming { from: "after the service enrolled this device" });
            answer
        }
        None => {
            reused = false;
            enroll_once(&e, &client, &request, &mut kept, &kept_path, &mut backoff).await?
        }
    };
    let mut renewals = 0;
    let signed = loop {
        let credential = DeviceCredential { device_id: enrolled.device_id, secret: enrolled.device_secret.clone() };
        let authed = client.clone().with_credential(credential);
        let signed = with_retries(
            &e,
            &mut backoff,
            |attempt| EnrollProgress::SigningIn { attempt },
            || authed.sign_in(&sign_in),
        )
        .await;
        match signed {
            Ok(signed) => break signed,
            // A credential that no longer opens anything: a later try
            // replaced it (a request the link sent twice, or an earlier run),
            // or the kept answer's device expired. Enroll again with the same
            // request id: the service answers with the same device.
            Err(SyncError::Refused { code: ErrorCode::Unauthorized, .. }) if renewals < e.attempts.max(1) => {
                renewals += 1;
                enrolled = enroll_once(&e, &client, &request, &mut kept, &kept_path, &mut backoff).await?;
            }
            Err(SyncError::Refused { code: ErrorCode::EnrollmentCodeExpired, .. }) if reused => {
                reused = false;
                enrolled = enroll_once(&e, &client, &request, &mut kept, &kept_path, &mut backoff).await?;
            }
            Err(SyncError::Refused { code, message }) => {
                return Err(SyncError::EnrollmentStopped {
                    standing: if code == ErrorCode::EnrollmentCodeExpired {
                        EnrollStanding::CodeExpired
                    } else {
                        EnrollStanding::SignInRefused
                    },
                    detail: message,
                    transient: false,
                });
            }
            Err(err) => return Err(stopped(err)),
        }
    };
    report(&e, EnrollProgress::SignedIn);

    let credential = DeviceCredential { device_id: enrolled.device_id, secret: enrolled.device_secret.clone() };
    let state =
        SyncState::enrolled(url.as_str(), credential, signed.org, enrolled.role, enrolled.server_epoch.0.clone());
    let mut store = match store {
        Some(store) => store,
        None => {
            let (dir, user, org, kdf, device, pass) =
                (e.dir.to_owned(), e.user.clone(), enrolled.org.clone(), e.kdf, enrolled.device_id, passphrase);
            let store =
                blocking(move || Ok(Store::create(&dir, &user, &pass, device, &org, kdf)?)).await.map_err(|err| {
                    match err {
                        SyncError::Store(StoreError::AlreadyExists) => SyncError::StoreExists,
                        other => other,
                    }
                })?;
            report(&e, EnrollProgress::StoreCreated);
            store
        }
    };
    if store.device() != enrolled.device_id {
        return Err(SyncError::State(
            "the store in this folder was made for another enrollment; remove it to enroll again".into(),
        ));
    }
    let store = blocking(move || {
        state::save(&mut store, &state)?;
        Ok(store)
    })
    .await?;
    // The enrollment is finished: what was kept for it is of no further use.
    let _ = std::fs::remove_file(&kept_path);
    Ok(store)
}

/// `POST /v1/enroll` with retries; the answer is sealed and kept before anything else.
async fn enroll_once(
    e: &Enrollment<'_>,
    client: &Client,
    request: &EnrollRequest,
    kept: &mut Kept,
    kept_path: &Path,
    backoff: &mut Backoff,
) -> Result<EnrollResponse> {
    let answer = with_retries(e, backoff, |attempt| EnrollProgress::Enrolling { attempt }, || client.enroll(request))
        .await
        .map_err(stopped)?;
    let plain = Zeroizing::new(serde_json::to_vec(&answer).map_err(|err| SyncError::State(err.to_string()))?);
    let (user, pass, kdf) = (e.user.clone(), Passphrase::new(e.password)?, e.kdf);
    let sealed = blocking(move || Ok(Sealed::seal(&plain, SEALED_FOR, user.as_str(), &pass, kdf)?)).await?;
    kept.answer = Some(sealed);
    kept.save(kept_path)?;
    report(e, EnrollProgress::Enrolled);
    Ok(answer)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|_| SyncError::State("the enrollment was interrupted".into()))?
}

/// Where the enrollment of the store in `dir` is kept until it is finished:
/// a file beside the store's folder (`<folder>.enrollment`), so that the
/// folder stays empty until the store is created. It holds the request id
/// (not secret) and the service's answer sealed under the password.
pub fn request_id_path(dir: &Path) -> std::path::PathBuf {
    let mut name = dir.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "store".into());
    name.push(".enrollment");
    dir.with_file_name(name)
}

/// Open the sync engine of an unlocked, enrolled store.
pub fn open(store: Store, options: SyncOptions) -> Result<Syncer> {
    let state = state::load(&store)?.ok_or(SyncError::NotEnrolled)?;
    Syncer::new(Arc::new(Mutex::new(store)), state, options)
}

/// The sync state of an unlocked store, for a status display; `None` when not enrolled.
pub fn read_state(store: &Store) -> Result<Option<SyncState>> {
    state::load(store)
}
