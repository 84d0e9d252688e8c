//! The checks a push makes on each operation, written once for both
//! backends: the backends fetch what the checks need inside their
//! transaction and apply the outcome.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use waystation_core::{CaseState, Change, Conflict, FieldKey, ListKind, OpId, Operation, OrgId, Role, Sensitivity};
use waystation_protocol::{OpResult, OpStatus};

use super::DeviceRecord;

/// Which organizations see a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAccess {
    /// The owner.
    pub owner: OrgId,
    /// Organizations it was shared with (never the owner).
    pub shared_with: BTreeSet<OrgId>,
}

impl CaseAccess {
    /// Whether `org` sees the case.
    pub fn visible_to(&self, org: &OrgId) -> bool {
        &self.owner == org || self.shared_with.contains(org)
    }
    /// Every organization that sees the case.
    pub fn orgs(&self) -> impl Iterator<Item = &OrgId> {
        std::iter::once(&self.owner).chain(self.shared_with.iter())
    }
}

/// What an accepted operation does to a case's access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing.
    None,
    /// It creates the case, owned by this organization.
    Create(OrgId),
    /// It shares the case with an organization that did not see it.
    Share(OrgId),
}

/// The list item an operation is about, if any (stored to look up a note's class).
pub fn item_of(op: &Operation) -> Option<String> {
    match &op.change {
        Change::AddItem { item, .. } | Change::SetItemField { item, .. } | Change::RemoveItem { item, .. } => {
            Some(item.to_string())
        }
        _ => None,
    }
}

/// The fixed words of the refusals: each names a rule, never a value of the
/// operation, so they may be kept for sync administrators (see `refusal`).
/// Only an invalid operation's refusal carries other words (core's validation
/// error, which may quote what was sent).
pub(crate) mod text {
    pub const DIFFERENT_CONTENT: &str =
        "an operation with this id was received before with different content; the first is kept";
    pub const CLASS_OF_CHANGE: &str = "class: does not match what the change carries";
    pub const OTHER_DEVICE: &str = "device: the operation was made on another device";
    pub const OTHER_ORG_USER: &str = "user: not a user of this device's organization";
    pub const NOT_SIGNED_IN_HERE: &str = "user: this user never signed in on this device";
    pub const CREATE_FOR_OTHER_ORG: &str = "owner: a device creates cases only for its own organization";
    pub const NOT_VISIBLE: &str =
        "case: this device's organization may not change this case (unknown, or not shared with it)";
    pub const OWNED_BY_OTHER_ORG: &str = "owner: the case exists already, owned by another organization";
    pub const UNKNOWN_ORG: &str = "org: no organization with this id is known to the service";
    pub const CLASS_OF_NOTE: &str = "class: does not match the removed note's class";
    pub const CLASS_NOT_WRITABLE: &str =
        "class: this device's role may not read this class of note, so it may not write it";
    pub const UNSHARE_NOT_OWNER: &str = "org: only the organization that owns the case stops sharing it";
    /// Every one of them.
    pub const ALL: [&str; 12] = [
        DIFFERENT_CONTENT,
        CLASS_OF_CHANGE,
        OTHER_DEVICE,
        OTHER_ORG_USER,
        NOT_SIGNED_IN_HERE,
        CREATE_FOR_OTHER_ORG,
        NOT_VISIBLE,
        OWNED_BY_OTHER_ORG,
        UNKNOWN_ORG,
        CLASS_OF_NOTE,
        CLASS_NOT_WRITABLE,
        UNSHARE_NOT_OWNER,
    ];
}

fn refuse(op: &Operation, status: OpStatus, message: impl Into<String>) -> OpResult {
    OpResult { id: op.id, status, message: Some(message.into()) }
}

/// The answer for an operation id that is stored already.
pub fn already_stored(op: &Operation, stored_hash: &str, hash: &str) -> OpResult {
    if stored_hash == hash {
        OpResult { id: op.id, status: OpStatus::Duplicate, message: None }
    } else {
        tracing::warn!(op = %op.id, device = %op.device, "operation id received again with different content; the stored one is kept");
        refuse(op, OpStatus::RefusedDifferentContent, text::DIFFERENT_CONTENT)
    }
}

/// Checks that need nothing stored: the operation is valid, made on this
/// device, by a user of its organization (`user_org` is the org of the
/// named user, `None` when no such user exists) who signed in on this
/// device (`signed_in`), of a class the device's role may read (write
/// rules match read rules: a legal-privileged note from an agent's device
/// is refused, and nothing of it is stored).
pub fn check_op(
    op: &Operation,
    device: &DeviceRecord,
    user_org: Option<&OrgId>,
    signed_in: bool,
) -> Result<(), OpResult> {
    if let Err(e) = op.validate() {
        return Err(refuse(op, OpStatus::RefusedInvalid, e.to_string()));
    }
    if let Some(class) = op.change.inherent_class()
        && class != op.class
    {
        return Err(refuse(op, OpStatus::RefusedInvalid, text::CLASS_OF_CHANGE));
    }
    if op.device != device.id {
        return Err(refuse(op, OpStatus::RefusedForbidden, text::OTHER_DEVICE));
    }
    if user_org != Some(&device.org) {
        return Err(refuse(op, OpStatus::RefusedForbidden, text::OTHER_ORG_USER));
    }
    if device.checks_authorship && !signed_in {
        return Err(refuse(op, OpStatus::RefusedForbidden, text::NOT_SIGNED_IN_HERE));
    }
    if !device.role.may_write(op.class) {
        return Err(refuse(op, OpStatus::RefusedForbidden, text::CLASS_NOT_WRITABLE));
    }
    Ok(())
}

/// Checks against the case as stored: the device's organization sees it (or
/// creates it for itself), a share names a known organization, and a note's
/// removal carries the note's class (`note_class`, when the note is known).
pub fn check_access(
    op: &Operation,
    device: &DeviceRecord,
    access: Option<&CaseAccess>,
    note_class: Option<Sensitivity>,
    share_target_known: bool,
) -> Result<Effect, OpResult> {
    let access = match (access, &op.change) {
        (None, Change::CreateCase { owner, .. }) if owner == &device.org => return Ok(Effect::Create(owner.clone())),
        (None, Change::CreateCase { .. }) => {
            return Err(refuse(op, OpStatus::RefusedForbidden, text::CREATE_FOR_OTHER_ORG));
        }
        (None, _) => return Err(refuse(op, OpStatus::RefusedForbidden, text::NOT_VISIBLE)),
        (Some(a), _) if !a.visible_to(&device.org) => {
            return Err(refuse(op, OpStatus::RefusedForbidden, text::NOT_VISIBLE));
        }
        (Some(a), _) => a,
    };
    match &op.change {
        Change::CreateCase { owner, .. } if owner != &access.owner => {
            Err(refuse(op, OpStatus::RefusedForbidden, text::OWNED_BY_OTHER_ORG))
        }
        Change::Share { .. } if !share_target_known => Err(refuse(op, OpStatus::RefusedInvalid, text::UNKNOWN_ORG)),
        Change::Share { org } if !access.visible_to(org) => Ok(Effect::Share(org.clone())),
        Change::Unshare { .. } if device.org != access.owner => {
            Err(refuse(op, OpStatus::RefusedForbidden, text::UNSHARE_NOT_OWNER))
        }
        Change::RemoveItem { list: ListKind::Notes, .. } if note_class.is_some_and(|c| c != op.class) => {
            Err(refuse(op, OpStatus::RefusedInvalid, text::CLASS_OF_NOTE))
        }
        _ => Ok(Effect::None),
    }
}

/// The classes `role` may read, as their wire names (for an SQL `IN`).
pub fn readable_classes(role: Role) -> Vec<&'static str> {
    Sensitivity::ALL.into_iter().filter(|c| role.may_read(*c)).map(Sensitivity::as_str).collect()
}

/// Parse a stored class.
pub fn parse_class(text: &str) -> Option<Sensitivity> {
    Sensitivity::from_str(text).ok()
}

/// A case's merged state, ready to store: what the service reads of it
/// (the document itself is not kept; it is a function of the stored operations).
pub struct MergedCase {
    /// Owner per the merge.
    pub owner: Option<OrgId>,
    /// Conflicts a sync administrator may see (notes left out), JSON.
    pub conflicts: String,
    /// How many.
    pub conflict_count: i64,
    /// How many operations.
    pub op_count: i64,
    /// Organizations it is shared with per the merge (never the owner).
    pub shared_with: BTreeSet<OrgId>,
    /// The newest unshare of each organization it is not shared with (any more).
    pub last_unshares: BTreeMap<OrgId, OpId>,
}

impl MergedCase {
    /// The organizations whose sharing ended: seen by the case as stored
    /// (`access`, after this batch's shares) but not by the merge, each with
    /// the unshare its devices receive as the sign to remove the case. Only
    /// an unshare ends a sharing.
    pub fn ended_sharing(&self, access: &CaseAccess) -> Vec<(OrgId, OpId)> {
        access
            .shared_with
            .iter()
            .filter(|o| !self.shared_with.contains(*o))
            .filter_map(|o| Some((o.clone(), *self.last_unshares.get(o)?)))
            .collect()
    }
}

/// Parse a stored operation (its canonical JSON).
pub fn parse_stored(text: &str) -> super::Result<Operation> {
    serde_json::from_str(text).map_err(|e| super::StorageError::Corrupt(format!("stored operation: {e}")))
}

/// Merge a case with core's merge: the operations stored before this push
/// (parsed once) and this push's accepted operations (already typed, never
/// re-parsed). Core's merge is a function of the set, so the order does not
/// matter, and an operation given twice counts once.
pub fn merge_case<'a>(
    stored: Vec<Operation>,
    new: impl IntoIterator<Item = &'a Operation>,
) -> super::Result<Option<MergedCase>> {
    let corrupt = |e: String| super::StorageError::Corrupt(e);
    let mut state = CaseState::default();
    for op in stored.into_iter().chain(new.into_iter().cloned()) {
        state.apply(op).map_err(|e| corrupt(e.to_string()))?;
    }
    let Some(view) = state.view_without_document() else { return Ok(None) };
    let last_unshares = state
        .operations()
        .filter_map(|o| match &o.change {
            Change::Unshare { org, .. } if !view.shared_with.contains(org) => Some(org),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(|org| Some((org.clone(), state.last_unshare_of(org)?.id)))
        .collect();
    let conflicts: Vec<&Conflict> =
        view.conflicts.iter().filter(|c| !matches!(c.key, FieldKey::Item { list: ListKind::Notes, .. })).collect();
    Ok(Some(MergedCase {
        owner: view.owner.clone(),
        conflicts: serde_json::to_string(&conflicts).map_err(|e| corrupt(e.to_string()))?,
        conflict_count: conflicts.len() as i64,
        op_count: view.op_count as i64,
        shared_with: view.shared_with.clone(),
        last_unshares,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use waystation_core::{CaseId, DeviceId, FieldPath, Hlc, OpId, UserName};

    fn op(change: Change) -> Operation {
        let device = DeviceId::from_u128(7);
        Operation {
            id: OpId::from_u128(1),
            case_id: CaseId::from_u128(2),
            hlc: Hlc { wall_ms: 1_700_000_000_000, counter: 3, device },
            device,
            user: "ana".parse::<UserName>().unwrap(),
            class: Sensitivity::General,
            change,
        }
    }

    #[test]
    fn merging_stored_and_new_is_merging_the_set() {
        let create = op(Change::create_case("border-7".parse().unwrap()));
        let mut write = op(Change::Set {
            field: FieldPath::parse("child.given_name").unwrap(),
            value: json!("x"),
            supersedes: vec![],
        });
        write.id = OpId::from_u128(3);
        // A concurrent write of another value: a conflict the merged state must hold.
        let mut other = write.clone();
        other.id = OpId::from_u128(4);
        if let Change::Set { value, .. } = &mut other.change {
            *value = json!("y");
        }
        let all = merge_case(vec![], [&create, &write, &other]).unwrap().unwrap();
        let split = merge_case(vec![create.clone(), write.clone()], [&other]).unwrap().unwrap();
        let twice = merge_case(vec![create.clone(), write.clone(), other.clone()], [&other]).unwrap().unwrap();
        assert_eq!((all.conflicts.as_str(), all.conflict_count, all.op_count), (split.conflicts.as_str(), 1, 3));
        assert_eq!((twice.conflicts.as_str(), twice.op_count), (all.conflicts.as_str(), 3));
        assert!(all.conflicts.contains("\"x\"") && all.conflicts.contains("\"y\""));
        assert_eq!(all.owner, Some("border-7".parse().unwrap()));
    }
}
