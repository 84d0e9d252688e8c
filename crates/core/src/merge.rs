//! The merge: a case's state is a pure function of the *set* of its
//! operations. Applying the same operations in any order, any number of
//! times, gives the same state — which is what lets devices that were
//! offline for days converge.
//!
//! Rules:
//! - every field (case-level, or a field of a list item) is a register; a
//!   write names the writes it had seen (`supersedes`). The writes nobody
//!   superseded are the register's frontier; the winner is the frontier's
//!   greatest hybrid logical clock (device id breaks ties). A frontier of two
//!   or more different values is a recorded [`Conflict`] holding them all,
//!   until a write that supersedes them resolves it.
//! - list items are added and removed by their own ids. A removal takes away
//!   the item's writes it saw (its `seen` frontier): an edit it did not see
//!   keeps the item, and the item is flagged with a removal [`Conflict`]
//!   ("removed on one device, edited on another") until a person settles it:
//!   removed again (a removal that sees the edit) or kept (an edit that
//!   supersedes the removal). A removal without `seen` wins over every write.
//! - the owner is the organization of the earliest `CreateCase`. Sharing is
//!   an observed-remove set: an organization sees the case while one of its
//!   `Share`s is not among the shares an `Unshare` of it saw — an unshare
//!   ends only the shares it saw, and a later share shares the case again.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

use crate::access::{OrgId, UserName};
use crate::hlc::Hlc;
use crate::ids::{CaseId, DeviceId, ItemId, OpId};
use crate::op::{Change, ListKind, Operation};

/// Why an operation could not be merged into a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// The operation belongs to another case.
    #[error("operation {op} belongs to case {found}, not {expected}")]
    WrongCase {
        /// The operation.
        op: OpId,
        /// The case being merged.
        expected: CaseId,
        /// The case the operation names.
        found: CaseId,
    },
    /// An operation with this id was already merged with different content.
    #[error("operation {0} was already received with different content")]
    Divergent(OpId),
}

/// Where a register lives in the case document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FieldKey {
    /// A case-level field such as `child.date_of_birth`.
    Case {
        /// The field's path.
        field: String,
    },
    /// A field of one list item, such as a referral's `status`.
    Item {
        /// The list.
        list: ListKind,
        /// The item.
        item: ItemId,
        /// The item's field.
        field: String,
    },
    /// A list item removed on one device and edited on another, concurrently.
    Removal {
        /// The list.
        list: ListKind,
        /// The item.
        item: ItemId,
    },
}

impl FieldKey {
    /// The key as one readable path: `child.name`, `referrals/0190…/status`.
    pub fn path(&self) -> String {
        match self {
            FieldKey::Case { field } => field.clone(),
            FieldKey::Item { list, item, field } => format!("{}/{item}/{field}", list.as_str()),
            FieldKey::Removal { list, item } => format!("{}/{item}", list.as_str()),
        }
    }
}

/// One value of a conflicting field, with who wrote it where and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictValue {
    /// The write.
    pub op: OpId,
    /// When.
    pub hlc: Hlc,
    /// On which device.
    pub device: DeviceId,
    /// By whom.
    pub user: UserName,
    /// The value written.
    pub value: Value,
}

/// Concurrent writes of one field with different values. The field shows
/// the winner (`values` is ordered oldest first; the last is the winner);
/// a later write that supersedes every one of them resolves the conflict.
/// For a [`FieldKey::Removal`], `values` are the removals (value `null`)
/// and the edits they did not see; the item is shown (kept) until settled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Conflict {
    /// The field.
    pub key: FieldKey,
    /// Every concurrent value, oldest first.
    pub values: Vec<ConflictValue>,
}

/// A case as the merge of its operations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseState {
    case_id: Option<CaseId>,
    ops: BTreeMap<OpId, Operation>,
}

/// The materialized view of a case: what screens, searches and the service read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    /// The case.
    pub id: CaseId,
    /// The organization that owns it, once its creation has been seen.
    pub owner: Option<OrgId>,
    /// Organizations it was shared with.
    pub shared_with: BTreeSet<OrgId>,
    /// The case document: case-level fields nested by path, lists as arrays
    /// of items (each with its `id`), oldest item first.
    pub document: Value,
    /// Fields with concurrent, different values.
    pub conflicts: Vec<Conflict>,
    /// The newest operation's clock.
    pub last_hlc: Option<Hlc>,
    /// How many operations made this state.
    pub op_count: usize,
}

impl CaseView {
    /// Whether `org` sees the case: it owns it, or the case is shared with it.
    pub fn visible_to(&self, org: &OrgId) -> bool {
        self.owner.as_ref() == Some(org) || self.shared_with.contains(org)
    }
}

impl CaseState {
    /// An empty state for `case_id`.
    pub fn new(case_id: CaseId) -> Self {
        Self { case_id: Some(case_id), ops: BTreeMap::new() }
    }

    /// A state from operations (all of one case), in any order, duplicates allowed.
    pub fn from_ops<'a>(ops: impl IntoIterator<Item = &'a Operation>) -> Result<Self, MergeError> {
        let mut state = Self::default();
        for op in ops {
            state.apply(op.clone())?;
        }
        Ok(state)
    }

    /// Merge one operation. `Ok(true)` when it was new, `Ok(false)` when the
    /// same operation had been merged already.
    pub fn apply(&mut self, op: Operation) -> Result<bool, MergeError> {
        match self.case_id {
            None => self.case_id = Some(op.case_id),
            Some(expected) if expected != op.case_id => {
                return Err(MergeError::WrongCase { op: op.id, expected, found: op.case_id });
            }
            Some(_) => {}
        }
        if let Some(seen) = self.ops.get(&op.id) {
            return if *seen == op { Ok(false) } else { Err(MergeError::Divergent(op.id)) };
        }
        self.ops.insert(op.id, op);
        Ok(true)
    }

    /// Whether the operation was merged.
    pub fn contains(&self, op: &OpId) -> bool {
        self.ops.contains_key(op)
    }

    /// The merged operations, by id.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.ops.values()
    }

    /// The writes of `key` nobody superseded: what a new write of that field
    /// must name in `supersedes` (this is how an edit, or the choice that
    /// resolves a conflict, says what it replaces).
    pub fn frontier(&self, key: &FieldKey) -> Vec<OpId> {
        let registers = self.registers();
        registers.get(key).map(|r| r.frontier().iter().map(|w| w.op.id).collect()).unwrap_or_default()
    }

    /// The writes of item `item` of `list` nobody superseded, over all its
    /// fields (each once, in id order): what a removal of it must name in
    /// `seen` to take them away.
    pub fn item_frontier(&self, list: ListKind, item: ItemId) -> Vec<OpId> {
        let registers = self.registers();
        item_frontier(&registers, list, item).into_iter().collect()
    }

    /// [`CaseState::frontier`] of every register at once (one pass over the
    /// operations): what a batch of edits reads, instead of a pass per field.
    pub fn frontiers(&self) -> BTreeMap<FieldKey, Vec<OpId>> {
        self.registers().into_iter().map(|(k, r)| (k, r.frontier().iter().map(|w| w.op.id).collect())).collect()
    }

    /// [`CaseState::standing_removals`] of every item at once (one pass).
    pub fn all_standing_removals(&self) -> BTreeMap<(ListKind, ItemId), Vec<OpId>> {
        let dismissed = self.dismissed_removals();
        let mut out: BTreeMap<(ListKind, ItemId), Vec<OpId>> = BTreeMap::new();
        for op in self.ops.values() {
            if let Change::RemoveItem { list, item, .. } = &op.change
                && !dismissed.contains(&op.id)
            {
                out.entry((*list, *item)).or_default().push(op.id);
            }
        }
        out
    }

    /// The removals of an item still standing (no later write of the item
    /// superseded them): what an edit of it must name in `supersedes` to keep it.
    pub fn standing_removals(&self, list: ListKind, item: ItemId) -> Vec<OpId> {
        let dismissed = self.dismissed_removals();
        self.removals(list, item).filter(|r| !dismissed.contains(&r.id)).map(|r| r.id).collect()
    }

    /// The change that keeps an item flagged "removed on one device, edited on
    /// another": its first field written again with the value it shows (the
    /// store adds the standing removals to what it supersedes). `None` when
    /// the item has no field.
    pub fn keep_item_change(&self, list: ListKind, item: ItemId) -> Option<Change> {
        let registers = self.registers();
        let (key, register) = registers
            .iter()
            .find(|(k, _)| matches!(k, FieldKey::Item { list: l, item: i, .. } if *l == list && *i == item))?;
        let FieldKey::Item { field, .. } = key else { return None };
        let winner = register.frontier().into_iter().max_by_key(|w| (w.op.hlc, w.op.id))?;
        Some(Change::SetItemField {
            list,
            item,
            field: field.clone(),
            value: winner.value.clone(),
            supersedes: Vec::new(),
        })
    }

    /// The `Share`s of `org` merged here, in id order: what an unshare of it
    /// must name in `seen` to end them.
    pub fn shares_of(&self, org: &OrgId) -> Vec<OpId> {
        self.ops.values().filter(|o| matches!(&o.change, Change::Share { org: s } if s == org)).map(|o| o.id).collect()
    }

    /// The newest `Unshare` of `org` merged here (by clock, then id).
    pub fn last_unshare_of(&self, org: &OrgId) -> Option<&Operation> {
        self.ops
            .values()
            .filter(|o| matches!(&o.change, Change::Unshare { org: u, .. } if u == org))
            .max_by_key(|o| (o.hlc, o.id))
    }

    fn removals(&self, list: ListKind, item: ItemId) -> impl Iterator<Item = &Operation> {
        self.ops.values().filter(
            move |o| matches!(&o.change, Change::RemoveItem { list: l, item: i, .. } if *l == list && *i == item),
        )
    }

    /// The removals an item write superseded (an edit that kept the item).
    fn dismissed_removals(&self) -> BTreeSet<OpId> {
        self.ops
            .values()
            .filter_map(|o| match &o.change {
                Change::SetItemField { supersedes, .. } => Some(supersedes.iter().copied()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn registers(&self) -> BTreeMap<FieldKey, Register<'_>> {
        let mut registers: BTreeMap<FieldKey, Register<'_>> = BTreeMap::new();
        for op in self.ops.values() {
            match &op.change {
                Change::Set { field, value, supersedes } => {
                    registers
                        .entry(FieldKey::Case { field: field.as_str().to_owned() })
                        .or_default()
                        .push(op, value, supersedes);
                }
                Change::AddItem { list, item, value } => {
                    for (field, v) in value.iter().filter(|(k, _)| k.as_str() != "id") {
                        registers
                            .entry(FieldKey::Item { list: *list, item: *item, field: field.clone() })
                            .or_default()
                            .push(op, v, &[]);
                    }
                }
                Change::SetItemField { list, item, field, value, supersedes } => {
                    registers
                        .entry(FieldKey::Item { list: *list, item: *item, field: field.clone() })
                        .or_default()
                        .push(op, value, supersedes);
                }
                Change::CreateCase { fields, .. } => {
                    for (field, value) in fields {
                        registers.entry(FieldKey::Case { field: field.as_str().to_owned() }).or_default().push(
                            op,
                            value,
                            &[],
                        );
                    }
                }
                Change::Share { .. } | Change::Unshare { .. } | Change::RemoveItem { .. } => {}
            }
        }
        registers
    }

    /// The materialized view. `None` before any operation was merged.
    pub fn view(&self) -> Option<CaseView> {
        self.render(true)
    }

    /// The view with its `document` left `Null`: owner, sharing, conflicts
    /// and counts only, without rendering every field and item (what the
    /// service stores for each case). `None` before any operation was merged.
    pub fn view_without_document(&self) -> Option<CaseView> {
        self.render(false)
    }

    fn render(&self, with_document: bool) -> Option<CaseView> {
        let id = self.case_id?;
        let mut owner: Option<(&Hlc, &OrgId)> = None;
        let mut shares: BTreeMap<&OrgId, Vec<OpId>> = BTreeMap::new();
        let mut unshared: BTreeMap<&OrgId, BTreeSet<OpId>> = BTreeMap::new();
        // item -> (hlc of its earliest add, removed)
        let mut items: BTreeMap<(ListKind, ItemId), (Hlc, bool)> = BTreeMap::new();
        // item -> its removals still standing
        let mut removals: BTreeMap<(ListKind, ItemId), Vec<&Operation>> = BTreeMap::new();
        let dismissed = self.dismissed_removals();
        for op in self.ops.values() {
            match &op.change {
                Change::CreateCase { owner: org, .. } => {
                    if owner.is_none_or(|(h, o)| (&op.hlc, org) < (h, o)) {
                        owner = Some((&op.hlc, org));
                    }
                }
                Change::Share { org } => shares.entry(org).or_default().push(op.id),
                Change::Unshare { org, seen } => unshared.entry(org).or_default().extend(seen.iter().copied()),
                Change::AddItem { list, item, .. } => {
                    let e = items.entry((*list, *item)).or_insert((op.hlc, false));
                    e.0 = e.0.min(op.hlc);
                }
                Change::RemoveItem { list, item, .. } if !dismissed.contains(&op.id) => {
                    removals.entry((*list, *item)).or_default().push(op);
                }
                Change::RemoveItem { .. } | Change::Set { .. } | Change::SetItemField { .. } => {}
            }
        }
        // An unshare ends only the shares of its own organization that it saw.
        let mut shared_with: BTreeSet<OrgId> = shares
            .into_iter()
            .filter(|(org, ids)| ids.iter().any(|id| !unshared.get(org).is_some_and(|seen| seen.contains(id))))
            .map(|(org, _)| org.clone())
            .collect();
        let registers = self.registers();
        let mut conflicts = Vec::new();
        for ((list, item), standing) in &removals {
            let Some(e) = items.get_mut(&(*list, *item)) else { continue };
            let mut seen = BTreeSet::new();
            let mut wins_outright = false;
            for r in standing {
                match &r.change {
                    Change::RemoveItem { seen: Some(s), .. } => seen.extend(s.iter().copied()),
                    _ => wins_outright = true,
                }
            }
            let frontier = item_frontier(&registers, *list, *item);
            let unseen: Vec<OpId> = frontier.iter().filter(|w| !seen.contains(w)).copied().collect();
            if wins_outright || unseen.is_empty() {
                e.1 = true;
                continue;
            }
            // Removed on one device, edited on another: kept, and flagged.
            let mut values: Vec<ConflictValue> = standing
                .iter()
                .map(|r| ConflictValue {
                    op: r.id,
                    hlc: r.hlc,
                    device: r.device,
                    user: r.user.clone(),
                    value: Value::Null,
                })
                .collect();
            for (key, register) in &registers {
                if !matches!(key, FieldKey::Item { list: l, item: i, .. } if l == list && i == item) {
                    continue;
                }
                for w in register.frontier().into_iter().filter(|w| unseen.contains(&w.op.id)) {
                    values.push(ConflictValue {
                        op: w.op.id,
                        hlc: w.op.hlc,
                        device: w.op.device,
                        user: w.op.user.clone(),
                        value: w.value.clone(),
                    });
                }
            }
            values.sort_by_key(|v| (v.hlc, v.op));
            values.dedup_by_key(|v| v.op);
            conflicts.push(Conflict { key: FieldKey::Removal { list: *list, item: *item }, values });
        }
        let owner = owner.map(|(_, o)| o.clone());
        if let Some(o) = &owner {
            shared_with.remove(o);
        }

        let mut draft = with_document.then(|| DocumentDraft::new(id, &items));
        for (key, register) in &registers {
            let frontier = register.frontier();
            let Some(winner) = frontier.iter().max_by_key(|w| (w.op.hlc, w.op.id)) else { continue };
            if frontier.len() > 1 && frontier.iter().any(|w| w.value != winner.value) {
                let mut values: Vec<ConflictValue> = frontier
                    .iter()
                    .map(|w| ConflictValue {
                        op: w.op.id,
                        hlc: w.op.hlc,
                        device: w.op.device,
                        user: w.op.user.clone(),
                        value: w.value.clone(),
                    })
                    .collect();
                values.sort_by_key(|v| (v.hlc, v.op));
                conflicts.push(Conflict { key: key.clone(), values });
            }
            if let Some(d) = &mut draft {
                d.set(key, winner.value);
            }
        }
        conflicts.retain(|c| match &c.key {
            FieldKey::Item { list, item, .. } | FieldKey::Removal { list, item } => {
                items.get(&(*list, *item)).is_some_and(|(_, gone)| !gone)
            }
            FieldKey::Case { .. } => true,
        });
        conflicts.sort_by(|a, b| a.key.cmp(&b.key));
        Some(CaseView {
            id,
            owner,
            shared_with,
            document: draft.map_or(Value::Null, DocumentDraft::finish),
            conflicts,
            last_hlc: self.ops.values().map(|o| o.hlc).max(),
            op_count: self.ops.len(),
        })
    }
}

/// The frontier writes of every field of one item.
fn item_frontier(registers: &BTreeMap<FieldKey, Register<'_>>, list: ListKind, item: ItemId) -> BTreeSet<OpId> {
    registers
        .iter()
        .filter(|(k, _)| matches!(k, FieldKey::Item { list: l, item: i, .. } if *l == list && *i == item))
        .flat_map(|(_, r)| r.frontier().into_iter().map(|w| w.op.id))
        .collect()
}

/// An item being rendered: the clock of its first add, its id, its fields.
type ItemDraft = (Hlc, ItemId, Map<String, Value>);

/// The case document being rendered: case-level fields nested by path, and
/// each list's items that were not removed.
struct DocumentDraft {
    document: Map<String, Value>,
    lists: BTreeMap<ListKind, Vec<ItemDraft>>,
}

impl DocumentDraft {
    /// The document of case `id` with its items (`items`: each item's first
    /// add and whether it was removed), before any field is set.
    fn new(id: CaseId, items: &BTreeMap<(ListKind, ItemId), (Hlc, bool)>) -> Self {
        let mut document = Map::new();
        document.insert("id".into(), Value::String(id.to_string()));
        let mut lists: BTreeMap<ListKind, Vec<ItemDraft>> = BTreeMap::new();
        for ((list, item), (first, gone)) in items {
            if !gone {
                let mut m = Map::new();
                m.insert("id".into(), Value::String(item.to_string()));
                lists.entry(*list).or_default().push((*first, *item, m));
            }
        }
        Self { document, lists }
    }

    /// A register's winning value, in its place.
    fn set(&mut self, key: &FieldKey, value: &Value) {
        match key {
            FieldKey::Case { field } => {
                let mut segments = field.split('.');
                let first = segments.next().unwrap_or_default().to_owned();
                match segments.next() {
                    None => {
                        self.document.insert(first, value.clone());
                    }
                    Some(second) => {
                        let section = self.document.entry(first).or_insert_with(|| Value::Object(Map::new()));
                        if !section.is_object() {
                            *section = Value::Object(Map::new());
                        }
                        if let Value::Object(m) = section {
                            m.insert(second.to_owned(), value.clone());
                        }
                    }
                }
            }
            FieldKey::Item { list, item, field } => {
                if let Some(entry) = self.lists.get_mut(list).and_then(|v| v.iter_mut().find(|(_, i, _)| i == item)) {
                    entry.2.insert(field.clone(), value.clone());
                }
            }
            FieldKey::Removal { .. } => {}
        }
    }

    /// The document, every list present (oldest item first).
    fn finish(mut self) -> Value {
        for list in ListKind::ALL {
            let mut entries = self.lists.remove(&list).unwrap_or_default();
            entries.sort_by_key(|(first, item, _)| (*first, *item));
            self.document.insert(
                list.as_str().to_owned(),
                Value::Array(entries.into_iter().map(|(_, _, m)| Value::Object(m)).collect()),
            );
        }
        Value::Object(self.document)
    }
}

struct Write<'a> {
    op: &'a Operation,
    value: &'a Value,
}

#[derive(Default)]
struct Register<'a> {
    writes: Vec<Write<'a>>,
    superseded: BTreeSet<OpId>,
}

impl<'a> Register<'a> {
    fn push(&mut self, op: &'a Operation, value: &'a Value, supersedes: &[OpId]) {
        self.writes.push(Write { op, value });
        self.superseded.extend(supersedes.iter().filter(|s| **s != op.id).copied());
    }

    fn frontier(&self) -> Vec<&Write<'a>> {
        let open: Vec<&Write<'a>> = self.writes.iter().filter(|w| !self.superseded.contains(&w.op.id)).collect();
        if open.is_empty() {
            // Only a cycle of writes that supersede each other gets here (a
            // forged history); keep every write so nothing is silently lost.
            self.writes.iter().collect()
        } else {
            open
        }
    }
}
