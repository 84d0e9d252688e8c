//! The audit chain: one entry for every change, every read of a case, every
//! unlock (and failed unlock) and every key change. Each entry's hash is
//! SHA-256 of the previous entry's hash followed by the entry's canonical
//! form, so changing or removing an entry breaks the chain after it.
//!
//! A change entry (create, edit, pull) records one save of one case: its
//! first operation and a digest of all the operations it wrote, so
//! verification also finds an operation changed, removed or slipped into the
//! operation log through SQL.
//!
//! Removing the *newest* entries leaves a shorter chain that still links, so
//! the head (sequence number and hash) is also kept in the `device` row,
//! updated in the same transaction, and as a checkpoint in the key ring at
//! every unlock and lock. Verification checks the chain against both. Someone
//! who holds the database key can still rewrite the whole chain and the head
//! after the last checkpoint; sending the head to the server at each sync is
//! what would close that gap.

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{AuditError, BreakKind, Result};
use crate::keyring::AuditCheckpoint;

/// The hash before the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    StoreCreate,
    Create,
    Edit,
    Pull,
    Read,
    List,
    Search,
    Timeline,
    Unlock,
    UnlockFailed,
    Lock,
    PassphraseChange,
    UserAdd,
    UserRemove,
    Requeue,
    CaseRemoved,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::StoreCreate => "store_create",
            Action::Create => "create",
            Action::Edit => "edit",
            Action::Pull => "pull",
            Action::Read => "read",
            Action::List => "list",
            Action::Search => "search",
            Action::Timeline => "timeline",
            Action::Unlock => "unlock",
            Action::UnlockFailed => "unlock_failed",
            Action::Lock => "lock",
            Action::PassphraseChange => "passphrase_change",
            Action::UserAdd => "user_add",
            Action::UserRemove => "user_remove",
            Action::Requeue => "requeue",
            Action::CaseRemoved => "case_removed",
        }
    }
}

/// The result of a successful verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AuditReport {
    /// Entries verified.
    pub entries: u64,
    /// Sequence number of the newest entry.
    pub head_seq: u64,
    /// Hash of the newest entry (hex).
    pub head_hash: String,
}

/// Appends entries inside one transaction; `finish` stores the new head.
pub(crate) struct AuditWriter {
    seq: u64,
    hash: String,
    at: String,
    user: String,
    device: String,
}

/// One entry's fields, in the order they are hashed.
struct Entry<'a> {
    seq: u64,
    at: &'a str,
    user: &'a str,
    device: &'a str,
    action: &'a str,
    case_id: Option<&'a str>,
    op_id: Option<&'a str>,
    detail: Option<&'a str>,
}

impl Entry<'_> {
    /// The canonical form: a JSON array in a fixed order, so no value can
    /// move from one field to another without changing the bytes.
    fn canonical(&self) -> String {
        serde_json::to_string(&(
            self.seq,
            self.at,
            self.user,
            self.device,
            self.action,
            self.case_id,
            self.op_id,
            self.detail,
        ))
        .expect("a tuple of text serializes")
    }
}

fn chain_hash(prev: &str, entry: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(entry.as_bytes());
    hex::encode(h.finalize())
}

/// The detail of a change entry (create, edit, pull): how many operations
/// one save wrote and a SHA-256 digest of their canonical JSON in the order
/// they were written, which ties the entry to exactly those operations: an
/// operation changed or removed through SQL no longer matches. (One entry per
/// case per save, not per operation: a case import writes a tenth of the rows.)
/// The operations of one entry are written one after another, from the one
/// named in the entry's `op_id`.
pub(crate) fn ops_detail<'a>(bodies: impl IntoIterator<Item = &'a str>) -> String {
    let (n, digest) = ops_digest(bodies);
    format!("{{\"ops\":{n},\"digest\":\"{digest}\"}}")
}

fn ops_digest<'a>(bodies: impl IntoIterator<Item = &'a str>) -> (usize, String) {
    let mut h = Sha256::new();
    let mut n = 0usize;
    for body in bodies {
        // Canonical JSON never holds a raw newline: it separates the bodies.
        h.update(body.as_bytes());
        h.update(b"\n");
        n += 1;
    }
    (n, hex::encode(h.finalize()))
}

/// Now, as stored in the audit log and elsewhere.
pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl AuditWriter {
    /// Start appending after the head stored in the `device` row.
    pub fn begin(conn: &Connection, user: &str, device: &str) -> Result<Self> {
        let AuditCheckpoint { seq, hash } = head(conn)?;
        Ok(Self { seq, hash, at: now_text(), user: user.to_owned(), device: device.to_owned() })
    }

    /// Use this time for the following entries (a failed unlock recorded later).
    pub fn at(&mut self, at: String) -> &mut Self {
        self.at = at;
        self
    }

    /// Append one entry.
    pub fn append(
        &mut self,
        conn: &Connection,
        action: Action,
        case_id: Option<&str>,
        op_id: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        let seq = self.seq + 1;
        let entry = Entry {
            seq,
            at: &self.at,
            user: &self.user,
            device: &self.device,
            action: action.as_str(),
            case_id,
            op_id,
            detail,
        }
        .canonical();
        let hash = chain_hash(&self.hash, &entry);
        conn.prepare_cached(
            "INSERT INTO audit (seq, at, user, device, action, case_id, op_id, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            seq as i64,
            self.at,
            self.user,
            self.device,
            action.as_str(),
            case_id,
            op_id,
            detail,
            self.hash,
            hash
        ])?;
        self.seq = seq;
        self.hash = hash;
        Ok(())
    }

    /// Store the new head in the same transaction as the entries.
    pub fn finish(self, conn: &Connection) -> Result<AuditCheckpoint> {
        conn.prepare_cached("UPDATE device SET audit_head_seq = ?1, audit_head_hash = ?2")?
            .execute(params![self.seq as i64, self.hash])?;
        Ok(AuditCheckpoint { seq: self.seq, hash: self.hash })
    }
}

/// The head to store in a new database.
pub(crate) fn genesis() -> &'static str {
    GENESIS
}

/// The head as stored in the `device` row.
pub(crate) fn head(conn: &Connection) -> Result<AuditCheckpoint> {
    let (seq, hash): (i64, String) =
        conn.query_row("SELECT audit_head_seq, audit_head_hash FROM device", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(AuditCheckpoint { seq: seq as u64, hash })
}

/// Whether the chain still holds the entry a checkpoint names. A database
/// rolled back to an older copy (or truncated) does not: then the key ring's
/// checkpoint must not move, so that `verify` keeps reporting the break.
pub(crate) fn holds(conn: &Connection, checkpoint: &AuditCheckpoint) -> Result<bool> {
    if checkpoint.seq == 0 {
        return Ok(true);
    }
    let hash: Option<String> = conn
        .query_row("SELECT hash FROM audit WHERE seq = ?1", params![checkpoint.seq as i64], |r| r.get(0))
        .optional()?;
    Ok(hash.as_deref() == Some(checkpoint.hash.as_str()))
}

/// Walk the whole chain; compare its end with the stored head and the key
/// ring's checkpoint. Says at which entry the chain breaks.
pub(crate) fn verify(conn: &Connection, checkpoint: Option<&AuditCheckpoint>) -> Result<AuditReport, AuditError> {
    let broken = |seq: u64, reason: BreakKind| Err(AuditError::Broken { seq, reason });
    let mut stmt = conn.prepare(
        "SELECT seq, at, user, device, action, case_id, op_id, detail, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1u64;
    let mut prev = GENESIS.to_owned();
    let mut checkpoint_seen = false;
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        let at: String = row.get(1)?;
        let user: String = row.get(2)?;
        let device: String = row.get(3)?;
        let action: String = row.get(4)?;
        let case_id: Option<String> = row.get(5)?;
        let op_id: Option<String> = row.get(6)?;
        let detail: Option<String> = row.get(7)?;
        let prev_hash: String = row.get(8)?;
        let hash: String = row.get(9)?;
        if seq != expected_seq {
            return broken(expected_seq, BreakKind::Missing);
        }
        if prev_hash != prev {
            return broken(seq, BreakKind::NotChained);
        }
        let entry = Entry {
            seq,
            at: &at,
            user: &user,
            device: &device,
            action: &action,
            case_id: case_id.as_deref(),
            op_id: op_id.as_deref(),
            detail: detail.as_deref(),
        }
        .canonical();
        if chain_hash(&prev_hash, &entry) != hash {
            return broken(seq, BreakKind::Changed);
        }
        if let Some(cp) = checkpoint.filter(|cp| cp.seq == seq) {
            if cp.hash != hash {
                return broken(seq, BreakKind::CheckpointMismatch);
            }
            checkpoint_seen = true;
        }
        prev = hash;
        expected_seq += 1;
    }
    drop(rows);
    drop(stmt);
    let last = expected_seq - 1;
    verify_operations(conn, last)?;
    let stored = head(conn)?;
    if stored.seq > last {
        return broken(last + 1, BreakKind::Truncated);
    }
    if stored.seq < last {
        // Entries after the stored head were added outside the store.
        return broken(stored.seq + 1, BreakKind::NotChained);
    }
    if stored.hash != prev {
        return broken(last, BreakKind::CheckpointMismatch);
    }
    if let Some(cp) = checkpoint {
        if cp.seq > last {
            return broken(last + 1, BreakKind::Truncated);
        }
        if cp.seq > 0 && !checkpoint_seen {
            return broken(cp.seq, BreakKind::Missing);
        }
    }
    Ok(AuditReport { entries: last, head_seq: last, head_hash: prev })
}

/// Every change entry's operations are in the log, unchanged, and every
/// operation in the log belongs to a change entry — but for the entries of a
/// case removed after them (its sharing with this device's organization
/// ended: the removal entry, in the chain, says so; what came after it, when
/// the case was shared again, is checked).
fn verify_operations(conn: &Connection, head_seq: u64) -> Result<(), AuditError> {
    #[derive(serde::Deserialize)]
    struct Detail {
        ops: usize,
        digest: String,
    }
    let removed: std::collections::HashMap<String, i64> = conn
        .prepare("SELECT case_id, max(seq) FROM audit WHERE action = 'case_removed' GROUP BY case_id")?
        .query_map([], |r| Ok((r.get::<_, Option<String>>(0)?.unwrap_or_default(), r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut entries = conn.prepare(
        "SELECT a.seq, a.detail, o.num, a.case_id FROM audit a LEFT JOIN ops o ON o.op_id = a.op_id
         WHERE a.action IN ('create', 'edit', 'pull') ORDER BY a.seq",
    )?;
    let mut bodies = conn.prepare("SELECT body FROM ops WHERE num >= ?1 ORDER BY num LIMIT ?2")?;
    let mut rows = entries.query([])?;
    let mut covered = 0usize;
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        let detail: Option<String> = row.get(1)?;
        let first: Option<i64> = row.get(2)?;
        let case: Option<String> = row.get(3)?;
        if case.and_then(|c| removed.get(&c)).is_some_and(|r| *r > seq as i64) {
            continue;
        }
        let broken = |reason| Err(AuditError::Broken { seq, reason });
        let Some(detail) = detail.and_then(|d| serde_json::from_str::<Detail>(&d).ok()) else {
            return broken(BreakKind::Changed);
        };
        let Some(first) = first else { return broken(BreakKind::OperationMissing) };
        let texts: Vec<String> =
            bodies.query_map(rusqlite::params![first, detail.ops as i64], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let (n, digest) = ops_digest(texts.iter().map(String::as_str));
        if n != detail.ops {
            return broken(BreakKind::OperationMissing);
        }
        if digest != detail.digest {
            return broken(BreakKind::OperationChanged);
        }
        covered += n;
    }
    let total = conn.query_row("SELECT count(*) FROM ops", [], |r| r.get::<_, i64>(0))? as usize;
    if total != covered {
        let reason = if total > covered { BreakKind::OperationUnrecorded } else { BreakKind::OperationMissing };
        return Err(AuditError::Broken { seq: head_seq, reason });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let entry = |case_id, op_id| {
            Entry { seq: 1, at: "t", user: "u", device: "d", action: "read", case_id, op_id, detail: None }.canonical()
        };
        let (a, b) = (entry(Some("c"), None), entry(None, Some("c")));
        assert_ne!(a, b, "a value moved between fields changes the entry");
        assert_ne!(chain_hash(GENESIS, &a), chain_hash(&"1".repeat(64), &a));
    }
}
