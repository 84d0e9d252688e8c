//! What the sync client remembers between runs: the service, this device's
//! credential, the epoch it last saw, the last success and error, and the
//! operations the service refused.
//!
//! It lives beside the store in `sync-state.json`, encrypted: the state is
//! sealed with AES-256-GCM under a random key, and that key is wrapped per
//! local user with a key derived from the user's passphrase by Argon2id, as
//! the store's key ring does. Nothing in the file is readable without a
//! passphrase. (A table inside the encrypted store is the better home; see
//! the lead's request list. The format is versioned so it can move there.)

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use waystation_core::{DeviceId, OpId, OrgId, Role};
use waystation_protocol::{DeviceCredential, DeviceSecret, OpStatus};
use waystation_store::KdfParams;
use zeroize::Zeroizing;

use crate::error::{Result, SyncError};

/// File name of the sync state inside a store folder.
pub const STATE_FILE: &str = "sync-state.json";
const STATE_TMP: &str = "sync-state.json.tmp";
const FORMAT: u32 = 1;
const AAD: &[u8] = b"waystation sync state v1";

/// An operation the service refused: kept in the outbox, not sent again
/// (until the service's epoch changes), and shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedOp {
    /// What the service said became of it.
    pub status: OpStatus,
    /// The service's words.
    pub message: Option<String>,
    /// When it was refused.
    pub at: DateTime<Utc>,
}

/// The sync client's memory for one store.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct SyncState {
    /// The service's address.
    pub server: Option<String>,
    /// This device's id, as the service enrolled it.
    pub device_id: Option<DeviceId>,
    secret: Option<DeviceSecret>,
    /// The organization the device belongs to.
    pub org: Option<OrgId>,
    /// The role the device syncs as.
    pub role: Option<Role>,
    /// The service epoch the outbox's acknowledgements belong to.
    pub epoch: Option<String>,
    /// When a sync last finished (push and pull).
    pub last_success: Option<DateTime<Utc>>,
    /// The last error, in plain words, and when (cleared by a success).
    pub last_error: Option<String>,
    /// When the last error happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// Operations the service refused, by id.
    pub refused: BTreeMap<OpId, RefusedOp>,
}

impl fmt::Debug for SyncState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncState")
            .field("server", &self.server)
            .field("device_id", &self.device_id)
            .field("secret", &self.secret)
            .field("epoch", &self.epoch)
            .field("last_success", &self.last_success)
            .field("last_error", &self.last_error)
            .field("refused", &self.refused.len())
            .finish_non_exhaustive()
    }
}

impl SyncState {
    /// The state right after enrolling `credential` with the service at `server`.
    pub fn enrolled(server: &str, credential: DeviceCredential, org: OrgId, role: Role, epoch: String) -> Self {
        Self {
            server: Some(server.to_owned()),
            device_id: Some(credential.device_id),
            secret: Some(credential.secret.clone()),
            org: Some(org),
            role: Some(role),
            epoch: Some(epoch),
            ..Self::default()
        }
    }

    /// The device credential, when enrolled.
    pub fn credential(&self) -> Option<DeviceCredential> {
        Some(DeviceCredential { device_id: self.device_id?, secret: self.secret.clone()? })
    }
}

#[derive(Serialize, Deserialize)]
struct Wrap {
    kdf: KdfParams,
    salt: String,
    nonce: String,
    wrapped: String,
}

#[derive(Serialize, Deserialize)]
struct FileBody {
    format: u32,
    wraps: BTreeMap<String, Wrap>,
    nonce: String,
    sealed: String,
}

/// The open, unlocked state file of one store.
pub struct StateFile {
    path: PathBuf,
    key: Zeroizing<[u8; 32]>,
    wraps: BTreeMap<String, Wrap>,
}

impl fmt::Debug for StateFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateFile").field("path", &self.path).field("key", &"<redacted>").finish()
    }
}

fn bad(what: &str) -> SyncError {
    SyncError::State(format!("{STATE_FILE} is damaged ({what})"))
}

fn derive(kdf: KdfParams, passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    if kdf.m_cost_kib > 4 * 1024 * 1024 || kdf.t_cost > 100 || kdf.p_cost > 64 {
        return Err(bad("key-derivation parameters out of range"));
    }
    let params = Params::new(kdf.m_cost_kib, kdf.t_cost, kdf.p_cost, Some(32)).map_err(|_| bad("kdf"))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut_slice())
        .map_err(|_| bad("kdf"))?;
    Ok(out)
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

fn unhex(text: &str, what: &str) -> Result<Vec<u8>> {
    hex::decode(text).map_err(|_| bad(what))
}

impl StateFile {
    /// Whether the folder holds a sync state (the store was enrolled).
    pub fn exists(dir: &Path) -> bool {
        dir.join(STATE_FILE).exists()
    }

    /// A new state file for `dir`, readable by `user` with `passphrase`. It is written by [`StateFile::save`].
    pub fn create(dir: &Path, user: &str, passphrase: &str, kdf: KdfParams) -> Result<Self> {
        let key = Zeroizing::new(random::<32>());
        let mut file = Self { path: dir.join(STATE_FILE), key, wraps: BTreeMap::new() };
        file.add_user(user, passphrase, kdf)?;
        Ok(file)
    }

    /// Give `user` a key to this state (another local user of the store).
    pub fn add_user(&mut self, user: &str, passphrase: &str, kdf: KdfParams) -> Result<()> {
        let salt = random::<16>();
        let nonce = random::<12>();
        let kek = derive(kdf, passphrase, &salt)?;
        let cipher = Aes256Gcm::new_from_slice(kek.as_slice()).map_err(|_| bad("key"))?;
        let wrapped = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: self.key.as_slice(), aad: user.as_bytes() })
            .map_err(|_| bad("wrap"))?;
        self.wraps.insert(
            user.to_owned(),
            Wrap { kdf, salt: hex::encode(salt), nonce: hex::encode(nonce), wrapped: hex::encode(wrapped) },
        );
        Ok(())
    }

    /// Open the state of the store in `dir` as `user`; `None` when the store was never enrolled.
    pub fn open(dir: &Path, user: &str, passphrase: &str) -> Result<Option<(Self, SyncState)>> {
        let path = dir.join(STATE_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SyncError::State(format!("cannot read {STATE_FILE}: {e}"))),
        };
        let body: FileBody = serde_json::from_str(&text).map_err(|_| bad("not JSON of the expected shape"))?;
        if body.format != FORMAT {
            return Err(SyncError::State(format!("{STATE_FILE} has format {}, this app reads {FORMAT}", body.format)));
        }
        let wrap = body.wraps.get(user).ok_or_else(|| {
            SyncError::State(format!("user {user} has no key to this store's sync state; enroll as this user first"))
        })?;
        let kek = derive(wrap.kdf, passphrase, &unhex(&wrap.salt, "salt")?)?;
        let cipher = Aes256Gcm::new_from_slice(kek.as_slice()).map_err(|_| bad("key"))?;
        let nonce = unhex(&wrap.nonce, "nonce")?;
        if nonce.len() != 12 {
            return Err(bad("nonce"));
        }
        let key = Zeroizing::new(
            cipher
                .decrypt(
                    Nonce::from_slice(&nonce),
                    Payload { msg: &unhex(&wrap.wrapped, "wrapped key")?, aad: user.as_bytes() },
                )
                .map_err(|_| SyncError::State("the passphrase does not open this store's sync state".into()))?,
        );
        let key: [u8; 32] = key.as_slice().try_into().map_err(|_| bad("key length"))?;
        let file = Self { path, key: Zeroizing::new(key), wraps: body.wraps };
        let state = file.unseal(&body.nonce, &body.sealed)?;
        Ok(Some((file, state)))
    }

    fn unseal(&self, nonce: &str, sealed: &str) -> Result<SyncState> {
        let nonce = unhex(nonce, "nonce")?;
        if nonce.len() != 12 {
            return Err(bad("nonce"));
        }
        let cipher = Aes256Gcm::new_from_slice(self.key.as_slice()).map_err(|_| bad("key"))?;
        let plain = Zeroizing::new(
            cipher
                .decrypt(Nonce::from_slice(&nonce), Payload { msg: &unhex(sealed, "sealed state")?, aad: AAD })
                .map_err(|_| bad("the sealed state does not authenticate"))?,
        );
        serde_json::from_slice(&plain).map_err(|_| bad("the sealed state is not a sync state"))
    }

    /// Seal and write `state`, atomically (a temporary file, synced, renamed over the old one).
    pub fn save(&self, state: &SyncState) -> Result<()> {
        let plain = Zeroizing::new(serde_json::to_vec(state).map_err(|e| SyncError::State(e.to_string()))?);
        let nonce = random::<12>();
        let cipher = Aes256Gcm::new_from_slice(self.key.as_slice()).map_err(|_| bad("key"))?;
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_slice(), aad: AAD })
            .map_err(|_| bad("seal"))?;
        let wraps: BTreeMap<&String, &Wrap> = self.wraps.iter().collect();
        let body = serde_json::json!({
            "format": FORMAT, "wraps": wraps, "nonce": hex::encode(nonce), "sealed": hex::encode(sealed),
        });
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let tmp = dir.join(STATE_TMP);
        let io = |e: std::io::Error| SyncError::State(format!("cannot write {STATE_FILE}: {e}"));
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp).map_err(io)?;
        f.write_all(body.to_string().as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        fs::rename(&tmp, &self.path).map_err(io)?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Overwrite and remove the state file of `dir` (a revoked device).
    pub fn wipe(dir: &Path) -> Result<()> {
        for name in [STATE_FILE, STATE_TMP] {
            let path = dir.join(name);
            if let Ok(meta) = fs::metadata(&path) {
                let io = |e: std::io::Error| SyncError::State(format!("cannot wipe {name}: {e}"));
                let mut f = OpenOptions::new().write(true).open(&path).map_err(io)?;
                f.write_all(&vec![0u8; meta.len() as usize]).map_err(io)?;
                f.sync_all().map_err(io)?;
                fs::remove_file(&path).map_err(io)?;
            }
        }
        Ok(())
    }
}
