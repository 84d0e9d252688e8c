//! The embedded backend: one SQLite file (rusqlite, the build's only
//! sqlite3 — SQLCipher used unkeyed as plain SQLite; a case's words are
//! sealed value by value, see `sealed`, and backups are SQLCipher files). One connection behind a
//! mutex, used from blocking threads: SQLite runs one writer at a time anyway,
//! so feed seqs (handed out inside the write transaction) are in commit
//! order and a reader can never see a later seq before an earlier one commits.
//!
//! Restore detection: next to the database, `epoch-marker` records the epoch
//! and the highest feed seq this service acknowledged. At open, a database
//! whose epoch differs from the marker's, or whose feed ends before the
//! marker's high-water mark, was restored from a backup: it gets a new epoch.

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use waystation_core::{DeviceId, OpId, Operation, OrgId, Role, UserName};
use waystation_protocol::admin::{AuditEntry, CaseConflicts, CodeInfo, DeviceInfo, OrgInfo, Refusal, UserInfo};
use waystation_protocol::{OpResult, ServerEpoch};

use super::rows::{conflict_rows, page, rows_to_read};
use super::rules;
use super::sealed::{self, DatabaseKey, Sealer};
use super::{
    NewCode, NewDevice, PullPage, Pusher, Redeemed, Result, SessionLookup, Storage, StorageError, UnwritableOp,
    UserRecord, UserUpdate, audit,
};
use crate::storage::DeviceRecord;

mod backup;
mod checkpoint;
mod console;
mod devices;
mod push;
#[cfg(test)]
mod tests;

pub use backup::{backup, restore};
use checkpoint::{Checkpointer, WRITER_AUTOCHECKPOINT_PAGES};

pub(crate) use push::access_of;
use push::{Job, push_group};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_ops_arrival.sql")),
    (3, include_str!("../../migrations/sqlite/0003_ops_indexes.sql")),
    (4, include_str!("../../migrations/sqlite/0004_ops_feed.sql")),
    (5, include_str!("../../migrations/sqlite/0005_cases_without_document.sql")),
    (6, include_str!("../../migrations/sqlite/0006_device_sync_state.sql")),
    (7, include_str!("../../migrations/sqlite/0007_enrollment_request.sql")),
    (8, include_str!("../../migrations/sqlite/0008_device_users.sql")),
    (9, include_str!("../../migrations/sqlite/0009_feed_resent.sql")),
    (10, include_str!("../../migrations/sqlite/0010_console.sql")),
];

/// The SQLite backend.
pub struct Sqlite {
    // Before `conn`: fields drop in order, and the writer's connection,
    // the last to close, then checkpoints and removes the WAL.
    checkpointer: Checkpointer,
    conn: Arc<Mutex<Connection>>,
    marker: PathBuf,
    epoch: String,
    /// The data key: seals and opens every case value stored.
    sealer: Arc<Sealer>,
    /// Pushes waiting for the writer (group commit).
    waiting: Arc<Mutex<Vec<Job>>>,
}

fn db(e: rusqlite::Error) -> StorageError {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StorageError::AlreadyExists("a row with this key".into())
        }
        other => StorageError::Database(other.to_string()),
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn parse<T: std::str::FromStr>(s: &str) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    s.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn new_epoch() -> String {
    crate::secrets::random_token(16)
}

/// Every organization (`?1` null), or `?1` and its partners (a case shared between them).
/// Also those `?1` added as partners; with whether a case is shared between them.
const ORGS_IN_SCOPE: &str = "SELECT id, created_at, added_by, id IN \
     (SELECT b.org FROM case_access a JOIN case_access b ON b.case_id = a.case_id WHERE a.org = ?1) AS partner \
     FROM orgs WHERE ?1 IS NULL OR id = ?1 OR added_by = ?1 OR id IN \
     (SELECT b.org FROM case_access a JOIN case_access b ON b.case_id = a.case_id WHERE a.org = ?1) ORDER BY id";

impl Sqlite {
    /// Open (or create) the database in `dir` with the database key `key`,
    /// apply migrations, and settle the epoch. A key that does not open the
    /// database's data key is refused before anything is written.
    pub fn open(dir: &Path, key: &DatabaseKey) -> Result<Self> {
        Self::open_sealing(dir, key, None)
    }

    /// [`Sqlite::open`] storing case values as they are: the ingest
    /// benchmark's baseline only (feature `unsealed-baseline`).
    #[cfg(feature = "unsealed-baseline")]
    pub fn open_unsealed_baseline(dir: &Path) -> Result<Self> {
        Self::open_sealing(dir, &DatabaseKey::generate(), Some(Sealer::unsealed_baseline()))
    }

    fn open_sealing(dir: &Path, key: &DatabaseKey, sealer: Option<Sealer>) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| StorageError::Io(format!("{}: {e}", dir.display())))?;
        let path = database_file(dir);
        // The key is checked on a read-only connection first: a read-write
        // one, closing last, would checkpoint the WAL into the database, and a
        // wrong key must change no byte.
        let unwrapped = if path.exists() {
            let check = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(db)?;
            check.execute_batch("PRAGMA busy_timeout = 10000;").map_err(db)?;
            stored_data_key(&check)?.map(|w| Sealer::unwrap(key, &w)).transpose()?
        } else {
            None
        };
        let mut conn = Connection::open(&path).map_err(db)?;
        conn.execute_batch(&format!(
            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
             PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = {WRITER_AUTOCHECKPOINT_PAGES};"
        ))
        .map_err(db)?;
        migrate(&mut conn)?;
        let sealer = match (unwrapped, sealer) {
            (_, Some(s)) => s,
            (Some(s), None) => s,
            (None, None) => first_data_key(&mut conn, key)?,
        };
        let marker = dir.join("epoch-marker");
        let epoch = settle_epoch(&conn, &marker)?;
        let checkpointer = Checkpointer::start(&path)?;
        Ok(Self {
            checkpointer,
            conn: Arc::new(Mutex::new(conn)),
            marker,
            epoch,
            sealer: Arc::new(sealer),
            waiting: Arc::default(),
        })
    }

    /// Wrap the data key with `new` in place of the key this database was
    /// opened with: from now on only `new` opens it. Services running on the
    /// database go on (they hold the data key, not the database key).
    pub async fn rewrap(&self, new: &DatabaseKey) -> Result<()> {
        let wrapped = self.sealer.wrap(new);
        self.run(move |c| {
            let n = c.execute("UPDATE meta SET value = ?1 WHERE key = 'data_key'", params![wrapped]).map_err(db)?;
            if n != 1 {
                return Err(StorageError::Corrupt("the database has no data key".into()));
            }
            Ok(())
        })
        .await
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static) -> Result<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| StorageError::Database("connection lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| StorageError::Database(format!("storage task failed: {e}")))?
    }
}

/// The database file in a data folder.
pub(crate) fn database_file(dir: &Path) -> PathBuf {
    dir.join("waystation-server.sqlite3")
}

/// The wrapped data key, if the database has one (`None` for a new database,
/// or one from before sealing).
fn stored_data_key(conn: &Connection) -> Result<Option<String>> {
    let has_meta: bool = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')", [], |r| {
            r.get(0)
        })
        .map_err(db)?;
    if !has_meta {
        return Ok(None);
    }
    conn.query_row("SELECT value FROM meta WHERE key = 'data_key'", [], |r| r.get(0)).optional().map_err(db)
}

/// A database without a data key (new, or from before sealing): make one,
/// wrap it with `key`, and seal every value stored in the clear, in one transaction.
fn first_data_key(conn: &mut Connection, key: &DatabaseKey) -> Result<Sealer> {
    let sealer = Sealer::generate();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
    // Another process may have made it meanwhile.
    if let Some(w) = stored_data_key(&tx)? {
        return Sealer::unwrap(key, &w);
    }
    tx.execute("INSERT INTO meta (key, value) VALUES ('data_key', ?1)", params![sealer.wrap(key)]).map_err(db)?;
    let mut sealed = 0usize;
    {
        let mut read = tx.prepare("SELECT rowid, canonical FROM ops").map_err(db)?;
        let mut write = tx.prepare("UPDATE ops SET canonical = ?2, content_hash = ?3 WHERE rowid = ?1").map_err(db)?;
        let mut rows = read.query([]).map_err(db)?;
        while let Some(r) = rows.next().map_err(db)? {
            let text: String = r.get(1).map_err(db)?;
            if !sealed::is_sealed(&text) {
                let row: i64 = r.get(0).map_err(db)?;
                write.execute(params![row, sealer.seal_op(&text), sealer.content_hash(&text)]).map_err(db)?;
                sealed += 1;
            }
        }
        let mut read = tx.prepare("SELECT case_id, conflicts FROM cases").map_err(db)?;
        let mut write = tx.prepare("UPDATE cases SET conflicts = ?2 WHERE case_id = ?1").map_err(db)?;
        let mut rows = read.query([]).map_err(db)?;
        while let Some(r) = rows.next().map_err(db)? {
            let (case, text): (String, String) = (r.get(0).map_err(db)?, r.get(1).map_err(db)?);
            if !sealed::is_sealed(&text) {
                write.execute(params![case, sealer.seal_conflicts(&case, &text)]).map_err(db)?;
                sealed += 1;
            }
        }
    }
    tx.commit().map_err(db)?;
    if sealed > 0 {
        // The clear values may linger in free pages and the WAL: rewrite the file.
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);").map_err(db)?;
        tracing::info!(values = sealed, "sealed the case values stored before sealing");
    }
    Ok(sealer)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .map_err(db)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
    let current: i64 =
        tx.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0)).map_err(db)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.execute_batch(sql).map_err(db)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, ts(Utc::now())],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}

fn settle_epoch(conn: &Connection, marker: &Path) -> Result<String> {
    let stored: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| r.get(0)).optional().map_err(db)?;
    let high = push::high_seq(conn)?;
    let seen = std::fs::read_to_string(marker).ok().and_then(|t| {
        let (e, h) = t.trim().split_once(' ')?;
        Some((e.to_owned(), h.parse::<i64>().ok()?))
    });
    let restored = match (&stored, &seen) {
        (None, _) => true,
        (Some(e), Some((me, mh))) => e != me || high < *mh,
        // A database with data but no marker was copied in from elsewhere.
        (Some(_), None) => high > 0,
    };
    let epoch = if restored {
        let epoch = new_epoch();
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?1)", params![epoch]).map_err(db)?;
        if stored.is_some() {
            tracing::warn!(new_epoch = %epoch, "the database was restored from a backup: new server epoch");
        }
        epoch
    } else {
        stored.unwrap_or_default()
    };
    write_marker(marker, &epoch, high)?;
    Ok(epoch)
}

fn write_marker(marker: &Path, epoch: &str, high: i64) -> Result<()> {
    let tmp = marker.with_extension("tmp");
    std::fs::write(&tmp, format!("{epoch} {high}\n")).map_err(|e| StorageError::Io(e.to_string()))?;
    std::fs::rename(&tmp, marker).map_err(|e| StorageError::Io(e.to_string()))
}

/// The columns [`device_row`] reads: `complete_by` only while the first sign-in is not done.
const DEVICE_COLUMNS: &str = "id, org, role, secret_hash, revoked_at, CASE WHEN completed_at IS NULL THEN complete_by END, \
     (completed_at IS NOT NULL OR complete_by IS NOT NULL)";

fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRecord> {
    Ok(DeviceRecord {
        id: parse(&r.get::<_, String>(0)?)?,
        org: parse(&r.get::<_, String>(1)?)?,
        role: parse(&r.get::<_, String>(2)?)?,
        secret_hash: r.get(3)?,
        revoked: r.get::<_, Option<String>>(4)?.is_some(),
        complete_by: r.get::<_, Option<String>>(5)?.map(|s| parse_ts(&s)).transpose()?,
        checks_authorship: r.get(6)?,
    })
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        name: parse(&r.get::<_, String>(0)?)?,
        org: parse(&r.get::<_, String>(1)?)?,
        role: parse(&r.get::<_, String>(2)?)?,
        password_hash: r.get(3)?,
        created_at: parse_ts(&r.get::<_, String>(4)?)?,
        disabled: r.get(5)?,
    })
}

#[async_trait]
impl Storage for Sqlite {
    async fn epoch(&self) -> Result<ServerEpoch> {
        Ok(ServerEpoch(self.epoch.clone()))
    }

    async fn ping(&self) -> Result<()> {
        self.run(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(db)).await
    }

    async fn add_org(&self, org: &OrgId, now: DateTime<Utc>) -> Result<()> {
        let org = org.clone();
        self.run(move |c| {
            c.execute("INSERT INTO orgs (id, created_at) VALUES (?1, ?2)", params![org.as_str(), ts(now)])
                .map_err(|e| match db(e) {
                    StorageError::AlreadyExists(_) => StorageError::AlreadyExists(format!("organization {org}")),
                    other => other,
                })
                .map(|_| ())
        })
        .await
    }

    async fn orgs(&self, scope: Option<&OrgId>) -> Result<Vec<OrgInfo>> {
        let scope = scope.map(|o| o.as_str().to_owned());
        self.run(move |c| {
            let mut s = c.prepare(ORGS_IN_SCOPE).map_err(db)?;
            let scope_ref = scope.clone();
            s.query_map(params![scope], move |r| {
                let id: String = r.get(0)?;
                let relation = super::org_relation(
                    scope_ref.as_deref(),
                    &id,
                    r.get::<_, Option<String>>(2)?.as_deref(),
                    r.get::<_, Option<bool>>(3)?.unwrap_or(false),
                );
                Ok(OrgInfo { id: parse(&id)?, created_at: parse_ts(&r.get::<_, String>(1)?)?, relation })
            })
            .map_err(db)?
            .collect::<rusqlite::Result<_>>()
            .map_err(db)
        })
        .await
    }

    async fn add_user(&self, user: &UserRecord) -> Result<()> {
        let u = user.clone();
        self.run(move |c| {
            let org_known = c
                .query_row("SELECT 1 FROM orgs WHERE id = ?1", params![u.org.as_str()], |_| Ok(()))
                .optional()
                .map_err(db)?
                .is_some();
            if !org_known {
                return Err(StorageError::Missing(format!("organization {}", u.org)));
            }
            c.execute(
                "INSERT INTO users (name, org, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![u.name.as_str(), u.org.as_str(), u.role.as_str(), u.password_hash, ts(u.created_at)],
            )
            .map_err(|e| match db(e) {
                StorageError::AlreadyExists(_) => StorageError::AlreadyExists(format!("user {}", u.name)),
                other => other,
            })
            .map(|_| ())
        })
        .await
    }

    async fn user(&self, name: &UserName) -> Result<Option<UserRecord>> {
        let name = name.clone();
        self.run(move |c| {
            c.query_row(
                &format!("SELECT {} FROM users WHERE name = ?1", console::USER_COLUMNS),
                params![name.as_str()],
                user_row,
            )
            .optional()
            .map_err(db)
        })
        .await
    }

    async fn users(&self, org: Option<&OrgId>) -> Result<Vec<UserInfo>> {
        let org = org.map(|o| o.as_str().to_owned());
        self.run(move |c| {
            let mut s = c
                .prepare(&format!(
                    "SELECT {} FROM users WHERE ?1 IS NULL OR org = ?1 ORDER BY name",
                    console::USER_COLUMNS
                ))
                .map_err(db)?;
            let rows = s.query_map(params![org], user_row).map_err(db)?;
            rows.map(|r| {
                r.map(|u| UserInfo {
                    name: u.name,
                    org: u.org,
                    role: u.role,
                    created_at: u.created_at,
                    disabled: u.disabled,
                })
            })
            .collect::<rusqlite::Result<_>>()
            .map_err(db)
        })
        .await
    }

    async fn add_code(&self, code: &NewCode) -> Result<()> {
        let code = code.clone();
        self.run(move |c| {
            let org_known = c
                .query_row("SELECT 1 FROM orgs WHERE id = ?1", params![code.org.as_str()], |_| Ok(()))
                .optional()
                .map_err(db)?
                .is_some();
            if !org_known {
                return Err(StorageError::Missing(format!("organization {}", code.org)));
            }
            c.execute(
                "INSERT INTO enrollment_codes (code_hash, org, role, created_at, expires_at, id, created_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    code.code_hash,
                    code.org.as_str(),
                    code.role.as_str(),
                    ts(code.created_at),
                    ts(code.expires_at),
                    code.id,
                    code.created_by.as_ref().map(|u| u.as_str())
                ],
            )
            .map_err(db)
            .map(|_| ())
        })
        .await
    }

    async fn redeem_code(&self, code_hash: &str, device: &NewDevice, now: DateTime<Utc>) -> Result<Redeemed> {
        let (code_hash, device) = (code_hash.to_owned(), device.clone());
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
            type Row = (String, String, String, Option<String>, Option<String>, Option<String>);
            let row: Option<Row> = tx
                .query_row(
                    "SELECT org, role, expires_at, used_at, device_id, request_hash FROM enrollment_codes WHERE code_hash = ?1",
                    params![code_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .optional()
                .map_err(db)?;
            let Some((org, role, expires, used, used_by, request)) = row else { return Ok(Redeemed::Unknown) };
            let live = parse_ts(&expires).map_err(db)? > now;
            if used.is_some() {
                // The same enrollment retried within the code's life, its answer
                // lost before the device ever signed in: the same device, its
                // secret replaced by the new one. Once the device has signed in,
                // its enrollment is over and the code opens nothing again.
                let same = request.is_some() && request == device.request_hash;
                let (Some(id), true, true) = (used_by, same, live) else { return Ok(Redeemed::Used) };
                let changed = tx
                    .execute(
                        "UPDATE devices SET secret_hash = ?1 WHERE id = ?2 AND revoked_at IS NULL AND completed_at IS NULL",
                        params![device.secret_hash, id],
                    )
                    .map_err(db)?;
                if changed != 1 {
                    return Ok(Redeemed::Used);
                }
                let record = tx
                    .query_row(&format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1"), params![id], device_row)
                    .map_err(db)?;
                tx.commit().map_err(db)?;
                return Ok(Redeemed::Retried(record));
            }
            if !live {
                return Ok(Redeemed::Expired);
            }
            tx.execute(
                "UPDATE enrollment_codes SET used_at = ?1, device_id = ?2, request_hash = ?3 WHERE code_hash = ?4",
                params![ts(now), device.id.to_string(), device.request_hash, code_hash],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO devices (id, name, org, role, secret_hash, enrolled_at, app_version, complete_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    device.id.to_string(),
                    device.name,
                    org,
                    role,
                    device.secret_hash,
                    ts(now),
                    device.app_version,
                    expires
                ],
            )
            .map_err(db)?;
            tx.commit().map_err(db)?;
            Ok(Redeemed::Enrolled(DeviceRecord {
                id: device.id,
                org: parse(&org).map_err(db)?,
                role: parse::<Role>(&role).map_err(db)?,
                secret_hash: device.secret_hash,
                revoked: false,
                complete_by: Some(parse_ts(&expires).map_err(db)?),
                checks_authorship: true,
            }))
        })
        .await
    }

    async fn record_sign_in(&self, id: DeviceId, user: &UserName, now: DateTime<Utc>) -> Result<()> {
        let user = user.as_str().to_owned();
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
            tx.execute(
                "UPDATE devices SET completed_at = ?1 WHERE id = ?2 AND completed_at IS NULL AND complete_by IS NOT NULL",
                params![ts(now), id.to_string()],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO device_users (device_id, user_name, first_signin_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT DO NOTHING",
                params![id.to_string(), user, ts(now)],
            )
            .map_err(db)?;
            tx.commit().map_err(db)
        })
        .await
    }

    async fn device(&self, id: DeviceId) -> Result<Option<DeviceRecord>> {
        self.run(move |c| {
            c.prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1"))
                .map_err(db)?
                .query_row(params![id.to_string()], device_row)
                .optional()
                .map_err(db)
        })
        .await
    }

    async fn devices(&self, org: Option<&OrgId>) -> Result<Vec<DeviceInfo>> {
        let org = org.map(|o| o.as_str().to_owned());
        self.run(move |c| devices::list(c, org.as_deref())).await
    }

    async fn record_pull(&self, id: DeviceId, next: u64, now: DateTime<Utc>) -> Result<()> {
        self.run(move |c| devices::record_pull(c, id, next, now)).await
    }

    async fn record_refusals(&self, id: DeviceId, count: u64, last: &Refusal) -> Result<()> {
        let last = last.clone();
        self.run(move |c| devices::record_refusals(c, id, count, &last)).await
    }

    async fn touch_device(&self, id: DeviceId, now: DateTime<Utc>, app: Option<&str>, protocol: u32) -> Result<()> {
        let app = app.map(str::to_owned);
        self.run(move |c| {
            c.prepare_cached(
                "UPDATE devices SET last_contact = ?1, app_version = COALESCE(?2, app_version), protocol_version = ?3 WHERE id = ?4",
            )
            .map_err(db)?
            .execute(params![ts(now), app, protocol, id.to_string()])
            .map_err(db)
            .map(|_| ())
        })
        .await
    }

    async fn revoke_device(&self, id: DeviceId, now: DateTime<Utc>) -> Result<bool> {
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2",
                    params![ts(now), id.to_string()],
                )
                .map_err(db)?;
            Ok(n > 0)
        })
        .await
    }

    async fn add_session(
        &self,
        token_hash: &str,
        user: &UserName,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (t, u) = (token_hash.to_owned(), user.clone());
        self.run(move |c| {
            c.execute(
                "INSERT INTO admin_sessions (token_hash, user_name, expires_at, last_seen) VALUES (?1, ?2, ?3, ?4)",
                params![t, u.as_str(), ts(expires_at), ts(now)],
            )
            .map_err(db)
            .map(|_| ())
        })
        .await
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>, idle: chrono::Duration) -> Result<SessionLookup> {
        let t = token_hash.to_owned();
        self.run(move |c| console::session(c, &t, now, idle)).await
    }

    async fn end_session(&self, token_hash: &str) -> Result<()> {
        let t = token_hash.to_owned();
        self.run(move |c| {
            c.execute("DELETE FROM admin_sessions WHERE token_hash = ?1", params![t]).map_err(db).map(|_| ())
        })
        .await
    }

    async fn update_user(&self, name: &UserName, change: &UserUpdate) -> Result<bool> {
        let (name, change) = (name.clone(), change.clone());
        self.run(move |c| console::update_user(c, &name, &change, Utc::now())).await
    }

    async fn add_partner_org(&self, org: &OrgId, by: &OrgId, now: DateTime<Utc>) -> Result<()> {
        let (org, by) = (org.clone(), by.clone());
        self.run(move |c| {
            c.execute(
                "INSERT INTO orgs (id, created_at, added_by) VALUES (?1, ?2, ?3)",
                params![org.as_str(), ts(now), by.as_str()],
            )
            .map_err(|e| match db(e) {
                StorageError::AlreadyExists(_) => StorageError::AlreadyExists(format!("organization {org}")),
                other => other,
            })
            .map(|_| ())
        })
        .await
    }

    async fn codes(&self, org: &OrgId, now: DateTime<Utc>) -> Result<Vec<CodeInfo>> {
        let org = org.clone();
        self.run(move |c| console::codes(c, &org, now)).await
    }

    async fn cancel_code(&self, org: &OrgId, id: &str, now: DateTime<Utc>) -> Result<bool> {
        let (org, id) = (org.clone(), id.to_owned());
        self.run(move |c| console::cancel_code(c, &org, &id, now)).await
    }

    async fn append_audit(&self, entry: &audit::NewAudit) -> Result<u64> {
        let (entry, sealer) = (entry.clone(), self.sealer.clone());
        self.run(move |c| console::append_audit(c, &sealer, &entry)).await
    }

    async fn audit(&self, org: Option<&OrgId>, target: Option<&str>, limit: u32) -> Result<Vec<AuditEntry>> {
        let (org, target) = (org.map(|o| o.as_str().to_owned()), target.map(str::to_owned));
        self.run(move |c| console::audit(c, org.as_deref(), target.as_deref(), limit)).await
    }

    async fn verify_audit(&self) -> Result<audit::AuditCheck> {
        let sealer = self.sealer.clone();
        self.run(move |c| console::verify_audit(c, &sealer)).await
    }

    async fn ops_since(&self, org: &OrgId, since: DateTime<Utc>) -> Result<u64> {
        let org = org.clone();
        self.run(move |c| console::ops_since(c, &org, since)).await
    }

    async fn service_device(&self) -> Result<DeviceId> {
        self.run(|c| console::service_device(c)).await
    }

    async fn push(&self, pusher: Pusher<'_>, ops: Vec<Operation>) -> Result<Vec<OpResult>> {
        let (device, now) = (pusher.device.clone(), pusher.now);
        // The pure work (canonical JSON, hashes) before the one-writer lock,
        // so concurrent pushes do it in parallel.
        let sealer = self.sealer.clone();
        let prepared = tokio::task::spawn_blocking(move || (crate::storage::plan::prepare(&ops, &sealer), ops));
        let (prepared, ops) =
            prepared.await.map_err(|e| StorageError::Database(format!("storage task failed: {e}")))?;
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.waiting.lock().map_err(|_| StorageError::Database("push queue lock poisoned".into()))?.push(Job {
            device,
            now,
            ops,
            prepared,
            sealer: self.sealer.clone(),
            answer,
        });
        let (marker, epoch) = (self.marker.clone(), self.epoch.clone());
        let checkpoint = self.checkpointer.handle();
        let waiting = self.waiting.clone();
        self.run(move |c| {
            // Whoever holds the writer takes every push waiting by then, this
            // one included unless an earlier holder took it already.
            let jobs = std::mem::take(
                &mut *waiting.lock().map_err(|_| StorageError::Database("push queue lock poisoned".into()))?,
            );
            if jobs.is_empty() {
                return Ok(());
            }
            let (high, answers) = push_group(c, jobs);
            if let Some(high) = high {
                if let Some(signal) = checkpoint {
                    let _ = signal.send(());
                }
                // After the commit, still under the connection's lock so markers
                // are written in order. A crash before this only leaves the
                // marker behind the database, which never looks like a restore;
                // a failure here must not turn acknowledged operations into an error.
                if let Err(e) = write_marker(&marker, &epoch, high) {
                    tracing::error!(error = %e, "cannot update the epoch marker; restore detection is weakened");
                }
            }
            for (to, result) in answers {
                let _ = to.send(result);
            }
            Ok(())
        })
        .await?;
        answered.await.map_err(|_| StorageError::Database("the push was not written".into()))?
    }

    async fn pull(&self, org: &OrgId, role: Role, device: DeviceId, after: u64, limit: u32) -> Result<PullPage> {
        let org = org.as_str().to_owned();
        let classes = rules::readable_classes(role);
        let sealer = self.sealer.clone();
        self.run(move |c| {
            let placeholders: Vec<String> = (0..classes.len()).map(|i| format!("?{}", i + 5)).collect();
            // Rows to skip (the device's own operations, classes the role may
            // not read) come back without their text (see `rows::page`).
            // Rows sent again to an organization a case is shared with again
            // go to the device that wrote them too (it removed the case).
            let text = |o: &str, own: &str| {
                format!(
                    "CASE WHEN {own} OR {o}class NOT IN ({}) THEN NULL ELSE {o}canonical END",
                    placeholders.join(", ")
                )
            };
            // The feed: the organization's own operation rows (arrival = seq),
            // and its `feed` rows (shares, and everything before migration 4).
            let sql = format!(
                "SELECT arrival, {} FROM ops WHERE feed_org = ?1 AND arrival > ?2 \
                 UNION ALL SELECT f.seq, {} FROM feed f JOIN ops o ON o.op_id = f.op_id WHERE f.org = ?1 AND f.seq > ?2 \
                 ORDER BY 1 LIMIT ?3",
                text("", "device_id = ?4"),
                text("o.", "(o.device_id = ?4 AND f.resent = 0)")
            );
            let mut s = c.prepare_cached(&sql).map_err(db)?;
            let after = i64::try_from(after).unwrap_or(i64::MAX);
            let mut values: Vec<Box<dyn rusqlite::ToSql>> =
                vec![Box::new(org), Box::new(after), Box::new(rows_to_read(limit)), Box::new(device.to_string())];
            values.extend(classes.iter().map(|c| Box::new(c.to_string()) as Box<dyn rusqlite::ToSql>));
            // Read lazily: the page stops after the first operation that does not fit.
            let rows = s
                .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
                })
                .map_err(db)?;
            page(rows.map(|r| r.map_err(db)), after as u64, limit, &sealer)
        })
        .await
    }

    async fn conflicts(&self, org: &OrgId) -> Result<Vec<CaseConflicts>> {
        let org = org.as_str().to_owned();
        let sealer = self.sealer.clone();
        self.run(move |c| {
            let mut s = c
                .prepare(
                    "SELECT c.case_id, c.owner, c.conflicts FROM cases c JOIN case_access a ON a.case_id = c.case_id \
                     WHERE a.org = ?1 AND c.conflict_count > 0 ORDER BY c.case_id",
                )
                .map_err(db)?;
            let rows: Vec<(String, Option<String>, String)> = s
                .query_map(params![org], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(db)?
                .collect::<rusqlite::Result<_>>()
                .map_err(db)?;
            conflict_rows(rows, &sealer)
        })
        .await
    }

    async fn op_count(&self) -> Result<u64> {
        self.run(|c| c.query_row("SELECT COUNT(*) FROM ops", [], |r| r.get::<_, i64>(0)).map(|n| n as u64).map_err(db))
            .await
    }

    async fn unwritable_ops(&self) -> Result<Vec<UnwritableOp>> {
        self.run(|c| {
            let mut q = c
                .prepare(
                    "SELECT o.op_id, o.case_id, o.device_id, d.role, o.class FROM ops o \
                     JOIN devices d ON d.id = o.device_id WHERE o.class <> 'general' ORDER BY o.arrival",
                )
                .map_err(db)?;
            let rows = q
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })
                .map_err(db)?;
            let mut out = Vec::new();
            for row in rows {
                let (op, case, device, role, class) = row.map_err(db)?;
                out.extend(UnwritableOp::of_row(&op, &case, &device, &role, &class)?);
            }
            Ok(out)
        })
        .await
    }

    async fn last_pushed(&self, id: DeviceId) -> Result<Option<OpId>> {
        self.run(move |c| {
            let v: Option<Option<String>> = c
                .query_row("SELECT last_pushed_op FROM devices WHERE id = ?1", params![id.to_string()], |r| r.get(0))
                .optional()
                .map_err(db)?;
            v.flatten()
                .map(|s| s.parse().map_err(|e: waystation_core::FieldError| StorageError::Corrupt(e.to_string())))
                .transpose()
        })
        .await
    }
}
