//! Operations: every change to a case is one of these, made on a device and
//! sent as is. A case's state is the merge of its operations (see `merge`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

mod canonical;

use crate::access::{OrgId, Sensitivity, UserName};
use crate::error::FieldError;
use crate::hlc::Hlc;
use crate::ids::{CaseId, DeviceId, ItemId, OpId};

/// The lists a case holds, whose items are added and removed by their own ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ListKind {
    /// Adults found with the child, and their claimed and verified relationship.
    Adults,
    /// Referrals to placement, child welfare, the hotline, legal services …
    Referrals,
    /// Notes, each with a sensitivity class. Notes are never edited, only added or removed.
    Notes,
    /// Services delivered by an NGO.
    Services,
    /// Immigration relief applications (T, U, SIJS, asylum) and their milestones.
    Relief,
    /// Outcomes: placement, sponsor release, reunification, follow-up visits.
    Outcomes,
}

impl ListKind {
    /// Every list, in document order.
    pub const ALL: [ListKind; 6] = [
        ListKind::Adults,
        ListKind::Referrals,
        ListKind::Notes,
        ListKind::Services,
        ListKind::Relief,
        ListKind::Outcomes,
    ];
    /// The list's key in the case document.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Adults => "adults",
            ListKind::Referrals => "referrals",
            ListKind::Notes => "notes",
            ListKind::Services => "services",
            ListKind::Relief => "relief",
            ListKind::Outcomes => "outcomes",
        }
    }
}

impl FromStr for ListKind {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ListKind::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| FieldError::new("list", format!("{s:?} is not a list of a case")))
    }
}

/// Path of a case-level field in the case document: one or two segments of
/// lowercase letters, digits and underscores (`status`, `child.date_of_birth`).
/// Lists are not fields: their items are changed by item operations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^(?!(adults|referrals|notes|services|relief|outcomes)$)(?!(id|owner|shared_with|conflicts)(\\.|$))[a-z][a-z0-9_]{0,63}(\\.[a-z][a-z0-9_]{0,63})?$"))]
pub struct FieldPath(String);

fn is_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl FieldPath {
    /// Parse a field path.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let segments: Vec<&str> = text.split('.').collect();
        if segments.len() > 2 || !segments.iter().all(|s| is_segment(s)) {
            return Err(FieldError::new("field", format!("{text:?} is not a field path (like child.date_of_birth)")));
        }
        if segments.len() == 1 && ListKind::from_str(segments[0]).is_ok() {
            return Err(FieldError::new("field", format!("{text:?} is a list; change its items instead")));
        }
        if matches!(segments[0], "id" | "owner" | "shared_with" | "conflicts") {
            return Err(FieldError::new("field", format!("{text:?} is kept by the system and cannot be set")));
        }
        Ok(Self(text.to_owned()))
    }
    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The path's segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }
}

impl TryFrom<String> for FieldPath {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<FieldPath> for String {
    fn from(p: FieldPath) -> String {
        p.0
    }
}
impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one operation changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Change {
    /// The case is opened, owned by an organization, with its first values
    /// of case-level fields: each is a write of that field as if by its own
    /// `Set` superseding nothing, so an intake is one operation (plus one per
    /// list item) instead of one per field.
    CreateCase {
        /// The organization that created the case and owns it.
        owner: OrgId,
        /// The case-level fields written at creation (may be empty).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: BTreeMap<FieldPath, Value>,
    },
    /// The case is shared with another organization (a referral to it).
    Share {
        /// The organization that may now see the case.
        org: OrgId,
    },
    /// The case stops being shared with an organization: the shares of it
    /// the device had seen (`seen`) end. A share it did not see (a referral
    /// to the same organization added meanwhile on another device) keeps the
    /// case shared; a share made later shares it again.
    Unshare {
        /// The organization that no longer sees the case.
        org: OrgId,
        /// The `Share`s of that organization the device had seen.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        seen: Vec<OpId>,
    },
    /// A case-level field gets a value.
    Set {
        /// Which field.
        field: FieldPath,
        /// The new value (JSON; `null` clears the field).
        value: Value,
        /// The writes of this field that the device had seen when it wrote
        /// this one. Writes not superseded by any other are concurrent: more
        /// than one with different values is a conflict.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        supersedes: Vec<OpId>,
    },
    /// An item is added to a list, with all its fields.
    AddItem {
        /// Which list.
        list: ListKind,
        /// The item's own id.
        item: ItemId,
        /// The item's fields.
        value: Map<String, Value>,
    },
    /// One field of a list item gets a value.
    SetItemField {
        /// Which list.
        list: ListKind,
        /// Which item.
        item: ItemId,
        /// Which field of the item (one segment).
        field: String,
        /// The new value.
        value: Value,
        /// The writes of this item field the device had seen.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        supersedes: Vec<OpId>,
    },
    /// An item is removed from a list. The removal takes away the writes of
    /// the item it saw (`seen`); a write it did not see (an edit made on
    /// another device meanwhile) keeps the item, flagged as a conflict for a
    /// person to settle. A removal without `seen` (written before removals
    /// carried it) wins over every write.
    RemoveItem {
        /// Which list.
        list: ListKind,
        /// Which item.
        item: ItemId,
        /// The writes of the item's fields the device had seen (their
        /// frontier) when it removed it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seen: Option<Vec<OpId>>,
    },
}

impl Change {
    /// The creation of a case owned by `owner`, with no field written yet.
    pub fn create_case(owner: OrgId) -> Self {
        Change::CreateCase { owner, fields: BTreeMap::new() }
    }

    /// The sensitivity class an operation carrying this change must have,
    /// when the change itself says: a note's class for an added note,
    /// `general` for every change that is not about a note. `None` for the
    /// removal of a note, whose class is the note's (look it up in the case).
    pub fn inherent_class(&self) -> Option<Sensitivity> {
        match self {
            Change::AddItem { list: ListKind::Notes, value, .. } => {
                value.get("sensitivity").and_then(Value::as_str).and_then(|s| Sensitivity::from_str(s).ok())
            }
            Change::RemoveItem { list: ListKind::Notes, .. } | Change::SetItemField { list: ListKind::Notes, .. } => {
                None
            }
            _ => Some(Sensitivity::General),
        }
    }
}

/// One change to one case: made on a device, identified by a UUIDv7 made
/// there, ordered by its hybrid logical clock, never changed once made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Operation {
    /// The operation's id, made on the device.
    pub id: OpId,
    /// The case it changes.
    pub case_id: CaseId,
    /// When, by the device's hybrid logical clock (whose device is `device`).
    pub hlc: Hlc,
    /// The device that made it.
    pub device: DeviceId,
    /// The user signed in when it was made.
    pub user: UserName,
    /// Sensitivity of what it carries: a note's class for note operations,
    /// `general` for everything else. The service filters by it.
    #[serde(default)]
    pub class: Sensitivity,
    /// What changed.
    pub change: Change,
}

impl Operation {
    /// Check what the types cannot: the clock's device is the operation's
    /// device, notes carry their class and are never edited, and item field
    /// names are well formed.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.hlc.device != self.device {
            return Err(FieldError::new("hlc.device", "does not match the operation's device"));
        }
        match &self.change {
            Change::AddItem { list: ListKind::Notes, value, .. } => {
                let class = value
                    .get("sensitivity")
                    .and_then(Value::as_str)
                    .ok_or_else(|| FieldError::new("value.sensitivity", "a note needs its sensitivity class"))?;
                let class = Sensitivity::from_str(class).map_err(|e| e.under("value"))?;
                if class != self.class {
                    return Err(FieldError::new("class", "does not match the note's sensitivity class"));
                }
            }
            Change::SetItemField { list: ListKind::Notes, .. } => {
                return Err(FieldError::new("change", "notes cannot be edited; add a new note instead"));
            }
            Change::RemoveItem { list: ListKind::Notes, .. } => {}
            _ if self.class != Sensitivity::General => {
                return Err(FieldError::new("class", "only note operations carry a sensitivity class"));
            }
            _ => {}
        }
        match &self.change {
            Change::AddItem { value, .. } => {
                for key in value.keys() {
                    if key != "id" && !is_segment(key) {
                        return Err(FieldError::new(format!("value.{key}"), "is not a valid field name"));
                    }
                }
            }
            Change::SetItemField { field, .. } if !is_segment(field) || field == "id" => {
                return Err(FieldError::new("field", format!("{field:?} is not a field of an item")));
            }
            _ => {}
        }
        Ok(())
    }

    /// The operation as canonical JSON: the same operation always gives the
    /// same bytes, so "same id, different content" can be told by comparing them.
    pub fn canonical_json(&self) -> String {
        canonical::operation(self)
    }
}
