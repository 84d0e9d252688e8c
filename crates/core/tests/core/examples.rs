//! Every example parses, and comes back equal from the merge.

use chrono::{TimeZone, Utc};
use waystation_core::screening::{IndicatorFinding, ReturnEligibility};
use waystation_core::{
    CaseFlag, CaseState, Change, CustodyClock, CustodyFacts, CustodyRules, DeadlineKind, DeadlineState, ItemId,
    ListKind, NewCase, Sensitivity, validate_change,
};

use crate::support::{self, examples, json, merged_document, owner, stamp};

#[test]
fn every_example_parses() {
    let all = examples();
    assert!(all.len() >= 24, "four files and twenty JSONL lines, got {}", all.len());
    for (name, text) in all {
        NewCase::parse(text, support::today()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn every_example_survives_changes_operations_and_the_merge() {
    for (name, text) in examples() {
        let case = NewCase::parse(text, support::today()).unwrap();
        let doc = merged_document(&case);
        let again = NewCase::from_value(&doc, support::today())
            .unwrap_or_else(|e| panic!("{name}: merged document refused: {e}"));
        assert_eq!(again, case, "{name}");
        assert_eq!(doc, case.to_document(), "{name}: to_document is what the merge shows");
    }
}

#[test]
fn the_changes_are_valid_operations_by_the_case_rules() {
    let case = NewCase::parse(support::CASE, support::today()).unwrap();
    let (id, changes) = case.into_changes(&owner());
    assert!(matches!(&changes[0], Change::CreateCase { owner: o, .. } if *o == owner()));
    assert_eq!(shares(&changes), ["placement-office", "casa-esperanza-legal"]);
    for change in &changes {
        validate_change(change, support::today()).unwrap_or_else(|e| panic!("{change:?}: {e}"));
    }
    let ops = stamp(id, changes);
    for op in &ops {
        op.validate().unwrap();
    }
    let classes: Vec<Sensitivity> = ops
        .iter()
        .filter(|o| matches!(o.change, Change::AddItem { list: ListKind::Notes, .. }))
        .map(|o| o.class)
        .collect();
    assert_eq!(classes.len(), 4);
    assert!(classes.contains(&Sensitivity::LegalPrivileged) && classes.contains(&Sensitivity::LawEnforcementSensitive));
    let view = CaseState::from_ops(&ops).unwrap().view().unwrap();
    assert_eq!(view.owner, Some(owner()));
    assert_eq!(view.shared_with.len(), 2);
}

/// The changes' `Share`s, by organization.
fn shares(changes: &[Change]) -> Vec<&str> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Share { org } => Some(org.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_intake_shares_once_with_each_receiving_organization_and_never_with_its_owner() {
    let mut case = NewCase::parse(support::CASE, support::today()).unwrap();
    let first = case.referrals[0].clone();
    let mut to_owner = first.clone();
    to_owner.id = ItemId::new();
    to_owner.value.org = Some(owner());
    let mut again = first.clone();
    again.id = ItemId::new();
    case.referrals.insert(0, to_owner);
    case.referrals.push(again);
    let (_, changes) = case.into_changes(&owner());
    assert_eq!(shares(&changes), ["placement-office", "casa-esperanza-legal"]);
}

#[test]
fn re_importing_a_file_names_the_same_case_and_items() {
    let a = NewCase::parse(support::WITH_REFERRALS, support::today()).unwrap();
    let b = NewCase::parse(support::WITH_REFERRALS, support::today()).unwrap();
    assert_eq!(a.id, b.id);
    assert_eq!(a.referrals.len(), 7);
    assert!(a.referrals.iter().zip(&b.referrals).all(|(x, y)| x.id == y.id), "derived item ids are stable");
    let ids: std::collections::BTreeSet<_> = a.referrals.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 7, "and distinct");
    let mut other = json(support::WITH_REFERRALS);
    other["id"] = "019a3c10-5e00-7c30-8d40-8b2c3d4e5f02".into();
    let c = NewCase::from_value(&other, support::today()).unwrap();
    assert_ne!(c.referrals[0].id, a.referrals[0].id, "another case, other item ids");
    let mut no_id = json(support::WITH_REFERRALS);
    no_id.as_object_mut().unwrap().remove("id");
    assert_ne!(
        NewCase::from_value(&no_id, support::today()).unwrap().id,
        NewCase::from_value(&no_id, support::today()).unwrap().id,
        "a new UUIDv7 each time"
    );
}

#[test]
fn the_main_example_is_the_case_it_describes() {
    let case = NewCase::parse(support::CASE, support::today()).unwrap();
    assert!(case.is_unaccompanied());
    assert!(case.flags().is_empty());
    let met = case.encounter.occurred_at.get().date_naive();
    assert_eq!(case.child.age_on(met), Some(15));
    assert_eq!(case.child.languages[0].name(), "K'iche'");
    let result = case.screening.as_ref().unwrap().result.as_ref().unwrap();
    assert_eq!(result.indicators, IndicatorFinding::Present);
    assert!(result.indicators_present.contains(&"owes_debt".to_owned()));
    assert_eq!(result.contiguous_return, ReturnEligibility::NotApplicable);
    assert_eq!(case.notes.len(), 4);
}

#[test]
fn flags_mark_an_adult_and_an_unknown_age_without_refusing_them() {
    let flags: Vec<Vec<CaseFlag>> = support::CASES_JSONL
        .lines()
        .map(|l| NewCase::parse(l, support::today()).unwrap().flags())
        .filter(|f| !f.is_empty())
        .collect();
    assert!(flags.contains(&vec![CaseFlag::NotAMinor]));
    assert!(flags.contains(&vec![CaseFlag::AgeUnknown]));
}

#[test]
fn the_custody_clock_of_the_main_example() {
    let case = NewCase::parse(support::CASE, support::today()).unwrap();
    let facts = CustodyFacts::of(&case).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let clock = CustodyClock::compute(&facts, &CustodyRules::default(), now);
    let state = |k| clock.deadline(k).unwrap().state;
    assert_eq!(state(DeadlineKind::Screening), DeadlineState::Met { on_time: true });
    assert_eq!(state(DeadlineKind::PlacementNotification), DeadlineState::Met { on_time: true });
    assert_eq!(state(DeadlineKind::Transfer), DeadlineState::Met { on_time: true });
    assert_eq!(state(DeadlineKind::TraffickingReferral), DeadlineState::Met { on_time: true });
    assert_eq!(clock.started_at, Utc.with_ymd_and_hms(2026, 11, 22, 11, 35, 0).unwrap());
    assert!(clock.in_custody);
    assert_eq!(clock.time_in_custody.num_minutes(), 12 * 60 + 25);

    // The same case before anything but the encounter was recorded, read 66 hours in.
    let mut bare = json(support::CASE);
    for key in ["screening", "custody", "referrals"] {
        bare.as_object_mut().unwrap().remove(key);
    }
    let case = NewCase::from_value(&bare, support::today()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 5, 35, 0).unwrap();
    let clock = CustodyClock::compute(&CustodyFacts::of(&case).unwrap(), &CustodyRules::default(), now);
    assert_eq!(clock.deadline(DeadlineKind::Screening).unwrap().state, DeadlineState::Overdue);
    assert_eq!(clock.deadline(DeadlineKind::Transfer).unwrap().state, DeadlineState::DueSoon);
    assert_eq!(clock.deadline(DeadlineKind::Transfer).unwrap().time_left.num_hours(), 6);
    assert!(clock.deadline(DeadlineKind::TraffickingReferral).is_none(), "no screening, no indicators yet");
}

#[test]
fn a_returned_contiguous_child_has_no_transfer_deadline() {
    let case = NewCase::parse(support::CONTIGUOUS, support::today()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
    let clock = CustodyClock::compute(&CustodyFacts::of(&case).unwrap(), &CustodyRules::default(), now);
    assert!(!clock.in_custody);
    assert!(clock.deadline(DeadlineKind::Transfer).is_none());
    assert_eq!(clock.deadline(DeadlineKind::Screening).unwrap().state, DeadlineState::Met { on_time: true });
}

#[test]
fn ngo_outreach_starts_no_clock_until_custody_starts() {
    let mut v = json(support::ACCOMPANIED);
    v["encounter"]["type"] = "ngo_outreach".into();
    assert!(CustodyFacts::of(&NewCase::from_value(&v, support::today()).unwrap()).is_none());
    v["custody"] = serde_json::json!({"started_at": "2026-11-23T18:00:00-06:00"});
    let facts = CustodyFacts::of(&NewCase::from_value(&v, support::today()).unwrap()).unwrap();
    assert_eq!(facts.started_at, Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap());
}

#[test]
fn an_accompanied_child_is_screened_in_time_and_not_transferred() {
    let case = NewCase::parse(support::ACCOMPANIED, support::today()).unwrap();
    // Screening completed 2026-11-24 01:20 UTC; 11 h 20 min are left of the 24 hours.
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap();
    let clock = CustodyClock::compute(&CustodyFacts::of(&case).unwrap(), &CustodyRules::default(), now);
    let kinds: Vec<DeadlineKind> = clock.deadlines.iter().map(|d| d.kind).collect();
    // One indicator (threats against the family) starts the 24-hour referral clock; no referral was sent.
    assert_eq!(kinds, [DeadlineKind::TraffickingReferral, DeadlineKind::Screening]);
    assert_eq!(clock.deadline(DeadlineKind::Screening).unwrap().state, DeadlineState::Met { on_time: true });
    assert_eq!(clock.deadline(DeadlineKind::TraffickingReferral).unwrap().state, DeadlineState::DueSoon);
}
