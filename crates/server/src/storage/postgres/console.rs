//! The PostgreSQL side of the sync administrators' console (see the SQLite
//! side, `sqlite/console.rs`, for what each does).

use chrono::{DateTime, Utc};
use deadpool_postgres::Object;
use waystation_core::{DeviceId, OrgId, UserName};
use waystation_protocol::admin::{AuditEntry, CodeInfo};

use super::{db, p, user_row};
use crate::storage::audit::{self, AuditCheck, NewAudit, StoredAudit};
use crate::storage::sealed::Sealer;
use crate::storage::{Result, SessionLookup, StorageError, UserUpdate};

pub(super) const USER_COLUMNS: &str = "name, org, role, password_hash, created_at, disabled_at IS NOT NULL";

pub(super) async fn session(
    c: &Object,
    token: &str,
    now: DateTime<Utc>,
    idle: chrono::Duration,
) -> Result<SessionLookup> {
    let row = c
        .query_opt(
            "SELECT u.name, u.org, u.role, u.password_hash, u.created_at, u.disabled_at IS NOT NULL, s.expires_at, \
             s.last_seen FROM admin_sessions s JOIN users u ON u.name = s.user_name WHERE s.token_hash = $1",
            &[&token],
        )
        .await
        .map_err(db)?;
    let Some(row) = row else { return Ok(SessionLookup::Missing) };
    let user = user_row(&row)?;
    let expires: DateTime<Utc> = row.get(6);
    let last_seen: Option<DateTime<Utc>> = row.get(7);
    if expires <= now || last_seen.is_some_and(|at| now - at > idle) || user.disabled {
        c.execute("DELETE FROM admin_sessions WHERE token_hash = $1", &[&token]).await.map_err(db)?;
        return Ok(SessionLookup::Ended);
    }
    c.execute("UPDATE admin_sessions SET last_seen = $1 WHERE token_hash = $2", &[&now, &token]).await.map_err(db)?;
    Ok(SessionLookup::Live(user, expires))
}

pub(super) async fn update_user(c: &mut Object, name: &UserName, ch: &UserUpdate, now: DateTime<Utc>) -> Result<bool> {
    let tx = c.transaction().await.map_err(db)?;
    let n = name.as_str();
    if tx.query_opt("SELECT 1 FROM users WHERE name = $1 FOR UPDATE", &[&n]).await.map_err(db)?.is_none() {
        return Ok(false);
    }
    if let Some(role) = ch.role {
        tx.execute("UPDATE users SET role = $1 WHERE name = $2", &[&role.as_str(), &n]).await.map_err(db)?;
    }
    if let Some(hash) = &ch.password_hash {
        tx.execute("UPDATE users SET password_hash = $1 WHERE name = $2", &[hash, &n]).await.map_err(db)?;
    }
    match ch.disabled {
        Some(true) => {
            tx.execute("UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE name = $2", &[&now, &n])
                .await
                .map_err(db)?;
        }
        Some(false) => {
            tx.execute("UPDATE users SET disabled_at = NULL WHERE name = $1", &[&n]).await.map_err(db)?;
        }
        None => {}
    }
    if ch.disabled == Some(true) || ch.role.is_some() || ch.password_hash.is_some() {
        tx.execute("DELETE FROM admin_sessions WHERE user_name = $1", &[&n]).await.map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(true)
}

pub(super) async fn codes(c: &Object, org: &OrgId, now: DateTime<Utc>) -> Result<Vec<CodeInfo>> {
    let rows = c
        .query(
            "SELECT id, org, role, created_at, expires_at, created_by FROM enrollment_codes WHERE org = $1 \
             AND id IS NOT NULL AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > $2 \
             ORDER BY created_at DESC",
            &[&org.as_str(), &now],
        )
        .await
        .map_err(db)?;
    rows.iter()
        .map(|r| {
            Ok(CodeInfo {
                id: r.get(0),
                org: p(r.get(1))?,
                role: p(r.get(2))?,
                created_at: r.get(3),
                expires_at: r.get(4),
                created_by: r.get(5),
            })
        })
        .collect()
}

pub(super) async fn cancel_code(c: &Object, org: &OrgId, id: &str, now: DateTime<Utc>) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE enrollment_codes SET cancelled_at = $1 WHERE id = $2 AND org = $3 AND used_at IS NULL \
             AND cancelled_at IS NULL",
            &[&now, &id, &org.as_str()],
        )
        .await
        .map_err(db)?;
    Ok(n > 0)
}

pub(super) async fn append_audit(c: &mut Object, sealer: &Sealer, e: &NewAudit) -> Result<u64> {
    let tx = c.transaction().await.map_err(db)?;
    // The head row, locked: appends run one at a time, in seq order.
    tx.execute("INSERT INTO meta (key, value) VALUES ('audit_head', '') ON CONFLICT (key) DO NOTHING", &[])
        .await
        .map_err(db)?;
    let head: String =
        tx.query_one("SELECT value FROM meta WHERE key = 'audit_head' FOR UPDATE", &[]).await.map_err(db)?.get(0);
    let (last, prev) = audit::parse_head(Some(&head)).unwrap_or((0, String::new()));
    let seq = last + 1;
    let at = audit::stored_time(e.at);
    let org = e.org.as_ref().map(|o| o.as_str());
    let mac = audit::mac_of(sealer, &prev, seq, at, org, &e.actor, &e.action, &e.target, &e.outcome);
    tx.execute(
        "INSERT INTO audit_log (seq, at, org, actor, action, target, outcome, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[&(seq as i64), &at, &org, &e.actor, &e.action, &e.target, &e.outcome, &mac],
    )
    .await
    .map_err(db)?;
    tx.execute("UPDATE meta SET value = $1 WHERE key = 'audit_head'", &[&audit::head_text(seq, &mac)])
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(seq)
}

fn audit_row(r: &tokio_postgres::Row) -> StoredAudit {
    StoredAudit {
        entry: AuditEntry {
            seq: r.get::<_, i64>(0) as u64,
            at: r.get(1),
            actor: r.get(3),
            action: r.get(4),
            target: r.get(5),
            outcome: r.get(6),
        },
        org: r.get(2),
        mac: r.get(7),
    }
}

pub(super) async fn audit(c: &Object, org: Option<&str>, target: Option<&str>, limit: u32) -> Result<Vec<AuditEntry>> {
    let rows = c
        .query(
            "SELECT seq, at, org, actor, action, target, outcome, mac FROM audit_log \
             WHERE ($1::text IS NULL OR org = $1) AND ($2::text IS NULL OR target = $2) ORDER BY seq DESC LIMIT $3",
            &[&org, &target, &i64::from(limit)],
        )
        .await
        .map_err(db)?;
    Ok(rows.iter().map(|r| audit_row(r).entry).collect())
}

pub(super) async fn verify_audit(c: &Object, sealer: &Sealer) -> Result<AuditCheck> {
    let head: Option<String> = c
        .query_opt("SELECT value FROM meta WHERE key = 'audit_head'", &[])
        .await
        .map_err(db)?
        .map(|r| r.get(0))
        .filter(|h: &String| !h.is_empty());
    let rows = c
        .query("SELECT seq, at, org, actor, action, target, outcome, mac FROM audit_log ORDER BY seq", &[])
        .await
        .map_err(db)?;
    let rows: Vec<StoredAudit> = rows.iter().map(audit_row).collect();
    Ok(audit::verify(sealer, &rows, head.as_deref()))
}

pub(super) async fn ops_since(c: &Object, org: &OrgId, since: DateTime<Utc>) -> Result<u64> {
    let n: i64 = c
        .query_one(
            "SELECT COUNT(*) FROM feed f JOIN ops o ON o.op_id = f.op_id WHERE f.org = $1 AND o.pushed_at >= $2",
            &[&org.as_str(), &since],
        )
        .await
        .map_err(db)?
        .get(0);
    Ok(n as u64)
}

pub(super) async fn service_device(c: &Object) -> Result<DeviceId> {
    let fresh = DeviceId::new().to_string();
    c.execute("INSERT INTO meta (key, value) VALUES ('service_device', $1) ON CONFLICT (key) DO NOTHING", &[&fresh])
        .await
        .map_err(db)?;
    let kept: String =
        c.query_one("SELECT value FROM meta WHERE key = 'service_device'", &[]).await.map_err(db)?.get(0);
    kept.parse().map_err(|e| StorageError::Corrupt(format!("stored service device id: {e}")))
}
