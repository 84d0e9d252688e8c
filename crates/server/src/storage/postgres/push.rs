//! The PostgreSQL push transaction. The pure work (canonical JSON, hashes)
//! is done before a connection is taken. Inside the transaction:
//! 1. lock the cases the batch touches (transaction-level advisory locks,
//!    taken in key order so two pushes cannot deadlock), then read what the
//!    checks need — one round trip, the reads running once the locks are held;
//! 2. plan and merge in memory;
//! 3. write the operations, access rows, merged cases and the device's last
//!    operation (one round trip, behind a savepoint);
//! 4. only now take the feed-counter lock, append the feed rows with their
//!    seqs and commit (one round trip and the commit).
//!
//! Pushes that touch the same case run one after the other (the case locks),
//! so each sees the other's operations, access and merged state. Pushes of
//! different cases overlap in steps 1–3; the counter lock, held from the seq
//! assignment to the commit, still makes seq order commit order (the
//! change-feed gap, see the parent module). An operation id pushed at the same
//! time in two different cases (only a forged operation does that) makes the
//! later insert skip it (`ON CONFLICT DO NOTHING`, which waits for the other
//! transaction): the push then rolls back to the savepoint, reads again and
//! plans again, and so answers that operation as a duplicate or a refusal.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use waystation_core::{CaseId, OpId, Operation, OrgId};
use waystation_protocol::OpResult;

use super::{corrupt, db, p};
use crate::storage::plan::{Known, Needs, Plan, Prepared, needs, plan};
use crate::storage::rules;
use crate::storage::sealed::Sealer;
use crate::storage::sqlite::access_of;
use crate::storage::{DeviceRecord, Result};

type Tx<'a> = deadpool_postgres::Transaction<'a>;
type Param<'a> = &'a (dyn tokio_postgres::types::ToSql + Sync);

/// What the batch's keys hold, plus the stored operations (canonical JSON)
/// of every case the batch touches, in arrival order.
struct Fetched {
    known: Known,
    stored: HashMap<CaseId, Vec<String>>,
}

/// The advisory-lock keys of the cases a batch touches, sorted (the order
/// every push takes them in) and without repeats.
fn case_keys(ops: &[Operation]) -> Vec<i64> {
    let mut keys: Vec<i64> = ops
        .iter()
        .map(|op| {
            let b = op.case_id.as_uuid().as_u128();
            // The low 64 bits: UUIDv7's random part.
            b as u64 as i64
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Read everything [`plan`] and the merge need, pipelined: with `keys`, first
/// lock those cases (the reads start once the locks are held).
async fn fetch(tx: &Tx<'_>, n: &Needs, keys: Option<&Vec<i64>>) -> Result<Fetched> {
    let s_lock =
        tx.prepare_cached("SELECT pg_advisory_xact_lock(k) FROM UNNEST($1::bigint[]) AS k").await.map_err(db)?;
    let s_hashes = tx.prepare_cached("SELECT op_id, content_hash FROM ops WHERE op_id = ANY($1)").await.map_err(db)?;
    let s_users = tx
        .prepare_cached(
            "SELECT name, org, EXISTS (SELECT 1 FROM device_users d WHERE d.device_id = $2 AND d.user_name = u.name) \
             FROM users u WHERE name = ANY($1)",
        )
        .await
        .map_err(db)?;
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
    let users: [Param<'_>; 2] = [&n.users, &n.device];
    let cases: [Param<'_>; 1] = [&n.cases];
    let no_keys = Vec::new();
    let lock_keys: [Param<'_>; 1] = [keys.unwrap_or(&no_keys)];
    let share_orgs: [Param<'_>; 1] = [&n.share_orgs];
    let note_items: [Param<'_>; 1] = [&n.note_items];
    let (_, hashes, users, access, orgs, notes, case_ops) = tokio::try_join!(
        tx.query(&s_lock, &lock_keys),
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
        let name: waystation_core::UserName = p(r.get(0))?;
        if r.get::<_, bool>(2) {
            k.signed_in.insert(name.clone());
        }
        k.user_orgs.insert(name, p(r.get(1))?);
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
    Ok(Fetched { known: k, stored })
}

/// One push, one transaction. `prepared` is [`prepare`](crate::storage::plan::prepare)`(ops)`.
pub(super) async fn push_tx(
    tx: Tx<'_>,
    device: &DeviceRecord,
    now: DateTime<Utc>,
    ops: &[Operation],
    prepared: &[Prepared],
    sealer: &Sealer,
) -> Result<Vec<OpResult>> {
    const TRIES: usize = 3;
    let mut n = needs(ops);
    n.device = device.id.to_string();
    let keys = case_keys(ops);
    let mut fetched = fetch(&tx, &n, Some(&keys)).await?;
    for attempt in 1..=TRIES {
        let Fetched { known, stored } = fetched;
        let plan = plan(device, ops, prepared, known);
        if plan.last_accepted.is_none() {
            // Nothing accepted: nothing to write, no seq taken.
            tx.commit().await.map_err(db)?;
            return Ok(plan.results);
        }
        if let Some(ended) = write(&tx, device, now, &plan, stored, sealer).await? {
            append_feed(&tx, &plan).await?;
            for (case, org, unshare) in ended {
                end_sharing(&tx, case, &org, unshare).await?;
            }
            tx.commit().await.map_err(db)?;
            return Ok(plan.results);
        }
        if attempt == TRIES {
            break;
        }
        tx.batch_execute("ROLLBACK TO SAVEPOINT before_write").await.map_err(db)?;
        fetched = fetch(&tx, &n, None).await?;
    }
    Err(crate::storage::StorageError::Database(
        "operations of this batch were stored concurrently under other cases; send the batch again".into(),
    ))
}

/// Write the accepted operations, new access rows, merged cases and the
/// device's last operation, behind a savepoint; the sharings the merge ended
/// (case, organization, the unshare its devices receive). `None` when some
/// operation id was stored meanwhile by a push of another case (nothing is
/// kept then: roll back to the savepoint and plan again).
async fn write(
    tx: &Tx<'_>,
    device: &DeviceRecord,
    now: DateTime<Utc>,
    plan: &Plan<'_>,
    mut stored: HashMap<CaseId, Vec<String>>,
    sealer: &Sealer,
) -> Result<Option<Vec<(CaseId, OrgId, OpId)>>> {
    let count = plan.ops.len();
    let (mut ids, mut cases, mut items, mut classes, mut hashes, mut texts) = (
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
    );
    for new in &plan.ops {
        ids.push(new.op.id.to_string());
        cases.push(new.op.case_id.to_string());
        items.push(rules::item_of(new.op));
        classes.push(new.op.class.as_str());
        hashes.push(new.hash);
        texts.push(new.sealed);
    }
    let a_cases: Vec<String> = plan.access.iter().map(|(c, _, _)| c.to_string()).collect();
    let a_orgs: Vec<&str> = plan.access.iter().map(|(_, o, _)| o.as_str()).collect();
    let a_owner: Vec<bool> = plan.access.iter().map(|(_, _, w)| *w).collect();

    // The merge: each touched case from its stored operations (parsed once)
    // and this batch's accepted ones (typed already).
    let (mut m_cases, mut m_owners, mut m_conflicts, mut m_counts, mut m_ops) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut ended = Vec::new();
    for (case, new) in plan.accepted_by_case() {
        let earlier = match stored.remove(&case) {
            Some(texts) if !plan.created.contains(&case) => {
                texts.iter().map(|t| rules::parse_stored(&sealer.open_op(t)?)).collect::<Result<Vec<_>>>()?
            }
            _ => Vec::new(),
        };
        if let Some(m) = rules::merge_case(earlier, new)? {
            if let Some(access) = plan.access_after.get(&case) {
                ended.extend(m.ended_sharing(access).into_iter().map(|(org, u)| (case, org, u)));
            }
            let case_s = case.to_string();
            m_conflicts.push(sealer.seal_conflicts(&case_s, &m.conflicts));
            m_cases.push(case_s);
            m_owners.push(m.owner.map(|o| o.as_str().to_owned()));
            m_counts.push(m.conflict_count as i32);
            m_ops.push(m.op_count as i32);
        }
    }

    let s_ops = tx
        .prepare_cached(
            "INSERT INTO ops (op_id, case_id, item_id, class, content_hash, canonical, device_id, pushed_at, arrival) \
             SELECT i, c, it, cl, h, t, $7, $8, nextval('ops_arrival_seq') FROM UNNEST($1::text[], $2::text[], \
             $3::text[], $4::text[], $5::text[], $6::text[]) AS x(i, c, it, cl, h, t) \
             ON CONFLICT (op_id) DO NOTHING RETURNING op_id",
        )
        .await
        .map_err(db)?;
    let s_access = tx
        .prepare_cached(
            "INSERT INTO case_access (case_id, org, is_owner) SELECT * FROM UNNEST($1::text[], $2::text[], $3::bool[])",
        )
        .await
        .map_err(db)?;
    let s_cases = tx
        .prepare_cached(
            "INSERT INTO cases (case_id, owner, conflicts, conflict_count, op_count, updated_at) \
             SELECT c, o, cf, cc, oc, $6 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int[], $5::int[]) \
             AS x(c, o, cf, cc, oc) ON CONFLICT (case_id) DO UPDATE SET owner = excluded.owner, \
             conflicts = excluded.conflicts, conflict_count = excluded.conflict_count, \
             op_count = excluded.op_count, updated_at = excluded.updated_at",
        )
        .await
        .map_err(db)?;
    let s_device = tx.prepare_cached("UPDATE devices SET last_pushed_op = $1 WHERE id = $2").await.map_err(db)?;
    let device_id = device.id.to_string();
    let last = plan.last_accepted.map(|l| l.to_string());
    let p_ops: [Param<'_>; 8] = [&ids, &cases, &items, &classes, &hashes, &texts, &device_id, &now];
    let p_access: [Param<'_>; 3] = [&a_cases, &a_orgs, &a_owner];
    let p_cases: [Param<'_>; 6] = [&m_cases, &m_owners, &m_conflicts, &m_counts, &m_ops, &now];
    let p_device: [Param<'_>; 2] = [&last, &device_id];
    // Sent together and run in this order.
    let (_, inserted, _, _, _) = tokio::try_join!(
        tx.batch_execute("SAVEPOINT before_write"),
        tx.query(&s_ops, &p_ops),
        tx.execute(&s_access, &p_access),
        tx.execute(&s_cases, &p_cases),
        tx.execute(&s_device, &p_device),
    )
    .map_err(db)?;
    Ok((inserted.len() == count).then_some(ended))
}

/// The sharing of `case` with `org` ended: the organization no longer sees
/// it, its feed loses every entry of the case, and gets `unshare` as its
/// last (the next seq, under the feed-counter lock), the sign for its
/// devices to remove the case.
async fn end_sharing(tx: &Tx<'_>, case: CaseId, org: &OrgId, unshare: OpId) -> Result<()> {
    let (case, org, unshare) = (case.to_string(), org.as_str(), unshare.to_string());
    tx.execute("DELETE FROM case_access WHERE case_id = $1 AND org = $2 AND NOT is_owner", &[&case, &org])
        .await
        .map_err(db)?;
    tx.execute(
        "DELETE FROM feed WHERE org = $2 AND op_id IN (SELECT op_id FROM ops WHERE case_id = $1)",
        &[&case, &org],
    )
    .await
    .map_err(db)?;
    tx.execute(
        "WITH c AS (UPDATE feed_counter SET last = last + 1 WHERE id = 1 RETURNING last) \
         INSERT INTO feed (seq, org, op_id, resent) SELECT last, $1, $2, false FROM c",
        &[&org, &unshare],
    )
    .await
    .map_err(db)?;
    tracing::info!(org, "a case's sharing with an organization ended");
    Ok(())
}

/// Take the feed-counter lock (held until the commit), and append the feed
/// rows with the next seqs, in plan order — one round trip.
async fn append_feed(tx: &Tx<'_>, plan: &Plan<'_>) -> Result<()> {
    if plan.feed.is_empty() {
        return Ok(());
    }
    let f_orgs: Vec<&str> = plan.feed.iter().map(|r| r.org.as_str()).collect();
    let f_ops: Vec<String> = plan.feed.iter().map(|r| r.op.to_string()).collect();
    let f_resent: Vec<bool> = plan.feed.iter().map(|r| r.resent).collect();
    let taken = plan.feed.len() as i64;
    let s_counter = tx.prepare_cached("UPDATE feed_counter SET last = last + $1 WHERE id = 1").await.map_err(db)?;
    // The counter row is updated already in this transaction: `last` is the
    // highest seq this push takes.
    let s_feed = tx
        .prepare_cached(
            "INSERT INTO feed (seq, org, op_id, resent) SELECT c.last - $3 + u.i, u.org, u.op, u.r FROM feed_counter c \
             CROSS JOIN UNNEST($1::text[], $2::text[], $4::bool[]) WITH ORDINALITY AS u(org, op, r, i) WHERE c.id = 1",
        )
        .await
        .map_err(db)?;
    let p_counter: [Param<'_>; 1] = [&taken];
    let p_feed: [Param<'_>; 4] = [&f_orgs, &f_ops, &taken, &f_resent];
    tokio::try_join!(tx.execute(&s_counter, &p_counter), tx.execute(&s_feed, &p_feed)).map_err(db)?;
    Ok(())
}
