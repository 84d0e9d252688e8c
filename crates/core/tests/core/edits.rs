//! Edits after intake: single-field checks, operations from other devices,
//! merged documents that concurrent edits made inconsistent, and a stale
//! screening result.

use serde_json::json;
use waystation_core::{
    CaseState, Catalog, Change, CustodyClock, CustodyFacts, CustodyRules, DeviceId, FieldKey, FieldPath, Hlc, HlcClock,
    NewCase, OpId, Operation, Sensitivity, UserName, validate_operation,
};

use crate::support::{self, owner, stamp};

/// The main example as merged operations, and a second device's clock after them.
fn merged() -> (CaseState, HlcClock) {
    let case = NewCase::parse(support::CASE, support::today()).unwrap();
    let (id, changes) = case.into_changes(&owner());
    let ops = stamp(id, changes);
    let last = ops.iter().map(|o| o.hlc).max();
    (CaseState::from_ops(&ops).unwrap(), HlcClock::resume(DeviceId::from_u128(0xd2), last))
}

fn edit(state: &CaseState, clock: &mut HlcClock, field: &str, value: serde_json::Value) -> Operation {
    let key = FieldKey::Case { field: field.to_owned() };
    let hlc = clock.tick(1_764_100_000_000);
    Operation {
        id: OpId::new(),
        case_id: state.view().unwrap().id,
        hlc,
        device: hlc.device,
        user: UserName::parse("user", "agent.two").unwrap(),
        class: Sensitivity::General,
        change: Change::Set { field: FieldPath::parse(field).unwrap(), value, supersedes: state.frontier(&key) },
    }
}

#[test]
fn operations_from_other_devices_are_checked_by_the_same_rules() {
    let (state, mut clock) = merged();
    let good = edit(&state, &mut clock, "child.languages", json!(["quc", "spa", "mam"]));
    validate_operation(&good).unwrap();
    let bad = edit(&state, &mut clock, "child.languages", json!(["quc", "kiche"]));
    assert_eq!(validate_operation(&bad).unwrap_err().field, "change.child.languages[1]");
    let cleared = edit(&state, &mut clock, "encounter.type", serde_json::Value::Null);
    assert_eq!(validate_operation(&cleared).unwrap_err().field, "change.encounter.type");
    // "In the future" is judged against the day the operation was written.
    let mut late = edit(&state, &mut clock, "custody.transferred_at", json!("2026-11-30T10:00:00-07:00"));
    assert!(validate_operation(&late).is_err());
    let written = chrono::DateTime::parse_from_rfc3339("2026-11-30T18:00:00Z").unwrap().timestamp_millis() as u64;
    late.hlc = Hlc { wall_ms: written, ..late.hlc };
    validate_operation(&late).unwrap();
}

#[test]
fn a_merged_document_made_inconsistent_by_concurrent_edits_is_still_read() {
    let (mut state, mut clock) = merged();
    // Another device, not having seen the date of birth, records an estimated age.
    let op = edit(&state, &mut clock, "child.estimated_age_years", json!(16));
    validate_operation(&op).unwrap();
    state.apply(op).unwrap();
    let doc = state.view().unwrap().document;
    let strict = NewCase::from_value(&doc, support::today()).unwrap_err();
    assert_eq!(strict.field, "child.estimated_age_years");
    let case = NewCase::from_merged(&doc, Catalog::builtin()).unwrap();
    assert_eq!(case.child.estimated_age_years, Some(16));
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T20:00:00Z").unwrap().to_utc();
    let clock = CustodyClock::compute(&CustodyFacts::of(&case).unwrap(), &CustodyRules::default(), now);
    assert!(!clock.deadlines.is_empty());
}

#[test]
fn an_edit_of_the_answers_makes_the_stored_result_stale_until_it_is_rewritten() {
    let (mut state, mut clock) = merged();
    let doc = state.view().unwrap().document;
    assert_eq!(NewCase::from_merged(&doc, Catalog::builtin()).unwrap().stale_result(&doc), None);

    let mut answers = doc["screening"]["answers"].clone();
    answers["sex_in_exchange"] = json!("yes");
    let op = edit(&state, &mut clock, "screening.answers", answers);
    state.apply(op).unwrap();
    let doc = state.view().unwrap().document;
    let fresh = NewCase::from_merged(&doc, Catalog::builtin()).unwrap().stale_result(&doc).expect("stale");
    assert!(fresh["indicators_present"].as_array().unwrap().contains(&json!("sex_in_exchange")));

    let op = edit(&state, &mut clock, "screening.result", fresh);
    validate_operation(&op).unwrap();
    state.apply(op).unwrap();
    let doc = state.view().unwrap().document;
    assert_eq!(NewCase::from_merged(&doc, Catalog::builtin()).unwrap().stale_result(&doc), None);
}

#[test]
fn a_note_operation_must_carry_its_class() {
    let case = NewCase::parse(support::CASE, support::today()).unwrap();
    let (id, changes) = case.into_changes(&owner());
    let mut ops = stamp(id, changes);
    let note = ops.iter_mut().find(|o| o.class == Sensitivity::LegalPrivileged).unwrap();
    validate_operation(note).unwrap();
    note.class = Sensitivity::General;
    assert_eq!(validate_operation(note).unwrap_err().field, "class");
}
