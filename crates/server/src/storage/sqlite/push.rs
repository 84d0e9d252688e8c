//! The SQLite push transaction: fetch what [`plan`] needs, plan, write.
//! Feed seqs are handed out from the highest one stored, inside the write
//! transaction; SQLite runs one writer at a time, so seq order is commit
//! order. An operation's row is its owner organization's feed entry (its
//! arrival is the seq): only the entries of organizations a case is shared
//! with are separate `feed` rows.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;
use waystation_core::{CaseId, OpId, Operation, OrgId};
use waystation_protocol::OpResult;

use super::{db, ts};
use crate::storage::plan::{FeedRow, Known, Plan, Prepared, needs_of, plan};
use crate::storage::rules::{self, CaseAccess};
use crate::storage::sealed::Sealer;
use crate::storage::{DeviceRecord, Result, StorageError};

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(e.to_string())
}

/// Which stored operations [`fetch_known`] looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    /// Every operation id of the batch.
    Every,
    /// None: the batch is taken for new, and the insert of its operations
    /// (`ON CONFLICT DO NOTHING`) tells when one was stored already; that
    /// push is then rolled back and done again with [`Lookup::Every`]. Saves
    /// one index probe per operation in the common case.
    Optimistic,
}

fn fetch_known(tx: &Connection, device: &DeviceRecord, ops: &[Operation], lookup: Lookup) -> Result<Known> {
    let mut n = needs_of(ops, lookup == Lookup::Every);
    n.device = device.id.to_string();
    let mut k = Known::default();
    if lookup == Lookup::Every {
        let mut s = tx.prepare_cached("SELECT content_hash FROM ops WHERE op_id = ?1").map_err(db)?;
        for id in &n.op_ids {
            if let Some(h) = s.query_row(params![id], |r| r.get::<_, String>(0)).optional().map_err(db)? {
                k.stored_hashes.insert(id.parse().map_err(corrupt)?, h);
            }
        }
    }
    let mut s = tx
        .prepare_cached(
            "SELECT org, EXISTS (SELECT 1 FROM device_users d WHERE d.device_id = ?2 AND d.user_name = u.name) \
             FROM users u WHERE name = ?1",
        )
        .map_err(db)?;
    for u in &n.users {
        let row = s.query_row(params![u, n.device], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)));
        if let Some((o, signed_in)) = row.optional().map_err(db)? {
            let name: waystation_core::UserName = u.parse().map_err(corrupt)?;
            if signed_in {
                k.signed_in.insert(name.clone());
            }
            k.user_orgs.insert(name, o.parse().map_err(corrupt)?);
        }
    }
    let mut s = tx.prepare_cached("SELECT org, is_owner FROM case_access WHERE case_id = ?1").map_err(db)?;
    for c in &n.cases {
        let rows: Vec<(String, bool)> = s
            .query_map(params![c], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?
            .collect::<rusqlite::Result<_>>()
            .map_err(db)?;
        if let Some(a) = access_of(rows)? {
            k.access.insert(c.parse().map_err(corrupt)?, a);
        }
    }
    let mut s = tx.prepare_cached("SELECT 1 FROM orgs WHERE id = ?1").map_err(db)?;
    for o in &n.share_orgs {
        if s.query_row(params![o], |_| Ok(())).optional().map_err(db)?.is_some() {
            k.orgs.insert(o.parse().map_err(corrupt)?);
        }
    }
    let mut s = tx.prepare_cached("SELECT class FROM ops WHERE item_id = ?1 LIMIT 1").map_err(db)?;
    for i in &n.note_items {
        if let Some(class) = s.query_row(params![i], |r| r.get::<_, String>(0)).optional().map_err(db)? {
            k.note_classes
                .insert(i.parse().map_err(corrupt)?, rules::parse_class(&class).ok_or_else(|| corrupt("class"))?);
        }
    }
    let mut s = tx.prepare_cached("SELECT op_id FROM ops WHERE case_id = ?1 ORDER BY arrival").map_err(db)?;
    for c in &n.shared_cases {
        let case: CaseId = c.parse().map_err(corrupt)?;
        if k.case_ops.contains_key(&case) {
            continue;
        }
        let ids: Vec<String> =
            s.query_map(params![c], |r| r.get(0)).map_err(db)?.collect::<rusqlite::Result<_>>().map_err(db)?;
        k.case_ops.insert(case, ids.iter().map(|i| i.parse::<OpId>().map_err(corrupt)).collect::<Result<_>>()?);
    }
    Ok(k)
}

/// Access rows (org, is_owner) to a case's access.
pub(crate) fn access_of(rows: Vec<(String, bool)>) -> Result<Option<CaseAccess>> {
    let mut owner = None;
    let mut shared = std::collections::BTreeSet::new();
    for (org, is_owner) in rows {
        let org = org.parse().map_err(corrupt)?;
        if is_owner {
            owner = Some(org);
        } else {
            shared.insert(org);
        }
    }
    Ok(owner.map(|owner| CaseAccess { owner, shared_with: shared }))
}

/// The stored operations of the touched cases that existed before this
/// batch, read (and parsed) once, before the batch's own are written.
fn stored_ops(tx: &Connection, plan: &Plan<'_>, sealer: &Sealer) -> Result<HashMap<CaseId, Vec<Operation>>> {
    let mut s = tx.prepare_cached("SELECT canonical FROM ops WHERE case_id = ?1").map_err(db)?;
    let mut out = HashMap::new();
    for case in plan.existing() {
        let mut rows = s.query(params![case.to_string()]).map_err(db)?;
        let mut ops = Vec::new();
        while let Some(r) = rows.next().map_err(db)? {
            ops.push(rules::parse_stored(&sealer.open_op(r.get_ref(0).map_err(db)?.as_str().map_err(corrupt)?)?)?);
        }
        out.insert(*case, ops);
    }
    Ok(out)
}

/// The highest feed seq handed out: operations' arrivals and the extra feed
/// rows share one sequence. The newest row holds the highest arrival (rows go
/// in in arrival order and are never deleted; VACUUM keeps rowid order).
/// Feed rows are deleted when a sharing ends, but always together with the
/// insert of a row above them (see `end_sharing`), so the highest never goes down.
pub(super) fn high_seq(tx: &Connection) -> Result<i64> {
    tx.prepare_cached(
        "SELECT MAX(COALESCE((SELECT MAX(seq) FROM feed), 0), \
         COALESCE((SELECT arrival FROM ops ORDER BY rowid DESC LIMIT 1), 0))",
    )
    .map_err(db)?
    .query_row([], |r| r.get(0))
    .map_err(db)
}

/// Feed seqs for a plan, in feed order from `high + 1`: each accepted
/// operation's owner entry is its own row (arrival = seq); the other entries
/// (organizations a case is shared with, and earlier operations joining a
/// new organization's feed) go to `feed`. Returns the seq of each accepted
/// operation (in plan order, increasing) with whether the row carries its
/// owner's feed entry, and the extra feed rows with their seqs.
#[allow(clippy::type_complexity)]
fn assign_seqs<'p>(plan: &'p Plan<'_>, high: i64) -> (Vec<(i64, bool)>, Vec<(i64, &'p FeedRow)>) {
    let index: HashMap<OpId, usize> = plan.ops.iter().enumerate().map(|(i, n)| (n.op.id, i)).collect();
    let mut op_seqs: Vec<Option<(i64, bool)>> = vec![None; plan.ops.len()];
    let mut extra = Vec::new();
    let mut seq = high;
    for row in &plan.feed {
        seq += 1;
        match index.get(&row.op) {
            Some(&i) if op_seqs[i].is_none() && !row.resent && plan.ops[i].owner.as_ref() == Some(&row.org) => {
                op_seqs[i] = Some((seq, true));
            }
            _ => extra.push((seq, row)),
        }
    }
    // Every accepted operation has its owner's entry; should one not, it
    // still gets a row, outside any feed.
    let op_seqs = op_seqs
        .into_iter()
        .map(|s| {
            s.unwrap_or_else(|| {
                seq += 1;
                (seq, false)
            })
        })
        .collect();
    (op_seqs, extra)
}

/// The sharing of `case` with `org` ended: the organization no longer sees
/// it, its feed loses every entry of the case, and gets `unshare` as its
/// last, the sign for its devices to remove the case.
fn end_sharing(tx: &Connection, case: CaseId, org: &OrgId, unshare: OpId) -> Result<()> {
    let (case, org) = (case.to_string(), org.as_str());
    // Taken before the deletes (which may remove the highest rows): the
    // highest seq never goes down, so no seq is handed out twice.
    let seq = high_seq(tx)? + 1;
    tx.prepare_cached("DELETE FROM case_access WHERE case_id = ?1 AND org = ?2 AND NOT is_owner")
        .map_err(db)?
        .execute(params![case, org])
        .map_err(db)?;
    tx.prepare_cached("DELETE FROM feed WHERE org = ?2 AND op_id IN (SELECT op_id FROM ops WHERE case_id = ?1)")
        .map_err(db)?
        .execute(params![case, org])
        .map_err(db)?;
    tx.prepare_cached("INSERT INTO feed (seq, org, op_id, resent) VALUES (?1, ?2, ?3, 0)")
        .map_err(db)?
        .execute(params![seq, org, unshare.to_string()])
        .map_err(db)?;
    tracing::info!(org, "a case's sharing with an organization ended");
    Ok(())
}

/// One push's writes, inside the caller's transaction (a group commit may
/// hold several pushes). `prepared` is [`prepare`](crate::storage::plan::prepare)`(ops)`,
/// computed before the connection's lock was taken. With
/// [`Lookup::Optimistic`], `None` when some operation was stored already: the
/// caller rolls back what this call wrote and calls again with [`Lookup::Every`].
fn push_in_tx(
    tx: &Connection,
    device: &DeviceRecord,
    now: DateTime<Utc>,
    ops: &[Operation],
    prepared: &[Prepared],
    lookup: Lookup,
    sealer: &Sealer,
) -> Result<Option<Vec<OpResult>>> {
    let now_s = ts(now);
    let known = fetch_known(tx, device, ops, lookup)?;
    let plan = plan(device, ops, prepared, known);
    if lookup == Lookup::Optimistic && plan.results.iter().any(|r| !r.status.is_acknowledged()) {
        // A refusal may hide an operation stored already (whose answer is a
        // duplicate or a different-content refusal): decide with every lookup.
        return Ok(None);
    }
    if !plan.ops.is_empty() {
        let mut stored = stored_ops(tx, &plan, sealer)?;
        let (op_seqs, extra) = assign_seqs(&plan, high_seq(tx)?);
        let device_s = device.id.to_string();
        let mut s = tx
            .prepare_cached(
                "INSERT INTO ops (arrival, op_id, case_id, item_id, class, content_hash, canonical, device_id, pushed_at, \
                 feed_org) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (op_id) DO NOTHING",
            )
            .map_err(db)?;
        for (n, (seq, in_feed)) in plan.ops.iter().zip(&op_seqs) {
            let feed_org = if *in_feed { n.owner.as_ref().map(|o| o.as_str()) } else { None };
            let inserted = s
                .execute(params![
                    seq,
                    n.op.id.to_string(),
                    n.op.case_id.to_string(),
                    rules::item_of(n.op),
                    n.op.class.as_str(),
                    n.hash,
                    n.sealed,
                    device_s,
                    now_s,
                    feed_org
                ])
                .map_err(db)?;
            if inserted == 0 {
                if lookup == Lookup::Optimistic {
                    return Ok(None);
                }
                return Err(StorageError::Database("an operation planned as new was stored already".into()));
            }
        }
        let mut s =
            tx.prepare_cached("INSERT INTO case_access (case_id, org, is_owner) VALUES (?1, ?2, ?3)").map_err(db)?;
        for (case, org, owner) in &plan.access {
            s.execute(params![case.to_string(), org.as_str(), owner]).map_err(db)?;
        }
        let mut s =
            tx.prepare_cached("INSERT INTO feed (seq, org, op_id, resent) VALUES (?1, ?2, ?3, ?4)").map_err(db)?;
        for (seq, row) in &extra {
            s.execute(params![seq, row.org.as_str(), row.op.to_string(), row.resent]).map_err(db)?;
        }
        let mut merged = Vec::with_capacity(plan.touched.len());
        for (case, new) in plan.accepted_by_case() {
            if let Some(m) = rules::merge_case(stored.remove(&case).unwrap_or_default(), new)? {
                merged.push((case, m));
            }
        }
        let mut s = tx
            .prepare_cached(
                "INSERT INTO cases (case_id, owner, conflicts, conflict_count, op_count, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (case_id) DO UPDATE SET owner = excluded.owner, \
                 conflicts = excluded.conflicts, conflict_count = excluded.conflict_count, \
                 op_count = excluded.op_count, updated_at = excluded.updated_at",
            )
            .map_err(db)?;
        for (case, m) in &merged {
            let case_s = case.to_string();
            s.execute(params![
                case_s,
                m.owner.as_ref().map(|o| o.as_str()),
                sealer.seal_conflicts(&case_s, &m.conflicts),
                m.conflict_count,
                m.op_count,
                now_s
            ])
            .map_err(db)?;
        }
        for (case, m) in &merged {
            let Some(access) = plan.access_after.get(case) else { continue };
            for (org, unshare) in m.ended_sharing(access) {
                end_sharing(tx, *case, &org, unshare)?;
            }
        }
    }
    if let Some(last) = plan.last_accepted {
        tx.prepare_cached("UPDATE devices SET last_pushed_op = ?1 WHERE id = ?2")
            .map_err(db)?
            .execute(params![last.to_string(), device.id.to_string()])
            .map_err(db)?;
    }
    Ok(Some(plan.results))
}

/// A push in its own savepoint: optimistic first, unless its first
/// operation is stored already (a batch sent again, e.g. after a lost answer
/// or a restore), then with every lookup when that found a stored operation.
fn push_in_savepoint(
    sp: &mut rusqlite::Savepoint<'_>,
    device: &DeviceRecord,
    now: DateTime<Utc>,
    ops: &[Operation],
    prepared: &[Prepared],
    sealer: &Sealer,
) -> Result<Vec<OpResult>> {
    let resent = match ops.first() {
        Some(op) => sp
            .prepare_cached("SELECT 1 FROM ops WHERE op_id = ?1")
            .map_err(db)?
            .query_row(params![op.id.to_string()], |_| Ok(()))
            .optional()
            .map_err(db)?
            .is_some(),
        None => false,
    };
    if !resent && let Some(results) = push_in_tx(sp, device, now, ops, prepared, Lookup::Optimistic, sealer)? {
        return Ok(results);
    }
    if !resent {
        sp.rollback().map_err(db)?;
    }
    push_in_tx(sp, device, now, ops, prepared, Lookup::Every, sealer)?
        .ok_or_else(|| StorageError::Database("an operation planned as new was stored already".into()))
}

/// A push waiting for the writer: its batch, and where its answer goes.
pub(super) struct Job {
    pub device: DeviceRecord,
    pub now: DateTime<Utc>,
    pub ops: Vec<Operation>,
    pub prepared: Vec<Prepared>,
    pub sealer: std::sync::Arc<Sealer>,
    pub answer: tokio::sync::oneshot::Sender<Result<Vec<OpResult>>>,
}

/// Where a push's answer goes, and the answer.
pub(super) type Answer = (tokio::sync::oneshot::Sender<Result<Vec<OpResult>>>, Result<Vec<OpResult>>);

/// Group commit: the pushes waiting for the writer, each in its own
/// savepoint (one that fails is rolled back alone and gets its error), all
/// in one transaction with one commit and one sync of the WAL. Feed seqs
/// are still handed out in commit order. Returns the highest feed seq when
/// the group was committed, and the answers, to send once the caller has
/// recorded that seq (an answer is an acknowledgement).
pub(super) fn push_group(conn: &mut Connection, jobs: Vec<Job>) -> (Option<i64>, Vec<Answer>) {
    let mut answers: Vec<Answer> = Vec::with_capacity(jobs.len());
    let outcome = (|| -> Result<i64> {
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
        for job in jobs {
            let mut sp = tx.savepoint().map_err(db)?;
            let result = push_in_savepoint(&mut sp, &job.device, job.now, &job.ops, &job.prepared, &job.sealer);
            match &result {
                Ok(_) => sp.commit().map_err(db)?,
                Err(_) => drop(sp), // rolls back this push alone
            }
            answers.push((job.answer, result));
        }
        let high = high_seq(&tx)?;
        tx.commit().map_err(db)?;
        Ok(high)
    })();
    match outcome {
        Ok(high) => (Some(high), answers),
        Err(e) => {
            // Nothing of the group was committed: every push in it hears so
            // (one that never got its turn hears it from its dropped sender).
            let failed = answers
                .into_iter()
                .map(|(to, result)| (to, result.and(Err(StorageError::Database(e.to_string())))))
                .collect();
            (None, failed)
        }
    }
}
