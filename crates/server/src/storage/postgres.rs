//! The backend at scale: PostgreSQL (tokio-postgres with a deadpool pool),
//! shared by several stateless service instances.
//!
//! The change-feed gap: a push transaction hands out its feed seqs from the
//! one row of `feed_counter`, which it updates (and so locks) as its last
//! step before it commits, holding the lock until the commit. Seqs are
//! therefore assigned in commit order: while a transaction holding seqs n..
//! is in flight, no other can take seqs above them, so a reader that has seen
//! seq m has seen every seq below m. Everything before that step (checks,
//! merge, the operations' rows) runs under per-case locks instead, so pushes
//! of different cases overlap and only the feed append is one at a time (see
//! `push.rs`).
//!
//! Restore detection: the epoch is kept with a fingerprint of where the data
//! lives (the database's OID, the cluster's system identifier and timeline
//! when readable). A dump restored into a new database or cluster, or a
//! point-in-time recovery (new timeline), changes it; at open a changed
//! fingerprint gives a new epoch.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::HashMap;
use std::str::FromStr;
use tokio_postgres::NoTls;
use waystation_core::{DeviceId, OpId, Operation, OrgId, Role, UserName};
use waystation_protocol::admin::{AuditEntry, CaseConflicts, CodeInfo, DeviceInfo, OrgInfo, Refusal, UserInfo};
use waystation_protocol::{OpResult, PullCursor, ServerEpoch};

use super::rows::{conflict_rows, page_of_keepers, window};
use super::sealed::{self, DatabaseKey, Sealer};
use super::{
    DeviceRecord, NewCode, NewDevice, PullPage, Pusher, Redeemed, Result, SessionLookup, Storage, StorageError,
    UnwritableOp, UserRecord, UserUpdate, audit,
};
use super::{refusal, rules};

mod console;
mod push;
pub mod tls;

type Param<'a> = &'a (dyn tokio_postgres::types::ToSql + Sync);

const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (2, include_str!("../../migrations/postgres/0002_ops_indexes.sql")),
    (3, include_str!("../../migrations/postgres/0003_ops_arrival_seq.sql")),
    (4, include_str!("../../migrations/postgres/0004_feed_narrower.sql")),
    (5, include_str!("../../migrations/postgres/0005_cases_without_document.sql")),
    (6, include_str!("../../migrations/postgres/0006_device_sync_state.sql")),
    (7, include_str!("../../migrations/postgres/0007_enrollment_request.sql")),
    (8, include_str!("../../migrations/postgres/0008_device_users.sql")),
    (9, include_str!("../../migrations/postgres/0009_feed_resent.sql")),
    (10, include_str!("../../migrations/postgres/0010_console.sql")),
];

/// The PostgreSQL backend.
pub struct Postgres {
    pool: Pool,
    epoch: String,
    /// The data key: seals and opens every case value stored.
    sealer: std::sync::Arc<Sealer>,
}

fn db(e: tokio_postgres::Error) -> StorageError {
    if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
        return StorageError::AlreadyExists("a row with this key".into());
    }
    // The server's message, without the query text.
    let text = e.as_db_error().map(|d| d.message().to_owned()).unwrap_or_else(|| e.to_string());
    StorageError::Database(text)
}

fn pool_err(e: deadpool_postgres::PoolError) -> StorageError {
    // With its causes: "error performing TLS handshake" says little without
    // "invalid peer certificate: certificate not valid for name …".
    let mut text = format!("no database connection: {e}");
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    StorageError::Database(text)
}

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

fn p<T: FromStr>(s: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(corrupt)
}

impl Postgres {
    /// Connect to `url` (TLS as its `sslmode` says, see [`tls`]; a plain
    /// connection to another host refused), apply migrations, and settle the epoch.
    pub async fn open(url: &str, pool_size: usize, key: &DatabaseKey) -> Result<Self> {
        Self::open_with(url, pool_size, false, key).await
    }

    /// [`Postgres::open`]; `allow_plain`: a connection that may be plain is
    /// allowed to a database on another host too (`--allow-plain-database`).
    /// `key` is the database key: one that does not open the database's data
    /// key is refused before anything is written.
    pub async fn open_with(url: &str, pool_size: usize, allow_plain: bool, key: &DatabaseKey) -> Result<Self> {
        Self::open_sealing(url, pool_size, allow_plain, key, None).await
    }

    /// [`Postgres::open`] storing case values as they are: the ingest
    /// benchmark's baseline only (feature `unsealed-baseline`).
    #[cfg(feature = "unsealed-baseline")]
    pub async fn open_unsealed_baseline(url: &str, pool_size: usize) -> Result<Self> {
        Self::open_sealing(url, pool_size, false, &DatabaseKey::generate(), Some(Sealer::unsealed_baseline())).await
    }

    async fn open_sealing(
        url: &str,
        pool_size: usize,
        allow_plain: bool,
        key: &DatabaseKey,
        sealer: Option<Sealer>,
    ) -> Result<Self> {
        let target = tls::Target::parse(url, allow_plain).map_err(StorageError::Database)?;
        let recycling = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        let manager = match target.connector().map_err(StorageError::Database)? {
            Some(tls) => Manager::from_config(target.config, tls, recycling),
            None => Manager::from_config(target.config, NoTls, recycling),
        };
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(2))
            .build()
            .map_err(|e| StorageError::Database(e.to_string()))?;
        // Outside the transaction: without privileges the query fails, which would abort it.
        let fingerprint = fingerprint(&pool.get().await.map_err(pool_err)?).await?;
        let mut client = pool.get().await.map_err(pool_err)?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock(727360001)", &[]).await.map_err(db)?;
        // Before any write: a wrong key changes nothing.
        let unwrapped = stored_data_key(&tx).await?.map(|w| Sealer::unwrap(key, &w)).transpose()?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
        )
        .await
        .map_err(db)?;
        let current: i32 =
            tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[]).await.map_err(db)?.get(0);
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            tx.batch_execute(sql).await.map_err(db)?;
            tx.execute("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())", &[version])
                .await
                .map_err(db)?;
        }
        let stored: HashMap<String, String> = tx
            .query("SELECT key, value FROM meta WHERE key IN ('epoch', 'fingerprint')", &[])
            .await
            .map_err(db)?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let epoch = match (stored.get("epoch"), stored.get("fingerprint")) {
            (Some(e), Some(f)) if *f == fingerprint => e.clone(),
            (had, _) => {
                let e = crate::secrets::random_token(16);
                if had.is_some() {
                    tracing::warn!(new_epoch = %e, "the database was restored or moved: new server epoch");
                }
                for (k, v) in [("epoch", &e), ("fingerprint", &fingerprint)] {
                    tx.execute(
                        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        &[&k, v],
                    )
                    .await
                    .map_err(db)?;
                }
                e
            }
        };
        let sealer = match (unwrapped, sealer) {
            (_, Some(s)) => s,
            (Some(s), None) => s,
            (None, None) => first_data_key(&tx, key).await?,
        };
        tx.commit().await.map_err(db)?;
        drop(client);
        Ok(Self { pool, epoch, sealer: std::sync::Arc::new(sealer) })
    }

    /// Wrap the data key with `new` in place of the key this database was
    /// opened with: from now on only `new` opens it. Services running on the
    /// database go on (they hold the data key, not the database key).
    pub async fn rewrap(&self, new: &DatabaseKey) -> Result<()> {
        let n = self
            .client()
            .await?
            .execute("UPDATE meta SET value = $1 WHERE key = 'data_key'", &[&self.sealer.wrap(new)])
            .await
            .map_err(db)?;
        if n != 1 {
            return Err(StorageError::Corrupt("the database has no data key".into()));
        }
        Ok(())
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pool_err)
    }
}

/// The wrapped data key, if the database has one (`None` for a new database,
/// or one from before sealing).
async fn stored_data_key(c: &impl GenericClient) -> Result<Option<String>> {
    let has_meta: bool = c.query_one("SELECT to_regclass('meta') IS NOT NULL", &[]).await.map_err(db)?.get(0);
    if !has_meta {
        return Ok(None);
    }
    Ok(c.query_opt("SELECT value FROM meta WHERE key = 'data_key'", &[]).await.map_err(db)?.map(|r| r.get(0)))
}

/// A database without a data key (new, or from before sealing): make one,
/// wrap it with `key`, and seal every value stored in the clear, inside the
/// caller's transaction (which holds the migration lock).
async fn first_data_key(tx: &deadpool_postgres::Transaction<'_>, key: &DatabaseKey) -> Result<Sealer> {
    let sealer = Sealer::generate();
    tx.execute("INSERT INTO meta (key, value) VALUES ('data_key', $1)", &[&sealer.wrap(key)]).await.map_err(db)?;
    let mut sealed = 0u64;
    let ops = tx.query("SELECT op_id, canonical FROM ops WHERE canonical NOT LIKE 'ws1:%'", &[]).await.map_err(db)?;
    let update = tx.prepare("UPDATE ops SET canonical = $2, content_hash = $3 WHERE op_id = $1").await.map_err(db)?;
    for r in ops {
        let (id, text): (String, String) = (r.get(0), r.get(1));
        if !sealed::is_sealed(&text) {
            tx.execute(&update, &[&id, &sealer.seal_op(&text), &sealer.content_hash(&text)]).await.map_err(db)?;
            sealed += 1;
        }
    }
    let cases =
        tx.query("SELECT case_id, conflicts FROM cases WHERE conflicts NOT LIKE 'ws1:%'", &[]).await.map_err(db)?;
    let update = tx.prepare("UPDATE cases SET conflicts = $2 WHERE case_id = $1").await.map_err(db)?;
    for r in cases {
        let (case, text): (String, String) = (r.get(0), r.get(1));
        tx.execute(&update, &[&case, &sealer.seal_conflicts(&case, &text)]).await.map_err(db)?;
        sealed += 1;
    }
    if sealed > 0 {
        tracing::info!(
            values = sealed,
            "sealed the case values stored before sealing (run VACUUM FULL on ops and cases to drop the old row versions)"
        );
    }
    Ok(sealer)
}

async fn fingerprint(c: &impl GenericClient) -> Result<String> {
    let oid: u32 =
        c.query_one("SELECT oid FROM pg_database WHERE datname = current_database()", &[]).await.map_err(db)?.get(0);
    // Readable by superusers and pg_monitor members only; without them the OID alone is used.
    let system = c
        .query_one("SELECT system_identifier::text || '/' || (SELECT timeline_id FROM pg_control_checkpoint())::text FROM pg_control_system()", &[])
        .await
        .map(|r| r.get::<_, String>(0))
        .unwrap_or_default();
    Ok(format!("{oid}/{system}"))
}

/// The columns [`device_row`] reads: `complete_by` only while the first sign-in is not done.
const DEVICE_COLUMNS: &str = "id, org, role, secret_hash, revoked_at, CASE WHEN completed_at IS NULL THEN complete_by END, \
     (completed_at IS NOT NULL OR complete_by IS NOT NULL)";

fn device_row(r: &tokio_postgres::Row) -> Result<DeviceRecord> {
    Ok(DeviceRecord {
        id: p(r.get(0))?,
        org: p(r.get(1))?,
        role: p(r.get(2))?,
        secret_hash: r.get(3),
        revoked: r.get::<_, Option<DateTime<Utc>>>(4).is_some(),
        complete_by: r.get(5),
        checks_authorship: r.get(6),
    })
}

fn user_row(r: &tokio_postgres::Row) -> Result<UserRecord> {
    Ok(UserRecord {
        name: p(r.get(0))?,
        org: p(r.get(1))?,
        role: p(r.get(2))?,
        password_hash: r.get(3),
        created_at: r.get(4),
        disabled: r.get(5),
    })
}

#[async_trait]
impl Storage for Postgres {
    async fn epoch(&self) -> Result<ServerEpoch> {
        Ok(ServerEpoch(self.epoch.clone()))
    }

    async fn ping(&self) -> Result<()> {
        self.client().await?.execute("SELECT 1", &[]).await.map_err(db).map(|_| ())
    }

    async fn add_org(&self, org: &OrgId, now: DateTime<Utc>) -> Result<()> {
        self.client()
            .await?
            .execute("INSERT INTO orgs (id, created_at) VALUES ($1, $2)", &[&org.as_str(), &now])
            .await
            .map_err(|e| match db(e) {
                StorageError::AlreadyExists(_) => StorageError::AlreadyExists(format!("organization {org}")),
                other => other,
            })
            .map(|_| ())
    }

    async fn orgs(&self, scope: Option<&OrgId>) -> Result<Vec<OrgInfo>> {
        let scope = scope.map(|o| o.as_str());
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, created_at, added_by, id IN \
                 (SELECT b.org FROM case_access a JOIN case_access b ON b.case_id = a.case_id WHERE a.org = $1) \
                 FROM orgs WHERE $1::text IS NULL OR id = $1 OR added_by = $1 OR id IN \
                 (SELECT b.org FROM case_access a JOIN case_access b ON b.case_id = a.case_id WHERE a.org = $1) \
                 ORDER BY id",
                &[&scope],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let id: &str = r.get(0);
                let relation = super::org_relation(
                    scope,
                    id,
                    r.get::<_, Option<&str>>(2),
                    r.get::<_, Option<bool>>(3).unwrap_or(false),
                );
                Ok(OrgInfo { id: p(id)?, created_at: r.get(1), relation })
            })
            .collect()
    }

    async fn add_user(&self, u: &UserRecord) -> Result<()> {
        let c = self.client().await?;
        if c.query_opt("SELECT 1 FROM orgs WHERE id = $1", &[&u.org.as_str()]).await.map_err(db)?.is_none() {
            return Err(StorageError::Missing(format!("organization {}", u.org)));
        }
        c.execute(
            "INSERT INTO users (name, org, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[&u.name.as_str(), &u.org.as_str(), &u.role.as_str(), &u.password_hash, &u.created_at],
        )
        .await
        .map_err(|e| match db(e) {
            StorageError::AlreadyExists(_) => StorageError::AlreadyExists(format!("user {}", u.name)),
            other => other,
        })
        .map(|_| ())
    }

    async fn user(&self, name: &UserName) -> Result<Option<UserRecord>> {
        let c = self.client().await?;
        let row = c
            .query_opt(&format!("SELECT {} FROM users WHERE name = $1", console::USER_COLUMNS), &[&name.as_str()])
            .await
            .map_err(db)?;
        row.as_ref().map(user_row).transpose()
    }

    async fn users(&self, org: Option<&OrgId>) -> Result<Vec<UserInfo>> {
        let org = org.map(|o| o.as_str());
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {} FROM users WHERE $1::text IS NULL OR org = $1 ORDER BY name",
                    console::USER_COLUMNS
                ),
                &[&org],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                user_row(r).map(|u| UserInfo {
                    name: u.name,
                    org: u.org,
                    role: u.role,
                    created_at: u.created_at,
                    disabled: u.disabled,
                })
            })
            .collect()
    }

    async fn add_code(&self, code: &NewCode) -> Result<()> {
        let c = self.client().await?;
        if c.query_opt("SELECT 1 FROM orgs WHERE id = $1", &[&code.org.as_str()]).await.map_err(db)?.is_none() {
            return Err(StorageError::Missing(format!("organization {}", code.org)));
        }
        c.execute(
            "INSERT INTO enrollment_codes (code_hash, org, role, created_at, expires_at, id, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &code.code_hash,
                &code.org.as_str(),
                &code.role.as_str(),
                &code.created_at,
                &code.expires_at,
                &code.id,
                &code.created_by.as_ref().map(|u| u.as_str()),
            ],
        )
        .await
        .map_err(db)
        .map(|_| ())
    }

    async fn redeem_code(&self, code_hash: &str, device: &NewDevice, now: DateTime<Utc>) -> Result<Redeemed> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(db)?;
        let row = tx
            .query_opt(
                "SELECT org, role, expires_at, used_at, device_id, request_hash FROM enrollment_codes \
                 WHERE code_hash = $1 FOR UPDATE",
                &[&code_hash],
            )
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(Redeemed::Unknown) };
        let (org, role): (String, String) = (row.get(0), row.get(1));
        let expires: DateTime<Utc> = row.get(2);
        let live = expires > now;
        if row.get::<_, Option<DateTime<Utc>>>(3).is_some() {
            // The same enrollment retried within the code's life, its answer
            // lost before the device ever signed in: the same device, its
            // secret replaced by the new one. Once the device has signed in,
            // its enrollment is over and the code opens nothing again.
            let (used_by, request): (Option<String>, Option<String>) = (row.get(4), row.get(5));
            let same = request.is_some() && request == device.request_hash;
            let (Some(id), true, true) = (used_by, same, live) else { return Ok(Redeemed::Used) };
            let changed = tx
                .execute(
                    "UPDATE devices SET secret_hash = $1 WHERE id = $2 AND revoked_at IS NULL AND completed_at IS NULL",
                    &[&device.secret_hash, &id],
                )
                .await
                .map_err(db)?;
            if changed != 1 {
                return Ok(Redeemed::Used);
            }
            let record = tx
                .query_one(&format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1"), &[&id])
                .await
                .map_err(db)?;
            let record = device_row(&record)?;
            tx.commit().await.map_err(db)?;
            return Ok(Redeemed::Retried(record));
        }
        if !live {
            return Ok(Redeemed::Expired);
        }
        let id = device.id.to_string();
        tx.execute(
            "UPDATE enrollment_codes SET used_at = $1, device_id = $2, request_hash = $3 WHERE code_hash = $4",
            &[&now, &id, &device.request_hash, &code_hash],
        )
        .await
        .map_err(db)?;
        tx.execute(
            "INSERT INTO devices (id, name, org, role, secret_hash, enrolled_at, app_version, complete_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&id, &device.name, &org, &role, &device.secret_hash, &now, &device.app_version, &expires],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Redeemed::Enrolled(DeviceRecord {
            id: device.id,
            org: p(&org)?,
            role: p::<Role>(&role)?,
            secret_hash: device.secret_hash.clone(),
            revoked: false,
            complete_by: Some(expires),
            checks_authorship: true,
        }))
    }

    async fn record_sign_in(&self, id: DeviceId, user: &UserName, now: DateTime<Utc>) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(db)?;
        let id = id.to_string();
        tx.execute(
            "UPDATE devices SET completed_at = $1 WHERE id = $2 AND completed_at IS NULL AND complete_by IS NOT NULL",
            &[&now, &id],
        )
        .await
        .map_err(db)?;
        tx.execute(
            "INSERT INTO device_users (device_id, user_name, first_signin_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&id, &user.as_str(), &now],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn device(&self, id: DeviceId) -> Result<Option<DeviceRecord>> {
        let c = self.client().await?;
        let stmt =
            c.prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1")).await.map_err(db)?;
        let row = c.query_opt(&stmt, &[&id.to_string()]).await.map_err(db)?;
        row.as_ref().map(device_row).transpose()
    }

    async fn devices(&self, org: Option<&OrgId>) -> Result<Vec<DeviceInfo>> {
        let org = org.map(|o| o.as_str());
        // How far behind: the entries of its organization's feed after its last pull's cursor.
        let rows = self
            .client()
            .await?
            .query(
                "SELECT d.id, d.name, d.org, d.role, d.enrolled_at, d.last_contact, d.app_version, d.protocol_version, \
                 d.last_pushed_op, d.revoked_at, d.pulled_through, d.last_pull_at, d.refused_ops, \
                 d.last_refusal_status, d.last_refusal_message, d.last_refusal_at, \
                 (SELECT COUNT(*) FROM feed f WHERE f.org = d.org AND f.seq > COALESCE(d.pulled_through, 0)), \
                 CASE WHEN d.completed_at IS NULL THEN d.complete_by END \
                 FROM devices d WHERE $1::text IS NULL OR d.org = $1 ORDER BY d.enrolled_at, d.id",
                &[&org],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(DeviceInfo {
                    id: p(r.get(0))?,
                    name: r.get(1),
                    org: p(r.get(2))?,
                    role: p(r.get(3))?,
                    enrolled_at: r.get(4),
                    last_contact: r.get(5),
                    app_version: r.get(6),
                    protocol_version: r.get::<_, Option<i32>>(7).map(|v| v as u32),
                    last_pushed_op: r.get::<_, Option<String>>(8).map(|s| p(&s)).transpose()?,
                    revoked: r.get::<_, Option<DateTime<Utc>>>(9).is_some(),
                    pulled_through: r.get::<_, Option<i64>>(10).map(|n| PullCursor::at(n as u64)),
                    last_pull_at: r.get(11),
                    refused_ops: r.get::<_, i64>(12) as u64,
                    behind: r.get::<_, i64>(16) as u64,
                    last_refusal: refusal::stored(r.get(13), r.get(14), r.get(15))?,
                    complete_by: r.get(17),
                    state: None,
                })
            })
            .collect()
    }

    async fn record_pull(&self, id: DeviceId, next: u64, now: DateTime<Utc>) -> Result<()> {
        let next = i64::try_from(next).unwrap_or(i64::MAX);
        let c = self.client().await?;
        let stmt = c
            .prepare_cached("UPDATE devices SET pulled_through = $1, last_pull_at = $2 WHERE id = $3")
            .await
            .map_err(db)?;
        c.execute(&stmt, &[&next, &now, &id.to_string()]).await.map_err(db).map(|_| ())
    }

    async fn record_refusals(&self, id: DeviceId, count: u64, last: &Refusal) -> Result<()> {
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        let status = refusal::status_text(last.status);
        self.client()
            .await?
            .execute(
                "UPDATE devices SET refused_ops = refused_ops + $1, last_refusal_status = $2, \
                 last_refusal_message = $3, last_refusal_at = $4 WHERE id = $5",
                &[&count, &status, &last.message, &last.at, &id.to_string()],
            )
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn touch_device(&self, id: DeviceId, now: DateTime<Utc>, app: Option<&str>, protocol: u32) -> Result<()> {
        let c = self.client().await?;
        let stmt = c
            .prepare_cached(
                "UPDATE devices SET last_contact = $1, app_version = COALESCE($2, app_version), protocol_version = $3 WHERE id = $4",
            )
            .await
            .map_err(db)?;
        c.execute(&stmt, &[&now, &app, &(protocol as i32), &id.to_string()]).await.map_err(db).map(|_| ())
    }

    async fn revoke_device(&self, id: DeviceId, now: DateTime<Utc>) -> Result<bool> {
        let n = self
            .client()
            .await?
            .execute("UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2", &[&now, &id.to_string()])
            .await
            .map_err(db)?;
        Ok(n > 0)
    }

    async fn add_session(
        &self,
        token_hash: &str,
        user: &UserName,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO admin_sessions (token_hash, user_name, expires_at, last_seen) VALUES ($1, $2, $3, $4)",
                &[&token_hash, &user.as_str(), &expires_at, &now],
            )
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn session(&self, token_hash: &str, now: DateTime<Utc>, idle: chrono::Duration) -> Result<SessionLookup> {
        console::session(&self.client().await?, token_hash, now, idle).await
    }

    async fn end_session(&self, token_hash: &str) -> Result<()> {
        self.client()
            .await?
            .execute("DELETE FROM admin_sessions WHERE token_hash = $1", &[&token_hash])
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn update_user(&self, name: &UserName, change: &UserUpdate) -> Result<bool> {
        console::update_user(&mut self.client().await?, name, change, Utc::now()).await
    }

    async fn add_partner_org(&self, org: &OrgId, by: &OrgId, now: DateTime<Utc>) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO orgs (id, created_at, added_by) VALUES ($1, $2, $3)",
                &[&org.as_str(), &now, &by.as_str()],
            )
            .await
            .map_err(|e| match db(e) {
                StorageError::AlreadyExists(_) => StorageError::AlreadyExists(format!("organization {org}")),
                other => other,
            })
            .map(|_| ())
    }

    async fn codes(&self, org: &OrgId, now: DateTime<Utc>) -> Result<Vec<CodeInfo>> {
        console::codes(&self.client().await?, org, now).await
    }

    async fn cancel_code(&self, org: &OrgId, id: &str, now: DateTime<Utc>) -> Result<bool> {
        console::cancel_code(&self.client().await?, org, id, now).await
    }

    async fn append_audit(&self, entry: &audit::NewAudit) -> Result<u64> {
        console::append_audit(&mut self.client().await?, &self.sealer, entry).await
    }

    async fn audit(&self, org: Option<&OrgId>, target: Option<&str>, limit: u32) -> Result<Vec<AuditEntry>> {
        console::audit(&self.client().await?, org.map(|o| o.as_str()), target, limit).await
    }

    async fn verify_audit(&self) -> Result<audit::AuditCheck> {
        console::verify_audit(&self.client().await?, &self.sealer).await
    }

    async fn ops_since(&self, org: &OrgId, since: DateTime<Utc>) -> Result<u64> {
        console::ops_since(&self.client().await?, org, since).await
    }

    async fn service_device(&self) -> Result<DeviceId> {
        console::service_device(&self.client().await?).await
    }

    async fn push(&self, pusher: Pusher<'_>, ops: Vec<Operation>) -> Result<Vec<OpResult>> {
        // The pure work before a connection is taken (and before the lock).
        let sealer = self.sealer.clone();
        let (prepared, ops) = tokio::task::spawn_blocking(move || (super::plan::prepare(&ops, &sealer), ops))
            .await
            .map_err(|e| StorageError::Database(format!("storage task failed: {e}")))?;
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(db)?;
        push::push_tx(tx, pusher.device, pusher.now, &ops, &prepared, &self.sealer).await
    }

    async fn pull(&self, org: &OrgId, role: Role, device: DeviceId, after: u64, limit: u32) -> Result<PullPage> {
        let classes: Vec<String> = rules::readable_classes(role).into_iter().map(str::to_owned).collect();
        let c = self.client().await?;
        // One statement, so one snapshot: where the scan window ends (its
        // last row, when it is full) or the feed's highest seq, and the
        // operations to send within the window — at most one more than the
        // limit, the scan stopping there. Skipped rows (the device's own
        // operations, classes the role may not read) are only passed over.
        let stmt = c
            .prepare_cached(
                "WITH w AS MATERIALIZED (SELECT (SELECT seq FROM feed WHERE org = $1 AND seq > $2 ORDER BY seq OFFSET $6 LIMIT 1) \
                 AS window_end, (SELECT MAX(seq) FROM feed WHERE org = $1) AS high) \
                 SELECT w.window_end, w.high, k.seq, k.canonical FROM w LEFT JOIN LATERAL (\
                 SELECT f.seq, o.canonical FROM feed f JOIN ops o ON o.op_id = f.op_id \
                 WHERE f.org = $1 AND f.seq > $2 AND f.seq <= COALESCE(w.window_end, w.high) \
                 AND (o.device_id <> $5 OR f.resent) AND o.class = ANY($3) ORDER BY f.seq LIMIT $4) k ON true",
            )
            .await
            .map_err(db)?;
        let after_i = i64::try_from(after).unwrap_or(i64::MAX);
        let params: [Param<'_>; 6] =
            [&org.as_str(), &after_i, &classes, &(i64::from(limit) + 1), &device.to_string(), &(window(limit) - 1)];
        let rows = c.query(&stmt, &params).await.map_err(db)?;
        let (window_end, high) = rows.first().map_or((None, None), |r| (r.get(0), r.get(1)));
        let keepers =
            rows.iter().filter_map(|r| Some((r.get::<_, Option<i64>>(2)?, r.get::<_, Option<String>>(3)?))).collect();
        page_of_keepers(keepers, window_end, high, after, limit, &self.sealer)
    }

    async fn conflicts(&self, org: &OrgId) -> Result<Vec<CaseConflicts>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT c.case_id, c.owner, c.conflicts FROM cases c JOIN case_access a ON a.case_id = c.case_id \
                 WHERE a.org = $1 AND c.conflict_count > 0 ORDER BY c.case_id",
                &[&org.as_str()],
            )
            .await
            .map_err(db)?;
        conflict_rows(rows.into_iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect(), &self.sealer)
    }

    async fn op_count(&self) -> Result<u64> {
        let n: i64 = self.client().await?.query_one("SELECT COUNT(*) FROM ops", &[]).await.map_err(db)?.get(0);
        Ok(n as u64)
    }

    async fn unwritable_ops(&self) -> Result<Vec<UnwritableOp>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT o.op_id, o.case_id, o.device_id, d.role, o.class FROM ops o \
                 JOIN devices d ON d.id = o.device_id WHERE o.class <> 'general' ORDER BY o.arrival",
                &[],
            )
            .await
            .map_err(db)?;
        let mut out = Vec::new();
        for r in rows {
            let (op, case, device, role, class): (String, String, String, String, String) =
                (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
            out.extend(UnwritableOp::of_row(&op, &case, &device, &role, &class)?);
        }
        Ok(out)
    }

    async fn last_pushed(&self, id: DeviceId) -> Result<Option<OpId>> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT last_pushed_op FROM devices WHERE id = $1", &[&id.to_string()])
            .await
            .map_err(db)?;
        row.and_then(|r| r.get::<_, Option<String>>(0)).map(|s| p(&s)).transpose()
    }
}
