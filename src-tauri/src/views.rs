//! What the screens receive: a case list row and an opened case, built from
//! the store's merged views with core's rules (the custody clock, the flags).
//! Transport types only; their TypeScript declarations are generated ([`crate::bindings`]).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use waystation_core::{
    CaseId, CaseStatus, CaseView, Catalog, Change, Conflict, CustodyClock, CustodyFacts, CustodyRules, Hlc, NewCase,
    Operation,
};

/// One row of the case list.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CaseRow {
    /// The case id.
    pub id: CaseId,
    /// The child's given name, or "".
    pub given_name: String,
    /// The child's family name, or "".
    pub family_name: String,
    /// `open`, `referred`, `transferred`, `closed`.
    pub status: CaseStatus,
    /// The station code, or "".
    pub station: String,
    /// When the encounter happened (RFC 3339), if recorded.
    pub encounter_at: Option<String>,
    /// The custody clock read now, when the case can be read whole.
    pub clock: Option<CustodyClock>,
    /// No completed screening yet.
    pub needs_screening: bool,
    /// A referral drafted, sent or acknowledged but not yet answered.
    pub referral_pending: bool,
    /// Concurrent edits wait for someone to choose.
    pub has_conflict: bool,
    /// The newest change's time (RFC 3339).
    pub updated_at: Option<String>,
}

/// An opened case.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct CaseDetail {
    /// The case id.
    pub id: CaseId,
    /// The owning organization.
    pub owner: Option<String>,
    /// Organizations it is shared with.
    pub shared_with: Vec<String>,
    /// The merged case document.
    #[ts(as = "crate::document::CaseDocument")]
    pub document: Value,
    /// Fields with concurrent values.
    pub conflicts: Vec<Conflict>,
    /// Every change, oldest first: who, when, where, what field (never the value).
    pub timeline: Vec<TimelineEntry>,
    /// The custody clock read now.
    pub clock: Option<CustodyClock>,
    /// The note classes this device may add to the case (those its sync role
    /// may read); empty until the shell sets them.
    pub note_classes: Vec<waystation_core::Sensitivity>,
    /// Whether this device may stop sharing the case (a supervisor of the
    /// owning organization); false until the shell sets it.
    pub may_stop_sharing: bool,
    /// Whether the case belongs to this device's organization (its removals
    /// of the last referral to an organization end the sharing with it).
    pub owned_here: bool,
}

/// One change in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct TimelineEntry {
    /// The operation.
    pub op: String,
    /// Its clock.
    pub hlc: Hlc,
    /// Who.
    pub user: String,
    /// On which device.
    pub device: String,
    /// What kind of change.
    pub kind: ChangeKind,
    /// The field, list or organization the change touched.
    pub target: Option<String>,
}

/// The kind of a change in a case's history (`Change`'s tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The case was created.
    CreateCase,
    /// The case was shared with an organization.
    Share,
    /// The case stopped being shared with an organization.
    Unshare,
    /// A case-level field was set.
    Set,
    /// An item was added to a list.
    AddItem,
    /// A field of a list item was set.
    SetItemField,
    /// An item was removed from a list.
    RemoveItem,
}

fn text(doc: &Value, section: &str, field: &str) -> String {
    doc.get(section).and_then(|s| s.get(field)).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn case_of(view: &CaseView) -> Option<NewCase> {
    NewCase::from_merged(&view.document, Catalog::builtin()).ok()
}

/// The clock read at `now`; none for a case whose custody has not started (NGO outreach).
fn clock_of(case: &NewCase, now: DateTime<Utc>) -> Option<CustodyClock> {
    CustodyFacts::of(case).map(|facts| CustodyClock::compute(&facts, &CustodyRules::default(), now))
}

fn millis_to_rfc3339(ms: u64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(i64::try_from(ms).ok()?).map(|t| t.to_rfc3339())
}

/// The list row of a case, its clock read at `now`.
pub fn row(view: &CaseView, now: DateTime<Utc>) -> CaseRow {
    let doc = &view.document;
    let case = case_of(view);
    // A case that does not read whole needs a screening and waits on no referral.
    let needs_screening = case.as_ref().is_none_or(NewCase::needs_screening);
    let referral_pending = case.as_ref().is_some_and(NewCase::referral_pending);
    CaseRow {
        id: view.id,
        given_name: text(doc, "child", "given_name"),
        family_name: text(doc, "child", "family_name"),
        status: doc.get("status").and_then(|s| CaseStatus::parse(s).ok()).unwrap_or(CaseStatus::Open),
        station: text(doc, "encounter", "station"),
        encounter_at: Some(text(doc, "encounter", "occurred_at")).filter(|s| !s.is_empty()),
        clock: case.as_ref().and_then(|c| clock_of(c, now)),
        needs_screening,
        referral_pending,
        has_conflict: !view.conflicts.is_empty(),
        updated_at: view.last_hlc.and_then(|h| millis_to_rfc3339(h.wall_ms)),
    }
}

fn entry(op: &Operation) -> TimelineEntry {
    let (kind, target) = match &op.change {
        Change::CreateCase { fields, .. } if fields.is_empty() => (ChangeKind::CreateCase, None),
        Change::CreateCase { fields, .. } => {
            (ChangeKind::CreateCase, Some(fields.keys().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")))
        }
        Change::Share { org } => (ChangeKind::Share, Some(org.to_string())),
        Change::Unshare { org, .. } => (ChangeKind::Unshare, Some(org.to_string())),
        Change::Set { field, .. } => (ChangeKind::Set, Some(field.to_string())),
        Change::AddItem { list, .. } => (ChangeKind::AddItem, Some(list.as_str().to_owned())),
        Change::SetItemField { list, field, .. } => {
            (ChangeKind::SetItemField, Some(format!("{}.{field}", list.as_str())))
        }
        Change::RemoveItem { list, .. } => (ChangeKind::RemoveItem, Some(list.as_str().to_owned())),
    };
    TimelineEntry {
        op: op.id.to_string(),
        hlc: op.hlc,
        user: op.user.to_string(),
        device: op.device.to_string(),
        kind,
        target,
    }
}

/// The opened case, with its history and its clock read at `now`.
pub fn detail(view: CaseView, ops: &[Operation], now: DateTime<Utc>) -> CaseDetail {
    let clock = case_of(&view).and_then(|c| clock_of(&c, now));
    CaseDetail {
        id: view.id,
        owner: view.owner.map(|o| o.to_string()),
        shared_with: view.shared_with.into_iter().map(|o| o.to_string()).collect(),
        document: view.document,
        conflicts: view.conflicts,
        timeline: ops.iter().map(entry).collect(),
        clock,
        note_classes: Vec::new(),
        may_stop_sharing: false,
        owned_here: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waystation_core::{CaseId, DeviceId, OrgId, UserName};
    use waystation_store::{KdfParams, Passphrase, Store};

    /// The moment these tests read the cases at (after every date they hold).
    fn now() -> DateTime<Utc> {
        "2026-11-25T10:00:00Z".parse().unwrap()
    }

    /// A real store in a temporary folder holding one case made from `doc`.
    fn store_with(doc: &str) -> (tempfile::TempDir, Store, CaseId) {
        let dir = tempfile::tempdir().unwrap();
        let user = UserName::parse("user", "ana.lopez").unwrap();
        let org = OrgId::parse("org", "border-station-7").unwrap();
        let pass = Passphrase::new("a long passphrase").unwrap();
        let mut store =
            Store::create(&dir.path().join("store"), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests())
                .unwrap();
        let (id, changes) = NewCase::parse(doc, now().date_naive()).unwrap().into_changes(&org);
        store.save_new_case(id, changes).unwrap();
        (dir, store, id)
    }

    #[test]
    fn a_row_carries_the_clock_and_the_flags_core_computes() {
        let (_dir, mut store, id) = store_with(include_str!("../../examples/case.json"));
        let row = row(&store.case(id).unwrap().unwrap(), now());
        assert_eq!((row.given_name.as_str(), row.family_name.as_str()), ("Rosa Elena", "Tzul Chox"));
        assert_eq!((row.station.as_str(), row.status), ("TUS-AJO", CaseStatus::Transferred));
        assert!(!row.needs_screening, "the example was screened");
        assert!(row.referral_pending, "a referral is sent but not answered");
        assert!(!row.has_conflict);
        let clock = row.clock.expect("a custody clock");
        assert!(!clock.in_custody, "transferred: custody ended");
        assert!(!clock.deadlines.is_empty());
    }

    #[test]
    fn a_case_without_screening_needs_one_and_its_deadline_runs() {
        let doc = r#"{"encounter": {"occurred_at": "2026-11-24T06:30:00-06:00", "station": "LRD-07",
                      "type": "between_ports", "accompaniment": "alone"},
                      "child": {"given_name": "Ana", "nationalities": ["MX"]}}"#;
        let (_dir, mut store, id) = store_with(doc);
        let row = row(&store.case(id).unwrap().unwrap(), now());
        assert!(row.needs_screening);
        assert!(!row.referral_pending);
        let clock = row.clock.expect("a custody clock");
        assert!(clock.in_custody);
        let kinds: Vec<_> = clock.deadlines.iter().map(|d| d.kind).collect();
        assert!(kinds.contains(&waystation_core::DeadlineKind::Screening), "{kinds:?}");
        assert!(kinds.contains(&waystation_core::DeadlineKind::Transfer), "{kinds:?}");
    }

    #[test]
    fn the_timeline_names_fields_and_people_never_values() {
        let (_dir, mut store, id) = store_with(include_str!("../../examples/case.json"));
        let view = store.case(id).unwrap().unwrap();
        let ops = store.operations(id).unwrap();
        let d = detail(view, &ops, now());
        assert_eq!(d.timeline.len(), ops.len());
        assert_eq!(d.timeline[0].kind, ChangeKind::CreateCase);
        assert!(
            d.timeline[0].target.as_deref().is_some_and(|t| t.split(", ").any(|f| f == "child.given_name")),
            "the creation names the fields it wrote"
        );
        let timeline = serde_json::to_string(&d.timeline).unwrap();
        assert!(!timeline.contains("Rosa"), "a timeline entry carried a value");
        assert_eq!(d.owner.as_deref(), Some("border-station-7"));
        assert!(
            d.shared_with.contains(&"casa-esperanza-legal".to_owned()),
            "a referral's organization shares the case"
        );
    }
}
