//! What the sync engine needs from the store: the outbox (operations made
//! here and not yet acknowledged: pending, or refused and kept), applying pulled operations together with
//! the pull cursor, and re-queueing everything after a server epoch change.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use waystation_core::{CaseId, CaseState, Change, OpId, Operation};

use crate::audit::{self, Action, ops_detail};
use crate::error::{Result, StoreError};
use crate::materialize::{insert_op, load_state, save_last_hlc, write_case};
use crate::read::parse_bodies;
use crate::store::Store;
use crate::write::case_exists;

/// Where pulling stopped in the service's feed: the server's epoch (changes
/// when the server was restored from a backup) and its opaque cursor within
/// that epoch (the protocol's `PullCursor`, kept here as text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedPosition {
    /// The server's epoch.
    pub epoch: String,
    /// The server's position, opaque to the store.
    pub cursor: String,
}

/// An operation waiting in the outbox, as stored: its queue position, its
/// ids, and its canonical JSON, which a sender puts on the wire as it is,
/// without parsing and encoding it again. Its `Debug` never shows the body.
#[derive(Clone, PartialEq, Eq)]
pub struct QueuedOp {
    /// Its position in the outbox.
    pub num: i64,
    /// The operation's id.
    pub id: OpId,
    /// The case it changes.
    pub case_id: CaseId,
    /// The operation's canonical JSON.
    pub body: String,
}

impl std::fmt::Debug for QueuedOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueuedOp")
            .field("num", &self.num)
            .field("id", &self.id)
            .field("case_id", &self.case_id)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// A pulled operation that was refused and kept aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RejectedOp {
    /// The operation's id.
    pub op_id: OpId,
    /// Why, in plain words.
    pub reason: String,
}

/// What applying a pulled page did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PullReport {
    /// Operations new to this store, now applied.
    pub applied: usize,
    /// Operations the store already had, unchanged (ignored).
    pub duplicates: usize,
    /// Operations refused (invalid, or an id already seen with other content).
    pub rejected: Vec<RejectedOp>,
    /// Cases whose view changed.
    pub cases: Vec<CaseId>,
    /// Cases this page shared with this device's organization (again): its
    /// changes to them that were refused as "not shared" may now be accepted.
    pub shared_again: Vec<CaseId>,
}

/// Delete everything this store holds of a case: its operations (those
/// still in the outbox too), its view, search entries, conflicts, operations
/// refused on their way in, and drafts named after it. The store deletes
/// securely (`secure_delete`), and the search index is merged so no token of
/// the case stays in it. Returns the audit detail: why, and how many
/// operations went (and how many of them were never sent), without content.
fn remove_case(tx: &rusqlite::Connection, case_id: CaseId) -> Result<String> {
    let id = case_id.to_string();
    let unsent: i64 = tx.query_row(
        "SELECT count(*) FROM outbox x JOIN ops o ON o.op_id = x.op_id WHERE o.case_id = ?1",
        [&id],
        |r| r.get(0),
    )?;
    tx.execute("DELETE FROM outbox WHERE op_id IN (SELECT op_id FROM ops WHERE case_id = ?1)", [&id])?;
    let ops = tx.execute("DELETE FROM ops WHERE case_id = ?1", [&id])?;
    let num: Option<i64> = tx.query_row("SELECT num FROM cases WHERE case_id = ?1", [&id], |r| r.get(0)).optional()?;
    if let Some(num) = num {
        tx.execute("DELETE FROM case_search WHERE rowid = ?1", [num])?;
        tx.execute("DELETE FROM cases WHERE num = ?1", [num])?;
    }
    tx.execute("DELETE FROM conflicts WHERE case_id = ?1", [&id])?;
    tx.execute("DELETE FROM rejected_ops WHERE instr(body, ?1) > 0", [format!("\"case_id\":\"{id}\"")])?;
    tx.execute("DELETE FROM drafts WHERE instr(name, ?1) > 0", [&id])?;
    tx.execute("INSERT INTO case_search (case_search) VALUES ('optimize')", [])?;
    Ok(format!("{{\"reason\":\"sharing_ended\",\"ops\":{ops},\"unsent\":{unsent}}}"))
}

impl Store {
    /// The oldest `limit` operations waiting in the outbox, oldest first.
    pub fn outbox_peek(&self, limit: usize) -> Result<Vec<Operation>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT o.body FROM outbox x JOIN ops o ON o.op_id = x.op_id ORDER BY x.num LIMIT ?1")?;
        let bodies = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get::<_, String>(0))?;
        parse_bodies(bodies)
    }

    /// Up to `limit` pending operations of the outbox (not refused, see
    /// [`Store::outbox_settle`]) whose queue position is after `after` (0 for
    /// the start), oldest first, as stored: a sender that keeps several
    /// batches in flight reads on from the last position it read, without
    /// reading again what it sent. Fewer than `limit` means the end of the
    /// pending order, however many refused operations the outbox keeps.
    pub fn outbox_after(&self, after: i64, limit: usize) -> Result<Vec<QueuedOp>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT x.num, o.op_id, o.case_id, o.body FROM outbox x JOIN ops o ON o.op_id = x.op_id \
             WHERE x.refused = 0 AND x.num > ?1 ORDER BY x.refused, x.num LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?;
        let damaged = || StoreError::Damaged("a queued operation's id does not parse".into());
        rows.map(|row| {
            let (num, id, case_id, body) = row?;
            Ok(QueuedOp {
                num,
                id: id.parse().map_err(|_| damaged())?,
                case_id: case_id.parse().map_err(|_| damaged())?,
                body,
            })
        })
        .collect()
    }

    /// Remove operations the server acknowledged. Unknown ids are ignored, so
    /// a repeated acknowledgement is harmless. Returns how many were removed.
    pub fn outbox_ack(&mut self, ids: &[OpId]) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut removed = 0;
        for id in ids {
            removed += tx.prepare_cached("DELETE FROM outbox WHERE op_id = ?1")?.execute([id.to_string()])?;
        }
        tx.commit()?;
        Ok(removed)
    }

    /// Operations waiting in the outbox, refused ones included.
    pub fn outbox_len(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Settle one answer of the service: `acked` leave the outbox, `refused`
    /// stay in it but leave the pending order, in one transaction. Unknown
    /// ids are ignored, so a repeated answer is harmless. Returns how many
    /// operations left the pending order (removed, or newly refused).
    pub fn outbox_settle(&mut self, acked: &[OpId], refused: &[OpId]) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut left = 0;
        for id in acked {
            left += tx.prepare_cached("DELETE FROM outbox WHERE op_id = ?1")?.execute([id.to_string()])?;
        }
        for id in refused {
            left += tx
                .prepare_cached("UPDATE outbox SET refused = 1 WHERE op_id = ?1 AND refused = 0")?
                .execute([id.to_string()])?;
        }
        tx.commit()?;
        Ok(left)
    }

    /// Put refused operations back in the pending order (offered to the
    /// service again), each at its old queue position. Returns how many.
    pub fn outbox_reoffer(&mut self, ids: &[OpId]) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut n = 0;
        for id in ids {
            n += tx
                .prepare_cached("UPDATE outbox SET refused = 0 WHERE op_id = ?1 AND refused = 1")?
                .execute([id.to_string()])?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// The refused operations the outbox keeps of these cases.
    pub fn outbox_refused_of(&self, cases: &[CaseId]) -> Result<Vec<OpId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT x.op_id FROM outbox x JOIN ops o ON o.op_id = x.op_id WHERE x.refused = 1 AND o.case_id = ?1",
        )?;
        let mut out = Vec::new();
        for case in cases {
            for id in stmt.query_map([case.to_string()], |r| r.get::<_, String>(0))? {
                out.push(
                    id?.parse().map_err(|_| StoreError::Damaged("a refused operation's id does not parse".into()))?,
                );
            }
        }
        Ok(out)
    }

    /// The ids of the refused operations the outbox keeps.
    pub fn outbox_refused(&self) -> Result<Vec<OpId>> {
        let mut stmt = self.conn.prepare_cached("SELECT op_id FROM outbox WHERE refused = 1 ORDER BY num")?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
        ids.map(|id| id?.parse().map_err(|_| StoreError::Damaged("a refused operation's id does not parse".into())))
            .collect()
    }

    /// Pending operations (not refused) whose queue position is at most
    /// `through`, and the newest queue position of the outbox (0 when
    /// empty): a sync notes the latter when it starts, and has finished
    /// only when the former is 0 for it.
    pub fn outbox_pending_through(&self, through: i64) -> Result<(u64, i64)> {
        let pending: i64 =
            self.conn
                .query_row("SELECT count(*) FROM outbox WHERE refused = 0 AND num <= ?1", [through], |r| r.get(0))?;
        let last: i64 = self.conn.query_row("SELECT coalesce(max(num), 0) FROM outbox", [], |r| r.get(0))?;
        Ok((pending as u64, last))
    }

    /// Where the last pull stopped, if any.
    pub fn pull_cursor(&self) -> Result<Option<FeedPosition>> {
        Ok(self
            .conn
            .query_row("SELECT epoch, cursor FROM pull_cursor", [], |r| {
                Ok(FeedPosition { epoch: r.get(0)?, cursor: r.get(1)? })
            })
            .optional()?)
    }

    /// Forget the pull cursor (the next pull starts from the beginning).
    pub fn clear_pull_cursor(&mut self) -> Result<()> {
        self.conn.execute("DELETE FROM pull_cursor", [])?;
        Ok(())
    }

    /// Apply a page of pulled operations and store `cursor`, in one
    /// transaction. Idempotent by operation id: an operation already here
    /// with the same content is skipped; one with the same id and different
    /// content, or one that is invalid, is refused loudly: kept aside in
    /// `rejected_ops` and listed in the report, never merged. A case that,
    /// merged, this device's organization no longer sees (the service sent
    /// the unshare that ended its sharing) is due for removal: the pull
    /// removes it at the feed's end ([`Store::settle_removals`]) if it is
    /// still unseen then.
    pub fn apply_pulled(&mut self, ops: Vec<Operation>, cursor: FeedPosition) -> Result<PullReport> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut log = self.stamper.audit(&tx)?;
        let mut report = PullReport::default();
        let mut touched: BTreeMap<CaseId, Vec<(Operation, String)>> = BTreeMap::new();
        let mut in_page: BTreeMap<OpId, String> = BTreeMap::new();
        let now = audit::now_text();
        for op in ops {
            let body = op.canonical_json();
            let id = op.id.to_string();
            let stored: Option<String> = match in_page.get(&op.id) {
                Some(b) => Some(b.clone()),
                None => tx
                    .prepare_cached("SELECT body FROM ops WHERE op_id = ?1")?
                    .query_row([&id], |r| r.get(0))
                    .optional()?,
            };
            let refusal = match (&stored, op.validate()) {
                (Some(existing), _) if *existing == body => {
                    report.duplicates += 1;
                    continue;
                }
                (Some(_), _) => Some("an operation with this id was already received with different content".into()),
                (None, Err(e)) => Some(format!("invalid operation: {e}")),
                (None, Ok(())) => None,
            };
            if let Some(reason) = refusal {
                tx.prepare_cached(
                    "INSERT INTO rejected_ops (op_id, received_at, reason, body) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, now, reason, body])?;
                report.rejected.push(RejectedOp { op_id: op.id, reason });
                continue;
            }
            self.stamper.observe(op.hlc);
            in_page.insert(op.id, body.clone());
            touched.entry(op.case_id).or_default().push((op, body));
            report.applied += 1;
        }
        // A case's operations are written one after another, so that its one
        // audit entry names the first and covers the run.
        for (case_id, applied) in &touched {
            for (op, body) in applied {
                // One made here and received again (its case shared with this organization
                // again after it was removed) is this device's own: re-sent after a restore.
                insert_op(&tx, op, body, op.device == self.stamper.device)?;
            }
            let state: CaseState =
                load_state(&tx, *case_id)?.ok_or_else(|| StoreError::Damaged("pulled case lost".into()))?;
            let view = state.view().ok_or_else(|| StoreError::Damaged("a case without operations".into()))?;
            let first = applied.first().map(|(o, _)| o.id.to_string());
            let detail = ops_detail(applied.iter().map(|(_, b)| b.as_str()));
            log.append(&tx, Action::Pull, Some(&case_id.to_string()), first.as_deref(), Some(&detail))?;
            if view.visible_to(&self.owner_org) {
                write_case(&tx, &view, false)?;
                tx.prepare_cached("DELETE FROM removal_due WHERE case_id = ?1")?.execute([case_id.to_string()])?;
                report.cases.push(*case_id);
                if applied.iter().any(|(o, _)| matches!(&o.change, Change::Share { org } if *org == self.owner_org)) {
                    report.shared_again.push(*case_id);
                }
            } else {
                // Its sharing with this organization ended (or only the
                // unshare of a case it never held came). Removed when the
                // pull reaches the feed's end still unseen
                // ([`Store::settle_removals`]): a later page may share it again.
                if case_exists(&tx, *case_id)? {
                    write_case(&tx, &view, false)?;
                }
                tx.prepare_cached("INSERT OR IGNORE INTO removal_due (case_id) VALUES (?1)")?
                    .execute([case_id.to_string()])?;
            }
        }
        tx.execute(
            "INSERT INTO pull_cursor (singleton, epoch, cursor, updated_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (singleton) DO UPDATE SET epoch = excluded.epoch, cursor = excluded.cursor,
               updated_at = excluded.updated_at",
            params![cursor.epoch, cursor.cursor, now],
        )?;
        log.finish(&tx)?;
        save_last_hlc(&tx, self.stamper.last_hlc)?;
        tx.commit()?;
        Ok(report)
    }

    /// The pull reached the end of the service's feed: remove the cases a
    /// page left unseen by this device's organization that are still unseen
    /// (their sharing ended), each whole, with a `case_removed` audit entry
    /// saying why, without content. One transaction. Returns them.
    pub fn settle_removals(&mut self) -> Result<Vec<CaseId>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let due: Vec<String> = tx
            .prepare("SELECT case_id FROM removal_due")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let mut log = self.stamper.audit(&tx)?;
        let mut removed = Vec::new();
        for id in due {
            let case_id: CaseId = id.parse().map_err(|_| StoreError::Damaged("a case id does not parse".into()))?;
            let seen = load_state(&tx, case_id)?.and_then(|s| s.view()).is_some_and(|v| v.visible_to(&self.owner_org));
            if !seen {
                let removal = remove_case(&tx, case_id)?;
                log.append(&tx, Action::CaseRemoved, Some(&id), None, Some(&removal))?;
                removed.push(case_id);
            }
            tx.prepare_cached("DELETE FROM removal_due WHERE case_id = ?1")?.execute([&id])?;
        }
        log.finish(&tx)?;
        tx.commit()?;
        Ok(removed)
    }

    /// Put every operation made on this device back in the outbox (the
    /// server's epoch changed: it may have lost what it had acknowledged).
    /// The server applies each at most once, so re-sending is safe. Returns
    /// how many were re-queued.
    pub fn requeue_all_local_ops(&mut self) -> Result<u64> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n =
            tx.execute("INSERT OR IGNORE INTO outbox (op_id) SELECT op_id FROM ops WHERE local = 1 ORDER BY num", [])?;
        // A restored service forgot its refusals too: each is offered again.
        tx.execute("UPDATE outbox SET refused = 0 WHERE refused = 1", [])?;
        let mut log = self.stamper.audit(&tx)?;
        log.append(&tx, Action::Requeue, None, None, Some(&n.to_string()))?;
        log.finish(&tx)?;
        tx.commit()?;
        Ok(n as u64)
    }
}
