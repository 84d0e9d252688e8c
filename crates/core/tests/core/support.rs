//! Helpers: the examples, and stamping changes into operations the way a store does.

use serde_json::Value;
use waystation_core::{
    CaseId, CaseState, Change, DeviceId, HlcClock, NewCase, OpId, Operation, OrgId, Sensitivity, UserName,
};

pub const CASE: &str = include_str!("../../../../examples/case.json");
pub const ACCOMPANIED: &str = include_str!("../../../../examples/accompanied-child.json");
pub const CONTIGUOUS: &str = include_str!("../../../../examples/contiguous-country-child.json");
pub const WITH_REFERRALS: &str = include_str!("../../../../examples/child-with-referrals.json");
pub const CASES_JSONL: &str = include_str!("../../../../examples/cases.jsonl");

/// Every example document, named.
pub fn examples() -> Vec<(String, &'static str)> {
    let mut all = vec![
        ("case.json".to_owned(), CASE),
        ("accompanied-child.json".to_owned(), ACCOMPANIED),
        ("contiguous-country-child.json".to_owned(), CONTIGUOUS),
        ("child-with-referrals.json".to_owned(), WITH_REFERRALS),
    ];
    for (i, line) in CASES_JSONL.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        all.push((format!("cases.jsonl line {}", i + 1), line));
    }
    all
}

pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("example is JSON")
}

pub fn owner() -> OrgId {
    OrgId::parse("owner", "border-station-7").unwrap()
}

/// The day the examples are read on: after every date they hold. Tests
/// inject it (and [`now`]) instead of reading the real clock, so that they
/// pass on any day.
pub fn today() -> chrono::NaiveDate {
    now().date_naive()
}

/// The moment the examples are read and stamped at.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().to_utc()
}

/// Stamp changes into operations from one device, its clock at [`now`], as the store does.
pub fn stamp(case: CaseId, changes: Vec<Change>) -> Vec<Operation> {
    let device = DeviceId::from_u128(0xd1);
    let mut clock = HlcClock::new(device);
    let user = UserName::parse("user", "agent.test").unwrap();
    let now_ms = now().timestamp_millis() as u64;
    changes
        .into_iter()
        .enumerate()
        .map(|(i, change)| Operation {
            id: OpId::new(),
            case_id: case,
            hlc: clock.tick(now_ms + i as u64),
            device,
            user: user.clone(),
            class: change.inherent_class().unwrap_or(Sensitivity::General),
            change,
        })
        .collect()
}

/// A parsed case through changes, operations and the merge, back to its document.
pub fn merged_document(case: &NewCase) -> Value {
    let (id, changes) = case.clone().into_changes(&owner());
    let ops = stamp(id, changes);
    let state = CaseState::from_ops(&ops).expect("one case");
    state.view().expect("has ops").document
}
