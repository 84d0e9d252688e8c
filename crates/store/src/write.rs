//! Saving changes: each becomes an operation stamped with a new id, this
//! device's clock and the signed-in user, and is written in ONE transaction
//! with everything it changes: the operation log, the case's view, the search
//! index, its conflicts, the outbox and the audit chain (transactional outbox).

use rusqlite::{Connection, TransactionBehavior};
use std::collections::{BTreeMap, HashSet};
use waystation_core::{CaseId, CaseState, Change, FieldKey, ItemId, ListKind, OpId, Operation, OrgId, Sensitivity};

use crate::audit::{Action, AuditWriter, ops_detail};
use crate::error::{Result, StoreError};
use crate::materialize::{insert_op, load_state, save_last_hlc, write_case};
use crate::store::{Stamper, Store};

/// What a batch of changes may refer to: the case's items and the latest
/// write of each field, before and during the batch.
struct Context<'a> {
    base: Option<&'a CaseState>,
    items: BTreeMap<(ListKind, ItemId), Option<Sensitivity>>,
    written: BTreeMap<FieldKey, OpId>,
    /// Shares written in this batch, by organization.
    shares: BTreeMap<OrgId, Vec<OpId>>,
    /// The base's frontier of every register and its standing removals,
    /// computed once for the batch when first needed (each is a pass over
    /// the case's operations).
    frontiers: std::cell::OnceCell<BTreeMap<FieldKey, Vec<OpId>>>,
    standing: std::cell::OnceCell<BTreeMap<(ListKind, ItemId), Vec<OpId>>>,
}

impl<'a> Context<'a> {
    fn new(base: Option<&'a CaseState>) -> Self {
        let mut items = BTreeMap::new();
        if let Some(view) = base.and_then(CaseState::view) {
            for list in ListKind::ALL {
                let Some(entries) = view.document.get(list.as_str()).and_then(|v| v.as_array()) else { continue };
                for entry in entries {
                    let id = entry.get("id").and_then(|v| v.as_str()).and_then(|s| ItemId::parse("id", s).ok());
                    let class = entry.get("sensitivity").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
                    if let Some(id) = id {
                        items.insert((list, id), class);
                    }
                }
            }
        }
        Self {
            base,
            items,
            written: BTreeMap::new(),
            shares: BTreeMap::new(),
            frontiers: std::cell::OnceCell::new(),
            standing: std::cell::OnceCell::new(),
        }
    }

    fn base_frontiers(&self) -> &BTreeMap<FieldKey, Vec<OpId>> {
        self.frontiers.get_or_init(|| self.base.map(CaseState::frontiers).unwrap_or_default())
    }

    fn supersedes(&self, key: &FieldKey) -> Vec<OpId> {
        match self.written.get(key) {
            Some(op) => vec![*op],
            None => self.base_frontiers().get(key).cloned().unwrap_or_default(),
        }
    }

    /// The base's writes of the item nobody superseded, over all its fields.
    fn item_frontier(&self, list: ListKind, item: ItemId) -> Vec<OpId> {
        let mut out: Vec<OpId> = self
            .base_frontiers()
            .iter()
            .filter(|(k, _)| matches!(k, FieldKey::Item { list: l, item: i, .. } if *l == list && *i == item))
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The base's removals of the item still standing.
    fn standing_removals(&self, list: ListKind, item: ItemId) -> Vec<OpId> {
        let all = self.standing.get_or_init(|| self.base.map(CaseState::all_standing_removals).unwrap_or_default());
        all.get(&(list, item)).cloned().unwrap_or_default()
    }
}

fn invalid(case_index: usize, change_index: usize, field: &str, message: impl Into<String>) -> StoreError {
    StoreError::InvalidChange { case_index, change_index, field: field.to_owned(), message: message.into() }
}

impl Stamper {
    /// Turn changes into operations of `case_id`, filling `supersedes` from
    /// the current frontier and checking what the changes refer to.
    fn stamp(
        &mut self,
        case_index: usize,
        case_id: CaseId,
        base: Option<&CaseState>,
        changes: Vec<Change>,
    ) -> Result<Vec<Operation>> {
        if changes.is_empty() {
            return Err(invalid(case_index, 0, "changes", "there is nothing to save"));
        }
        let mut cx = Context::new(base);
        let mut creates = usize::from(base.is_some());
        let mut ops = Vec::with_capacity(changes.len());
        for (i, mut change) in changes.into_iter().enumerate() {
            let id = OpId::new();
            let mut class = change.inherent_class();
            match &mut change {
                Change::CreateCase { fields, .. } => {
                    creates += 1;
                    if creates > 1 {
                        return Err(invalid(case_index, i, "kind", "a case is created only once"));
                    }
                    for field in fields.keys() {
                        cx.written.insert(FieldKey::Case { field: field.as_str().to_owned() }, id);
                    }
                }
                Change::Share { org } => cx.shares.entry(org.clone()).or_default().push(id),
                Change::Unshare { org, seen } => {
                    // What the unshare ends: the organization's shares seen here, before and during this batch.
                    let mut saw = cx.base.map(|b| b.shares_of(org)).unwrap_or_default();
                    saw.extend(cx.shares.get(org).into_iter().flatten().copied());
                    if saw.is_empty() {
                        return Err(invalid(case_index, i, "org", format!("the case is not shared with {org}")));
                    }
                    saw.sort();
                    saw.dedup();
                    *seen = saw;
                }
                Change::Set { field, supersedes, .. } => {
                    let key = FieldKey::Case { field: field.as_str().to_owned() };
                    *supersedes = cx.supersedes(&key);
                    cx.written.insert(key, id);
                }
                Change::AddItem { list, item, value } => {
                    if cx.items.contains_key(&(*list, *item)) {
                        return Err(invalid(
                            case_index,
                            i,
                            "item",
                            format!("the {} item exists already", list.as_str()),
                        ));
                    }
                    cx.items.insert((*list, *item), class);
                    for field in value.keys().filter(|k| k.as_str() != "id") {
                        cx.written.insert(FieldKey::Item { list: *list, item: *item, field: field.clone() }, id);
                    }
                }
                Change::SetItemField { list, item, field, supersedes, .. } => {
                    if !cx.items.contains_key(&(*list, *item)) {
                        return Err(invalid(case_index, i, "item", format!("no such {} item", list.as_str())));
                    }
                    let key = FieldKey::Item { list: *list, item: *item, field: field.clone() };
                    *supersedes = cx.supersedes(&key);
                    // An edit of an item shown as "removed on one device, edited on another"
                    // keeps it: it supersedes the removals still standing.
                    supersedes.extend(cx.standing_removals(*list, *item));
                    cx.written.insert(key, id);
                }
                Change::RemoveItem { list, item, seen } => {
                    let Some(item_class) = cx.items.remove(&(*list, *item)) else {
                        return Err(invalid(case_index, i, "item", format!("no such {} item", list.as_str())));
                    };
                    // What the removal saw: the item's writes here, before and during this batch.
                    let mut saw: Vec<OpId> = cx.item_frontier(*list, *item);
                    saw.extend(cx.written.iter().filter_map(|(k, op)| match k {
                        FieldKey::Item { list: l, item: it, .. } if l == list && it == item => Some(*op),
                        _ => None,
                    }));
                    saw.sort();
                    saw.dedup();
                    *seen = Some(saw);
                    if class.is_none() {
                        class = item_class;
                    }
                }
            }
            if creates == 0 {
                return Err(invalid(case_index, i, "kind", "a new case starts with its creation (create_case)"));
            }
            let op = Operation {
                id,
                case_id,
                hlc: self.tick(),
                device: self.device,
                user: self.user.clone(),
                class: class.unwrap_or_default(),
                change,
            };
            op.validate().map_err(|e| invalid(case_index, i, &e.field, e.message))?;
            ops.push(op);
        }
        Ok(ops)
    }
}

/// Write the operations of one case and its new view; `state` already holds them.
fn persist(conn: &Connection, log: &mut AuditWriter, ops: &[Operation], state: &CaseState, is_new: bool) -> Result<()> {
    let action = if is_new { Action::Create } else { Action::Edit };
    let mut bodies = Vec::with_capacity(ops.len());
    for op in ops {
        let body = op.canonical_json();
        insert_op(conn, op, &body, true)?;
        conn.prepare_cached("INSERT INTO outbox (op_id) VALUES (?1)")?.execute([op.id.to_string()])?;
        bodies.push(body);
    }
    let view = state.view().ok_or_else(|| StoreError::Damaged("a case without operations".into()))?;
    let first = ops.first().map(|o| o.id.to_string());
    let detail = ops_detail(bodies.iter().map(String::as_str));
    log.append(conn, action, Some(&view.id.to_string()), first.as_deref(), Some(&detail))?;
    write_case(conn, &view, is_new)
}

pub(crate) fn case_exists(conn: &Connection, case_id: CaseId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM cases WHERE case_id = ?1")?
        .query_row([case_id.to_string()], |_| Ok(()))
        .map(|_| true)
        .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(false) } else { Err(e) })?)
}

impl Store {
    /// Save a new case made of `changes` (which must include its
    /// `create_case`). Nothing is saved if any change is refused.
    pub fn save_new_case(&mut self, case_id: CaseId, changes: Vec<Change>) -> Result<CaseId> {
        self.save_new_cases(vec![(case_id, changes)]).map(|mut ids| ids.remove(0))
    }

    /// Save many new cases in ONE transaction (`case import`): all of them,
    /// or, when any change of any case is refused, none. The error names the
    /// case's position in the batch and the change.
    pub fn save_new_cases(&mut self, cases: Vec<(CaseId, Vec<Change>)>) -> Result<Vec<CaseId>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut log = self.stamper.audit(&tx)?;
        let mut seen = HashSet::with_capacity(cases.len());
        let mut ids = Vec::with_capacity(cases.len());
        for (index, (case_id, changes)) in cases.into_iter().enumerate() {
            if !seen.insert(case_id) || case_exists(&tx, case_id)? {
                return Err(StoreError::CaseExists(case_id));
            }
            let ops = self.stamper.stamp(index, case_id, None, changes)?;
            let mut state = CaseState::new(case_id);
            for op in &ops {
                state.apply(op.clone()).map_err(|e| StoreError::Damaged(e.to_string()))?;
            }
            persist(&tx, &mut log, &ops, &state, true)?;
            ids.push(case_id);
        }
        log.finish(&tx)?;
        save_last_hlc(&tx, self.stamper.last_hlc)?;
        tx.commit()?;
        Ok(ids)
    }

    /// Save later changes to an existing case. `supersedes` of every `set`
    /// and `set_item_field` is filled from the case's current frontier (what
    /// this device has seen), so an edit that chooses a value also resolves
    /// a conflict on that field. Returns the new operations' ids.
    pub fn edit(&mut self, case_id: CaseId, changes: Vec<Change>) -> Result<Vec<OpId>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(mut state) = load_state(&tx, case_id)? else {
            return Err(StoreError::CaseNotFound(case_id));
        };
        if !case_exists(&tx, case_id)? {
            return Err(StoreError::CaseNotFound(case_id));
        }
        let ops = self.stamper.stamp(0, case_id, Some(&state), changes)?;
        for op in &ops {
            state.apply(op.clone()).map_err(|e| StoreError::Damaged(e.to_string()))?;
        }
        let mut log = self.stamper.audit(&tx)?;
        persist(&tx, &mut log, &ops, &state, false)?;
        log.finish(&tx)?;
        save_last_hlc(&tx, self.stamper.last_hlc)?;
        tx.commit()?;
        Ok(ops.iter().map(|o| o.id).collect())
    }
}
