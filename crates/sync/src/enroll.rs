//! Enrollment: a new device trades a one-time code for its credential, the
//! user signs in online once, and the local store is created with the
//! device id and organization the service gave.

use std::path::Path;
use std::sync::{Arc, Mutex};
use waystation_core::UserName;
use waystation_protocol::{DeviceCredential, EnrollRequest, EnrollmentCode, Password, SignInRequest};
use waystation_store::{KdfParams, Passphrase, Store, StoreError};

use crate::client::{Client, parse_server_url};
use crate::engine::{SyncOptions, Syncer};
use crate::error::{Result, SyncError};
use crate::state::{self, SyncState};

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
}

impl std::fmt::Debug for Enrollment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrollment").field("server", &self.server).field("user", &self.user).finish_non_exhaustive()
    }
}

/// Enroll this device, sign the user in online, and create the store.
/// Refuses (changing nothing) when `dir` already holds a store.
pub async fn enroll(e: Enrollment<'_>) -> Result<Store> {
    if Store::users_in(e.dir).is_ok() || e.dir.join(waystation_store::DB_FILE).exists() {
        return Err(SyncError::StoreExists);
    }
    // Check the passphrase policy before spending the one-time code.
    let passphrase = Passphrase::new(e.password)?;
    let url = parse_server_url(e.server)?;
    let client = Client::new(url.clone())?;
    let request_file = request_id_path(e.dir);
    let request_id = request_id(&request_file)?;
    let enrolled = client
        .enroll(&EnrollRequest {
            code: e.code,
            device_name: e.device_name,
            app_version: env!("CARGO_PKG_VERSION").into(),
            request_id: Some(request_id),
        })
        .await?;
    let credential = DeviceCredential { device_id: enrolled.device_id, secret: enrolled.device_secret.clone() };
    let client = client.with_credential(credential.clone());
    let signed = client
        .sign_in(&SignInRequest { user: e.user.clone(), password: Password::new(e.password) })
        .await
        .map_err(|err| match err {
            SyncError::Refused { code, message } => SyncError::Refused {
                code,
                message: format!(
                    "{message} (not enrolled yet; the code is still good for this device while it lasts; try again)"
                ),
            },
            other => other,
        })?;
    let dir = e.dir.to_owned();
    let user = e.user.clone();
    let org = enrolled.org.clone();
    let kdf = e.kdf;
    let device = enrolled.device_id;
    let state =
        SyncState::enrolled(url.as_str(), credential, signed.org, enrolled.role, enrolled.server_epoch.0.clone());
    let store = tokio::task::spawn_blocking(move || {
        let mut store = Store::create(&dir, &user, &passphrase, device, &org, kdf)?;
        state::save(&mut store, &state)?;
        Ok::<_, SyncError>(store)
    })
    .await
    .map_err(|_| SyncError::State("creating the store was interrupted".into()))?
    .map_err(|err| match err {
        SyncError::Store(StoreError::AlreadyExists) => SyncError::StoreExists,
        other => other,
    })?;
    // The enrollment is finished: its request id is of no further use.
    let _ = std::fs::remove_file(&request_file);
    Ok(store)
}

/// Where the enrollment request id of the store in `dir` is kept: a file
/// beside the store's folder (`<folder>.enrollment`), so that the folder
/// stays empty until the store is created. The id is not secret.
pub fn request_id_path(dir: &Path) -> std::path::PathBuf {
    let mut name = dir.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "store".into());
    name.push(".enrollment");
    dir.with_file_name(name)
}

/// The enrollment request id kept at `path`, made (and kept) on the first try.
fn request_id(path: &Path) -> Result<String> {
    if let Ok(kept) = std::fs::read_to_string(path) {
        let kept = kept.trim();
        if (16..=64).contains(&kept.len()) && kept.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Ok(kept.to_owned());
        }
    }
    let id = uuid::Uuid::now_v7().to_string();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|err| SyncError::State(format!("keeping the enrollment id: {err}")))?;
    }
    let tmp = path.with_extension("enrollment.tmp");
    std::fs::write(&tmp, &id)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|err| SyncError::State(format!("keeping the enrollment id: {err}")))?;
    Ok(id)
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
