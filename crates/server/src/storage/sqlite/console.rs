//! The SQLite side of the sync administrators' console: sessions that end
//! when idle, user changes, enrollment codes, partner organizations, the
//! audit trail, and the service's own device id.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use waystation_core::{DeviceId, OrgId, UserName};
use waystation_protocol::admin::{AuditEntry, CodeInfo};

use super::{db, parse, parse_ts, ts, user_row};
use crate::storage::audit::{self, AuditCheck, NewAudit, StoredAudit};
use crate::storage::sealed::Sealer;
use crate::storage::{Result, SessionLookup, StorageError, UserUpdate};

pub(super) const USER_COLUMNS: &str = "name, org, role, password_hash, created_at, disabled_at IS NOT NULL";

pub(super) fn session(
    c: &Connection,
    token: &str,
    now: DateTime<Utc>,
    idle: chrono::Duration,
) -> Result<SessionLookup> {
    let row = c
        .query_row(
            "SELECT u.name, u.org, u.role, u.password_hash, u.created_at, u.disabled_at IS NOT NULL, s.expires_at, \
             s.last_seen FROM admin_sessions s JOIN users u ON u.name = s.user_name WHERE s.token_hash = ?1",
            params![token],
            |r| {
                Ok((
                    user_row(r)?,
                    parse_ts(&r.get::<_, String>(6)?)?,
                    r.get::<_, Option<String>>(7)?.map(|s| parse_ts(&s)).transpose()?,
                ))
            },
        )
        .optional()
        .map_err(db)?;
    let Some((user, expires, last_seen)) = row else { return Ok(SessionLookup::Missing) };
    let idle_over = last_seen.is_some_and(|at| now - at > idle);
    if expires <= now || idle_over || user.disabled {
        c.execute("DELETE FROM admin_sessions WHERE token_hash = ?1", params![token]).map_err(db)?;
        return Ok(SessionLookup::Ended);
    }
    c.execute("UPDATE admin_sessions SET last_seen = ?1 WHERE token_hash = ?2", params![ts(now), token]).map_err(db)?;
    Ok(SessionLookup::Live(user, expires))
}

pub(super) fn update_user(c: &mut Connection, name: &UserName, ch: &UserUpdate, now: DateTime<Utc>) -> Result<bool> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
    let exists = tx.query_row("SELECT 1 FROM users WHERE name = ?1", params![name.as_str()], |_| Ok(())).optional();
    if exists.map_err(db)?.is_none() {
        return Ok(false);
    }
    if let Some(role) = ch.role {
        tx.execute("UPDATE users SET role = ?1 WHERE name = ?2", params![role.as_str(), name.as_str()]).map_err(db)?;
    }
    if let Some(hash) = &ch.password_hash {
        tx.execute("UPDATE users SET password_hash = ?1 WHERE name = ?2", params![hash, name.as_str()]).map_err(db)?;
    }
    match ch.disabled {
        Some(true) => {
            tx.execute(
                "UPDATE users SET disabled_at = COALESCE(disabled_at, ?1) WHERE name = ?2",
                params![ts(now), name.as_str()],
            )
            .map_err(db)?;
        }
        Some(false) => {
            tx.execute("UPDATE users SET disabled_at = NULL WHERE name = ?1", params![name.as_str()]).map_err(db)?;
        }
        None => {}
    }
    if ch.disabled == Some(true) || ch.role.is_some() || ch.password_hash.is_some() {
        // A changed user signs in again: no session keeps what it was.
        tx.execute("DELETE FROM admin_sessions WHERE user_name = ?1", params![name.as_str()]).map_err(db)?;
    }
    tx.commit().map_err(db)?;
    Ok(true)
}

pub(super) fn codes(c: &Connection, org: &OrgId, now: DateTime<Utc>) -> Result<Vec<CodeInfo>> {
    let mut s = c
        .prepare(
            "SELECT id, org, role, created_at, expires_at, created_by FROM enrollment_codes WHERE org = ?1 \
             AND id IS NOT NULL AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > ?2 ORDER BY created_at DESC",
        )
        .map_err(db)?;
    s.query_map(params![org.as_str(), ts(now)], |r| {
        Ok(CodeInfo {
            id: r.get(0)?,
            org: parse(&r.get::<_, String>(1)?)?,
            role: parse(&r.get::<_, String>(2)?)?,
            created_at: parse_ts(&r.get::<_, String>(3)?)?,
            expires_at: parse_ts(&r.get::<_, String>(4)?)?,
            created_by: r.get(5)?,
        })
    })
    .map_err(db)?
    .collect::<rusqlite::Result<_>>()
    .map_err(db)
}

pub(super) fn cancel_code(c: &Connection, org: &OrgId, id: &str, now: DateTime<Utc>) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE enrollment_codes SET cancelled_at = ?1 WHERE id = ?2 AND org = ?3 AND used_at IS NULL \
             AND cancelled_at IS NULL",
            params![ts(now), id, org.as_str()],
        )
        .map_err(db)?;
    Ok(n > 0)
}

pub(super) fn append_audit(c: &mut Connection, sealer: &Sealer, e: &NewAudit) -> Result<u64> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
    let head: Option<String> =
        tx.query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| r.get(0)).optional().map_err(db)?;
    let (last, prev) = audit::parse_head(head.as_deref()).unwrap_or((0, String::new()));
    let seq = last + 1;
    let at = audit::stored_time(e.at);
    let org = e.org.as_ref().map(|o| o.as_str());
    let mac = audit::mac_of(sealer, &prev, seq, at, org, &e.actor, &e.action, &e.target, &e.outcome);
    tx.execute(
        "INSERT INTO audit_log (seq, at, org, actor, action, target, outcome, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq as i64, ts(at), org, e.actor, e.action, e.target, e.outcome, mac],
    )
    .map_err(db)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![audit::head_text(seq, &mac)],
    )
    .map_err(db)?;
    tx.commit().map_err(db)?;
    Ok(seq)
}

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAudit> {
    Ok(StoredAudit {
        entry: AuditEntry {
            seq: r.get::<_, i64>(0)? as u64,
            at: parse_ts(&r.get::<_, String>(1)?)?,
            actor: r.get(3)?,
            action: r.get(4)?,
            target: r.get(5)?,
            outcome: r.get(6)?,
        },
        org: r.get(2)?,
        mac: r.get(7)?,
    })
}

pub(super) fn audit(c: &Connection, org: Option<&str>, target: Option<&str>, limit: u32) -> Result<Vec<AuditEntry>> {
    let mut s = c
        .prepare(
            "SELECT seq, at, org, actor, action, target, outcome, mac FROM audit_log \
             WHERE (?1 IS NULL OR org = ?1) AND (?2 IS NULL OR target = ?2) ORDER BY seq DESC LIMIT ?3",
        )
        .map_err(db)?;
    s.query_map(params![org, target, limit], audit_row)
        .map_err(db)?
        .map(|r| r.map(|a| a.entry))
        .collect::<rusqlite::Result<_>>()
        .map_err(db)
}

pub(super) fn verify_audit(c: &Connection, sealer: &Sealer) -> Result<AuditCheck> {
    let head: Option<String> =
        c.query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| r.get(0)).optional().map_err(db)?;
    let mut s = c
        .prepare("SELECT seq, at, org, actor, action, target, outcome, mac FROM audit_log ORDER BY seq")
        .map_err(db)?;
    let rows: Vec<StoredAudit> =
        s.query_map([], audit_row).map_err(db)?.collect::<rusqlite::Result<_>>().map_err(db)?;
    Ok(audit::verify(sealer, &rows, head.as_deref()))
}

pub(super) fn ops_since(c: &Connection, org: &OrgId, since: DateTime<Utc>) -> Result<u64> {
    let n: i64 = c
        .query_row(
            "SELECT (SELECT COUNT(*) FROM ops WHERE feed_org = ?1 AND pushed_at >= ?2) + \
             (SELECT COUNT(*) FROM feed f JOIN ops o ON o.op_id = f.op_id WHERE f.org = ?1 AND o.pushed_at >= ?2)",
            params![org.as_str(), ts(since)],
            |r| r.get(0),
        )
        .map_err(db)?;
    Ok(n as u64)
}

pub(super) fn service_device(c: &Connection) -> Result<DeviceId> {
    let stored: Option<String> =
        c.query_row("SELECT value FROM meta WHERE key = 'service_device'", [], |r| r.get(0)).optional().map_err(db)?;
    if let Some(s) = stored {
        return s.parse().map_err(|e| StorageError::Corrupt(format!("stored service device id: {e}")));
    }
    let id = DeviceId::new();
    c.execute(
        "INSERT INTO meta (key, value) VALUES ('service_device', ?1) ON CONFLICT (key) DO NOTHING",
        params![id.to_string()],
    )
    .map_err(db)?;
    let kept: String =
        c.query_row("SELECT value FROM meta WHERE key = 'service_device'", [], |r| r.get(0)).map_err(db)?;
    kept.parse().map_err(|e| StorageError::Corrupt(format!("stored service device id: {e}")))
}
