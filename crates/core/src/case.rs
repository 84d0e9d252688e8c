//! A whole case document, checked at the boundary ([`NewCase::parse`]) and
//! turned into the changes that create it ([`NewCase::into_changes`]).
//!
//! What an intake needs, and nothing more, is required: the encounter's
//! `occurred_at` (it starts the custody clock), `type` and `accompaniment`
//! (it decides whether the 72-hour transfer applies). A child may refuse to
//! give a name; everything else can follow. `status` defaults to `open`.
//! `id` is kept when given, so importing the same file twice names the same
//! case; list items without an `id` get one derived from the case id, the
//! list and their position, for the same reason.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

use crate::access::OrgId;
use crate::adult::Adult;
use crate::child::Child;
use crate::custody::Custody;
use crate::encounter::Encounter;
use crate::error::FieldError;
use crate::ids::{CaseId, ItemId};
use crate::note::Note;
use crate::op::{Change, FieldPath, ListKind};
use crate::outcome::Outcome;
use crate::parse::{Ctx, Obj, Record, describe, parse_record, string, word_enum};
use crate::referral::{Referral, referral_needs_share};
use crate::relief::ReliefApplication;
use crate::screening::{Catalog, Screening};
use crate::service::Service;

word_enum!(
    /// Where a case stands.
    CaseStatus, "a case status" {
        /// Being worked by the organization that opened it.
        Open = "open",
        /// Referred to another organization.
        Referred = "referred",
        /// The child was transferred out of custody (to the placement office).
        Transferred = "transferred",
        /// Nothing more to do.
        Closed = "closed",
    }
);

/// An item of one of a case's lists, with its own id.
#[derive(Debug, Clone, PartialEq)]
pub struct Item<T> {
    /// The item's id.
    pub id: ItemId,
    /// The item.
    pub value: T,
}

/// Something about a case worth a second look that is not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CaseFlag {
    /// By the recorded age the person was 18 or older at the encounter.
    NotAMinor,
    /// Neither a date of birth nor an estimated age is recorded.
    AgeUnknown,
}

/// A whole case, every part checked. Parse it from the case document (a
/// file, a form, or the merged `CaseView::document`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    /// The case id.
    pub id: CaseId,
    /// Status.
    pub status: CaseStatus,
    /// The child.
    pub child: Child,
    /// The encounter.
    pub encounter: Encounter,
    /// The screening, with its computed result.
    pub screening: Option<Screening>,
    /// Custody.
    pub custody: Option<Custody>,
    /// Adults found with the child.
    pub adults: Vec<Item<Adult>>,
    /// Referrals.
    pub referrals: Vec<Item<Referral>>,
    /// Notes.
    pub notes: Vec<Item<Note>>,
    /// Services delivered.
    pub services: Vec<Item<Service>>,
    /// Relief applications.
    pub relief: Vec<Item<ReliefApplication>>,
    /// Outcomes.
    pub outcomes: Vec<Item<Outcome>>,
}

const TOP: &[&str] = &[
    "id",
    "status",
    "child",
    "encounter",
    "screening",
    "custody",
    "adults",
    "referrals",
    "notes",
    "services",
    "relief",
    "outcomes",
];

/// At most this many items in one list of a case document.
pub const MAX_ITEMS: usize = 1_000;

/// An item id derived from the case, the list and the position: a UUIDv8
/// made of the case id's bytes mixed with an FNV-1a hash of the list name and
/// index, so re-importing the same file gives the same item ids.
fn derived_item_id(case: CaseId, list: ListKind, index: usize) -> ItemId {
    let mut bytes = case.as_uuid().into_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in list.as_str().bytes().chain(index.to_le_bytes()).chain(bytes) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    for (i, b) in h.to_le_bytes().into_iter().enumerate() {
        bytes[i] ^= b;
        bytes[15 - i] ^= b.rotate_left(3);
    }
    ItemId::from(uuid::Builder::from_custom_bytes(bytes).into_uuid())
}

fn read_list<T: Record>(o: &Obj<'_>, case: CaseId, list: ListKind, ctx: &Ctx) -> Result<Vec<Item<T>>, FieldError> {
    let key = list.as_str();
    let mut index = 0;
    let items = o.list(key, MAX_ITEMS, |v| {
        let i = index;
        index += 1;
        let Value::Object(m) = v else {
            return Err(FieldError::new("", format!("must be an object holding {}, not {}", T::WHAT, describe(v))));
        };
        let mut m = m.clone();
        let id = match m.remove("id") {
            None | Some(Value::Null) => derived_item_id(case, list, i),
            Some(v) => ItemId::parse("id", string(&v).map_err(|e| e.under("id"))?)?,
        };
        let value = parse_record::<T>(&Value::Object(m), ctx)?;
        Ok(Item { id, value })
    })?;
    for (i, item) in items.iter().enumerate() {
        if items[..i].iter().any(|o| o.id == item.id) {
            return Err(FieldError::new(format!("{key}[{i}].id"), "is the id of an earlier item of this list"));
        }
    }
    Ok(items)
}

impl NewCase {
    /// Whether the case still needs a trafficking screening: none was
    /// recorded, or the one recorded is not completed.
    pub fn needs_screening(&self) -> bool {
        self.screening.as_ref().is_none_or(|s| s.completed_at.is_none())
    }

    /// Whether a referral is waiting on someone: drafted, sent or
    /// acknowledged, and not yet accepted or declined.
    pub fn referral_pending(&self) -> bool {
        self.referrals.iter().any(|r| r.value.status.is_pending())
    }

    /// Parse a case document from JSON text (dates after `today`, the
    /// caller's clock, are "in the future").
    pub fn parse(json: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let v: Value = serde_json::from_str(json).map_err(|e| {
            FieldError::new("", format!("is not valid JSON (line {}, column {})", e.line(), e.column()))
        })?;
        Self::from_value(&v, today)
    }

    /// Parse a case document (dates checked against `today`, the built-in instruments).
    pub fn from_value(v: &Value, today: NaiveDate) -> Result<Self, FieldError> {
        Self::parse_with(v, today, Catalog::builtin())
    }

    /// Parse a case document with an explicit `today` (dates after tomorrow
    /// are "in the future") and screening catalog.
    pub fn parse_with(v: &Value, today: NaiveDate, catalog: &Catalog) -> Result<Self, FieldError> {
        Self::read(v, Ctx { today, whole: true }, catalog)
    }

    /// Read a merged case document (`CaseView::document`) leniently: every
    /// field is still checked on its own (each was checked when it was
    /// written), but rules between fields are not applied, nor "not in the
    /// future" (devices' clocks differ), and a screening whose answers do not
    /// fit its instrument version — possible after concurrent edits — is read
    /// without a result. Concurrent edits can combine values that each were
    /// valid; this reads them anyway, so that the custody clock and screens
    /// always work on the merged state.
    pub fn from_merged(v: &Value, catalog: &Catalog) -> Result<Self, FieldError> {
        Self::read(v, Ctx { today: NaiveDate::MAX, whole: false }, catalog)
    }

    fn read(v: &Value, ctx: Ctx, catalog: &Catalog) -> Result<Self, FieldError> {
        let o = Obj::new(v, "a case", TOP)?;
        let id = match o.get("id") {
            Some(v) => CaseId::parse("id", string(v).map_err(|e| e.under("id"))?)?,
            None => CaseId::new(),
        };
        let encounter: Encounter = match o.get("encounter") {
            Some(v) => parse_record(v, &ctx).map_err(|e| e.under("encounter"))?,
            None => return Err(FieldError::new("encounter", "is required: when, how, and whom the child was with")),
        };
        let section = |key: &str| o.get(key).cloned();
        let mut case = Self {
            id,
            status: o.opt("status", CaseStatus::parse)?.unwrap_or(CaseStatus::Open),
            child: match section("child") {
                Some(v) => parse_record(&v, &ctx).map_err(|e| e.under("child"))?,
                None => Child::default(),
            },
            encounter,
            screening: section("screening")
                .map(|v| parse_record(&v, &ctx).map_err(|e| e.under("screening")))
                .transpose()?,
            custody: section("custody").map(|v| parse_record(&v, &ctx).map_err(|e| e.under("custody"))).transpose()?,
            adults: read_list(&o, id, ListKind::Adults, &ctx)?,
            referrals: read_list(&o, id, ListKind::Referrals, &ctx)?,
            notes: read_list(&o, id, ListKind::Notes, &ctx)?,
            services: read_list(&o, id, ListKind::Services, &ctx)?,
            relief: read_list(&o, id, ListKind::Relief, &ctx)?,
            outcomes: read_list(&o, id, ListKind::Outcomes, &ctx)?,
        };
        let met = case.encounter.occurred_at.get().date_naive();
        if ctx.whole && case.child.date_of_birth.is_some_and(|dob| dob > met) {
            return Err(FieldError::new("child.date_of_birth", "is after the encounter; check the date"));
        }
        if let Some(s) = &case.screening {
            let day = s.completed_at.or(s.started_at).map_or(met, |t| t.get().date_naive());
            let result = s.evaluate(catalog, case.child.age_on(day), case.child.is_from_contiguous_country());
            let result = match result {
                Ok(r) => Some(r),
                Err(e) if ctx.whole => return Err(e),
                Err(_) => None,
            };
            if let Some(s) = case.screening.as_mut() {
                s.result = result;
            }
        }
        Ok(case)
    }

    /// The screening result to write to `screening.result` when the one in
    /// `document` (a merged case document) is stale — after an edit of the
    /// answers, the criteria, or the child's age or nationality. `None` when
    /// it is current. The caller writes it with a `Set` that supersedes the
    /// field's frontier.
    pub fn stale_result(&self, document: &Value) -> Option<Value> {
        let computed = self.screening.as_ref()?.result.as_ref()?;
        let computed = serde_json::to_value(computed).expect("results serialize");
        let stored = document.get("screening").and_then(|s| s.get("result"));
        (stored != Some(&computed)).then_some(computed)
    }

    /// Whether the child is unaccompanied (no parent or legal guardian present).
    pub fn is_unaccompanied(&self) -> bool {
        self.encounter.accompaniment.is_unaccompanied()
    }

    /// What deserves a second look: an adult, an unknown age.
    pub fn flags(&self) -> Vec<CaseFlag> {
        match self.child.is_minor_on(self.encounter.occurred_at.get().date_naive()) {
            Some(false) => vec![CaseFlag::NotAMinor],
            None => vec![CaseFlag::AgeUnknown],
            Some(true) => Vec::new(),
        }
    }

    /// The changes that create this case, owned by `owner`: one `CreateCase`
    /// carrying every case-level field (depth two), an `AddItem` of each list
    /// item with its id, and a `Share` with each organization a referral
    /// names. The store stamps each into an operation.
    pub fn into_changes(self, owner: &OrgId) -> (CaseId, Vec<Change>) {
        let mut fields = BTreeMap::new();
        let mut set = |field: &str, value: Value| {
            fields.insert(FieldPath::parse(field).expect("case fields are valid paths"), value);
        };
        set("status", Value::String(self.status.as_str().to_owned()));
        let mut section = |name: &str, values: Map<String, Value>| {
            for (k, v) in values {
                set(&format!("{name}.{k}"), v);
            }
        };
        section("child", to_map(&self.child));
        section("encounter", to_map(&self.encounter));
        if let Some(s) = &self.screening {
            section("screening", to_map(s));
        }
        if let Some(c) = &self.custody {
            section("custody", to_map(c));
        }
        let mut changes = vec![Change::CreateCase { owner: owner.clone(), fields }];
        fn add<T: Serialize>(changes: &mut Vec<Change>, list: ListKind, items: &[Item<T>]) {
            for item in items {
                changes.push(Change::AddItem { list, item: item.id, value: to_map(&item.value) });
            }
        }
        add(&mut changes, ListKind::Adults, &self.adults);
        add(&mut changes, ListKind::Referrals, &self.referrals);
        add(&mut changes, ListKind::Notes, &self.notes);
        add(&mut changes, ListKind::Services, &self.services);
        add(&mut changes, ListKind::Relief, &self.relief);
        add(&mut changes, ListKind::Outcomes, &self.outcomes);
        let mut shared = BTreeSet::new();
        for org in self.referrals.iter().filter_map(|r| r.value.org.as_ref()) {
            if referral_needs_share(Some(owner), &shared, org) {
                shared.insert(org.clone());
                changes.push(Change::Share { org: org.clone() });
            }
        }
        (self.id, changes)
    }

    /// The case document: what `CaseView::document` shows once the changes are merged.
    pub fn to_document(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("id".into(), Value::String(self.id.to_string()));
        doc.insert("status".into(), Value::String(self.status.as_str().to_owned()));
        doc.insert("child".into(), Value::Object(to_map(&self.child)));
        doc.insert("encounter".into(), Value::Object(to_map(&self.encounter)));
        if let Some(s) = &self.screening {
            doc.insert("screening".into(), Value::Object(to_map(s)));
        }
        if let Some(c) = &self.custody {
            doc.insert("custody".into(), Value::Object(to_map(c)));
        }
        fn list<T: Serialize>(doc: &mut Map<String, Value>, list: ListKind, items: &[Item<T>]) {
            let items = items
                .iter()
                .map(|i| {
                    let mut m = Map::new();
                    m.insert("id".into(), Value::String(i.id.to_string()));
                    m.extend(to_map(&i.value));
                    Value::Object(m)
                })
                .collect();
            doc.insert(list.as_str().to_owned(), Value::Array(items));
        }
        list(&mut doc, ListKind::Adults, &self.adults);
        list(&mut doc, ListKind::Referrals, &self.referrals);
        list(&mut doc, ListKind::Notes, &self.notes);
        list(&mut doc, ListKind::Services, &self.services);
        list(&mut doc, ListKind::Relief, &self.relief);
        list(&mut doc, ListKind::Outcomes, &self.outcomes);
        Value::Object(doc)
    }
}

pub(crate) fn to_map<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value).expect("case records always serialize") {
        Value::Object(m) => m,
        _ => unreachable!("case records serialize as objects"),
    }
}
