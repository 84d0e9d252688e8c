//! The store's life: create, unlock (with the failed-attempt count and
//! lockout), lock, local users and their passphrases, wipe.

use chrono::{DateTime, SecondsFormat, Utc};
use rand::RngCore;
use rusqlite::{Connection, TransactionBehavior, params};
use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use waystation_core::{DeviceId, Hlc, HlcClock, OrgId, UserName};
use zeroize::Zeroizing;

use crate::audit::{self, Action, AuditWriter};
use crate::db::{self, DB_FILE, SCHEMA_VERSION};
use crate::error::{Result, StoreError};
use crate::keyring::{DbKey, KEYRING_FILE, KEYRING_LOCK, KEYRING_TMP, KdfParams, Keyring, UserKey};
use crate::passphrase::Passphrase;

/// An unlocked store: the open encrypted database, the database key (wiped
/// on lock or drop), the signed-in user and this device's clock.
pub struct Store {
    pub(crate) dir: PathBuf,
    pub(crate) conn: Connection,
    key: DbKey,
    pub(crate) owner_org: OrgId,
    pub(crate) stamper: Stamper,
}

/// Who and when new operations are made: the device, the user, the clock.
pub(crate) struct Stamper {
    pub device: DeviceId,
    pub user: UserName,
    pub clock: HlcClock,
    pub last_hlc: Option<Hlc>,
}

impl Stamper {
    pub fn tick(&mut self) -> Hlc {
        let ms = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
        let hlc = self.clock.tick(ms);
        self.last_hlc = Some(hlc);
        hlc
    }

    pub fn observe(&mut self, seen: Hlc) {
        self.clock.observe(seen);
        if self.last_hlc.is_none_or(|l| (seen.wall_ms, seen.counter) > (l.wall_ms, l.counter)) {
            self.last_hlc = Some(seen);
        }
    }

    pub fn audit(&self, conn: &Connection) -> Result<AuditWriter> {
        AuditWriter::begin(conn, self.user.as_str(), &self.device.to_string())
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("device", &self.stamper.device)
            .field("user", &self.stamper.user)
            .field("key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Store {
    /// Create a store in `dir` (created if missing; it must hold no store yet)
    /// for `device` of `owner_org`, with `user` as its first local user.
    pub fn create(
        dir: &Path,
        user: &UserName,
        passphrase: &Passphrase,
        device: DeviceId,
        owner_org: &OrgId,
        kdf: KdfParams,
    ) -> Result<Store> {
        Self::create_with_schema(dir, user, passphrase, device, owner_org, kdf, SCHEMA_VERSION)
    }

    /// Create a store whose schema stops at `schema_version` (to test upgrades).
    #[doc(hidden)]
    pub fn create_with_schema(
        dir: &Path,
        user: &UserName,
        passphrase: &Passphrase,
        device: DeviceId,
        owner_org: &OrgId,
        kdf: KdfParams,
        schema_version: u32,
    ) -> Result<Store> {
        if !dir.exists() {
            fs::create_dir_all(dir)?;
            // Only a folder we made is closed to other accounts: changing the
            // mode of an existing one (say, a home folder) is not ours to do.
            #[cfg(unix)]
            fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
        }
        if Keyring::exists(dir) || dir.join(DB_FILE).exists() {
            return Err(StoreError::AlreadyExists);
        }
        let mut key: DbKey = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(key.as_mut_slice());
        // Wrap first: a bad KDF parameter fails before any file is written.
        let wrap = UserKey::wrap(&key, user.as_str(), passphrase, kdf)?;

        let mut conn = db::open(dir, &key, true)?;
        db::migrate(&mut conn, schema_version.clamp(1, SCHEMA_VERSION))?;
        let now = audit::now_text();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO device (singleton, device_id, owner_org, created_at, last_hlc, audit_head_seq, audit_head_hash)
             VALUES (1, ?1, ?2, ?3, NULL, 0, ?4)",
            params![device.to_string(), owner_org.as_str(), now, audit::genesis()],
        )?;
        tx.execute("INSERT INTO local_users (name, added_at) VALUES (?1, ?2)", params![user.as_str(), now])?;
        let mut log = AuditWriter::begin(&tx, user.as_str(), &device.to_string())?;
        log.append(&tx, Action::StoreCreate, None, None, None)?;
        log.append(&tx, Action::Unlock, None, None, None)?;
        let head = log.finish(&tx)?;
        tx.commit()?;

        let mut ring = Keyring::new();
        ring.users.insert(user.as_str().to_owned(), wrap);
        ring.audit_checkpoint = Some(head);
        ring.save(dir)?;
        Ok(Store {
            dir: dir.to_owned(),
            conn,
            key,
            owner_org: owner_org.clone(),
            stamper: Stamper { device, user: user.clone(), clock: HlcClock::new(device), last_hlc: None },
        })
    }

    /// Unlock the store in `dir` as `user`.
    pub fn unlock(dir: &Path, user: &UserName, passphrase: &Passphrase) -> Result<Store> {
        Self::unlock_at(dir, user, passphrase, Utc::now())
    }

    /// Unlock as if the time were `now` (lockouts are decided by it).
    ///
    /// A wrong passphrase changes only the key ring's failed-attempt count:
    /// the database is not even opened. The failed attempts are written to
    /// the audit log at the next successful unlock (with their times), since
    /// the log lives inside the database the wrong passphrase cannot open.
    pub fn unlock_at(dir: &Path, user: &UserName, passphrase: &Passphrase, now: DateTime<Utc>) -> Result<Store> {
        let _guard = Keyring::lock(dir)?;
        let mut ring = Keyring::load(dir)?;
        let policy = ring.lockout;
        let entry = ring.user_mut(user.as_str())?;
        entry.failures.check(now)?;
        let Some(key) = entry.unwrap_key(user.as_str(), passphrase)? else {
            let error = entry.failures.record_failure(now, &policy);
            ring.save(dir)?;
            return Err(error);
        };
        if !dir.join(DB_FILE).exists() {
            return Err(StoreError::Damaged("the database file is missing".into()));
        }
        let unrecorded = std::mem::take(&mut entry.failures.unrecorded);
        entry.failures = Default::default();

        let mut conn = db::open(dir, &key, false)?;
        db::migrate(&mut conn, SCHEMA_VERSION)?;
        let (device, owner_org, last_hlc): (String, String, Option<String>) =
            conn.query_row("SELECT device_id, owner_org, last_hlc FROM device", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let device = DeviceId::parse("device", &device).map_err(|_| StoreError::Damaged("device id".into()))?;
        let owner_org = OrgId::parse("owner_org", &owner_org).map_err(|_| StoreError::Damaged("owner".into()))?;
        let last_hlc: Option<Hlc> = match last_hlc {
            Some(text) => Some(serde_json::from_str(&text).map_err(|_| StoreError::Damaged("last clock".into()))?),
            None => None,
        };

        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut log = AuditWriter::begin(&tx, user.as_str(), &device.to_string())?;
        for at in &unrecorded {
            log.at(rfc3339(*at)).append(&tx, Action::UnlockFailed, None, None, None)?;
        }
        log.at(rfc3339(now)).append(&tx, Action::Unlock, None, None, None)?;
        let head = log.finish(&tx)?;
        let advance = checkpoint_may_advance(&tx, &ring)?;
        tx.commit()?;
        if advance {
            ring.audit_checkpoint = Some(head);
        }
        ring.save(dir)?;

        Ok(Store {
            dir: dir.to_owned(),
            conn,
            key,
            owner_org,
            stamper: Stamper { device, user: user.clone(), clock: HlcClock::resume(device, last_hlc), last_hlc },
        })
    }

    /// Lock: record it in the audit log, checkpoint the chain's head in the
    /// key ring, close the database and wipe the key from memory. (Dropping
    /// the store without `lock` also closes it and wipes the key.)
    pub fn lock(mut self) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut log = self.stamper.audit(&tx)?;
        log.append(&tx, Action::Lock, None, None, None)?;
        let head = log.finish(&tx)?;
        let _guard = Keyring::lock(&self.dir)?;
        let mut ring = Keyring::load(&self.dir)?;
        let advance = checkpoint_may_advance(&tx, &ring)?;
        tx.commit()?;
        if advance {
            ring.audit_checkpoint = Some(head);
            ring.save(&self.dir)?;
        }
        Ok(())
    }

    /// The signed-in user.
    pub fn user(&self) -> &UserName {
        &self.stamper.user
    }

    /// This device.
    pub fn device(&self) -> DeviceId {
        self.stamper.device
    }

    /// The organization this device belongs to.
    pub fn owner_org(&self) -> &OrgId {
        &self.owner_org
    }

    /// The store's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The local users who hold a key to this store.
    pub fn users(&self) -> Result<Vec<UserName>> {
        Self::users_in(&self.dir)
    }

    /// The local users who hold a key to the store in `dir` (no unlock needed).
    pub fn users_in(dir: &Path) -> Result<Vec<UserName>> {
        let ring = Keyring::load(dir)?;
        ring.users
            .keys()
            .map(|u| UserName::parse("user", u).map_err(|_| StoreError::KeyringDamaged("a user name".into())))
            .collect()
    }

    /// Change the signed-in user's passphrase. The database key is rewrapped;
    /// the database is not touched (beyond the audit entry).
    pub fn change_passphrase(&mut self, current: &Passphrase, new: &Passphrase) -> Result<()> {
        let _guard = Keyring::lock(&self.dir)?;
        let mut ring = Keyring::load(&self.dir)?;
        let policy = ring.lockout;
        let user = self.stamper.user.as_str().to_owned();
        let entry = ring.user_mut(&user)?;
        let now = Utc::now();
        entry.failures.check(now)?;
        if entry.unwrap_key(&user, current)?.is_none() {
            let error = entry.failures.record_failure(now, &policy);
            ring.save(&self.dir)?;
            return Err(error);
        }
        let kdf = entry.kdf;
        let wrap = UserKey::wrap(&self.key, &user, new, kdf)?;
        self.audit_key_event(Action::PassphraseChange, &user)?;
        ring.users.insert(user, wrap);
        ring.save(&self.dir)
    }

    /// Give another local user a key to this store.
    pub fn add_user(&mut self, user: &UserName, passphrase: &Passphrase, kdf: KdfParams) -> Result<()> {
        let _guard = Keyring::lock(&self.dir)?;
        let mut ring = Keyring::load(&self.dir)?;
        if ring.users.contains_key(user.as_str()) {
            return Err(StoreError::UserExists(user.to_string()));
        }
        let wrap = UserKey::wrap(&self.key, user.as_str(), passphrase, kdf)?;
        self.audit_key_event(Action::UserAdd, user.as_str())?;
        self.conn.execute(
            "INSERT INTO local_users (name, added_at) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET added_at = excluded.added_at, removed_at = NULL",
            params![user.as_str(), audit::now_text()],
        )?;
        ring.users.insert(user.as_str().to_owned(), wrap);
        ring.save(&self.dir)
    }

    /// Take a local user's key away. The last user cannot be removed.
    pub fn remove_user(&mut self, user: &UserName) -> Result<()> {
        let _guard = Keyring::lock(&self.dir)?;
        let mut ring = Keyring::load(&self.dir)?;
        ring.user(user.as_str())?;
        if ring.users.len() == 1 {
            return Err(StoreError::LastUser);
        }
        self.audit_key_event(Action::UserRemove, user.as_str())?;
        self.conn.execute(
            "UPDATE local_users SET removed_at = ?2 WHERE name = ?1",
            params![user.as_str(), audit::now_text()],
        )?;
        ring.users.remove(user.as_str());
        ring.save(&self.dir)
    }

    fn audit_key_event(&mut self, action: Action, subject: &str) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut log = self.stamper.audit(&tx)?;
        log.append(&tx, action, None, None, Some(subject))?;
        log.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Destroy the store in `dir` (a revoked or lost device): the key ring is
    /// overwritten and removed first — without it the database cannot be
    /// decrypted by anyone — then the database, its WAL and shared memory
    /// files. Drop any open [`Store`] of that folder first.
    pub fn wipe(dir: &Path) -> Result<()> {
        for name in [KEYRING_FILE, KEYRING_TMP] {
            let path = dir.join(name);
            if let Ok(meta) = fs::metadata(&path) {
                let mut file = OpenOptions::new().write(true).open(&path)?;
                file.write_all(&vec![0u8; meta.len() as usize])?;
                file.sync_all()?;
                fs::remove_file(&path)?;
            }
        }
        let db_files = ["", "-wal", "-shm", "-journal"].map(|suffix| format!("{DB_FILE}{suffix}"));
        for name in db_files.iter().map(String::as_str).chain([KEYRING_LOCK]) {
            let path = dir.join(name);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        if let Ok(d) = fs::File::open(dir) {
            d.sync_all()?;
        }
        Ok(())
    }

    /// A connection to this store's database opened with its key, for tests
    /// that tamper with the file through SQL. Not for application use.
    #[doc(hidden)]
    pub fn raw_connection_for_tests(&self) -> Result<Connection> {
        db::open(&self.dir, &self.key, false)
    }
}

/// Whether the key ring's audit checkpoint may move to the new head: only
/// along the chain it names, so a database swapped for an older copy keeps
/// failing `audit verify`.
fn checkpoint_may_advance(conn: &Connection, ring: &Keyring) -> Result<bool> {
    match &ring.audit_checkpoint {
        Some(cp) => audit::holds(conn, cp),
        None => Ok(true),
    }
}
