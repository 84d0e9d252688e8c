//! The PostgreSQL push transaction. The pure work (canonical JSON, hashes)
//! is done before a connection is taken; inside the transaction the
//! statements go out pipelined, so the feed-counter lock (see the parent
//! module) is held for a few round trips, not one per statement:
//! 1. lock the counter, then read what the checks need (one round trip: the
//!    reads run after the lock is granted, so they see every earlier push);
//! 2. plan and merge in memory;
//! 3. write every row and advance the counter (one round trip), commit.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use waystation_core::{CaseId, Operation};
use waystation_protocol::OpResult;

use super::{corrupt, db, p};
use crate::storage::plan::{Known, Needs, Prepared, needs, plan};
use crate::storage::rules;
use crate::storage::sqlite::access_of;
use crate::storage::{DeviceRecord, Result};

type Tx<'a> = deadpool_postgres::Transaction<'a>;
type Param<'a> = &'a (dyn tokio_postgres::types::ToSql + Sync);

/// What the batch's keys hold, plus the stored operations (canonical JSON)
/// of every case the batch touches, in arrival order.
struct Fetched {
    seq: i64,
    known: Known,
    stored: HashMap<CaseId, Vec<String>>,
}

/// Lock the feed counter and read everything [`plan`] and the merge need,
/// pipelined behind the lock.
async fn lock_and_fetch(tx: &Tx<'_>, n: &Needs) -> Result<Fetched> {
    let s_lock = tx.prepare_cached("SELECT last FROM feed_counter WHERE id = 1 FOR UPDATE").await.map_err(db)?;
    let s_hashes = tx.prepare_cached("SELECT op_id, content_hash FROM ops WHERE op_id = ANY($1)").await.map_err(db)?;
    let s_users = tx.prepare_cached("SELECT name, org FROM users WHERE name = ANY($1)").await.map_err(db)?;
    let s_access = tx
        .prepare_cached("SELECT case_id, org, is_owner FROM case_access WHERE case_id = ANY($1)")
        .await
        .map_err(db)?;
    let s_orgs = tx.prepare_cached("SELECT id FROM orgs WHERE id = ANY($1)").await.map_err(db)?;
    let s_notes = tx.prepare_cached("SELECT item_id, class FROM ops WHERE item_id = ANY($1)").await.map_err(db)?;
    let s_case_ops = tx
        .prepare_cached("SELECT case_id, op_id, canonical FROM ops WHERE case_id = ANY($1) ORDER BY arrival")
        .await
        .map_err(db)?;
    // Sent together; PostgreSQL runs them in order, each after the one before
    // has finished, so every read starts once the lock is held.
    let op_ids: [Param<'_>; 1] = [&n.op_ids];
    let users: [Param<'_>; 1] = [&n.users];
    let cases: [Param<'_>; 1] = [&n.cases];
    let share_orgs: [Param<'_>; 1] = [&n.share_orgs];
    let note_items: [Param<'_>; 1] = [&n.note_items];
    let (lock, hashes, users, access, orgs, notes, case_ops) = tokio::try_join!(
        tx.query_one(&s_lock, &[]),
        tx.query(&s_hashes, &op_ids),
        tx.query(&s_users, &users),
        tx.query(&s_access, &cases),
        tx.query(&s_orgs, &share_orgs),
        tx.query(&s_notes, &note_items),
        tx.query(&s_case_ops, &cases),
    )
    .map_err(db)?;
    let mut k = Known::default();
    for r in hashes {
        k.stored_hashes.insert(p(r.get(0))?, r.get(1));
    }
    for r in users {
        k.user_orgs.insert(p(r.get(0))?, p(r.get(1))?);
    }
    let mut by_case: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for r in access {
        by_case.entry(r.get(0)).or_default().push((r.get(1), r.get(2)));
    }
    for (case, rows) in by_case {
        if let Some(a) = access_of(rows)? {
            k.access.insert(p(&case)?, a);
        }
    }
    for r in orgs {
        k.orgs.insert(p(r.get(0))?);
    }
    for r in notes {
        let class = rules::parse_class(r.get(1)).ok_or_else(|| corrupt("class"))?;
        k.note_classes.insert(p(r.get(0))?, class);
    }
    let shared: std::collections::HashSet<&str> = n.shared_cases.iter().map(String::as_str).collect();
    let mut stored: HashMap<CaseId, Vec<String>> = HashMap::new();
    for r in case_ops {
        let case_text: &str = r.get(0);
        let case: CaseId = p(case_text)?;
        if shared.contains(case_text) {
            k.case_ops.entry(case).or_default().push(p(r.get(1))?);
        }
        stored.entry(case).or_default().push(r.get(2));
    }
    Ok(Fetched { seq: lock.get(0), known: k, stored })
}

/// One push, one transaction. `prepared` is [`prepare`](crate::storage::plan::prepare)`(ops)`.
pub(super) async fn push_tx(
    tx: Tx<'_>,
    device: &DeviceRecord,
    now: DateTime<Utc>,
    ops: &[Operation],
    prepared: Vec<Prepared>,
) -> Result<Vec<OpResult>> {
    let n = needs(ops);
    let Fetched { mut seq, known, mut stored } = lock_and_fetch(&tx, &n).await?;
    let plan = plan(device, ops, prepared, known);
    let Some(last) = plan.last_accepted else {
        // Nothing accepted: nothing to write, and the counter stays as it was.
        tx.commit().await.map_err(db)?;
        return Ok(plan.results);
    };

    let count = plan.ops.len();
    let (mut ids, mut cases, mut items, mut classes, mut hashes, mut texts, mut arrivals) = (
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
    );
    for new in &plan.ops {
        seq += 1;
        ids.push(new.op.id.to_string());
        cases.push(new.op.case_id.to_string());
        items.push(rules::item_of(new.op));
        classes.push(new.op.class.as_str());
        hashes.push(new.hash.as_str());
        texts.push(new.canonical.as_str());
        arrivals.push(seq);
    }
    let a_cases: Vec<String> = plan.access.iter().map(|(c, _, _)| c.to_string()).collect();
    let a_orgs: Vec<&str> = plan.access.iter().map(|(_, o, _)| o.as_str()).collect();
    let a_owner: Vec<bool> = plan.access.iter().map(|(_, _, w)| *w).collect();
    let mut f_seqs = Vec::with_capacity(plan.feed.len());
    for _ in &plan.feed {
        seq += 1;
        f_seqs.push(seq);
    }
    let f_orgs: Vec<&str> = plan.feed.iter().map(|(o, _)| o.as_str()).collect();
    let f_ops: Vec<String> = plan.feed.iter().map(|(_, i)| i.to_string()).collect();

    // The merge: each touched case from its stored operations (parsed once)
    // and this batch's accepted ones (typed already).
    let (mut m_cases, mut m_owners, mut m_docs, mut m_conflicts, mut m_counts, mut m_ops) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (case, new) in plan.accepted_by_case() {
        let earlier = match stored.remove(&case) {
            Some(texts) if !plan.created.contains(&case) => {
                texts.iter().map(|t| rules::parse_stored(t)).collect::<Result<Vec<_>>>()?
            }
            _ => Vec::new(),
        };
        if let Some(m) = rules::merge_case(earlier, new)? {
            m_cases.push(case.to_string());
            m_owners.push(m.owner.map(|o| o.as_str().to_owned()));
            m_docs.push(m.document);
            m_conflicts.push(m.conflicts);
            m_counts.push(m.conflict_count as i32);
            m_ops.push(m.op_count as i32);
        }
    }

    let s_ops = tx
        .prepare_cached(
            "INSERT INTO ops (op_id, case_id, item_id, class, content_hash, canonical, device_id, pushed_at, arrival) \
             SELECT i, c, it, cl, h, t, $7, $8, a FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
             $5::text[], $6::text[], $9::bigint[]) AS x(i, c, it, cl, h, t, a)",
        )
        .await
        .map_err(db)?;
    let s_access = tx
        .prepare_cached(
            "INSERT INTO case_access (case_id, org, is_owner) SELECT * FROM UNNEST($1::text[], $2::text[], $3::bool[])",
        )
        .await
        .map_err(db)?;
    let s_feed = tx
        .prepare_cached("INSERT INTO feed (seq, org, op_id) SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[])")
        .await
        .map_err(db)?;
    let s_cases = tx
        .prepare_cached(
            "INSERT INTO cases (case_id, owner, document, conflicts, conflict_count, op_count, updated_at) \
             SELECT c, o, d, cf, cc, oc, $7 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], \
             $6::int[]) AS x(c, o, d, cf, cc, oc) ON CONFLICT (case_id) DO UPDATE SET owner = excluded.owner, \
             document = excluded.document, conflicts = excluded.conflicts, conflict_count = excluded.conflict_count, \
             op_count = excluded.op_count, updated_at = excluded.updated_at",
        )
        .await
        .map_err(db)?;
    let s_device = tx.prepare_cached("UPDATE devices SET last_pushed_op = $1 WHERE id = $2").await.map_err(db)?;
    let s_counter = tx.prepare_cached("UPDATE feed_counter SET last = $1 WHERE id = 1").await.map_err(db)?;
    let (device_id, last) = (device.id.to_string(), last.to_string());
    // Sent together and run in this order (the feed's rows name the operations).
    let p_ops: [Param<'_>; 9] = [&ids, &cases, &items, &classes, &hashes, &texts, &device_id, &now, &arrivals];
    let p_access: [Param<'_>; 3] = [&a_cases, &a_orgs, &a_owner];
    let p_feed: [Param<'_>; 3] = [&f_seqs, &f_orgs, &f_ops];
    let p_cases: [Param<'_>; 7] = [&m_cases, &m_owners, &m_docs, &m_conflicts, &m_counts, &m_ops, &now];
    let p_device: [Param<'_>; 2] = [&last, &device_id];
    let p_counter: [Param<'_>; 1] = [&seq];
    tokio::try_join!(
        tx.execute(&s_ops, &p_ops),
        tx.execute(&s_access, &p_access),
        tx.execute(&s_feed, &p_feed),
        tx.execute(&s_cases, &p_cases),
        tx.execute(&s_device, &p_device),
        tx.execute(&s_counter, &p_counter),
    )
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(plan.results)
}
