//! The key ring: the database key wrapped once per local user, the
//! failed-attempt counters and an audit checkpoint, kept in a small file
//! beside the database (`keyring.json`). It holds no case data, so a wrong
//! passphrase changes only this file and never the database or its WAL.
//!
//! Each wrap: a key-encryption key derived from the passphrase by Argon2id
//! (parameters and salt stored with the wrap), then AES-256-GCM over the
//! 32-byte database key. The user name and the parameters are the GCM
//! associated data, so neither can be swapped without the unwrap failing.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};
use crate::passphrase::Passphrase;

/// File name of the key ring inside a store folder.
pub const KEYRING_FILE: &str = "keyring.json";
pub(crate) const KEYRING_TMP: &str = "keyring.json.tmp";
/// An empty file whose exclusive lock serializes every read-modify-write of
/// the key ring across processes (the desktop app and the CLI).
pub(crate) const KEYRING_LOCK: &str = "keyring.lock";
const FORMAT: u32 = 1;
/// At most this many failed attempts are kept for the audit log.
const MAX_UNRECORDED: usize = 100;

/// The 32-byte database key, wiped from memory on drop.
pub(crate) type DbKey = Zeroizing<[u8; 32]>;

/// Argon2id cost parameters, stored with each wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over the memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// About a quarter second on the project's 2-core laptops in a release
    /// build (see the benchmark): 64 MiB, 3 passes, 1 lane.
    fn default() -> Self {
        Self { m_cost_kib: 64 * 1024, t_cost: 3, p_cost: 1 }
    }
}

impl KdfParams {
    /// Tiny parameters for tests: fast, and worthless against an attacker.
    pub fn for_tests() -> Self {
        Self { m_cost_kib: 64, t_cost: 1, p_cost: 1 }
    }

    fn argon2(&self) -> Result<Argon2<'static>> {
        // A damaged or hostile key ring must not make us allocate terabytes.
        if self.m_cost_kib > 4 * 1024 * 1024 || self.t_cost > 100 || self.p_cost > 64 {
            return Err(StoreError::Kdf("parameters are out of range".into()));
        }
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))
            .map_err(|e| StoreError::Kdf(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    pub(crate) fn derive(&self, passphrase: &Passphrase, salt: &[u8]) -> Result<DbKey> {
        let mut kek = Zeroizing::new([0u8; 32]);
        self.argon2()?
            .hash_password_into(passphrase.as_bytes(), salt, kek.as_mut_slice())
            .map_err(|e| StoreError::Kdf(e.to_string()))?;
        Ok(kek)
    }

    /// Seal `plain` (AES-256-GCM, bound to `aad`) under a key derived from
    /// `passphrase` with a fresh salt: (salt, nonce, sealed bytes).
    pub(crate) fn seal(
        &self,
        passphrase: &Passphrase,
        plain: &[u8],
        aad: &[u8],
    ) -> Result<([u8; 16], [u8; 12], Vec<u8>)> {
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut salt);
        rand::rng().fill_bytes(&mut nonce);
        let key = self.derive(passphrase, &salt)?;
        let cipher = Aes256Gcm::new_from_slice(key.as_slice()).map_err(|e| StoreError::Kdf(e.to_string()))?;
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
            .map_err(|_| StoreError::Kdf("sealing failed".into()))?;
        Ok((salt, nonce, sealed))
    }

    /// Open what [`KdfParams::seal`] made; `None` when the passphrase or
    /// `aad` differ or the bytes were altered. `nonce` must be 12 bytes.
    pub(crate) fn open(
        &self,
        passphrase: &Passphrase,
        salt: &[u8],
        nonce: &[u8],
        sealed: &[u8],
        aad: &[u8],
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let key = self.derive(passphrase, salt)?;
        let cipher = Aes256Gcm::new_from_slice(key.as_slice()).map_err(|e| StoreError::Kdf(e.to_string()))?;
        Ok(cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad }).ok().map(Zeroizing::new))
    }
}

/// When wrong passphrases lock a user out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    /// Wrong passphrases within `window_secs` that lock the user out (CJIS: 5).
    pub max_failures: u32,
    /// Failures further apart than this start a new count.
    pub window_secs: i64,
    /// The first lockout's length (CJIS: 10 minutes); each further lockout
    /// before a successful unlock doubles it.
    pub base_delay_secs: i64,
    /// The longest lockout.
    pub max_delay_secs: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self { max_failures: 5, window_secs: 15 * 60, base_delay_secs: 10 * 60, max_delay_secs: 24 * 3600 }
    }
}

/// One user's failed attempts since their last successful unlock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Failures {
    /// Failures in the current window.
    pub count: u32,
    /// When the current window began.
    pub window_start: Option<DateTime<Utc>>,
    /// Lockouts since the last success (the next one lasts `base << lockouts`).
    pub lockouts: u32,
    /// No attempt is tried before this.
    pub locked_until: Option<DateTime<Utc>>,
    /// Failed attempts not yet written to the audit log (written at the next unlock).
    pub unrecorded: Vec<DateTime<Utc>>,
}

impl Failures {
    /// Refuse any attempt while locked out.
    pub fn check(&self, now: DateTime<Utc>) -> Result<()> {
        match self.locked_until {
            Some(until) if now < until => Err(StoreError::LockedOut { until }),
            _ => Ok(()),
        }
    }

    /// Count a wrong passphrase; the error to give the user.
    pub fn record_failure(&mut self, now: DateTime<Utc>, policy: &LockoutPolicy) -> StoreError {
        if self.unrecorded.len() < MAX_UNRECORDED {
            self.unrecorded.push(now);
        }
        let window = Duration::seconds(policy.window_secs);
        if self.window_start.is_none_or(|start| now - start > window) {
            self.count = 0;
            self.window_start = Some(now);
        }
        self.count += 1;
        if self.count >= policy.max_failures {
            let factor = 1i64.checked_shl(self.lockouts.min(30)).unwrap_or(i64::MAX);
            let secs = policy.base_delay_secs.saturating_mul(factor).min(policy.max_delay_secs);
            let until = now + Duration::seconds(secs);
            self.lockouts += 1;
            self.count = 0;
            self.window_start = None;
            self.locked_until = Some(until);
            return StoreError::LockedOut { until };
        }
        StoreError::WrongPassphrase { attempts_left: policy.max_failures - self.count }
    }
}

/// One user's wrapped database key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UserKey {
    pub kdf: KdfParams,
    salt: String,
    nonce: String,
    wrapped_key: String,
    #[serde(default)]
    pub failures: Failures,
}

fn associated_data(user: &str, kdf: &KdfParams) -> Vec<u8> {
    format!("waystation-keyring-v1\0{user}\0{}\0{}\0{}", kdf.m_cost_kib, kdf.t_cost, kdf.p_cost).into_bytes()
}

impl UserKey {
    /// Wrap `db_key` for `user` under `passphrase`.
    pub fn wrap(db_key: &DbKey, user: &str, passphrase: &Passphrase, kdf: KdfParams) -> Result<Self> {
        let (salt, nonce, wrapped) = kdf.seal(passphrase, db_key.as_slice(), &associated_data(user, &kdf))?;
        Ok(Self {
            kdf,
            salt: hex::encode(salt),
            nonce: hex::encode(nonce),
            wrapped_key: hex::encode(wrapped),
            failures: Failures::default(),
        })
    }

    /// The database key, or `None` when the passphrase is wrong.
    pub fn unwrap_key(&self, user: &str, passphrase: &Passphrase) -> Result<Option<DbKey>> {
        let damaged = |what: &str| StoreError::KeyringDamaged(format!("user {user}: {what}"));
        let salt = hex::decode(&self.salt).map_err(|_| damaged("bad salt"))?;
        let nonce = hex::decode(&self.nonce).map_err(|_| damaged("bad nonce"))?;
        let wrapped = hex::decode(&self.wrapped_key).map_err(|_| damaged("bad wrapped key"))?;
        if nonce.len() != 12 || salt.len() < 8 {
            return Err(damaged("bad salt or nonce length"));
        }
        let aad = associated_data(user, &self.kdf);
        let Some(plain) = self.kdf.open(passphrase, &salt, &nonce, &wrapped, &aad)? else {
            return Ok(None);
        };
        let mut key = Zeroizing::new([0u8; 32]);
        if plain.len() != 32 {
            return Err(damaged("wrapped key has the wrong length"));
        }
        key.copy_from_slice(&plain);
        Ok(Some(key))
    }
}

/// The newest audit entry as last seen by an unlocked session: deleting
/// entries from the end of the chain inside the database cannot hide from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AuditCheckpoint {
    pub seq: u64,
    pub hash: String,
}

/// The key ring file's content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Keyring {
    format: u32,
    pub lockout: LockoutPolicy,
    pub users: BTreeMap<String, UserKey>,
    #[serde(default)]
    pub audit_checkpoint: Option<AuditCheckpoint>,
}

impl Keyring {
    pub fn new() -> Self {
        Self { format: FORMAT, lockout: LockoutPolicy::default(), users: BTreeMap::new(), audit_checkpoint: None }
    }

    /// Hold the key ring's lock until the returned file is dropped. Unlock
    /// attempts hold it from reading the failure count to writing it back,
    /// so parallel attempts cannot each see the same count (which would let
    /// an attacker try many passphrases before a lockout).
    pub fn lock(dir: &Path) -> Result<File> {
        if !dir.join(KEYRING_FILE).exists() {
            return Err(StoreError::NotAStore);
        }
        let file = OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(KEYRING_LOCK))?;
        file.lock()?;
        Ok(file)
    }

    pub fn exists(dir: &Path) -> bool {
        dir.join(KEYRING_FILE).exists()
    }

    pub fn load(dir: &Path) -> Result<Self> {
        let bytes = match fs::read(dir.join(KEYRING_FILE)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotAStore),
            Err(e) => return Err(e.into()),
        };
        let ring: Keyring = serde_json::from_slice(&bytes).map_err(|e| StoreError::KeyringDamaged(e.to_string()))?;
        if ring.format != FORMAT {
            return Err(StoreError::KeyringDamaged(format!("unknown format {}", ring.format)));
        }
        Ok(ring)
    }

    /// Write the key ring atomically: a temporary file, fsync, rename, fsync
    /// of the folder. A crash leaves either the old or the new file.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| StoreError::KeyringDamaged(e.to_string()))?;
        let tmp = dir.join(KEYRING_TMP);
        {
            let mut options = OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp)?;
            file.write_all(&json)?;
            file.sync_all()?;
        }
        fs::rename(&tmp, dir.join(KEYRING_FILE))?;
        File::open(dir)?.sync_all()?;
        Ok(())
    }

    pub fn user(&self, user: &str) -> Result<&UserKey> {
        self.users.get(user).ok_or_else(|| StoreError::UnknownUser(user.to_owned()))
    }

    pub fn user_mut(&mut self, user: &str) -> Result<&mut UserKey> {
        self.users.get_mut(user).ok_or_else(|| StoreError::UnknownUser(user.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn five_failures_lock_out_and_each_further_lockout_doubles() {
        let p = LockoutPolicy::default();
        let mut f = Failures::default();
        for left in [4, 3, 2, 1] {
            assert!(
                matches!(f.record_failure(t(0), &p), StoreError::WrongPassphrase { attempts_left } if attempts_left == left)
            );
        }
        let StoreError::LockedOut { until } = f.record_failure(t(1), &p) else { panic!("not locked out") };
        assert_eq!(until, t(1 + 600));
        assert!(f.check(t(600)).is_err());
        assert!(f.check(t(601)).is_ok());
        for _ in 0..4 {
            f.record_failure(t(700), &p);
        }
        let StoreError::LockedOut { until } = f.record_failure(t(700), &p) else { panic!("not locked out") };
        assert_eq!(until, t(700 + 1200));
    }

    #[test]
    fn failures_outside_the_window_start_a_new_count() {
        let p = LockoutPolicy::default();
        let mut f = Failures::default();
        for _ in 0..4 {
            f.record_failure(t(0), &p);
        }
        assert!(matches!(f.record_failure(t(3600), &p), StoreError::WrongPassphrase { attempts_left: 4 }));
    }

    #[test]
    fn wrap_binds_user_and_parameters() {
        let key = Zeroizing::new([7u8; 32]);
        let pass = Passphrase::new("a long enough passphrase").unwrap();
        let wrap = UserKey::wrap(&key, "ana", &pass, KdfParams::for_tests()).unwrap();
        assert_eq!(*wrap.unwrap_key("ana", &pass).unwrap().unwrap(), [7u8; 32]);
        assert!(wrap.unwrap_key("bob", &pass).unwrap().is_none());
        let mut weaker = wrap.clone();
        weaker.kdf.t_cost = 2;
        assert!(weaker.unwrap_key("ana", &pass).unwrap().is_none());
        let wrong = Passphrase::new("not the passphrase").unwrap();
        assert!(wrap.unwrap_key("ana", &wrong).unwrap().is_none());
    }
}
