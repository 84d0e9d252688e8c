//! The SQLite push transaction: the checks of [`super::super::rules`] against
//! the stored state, then the operation, the feeds and the merged case.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::{BTreeSet, HashMap};
use waystation_core::{CaseId, Change, OpId, Operation, OrgId, UserName};
use waystation_protocol::{OpResult, OpStatus};

use super::{db, ts};
use crate::storage::rules::{self, CaseAccess, Effect};
use crate::storage::{DeviceRecord, Result, StorageError};

fn load_access(tx: &rusqlite::Transaction<'_>, case: &CaseId) -> Result<Option<CaseAccess>> {
    let mut stmt = tx.prepare_cached("SELECT org, is_owner FROM case_access WHERE case_id = ?1").map_err(db)?;
    let rows = stmt
        .query_map(params![case.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))
        .map_err(db)?;
    let mut owner = None;
    let mut shared = BTreeSet::new();
    for row in rows {
        let (org, is_owner) = row.map_err(db)?;
        let org: OrgId = org.parse().map_err(|e: waystation_core::FieldError| StorageError::Corrupt(e.to_string()))?;
        if is_owner {
            owner = Some(org);
        } else {
            shared.insert(org);
        }
    }
    Ok(owner.map(|owner| CaseAccess { owner, shared_with: shared }))
}

pub(super) fn push_tx(
    conn: &mut Connection,
    device: &DeviceRecord,
    now: DateTime<Utc>,
    ops: &[Operation],
) -> Result<(Vec<OpResult>, i64)> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
    let now_s = ts(now);
    let mut user_orgs: HashMap<UserName, Option<OrgId>> = HashMap::new();
    let mut access: HashMap<CaseId, Option<CaseAccess>> = HashMap::new();
    let mut touched: BTreeSet<CaseId> = BTreeSet::new();
    let mut results = Vec::with_capacity(ops.len());
    let mut last_accepted: Option<OpId> = None;
    let mut arrival: i64 = tx.query_row("SELECT COALESCE(MAX(arrival), 0) FROM ops", [], |r| r.get(0)).map_err(db)?;
    for op in ops {
        let canonical = op.canonical_json();
        let hash = rules::content_hash(&canonical);
        let stored: Option<String> = tx
            .prepare_cached("SELECT content_hash FROM ops WHERE op_id = ?1")
            .map_err(db)?
            .query_row(params![op.id.to_string()], |r| r.get(0))
            .optional()
            .map_err(db)?;
        if let Some(stored) = stored {
            results.push(rules::already_stored(op, &stored, &hash));
            continue;
        }
        if !user_orgs.contains_key(&op.user) {
            let org: Option<String> = tx
                .query_row("SELECT org FROM users WHERE name = ?1", params![op.user.as_str()], |r| r.get(0))
                .optional()
                .map_err(db)?;
            user_orgs.insert(op.user.clone(), org.and_then(|o| o.parse().ok()));
        }
        if let Err(refusal) = rules::check_op(op, device, user_orgs[&op.user].as_ref()) {
            results.push(refusal);
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = access.entry(op.case_id) {
            e.insert(load_access(&tx, &op.case_id)?);
        }
        let note_class = match &op.change {
            Change::RemoveItem { item, .. } => tx
                .query_row(
                    "SELECT class FROM ops WHERE case_id = ?1 AND item_id = ?2 LIMIT 1",
                    params![op.case_id.to_string(), item.to_string()],
                    |r| r.get::<_, String>(0),
                )
                .optional()
                .map_err(db)?
                .and_then(|c| rules::parse_class(&c)),
            _ => None,
        };
        let share_known = match &op.change {
            Change::Share { org } => tx
                .query_row("SELECT 1 FROM orgs WHERE id = ?1", params![org.as_str()], |_| Ok(()))
                .optional()
                .map_err(db)?
                .is_some(),
            _ => true,
        };
        let effect = match rules::check_access(op, device, access[&op.case_id].as_ref(), note_class, share_known) {
            Ok(e) => e,
            Err(refusal) => {
                results.push(refusal);
                continue;
            }
        };
        let case_s = op.case_id.to_string();
        let op_s = op.id.to_string();
        arrival += 1;
        tx.prepare_cached(
            "INSERT INTO ops (op_id, case_id, item_id, class, content_hash, canonical, device_id, pushed_at, arrival) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(db)?
        .execute(params![
            op_s,
            case_s,
            rules::item_of(op),
            op.class.as_str(),
            hash,
            canonical,
            device.id.to_string(),
            now_s,
            arrival
        ])
        .map_err(db)?;
        let entry = access.get_mut(&op.case_id).expect("loaded above");
        match effect {
            Effect::Create(owner) => {
                tx.execute(
                    "INSERT INTO case_access (case_id, org, is_owner) VALUES (?1, ?2, 1)",
                    params![case_s, owner.as_str()],
                )
                .map_err(db)?;
                *entry = Some(CaseAccess { owner, shared_with: BTreeSet::new() });
            }
            Effect::Share(org) => {
                tx.execute(
                    "INSERT INTO case_access (case_id, org, is_owner) VALUES (?1, ?2, 0)",
                    params![case_s, org.as_str()],
                )
                .map_err(db)?;
                // The organization now sees the case: its earlier operations
                // join that organization's feed, after everything it had.
                tx.execute(
                    "INSERT INTO feed (org, op_id) SELECT ?1, op_id FROM ops WHERE case_id = ?2 AND op_id <> ?3 ORDER BY arrival",
                    params![org.as_str(), case_s, op_s],
                )
                .map_err(db)?;
                if let Some(a) = entry.as_mut() {
                    a.shared_with.insert(org);
                }
            }
            Effect::None => {}
        }
        let orgs: Vec<String> = entry.iter().flat_map(|a| a.orgs().map(|o| o.as_str().to_owned())).collect();
        let mut feed = tx.prepare_cached("INSERT INTO feed (org, op_id) VALUES (?1, ?2)").map_err(db)?;
        for org in orgs {
            feed.execute(params![org, op_s]).map_err(db)?;
        }
        touched.insert(op.case_id);
        last_accepted = Some(op.id);
        results.push(OpResult { id: op.id, status: OpStatus::Accepted, message: None });
    }
    for case in &touched {
        let case_s = case.to_string();
        let texts: Vec<String> = tx
            .prepare_cached("SELECT canonical FROM ops WHERE case_id = ?1")
            .map_err(db)?
            .query_map(params![case_s], |r| r.get(0))
            .map_err(db)?
            .collect::<rusqlite::Result<_>>()
            .map_err(db)?;
        if let Some(m) = rules::merge_case(&texts)? {
            tx.execute(
                "INSERT INTO cases (case_id, owner, document, conflicts, conflict_count, op_count, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (case_id) DO UPDATE SET owner = excluded.owner, \
                 document = excluded.document, conflicts = excluded.conflicts, conflict_count = excluded.conflict_count, \
                 op_count = excluded.op_count, updated_at = excluded.updated_at",
                params![case_s, m.owner.as_ref().map(|o| o.as_str()), m.document, m.conflicts, m.conflict_count, m.op_count, now_s],
            )
            .map_err(db)?;
        }
    }
    if let Some(last) = last_accepted {
        tx.execute(
            "UPDATE devices SET last_pushed_op = ?1 WHERE id = ?2",
            params![last.to_string(), device.id.to_string()],
        )
        .map_err(db)?;
    }
    let high: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM feed", [], |r| r.get(0)).map_err(db)?;
    tx.commit().map_err(db)?;
    Ok((results, high))
}
