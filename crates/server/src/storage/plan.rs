//! A push, planned once for both backends: the backend fetches what the
//! checks need for the whole batch in a few queries ([`Needs`] → [`Known`]),
//! [`plan`] decides every operation in memory, and the backend writes the
//! rows it returns in bulk — all inside one transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use waystation_core::{CaseId, Change, ItemId, ListKind, OpId, Operation, OrgId, Sensitivity, UserName};
use waystation_protocol::{OpResult, OpStatus};

use super::DeviceRecord;
use super::rules::{self, CaseAccess, Effect};
use super::sealed::Sealer;

/// The keys a batch needs looked up, as text.
#[derive(Debug, Default)]
pub struct Needs {
    /// Every operation id.
    pub op_ids: Vec<String>,
    /// Every user named.
    pub users: Vec<String>,
    /// The pushing device (whose signed-in users are looked up).
    pub device: String,
    /// Every case touched.
    pub cases: Vec<String>,
    /// Organizations cases are shared with.
    pub share_orgs: Vec<String>,
    /// Notes removed (item ids).
    pub note_items: Vec<String>,
    /// Cases shared in this batch (their stored operations join a new feed).
    pub shared_cases: Vec<String>,
}

/// What the database holds about a batch's keys.
#[derive(Debug, Default)]
pub struct Known {
    /// Content hashes of operations stored already.
    pub stored_hashes: HashMap<OpId, String>,
    /// Organizations of the users named.
    pub user_orgs: HashMap<UserName, OrgId>,
    /// The users named who signed in on the pushing device.
    pub signed_in: HashSet<UserName>,
    /// Access of the cases touched that exist.
    pub access: HashMap<CaseId, CaseAccess>,
    /// Share targets that exist.
    pub orgs: HashSet<OrgId>,
    /// Classes of stored note items.
    pub note_classes: HashMap<ItemId, Sensitivity>,
    /// Stored operation ids of the shared cases, in arrival order.
    pub case_ops: HashMap<CaseId, Vec<OpId>>,
}

/// An accepted operation to store.
#[derive(Debug)]
pub struct NewOp<'a> {
    /// The operation.
    pub op: &'a Operation,
    /// Its canonical JSON.
    pub canonical: &'a str,
    /// That, sealed with the data key: what is stored.
    pub sealed: &'a str,
    /// Its content hash ([`Sealer::content_hash`]).
    pub hash: &'a str,
    /// The organization owning its case: the first of its feed rows
    /// ([`Plan::feed`]) is this organization's.
    pub owner: Option<OrgId>,
}

/// An operation's canonical JSON, sealed, and content hash: pure work, done
/// before the backend takes any lock.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Canonical JSON.
    pub canonical: String,
    /// That, sealed with the data key.
    pub sealed: String,
    /// Its content hash ([`Sealer::content_hash`]).
    pub hash: String,
}

/// Canonical JSON, sealed text and (keyed) content hash of every operation of a batch, in order.
pub fn prepare(ops: &[Operation], sealer: &Sealer) -> Vec<Prepared> {
    ops.iter()
        .map(|op| {
            let canonical = op.canonical_json();
            let hash = sealer.content_hash(&canonical);
            let sealed = sealer.seal_op(&canonical);
            Prepared { canonical, sealed, hash }
        })
        .collect()
}

/// What to write.
#[derive(Debug, Default)]
pub struct Plan<'a> {
    /// One per pushed operation, in order.
    pub results: Vec<OpResult>,
    /// Accepted operations, in order.
    pub ops: Vec<NewOp<'a>>,
    /// Feed rows, in feed order.
    pub feed: Vec<FeedRow>,
    /// New access rows: (case, organization, is owner).
    pub access: Vec<(CaseId, OrgId, bool)>,
    /// Cases whose merged state must be recomputed.
    pub touched: BTreeSet<CaseId>,
    /// Touched cases this batch creates (no operation of theirs is stored yet).
    pub created: BTreeSet<CaseId>,
    /// The last accepted operation.
    pub last_accepted: Option<OpId>,
    /// Who sees each touched case after this batch's operations, as the
    /// service decides it operation by operation (shares included; an
    /// unshare's end of a sharing is the merge's, see [`super::rules::MergedCase::ended_sharing`]).
    pub access_after: HashMap<CaseId, CaseAccess>,
}

/// One row of an organization's change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    /// Whose feed.
    pub org: OrgId,
    /// The operation.
    pub op: OpId,
    /// Sent to the device that wrote it too: every row of an organization a
    /// case is shared with (not its owner's). Such a device removes the case
    /// when the sharing ends, and must get back what it wrote when the case
    /// is shared again — a share may come while one of its changes is on the
    /// wire, after the service sent the case whole.
    pub resent: bool,
}

/// The lookups a batch needs.
pub fn needs(ops: &[Operation]) -> Needs {
    needs_of(ops, true)
}

/// The lookups a batch needs; without `op_ids` when the stored operations
/// are not looked up by id.
pub fn needs_of(ops: &[Operation], op_ids: bool) -> Needs {
    let mut n = Needs::default();
    let (mut users, mut cases) = (BTreeSet::new(), BTreeSet::new());
    for op in ops {
        if op_ids {
            n.op_ids.push(op.id.to_string());
        }
        users.insert(op.user.as_str().to_owned());
        cases.insert(op.case_id.to_string());
        match &op.change {
            Change::Share { org } => {
                n.share_orgs.push(org.as_str().to_owned());
                n.shared_cases.push(op.case_id.to_string());
            }
            Change::RemoveItem { list: ListKind::Notes, item, .. } => n.note_items.push(item.to_string()),
            _ => {}
        }
    }
    n.users = users.into_iter().collect();
    n.cases = cases.into_iter().collect();
    n
}

impl<'a> Plan<'a> {
    /// Touched cases that existed before this batch: their stored operations
    /// must be read for the merge.
    pub fn existing(&self) -> impl Iterator<Item = &CaseId> {
        self.touched.difference(&self.created)
    }

    /// The accepted operations of each touched case.
    pub fn accepted_by_case(&self) -> BTreeMap<CaseId, Vec<&'a Operation>> {
        let mut by_case: BTreeMap<CaseId, Vec<&'a Operation>> = BTreeMap::new();
        for n in &self.ops {
            by_case.entry(n.op.case_id).or_default().push(n.op);
        }
        by_case
    }
}

/// Decide every operation of a batch, in order. `prepared` is
/// [`prepare`]`(ops)`.
pub fn plan<'a>(device: &DeviceRecord, ops: &'a [Operation], prepared: &'a [Prepared], mut known: Known) -> Plan<'a> {
    assert_eq!(ops.len(), prepared.len(), "prepared must come from the same batch");
    let mut plan = Plan { results: Vec::with_capacity(ops.len()), ..Plan::default() };
    let mut batch_hashes: HashMap<OpId, &str> = HashMap::new();
    for (op, Prepared { canonical, sealed, hash }) in ops.iter().zip(prepared) {
        if let Some(stored) =
            known.stored_hashes.get(&op.id).map(String::as_str).or_else(|| batch_hashes.get(&op.id).copied())
        {
            plan.results.push(rules::already_stored(op, stored, hash));
            continue;
        }
        let signed_in = known.signed_in.contains(&op.user);
        if let Err(refusal) = rules::check_op(op, device, known.user_orgs.get(&op.user), signed_in) {
            plan.results.push(refusal);
            continue;
        }
        let (note_class, share_known) = match &op.change {
            Change::RemoveItem { list: ListKind::Notes, item, .. } => (known.note_classes.get(item).copied(), true),
            Change::Share { org } => (None, known.orgs.contains(org)),
            _ => (None, true),
        };
        let effect = match rules::check_access(op, device, known.access.get(&op.case_id), note_class, share_known) {
            Ok(e) => e,
            Err(refusal) => {
                plan.results.push(refusal);
                continue;
            }
        };
        let mut shared_now = None;
        match effect {
            Effect::Create(owner) => {
                plan.created.insert(op.case_id);
                plan.access.push((op.case_id, owner.clone(), true));
                known.access.insert(op.case_id, CaseAccess { owner, shared_with: BTreeSet::new() });
            }
            Effect::Share(org) => {
                plan.access.push((op.case_id, org.clone(), false));
                // The organization now sees the case: this share first, then
                // the case's earlier operations join its feed. Its devices
                // may apply any first part of that, so the share comes first:
                // no part looks like a case they do not see (which they remove).
                plan.feed.push(FeedRow { org: org.clone(), op: op.id, resent: true });
                for earlier in known.case_ops.get(&op.case_id).into_iter().flatten() {
                    plan.feed.push(FeedRow { org: org.clone(), op: *earlier, resent: true });
                }
                shared_now = Some(org.clone());
                if let Some(a) = known.access.get_mut(&op.case_id) {
                    a.shared_with.insert(org);
                }
            }
            Effect::None => {}
        }
        let owner = known.access.get(&op.case_id).map(|a| {
            let rows = a.orgs().filter(|o| shared_now.as_ref() != Some(*o));
            plan.feed.extend(rows.map(|o| FeedRow { org: o.clone(), op: op.id, resent: *o != a.owner }));
            a.owner.clone()
        });
        known.case_ops.entry(op.case_id).or_default().push(op.id);
        if let Change::AddItem { list: ListKind::Notes, item, .. } = &op.change {
            known.note_classes.entry(*item).or_insert(op.class);
        }
        batch_hashes.insert(op.id, hash);
        plan.touched.insert(op.case_id);
        plan.last_accepted = Some(op.id);
        plan.results.push(OpResult { id: op.id, status: OpStatus::Accepted, message: None });
        plan.ops.push(NewOp { op, canonical, sealed, hash, owner });
    }
    plan.access_after = plan.touched.iter().filter_map(|c| known.access.remove(c).map(|a| (*c, a))).collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use waystation_core::{DeviceId, FieldPath, Hlc, Role};

    fn device() -> DeviceRecord {
        DeviceRecord {
            id: DeviceId::from_u128(9),
            org: "border-7".parse().unwrap(),
            role: Role::Agent,
            secret_hash: String::new(),
            revoked: false,
            complete_by: None,
            checks_authorship: true,
        }
    }

    fn op(id: u128, case: u128, change: Change) -> Operation {
        let device = DeviceId::from_u128(9);
        Operation {
            id: OpId::from_u128(id),
            case_id: CaseId::from_u128(case),
            hlc: Hlc { wall_ms: id as u64, counter: 0, device },
            device,
            user: "ana".parse().unwrap(),
            class: Sensitivity::General,
            change,
        }
    }

    fn known() -> Known {
        let mut k = Known::default();
        k.user_orgs.insert("ana".parse().unwrap(), "border-7".parse().unwrap());
        k.signed_in.insert("ana".parse().unwrap());
        k.orgs.insert("casa".parse().unwrap());
        k
    }

    fn set(v: i64) -> Change {
        Change::Set { field: FieldPath::parse("status").unwrap(), value: json!(v), supersedes: vec![] }
    }

    #[test]
    fn an_id_twice_in_one_batch_is_accepted_once() {
        let create = Change::create_case("border-7".parse().unwrap());
        let ops = vec![op(1, 1, create), op(2, 1, set(1)), op(2, 1, set(1)), op(2, 1, set(2))];
        let prepared = prepare(&ops, &crate::storage::sealed::Sealer::generate());
        let p = plan(&device(), &ops, &prepared, known());
        let statuses: Vec<OpStatus> = p.results.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            [OpStatus::Accepted, OpStatus::Accepted, OpStatus::Duplicate, OpStatus::RefusedDifferentContent]
        );
        assert_eq!(p.ops.len(), 2);
        assert_eq!(p.feed.len(), 2);
    }

    #[test]
    fn a_share_comes_first_in_the_new_feed_then_the_earlier_operations() {
        let mut k = known();
        let owner: OrgId = "border-7".parse().unwrap();
        k.access.insert(CaseId::from_u128(1), CaseAccess { owner: owner.clone(), shared_with: BTreeSet::new() });
        k.case_ops.insert(CaseId::from_u128(1), vec![OpId::from_u128(100)]);
        let casa: OrgId = "casa".parse().unwrap();
        let ops = vec![op(1, 1, set(1)), op(2, 1, Change::Share { org: casa.clone() }), op(3, 1, set(2))];
        let prepared = prepare(&ops, &crate::storage::sealed::Sealer::generate());
        let p = plan(&device(), &ops, &prepared, k);
        let casa_feed: Vec<u128> = p.feed.iter().filter(|r| r.org == casa).map(|r| r.op.as_uuid().as_u128()).collect();
        assert_eq!(casa_feed, [2, 100, 1, 3], "the share, then stored, then earlier in the batch, then after");
        assert_eq!(p.access, vec![(CaseId::from_u128(1), casa, false)]);
    }
}
