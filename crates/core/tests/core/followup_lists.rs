//! Adding a referral after the intake and removing an item entered by
//! mistake, by core's rules against a real store holding `examples/case.json`
//! (owned by `casa-esperanza`, shared at intake with `placement-office` and
//! `casa-esperanza-legal`, whose referrals name them).

use serde_json::{Value, json};
use waystation_core::edit::{
    FieldEdit, field_changes, new_referral_changes, referral_status_changes, remove_item_change, sharing_ends_with,
    stop_sharing_change,
};
use waystation_core::{
    CaseView, Catalog, Change, CustodyFacts, CustodyRules, ItemId, ListKind, NewCase, OrgId, ReferralStatus, Role,
};

use crate::followup::{Fixture, PLACEMENT, Refused, SENT, SHELTER, fixture, id, item, now};

const NOTE: &str = "019aab3e-8b30-7e22-9d4f-2b3c4d5e6f01";
const T_VISA: &str = "019aab3e-ad50-7a44-9f6b-4d5e6f7a8b01";

impl Fixture {
    /// Save a new referral; the case screen's answer (its document and whom it is shared with).
    fn add_referral(&mut self, value: Value) -> Result<(Value, Vec<String>), Refused> {
        self.edit_view(|v: &CaseView| new_referral_changes(v, value, now()))
            .map(|v| (v.document, v.shared_with.into_iter().map(|o| o.to_string()).collect()))
    }
    fn changes_since(&mut self, before: usize) -> Vec<Change> {
        self.store.operations(self.id).unwrap()[before..].iter().map(|o| o.change.clone()).collect()
    }
    fn refused_referral(&mut self, field: &str, value: Value) -> String {
        let before = self.ops();
        let e = self.add_referral(value).unwrap_err();
        assert_eq!(self.ops(), before, "a refused referral saved something");
        e.iter().find(|p| p.field == field).unwrap_or_else(|| panic!("expected {field}, got {e:?}")).message.clone()
    }
}

fn drafted_at(hours_ago: i64) -> String {
    (now() - chrono::TimeDelta::hours(hours_ago)).to_rfc3339()
}

fn added_referral(doc: &Value, to: &str) -> Value {
    doc["referrals"].as_array().unwrap().iter().find(|r| r["to"] == to).cloned().unwrap()
}

#[test]
fn a_referral_to_a_new_organization_is_added_drafted_and_shares_the_case_in_the_same_save() {
    let mut f = fixture();
    let before = f.ops();
    let at = drafted_at(1);
    let (doc, shared) = f
        .add_referral(json!({"to": "medical", "org": "clinica-del-valle", "drafted_at": at, "reason": "  Dental pain. ", "reference": ""}))
        .unwrap();
    let r = added_referral(&doc, "medical");
    assert_eq!((r["status"].as_str(), r["org"].as_str()), (Some("drafted"), Some("clinica-del-valle")));
    assert_eq!((r["drafted_at"].as_str(), r["reason"].as_str()), (Some(at.as_str()), Some("Dental pain.")));
    assert!(r.get("reference").is_none(), "an empty optional field is left out");
    assert!(shared.iter().any(|o| o == "clinica-del-valle"), "{shared:?}");
    let changes = f.changes_since(before);
    assert!(
        matches!(&changes[..], [Change::AddItem { list: ListKind::Referrals, .. }, Change::Share { org }] if org.as_str() == "clinica-del-valle"),
        "{changes:?}"
    );
}

#[test]
fn a_referral_to_the_owner_or_to_no_organization_shares_nothing_and_one_to_a_shared_one_shares_again() {
    let mut f = fixture();
    for org in [json!("casa-esperanza"), Value::Null, json!("")] {
        let before = f.ops();
        let (_, shared) =
            f.add_referral(json!({"to": "child_welfare", "org": org, "drafted_at": drafted_at(2)})).unwrap();
        let changes = f.changes_since(before);
        assert!(matches!(&changes[..], [Change::AddItem { .. }]), "org {org}: {changes:?}");
        assert!(!shared.iter().any(|o| o == "casa-esperanza"), "the owner is not shared with its own case");
    }
    // Shared already: the new referral still carries its own share, so an
    // unshare made elsewhere without seeing it does not end it.
    let before = f.ops();
    f.add_referral(json!({"to": "child_welfare", "org": "placement-office", "drafted_at": drafted_at(2)})).unwrap();
    let changes = f.changes_since(before);
    assert!(
        matches!(&changes[..], [Change::AddItem { .. }, Change::Share { org }] if org.as_str() == "placement-office"),
        "{changes:?}"
    );
    let referrals = f.doc()["referrals"].as_array().unwrap().iter().filter(|r| r["to"] == "child_welfare").count();
    assert_eq!(referrals, 4);
}

fn owner() -> OrgId {
    "casa-esperanza".parse().unwrap()
}

/// Remove a referral as the case screen does: the removal, and the end of the
/// sharing it gave when it was the last reason.
fn remove_referral(f: &mut Fixture, referral: ItemId, device_org: &OrgId) -> CaseView {
    f.edit_view(|v| {
        let mut changes = vec![remove_item_change(&v.document, ListKind::Referrals, referral, now())?];
        changes.extend(sharing_ends_with(v, device_org, referral));
        Ok(changes)
    })
    .unwrap()
}

fn referral_to(doc: &Value, org: &str) -> Vec<ItemId> {
    doc["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["org"] == org)
        .map(|r| ItemId::parse("id", r["id"].as_str().unwrap()).unwrap())
        .collect()
}

#[test]
fn removing_the_last_referral_to_an_organization_stops_sharing_and_naming_every_share_it_saw() {
    let mut f = fixture();
    let clinic: OrgId = "clinica-del-valle".parse().unwrap();
    f.add_referral(json!({"to": "medical", "org": "clinica-del-valle", "drafted_at": drafted_at(2)})).unwrap();
    f.add_referral(json!({"to": "victim_services", "org": "clinica-del-valle", "drafted_at": drafted_at(1)})).unwrap();
    let two = referral_to(&f.doc(), "clinica-del-valle");
    assert_eq!(two.len(), 2);
    // One of two goes: the other still gives a reason.
    let before = f.ops();
    let view = remove_referral(&mut f, two[0], &owner());
    assert!(view.shared_with.contains(&clinic));
    assert!(matches!(&f.changes_since(before)[..], [Change::RemoveItem { .. }]));
    // A device of another organization never ends the owner's sharing.
    assert!(sharing_ends_with(&view, &clinic, two[1]).is_none());
    // The last goes: the sharing ends, naming both shares it saw.
    let before = f.ops();
    let view = remove_referral(&mut f, two[1], &owner());
    assert!(!view.shared_with.contains(&clinic), "{:?}", view.shared_with);
    let changes = f.changes_since(before);
    let [Change::RemoveItem { .. }, Change::Unshare { org, seen }] = &changes[..] else { panic!("{changes:?}") };
    assert_eq!((org, seen.len()), (&clinic, 2));
    // Shared again by a new referral.
    let (_, shared) =
        f.add_referral(json!({"to": "medical", "org": "clinica-del-valle", "drafted_at": drafted_at(0)})).unwrap();
    assert!(shared.contains(&clinic.to_string()));
}

#[test]
fn a_referral_recorded_as_declined_by_the_owner_stops_sharing_when_no_other_referral_gives_a_reason() {
    let mut f = fixture();
    let clinic: OrgId = "clinica-del-valle".parse().unwrap();
    f.add_referral(json!({"to": "medical", "org": "clinica-del-valle", "drafted_at": drafted_at(3)})).unwrap();
    let r = referral_to(&f.doc(), "clinica-del-valle")[0];
    for (status, at) in [(ReferralStatus::Sent, drafted_at(2)), (ReferralStatus::Declined, drafted_at(1))] {
        f.edit_view(|v| {
            let mut changes = referral_status_changes(&v.document, r, status, &at, now())?;
            if status == ReferralStatus::Declined {
                changes.extend(sharing_ends_with(v, &owner(), r));
            }
            Ok(changes)
        })
        .unwrap();
    }
    let view = f.store.case(f.id).unwrap().unwrap();
    assert!(!view.shared_with.contains(&clinic));
    assert_eq!(referral_to(&view.document, "clinica-del-valle").len(), 1, "the referral stays as the record");
}

#[test]
fn only_a_supervisor_of_the_owner_stops_sharing_and_only_with_an_organization_shared_with() {
    let mut f = fixture();
    let view = f.store.case(f.id).unwrap().unwrap();
    let clinic: OrgId = "clinica-del-valle".parse().unwrap();
    assert!(stop_sharing_change(&view, &owner(), Role::Agent, "placement-office").is_err());
    assert!(stop_sharing_change(&view, &clinic, Role::Supervisor, "placement-office").is_err());
    let e = stop_sharing_change(&view, &owner(), Role::Supervisor, "clinica-del-valle").unwrap_err();
    assert!(e[0].message.contains("not shared"), "{e:?}");
    assert!(stop_sharing_change(&view, &owner(), Role::Supervisor, "Not An Org").is_err());
    let change = stop_sharing_change(&view, &owner(), Role::Supervisor, " placement-office ").unwrap();
    let view = f.edit_view(|_| Ok(vec![change])).unwrap();
    assert!(!view.shared_with.contains(&"placement-office".parse().unwrap()));
    assert!(view.shared_with.contains(&"casa-esperanza-legal".parse().unwrap()), "the other sharing stays");
    // The store refuses an unshare of an organization it never saw shared.
    let stray = Change::Unshare { org: clinic, seen: vec![] };
    assert!(f.store.edit(f.id, vec![stray]).is_err());
}

#[test]
fn a_new_referral_is_refused_field_by_field_and_saves_nothing() {
    let mut f = fixture();
    let now = drafted_at(0);
    let m = f.refused_referral("referrals.to", json!({"drafted_at": now}));
    assert!(m.contains("required"), "{m}");
    let m = f.refused_referral("referrals.to", json!({"to": "police", "drafted_at": now}));
    assert!(m.contains("medical"), "the words it takes are named: {m}");
    f.refused_referral("referrals.drafted_at", json!({"to": "medical"}));
    let m = f.refused_referral("referrals.drafted_at", json!({"to": "medical", "drafted_at": "2026-11-25 09:00"}));
    assert!(m.contains("offset"), "{m}");
    f.refused_referral("referrals.drafted_at", json!({"to": "medical", "drafted_at": "2999-01-01T00:00:00Z"}));
    // Within the day of slack core allows other devices' clocks, but ahead of this one.
    let m = f.refused_referral("referrals.drafted_at", json!({"to": "medical", "drafted_at": drafted_at(-3)}));
    assert_eq!(m, "is in the future");
    let m =
        f.refused_referral("referrals.org", json!({"to": "medical", "org": "Clínica Del Valle", "drafted_at": now}));
    assert!(m.contains("lowercase"), "{m}");
    let m = f.refused_referral("referrals.status", json!({"to": "medical", "status": "sent", "drafted_at": now}));
    assert!(m.contains("starts as drafted"), "{m}");
    f.refused_referral("referrals.sent_at", json!({"to": "medical", "sent_at": now, "drafted_at": now}));
    f.refused_referral("referrals.id", json!({"id": ItemId::new().to_string(), "to": "medical", "drafted_at": now}));
    f.refused_referral("referrals.colour", json!({"to": "medical", "drafted_at": now, "colour": "red"}));
    f.refused_referral("referrals", json!(["medical"]));
    assert!(!f.doc()["referrals"].as_array().unwrap().iter().any(|r| r["to"] == "medical"));
}

fn remove(list: ListKind, item: &str) -> impl FnOnce(&Value) -> Result<Vec<Change>, Refused> {
    let item = id(item);
    move |d| Ok(vec![remove_item_change(d, list, item, now())?])
}

#[test]
fn a_service_an_outcome_an_adult_and_a_drafted_referral_are_removed() {
    let mut f = fixture();
    let adult = f.doc()["adults"][0]["id"].as_str().unwrap().to_owned();
    let (doc, _) = f.add_referral(json!({"to": "medical", "drafted_at": drafted_at(1)})).unwrap();
    let drafted = added_referral(&doc, "medical")["id"].as_str().unwrap().to_owned();
    for (list, it) in [
        (ListKind::Services, SHELTER),
        (ListKind::Outcomes, PLACEMENT),
        (ListKind::Adults, adult.as_str()),
        (ListKind::Referrals, drafted.as_str()),
    ] {
        let before = f.ops();
        let doc = f.edit(remove(list, it)).unwrap();
        let left = doc[list.as_str()].as_array().map_or(0, |l| l.iter().filter(|i| i["id"] == it).count());
        assert_eq!(left, 0, "{it} is gone from {}", list.as_str());
        let changes = f.changes_since(before);
        assert!(
            matches!(&changes[..], [Change::RemoveItem { list: l, item: i, .. }] if *l == list && i.to_string() == it)
        );
        // Removed once is removed: a second try finds nothing to remove.
        f.refused("item", remove(list, it));
    }
    let doc = f.doc();
    assert_eq!(doc["services"].as_array().unwrap().len(), 1, "the other service stays");
    assert_eq!(doc["notes"].as_array().unwrap().len(), 4, "the notes stay");
}

#[test]
fn a_note_a_relief_application_and_a_referral_that_was_sent_are_not_removed() {
    let mut f = fixture();
    let m = f.refused("list", remove(ListKind::Notes, NOTE));
    assert!(m.starts_with("notes are never removed"), "{m}");
    let m = f.refused("list", remove(ListKind::Relief, T_VISA));
    assert!(m.contains("not removed"), "{m}");
    let m = f.refused("referrals.status", remove(ListKind::Referrals, SENT));
    assert!(m.starts_with("a sent referral cannot be removed"), "{m}");
    f.refused("item", remove(ListKind::Services, SENT));
    assert_eq!(item(&f.doc(), "referrals", SENT)["status"], "sent");
}

#[test]
fn an_accepted_referral_or_removal_is_in_the_audit_chain_and_a_refused_one_is_not() {
    let mut f = fixture();
    let entries = |f: &Fixture| f.store.audit_verify().expect("the audit chain verifies").entries;
    // What reading the case before and after an edit costs in the audit log, with nothing saved.
    let start = entries(&f);
    f.edit(|_| Ok(vec![])).unwrap();
    let reads = entries(&f) - start;
    let delta = |f: &mut Fixture, act: &mut dyn FnMut(&mut Fixture)| {
        let before = entries(f);
        act(f);
        entries(f) - before
    };
    let refused = delta(&mut f, &mut |f| {
        f.edit(remove(ListKind::Referrals, SENT)).unwrap_err();
    });
    assert!(refused < reads, "a refused removal writes no edit entry: +{refused}, reads +{reads}");
    let refused = delta(&mut f, &mut |f| {
        f.add_referral(json!({"drafted_at": drafted_at(1)})).unwrap_err();
    });
    assert!(refused < reads, "a refused referral writes no edit entry: +{refused}, reads +{reads}");
    let removed = delta(&mut f, &mut |f| {
        f.edit(remove(ListKind::Services, SHELTER)).unwrap();
    });
    assert_eq!(removed, reads + 1, "one edit entry for the removal");
    let added = delta(&mut f, &mut |f| {
        f.add_referral(json!({"to": "medical", "org": "clinica-del-valle", "drafted_at": drafted_at(1)})).unwrap();
    });
    assert_eq!(added, reads + 1, "one edit entry for the referral and its share, saved together");
}

/// The custody clock of the case as the screen gets it after an edit of case-level fields.
fn clock_after(f: &mut Fixture, edits: Vec<FieldEdit>) -> Result<waystation_core::CustodyClock, Refused> {
    let doc = f.edit(|d| field_changes(d, edits, now()))?;
    let case = NewCase::from_merged(&doc, Catalog::builtin()).expect("the case reads whole");
    let facts = CustodyFacts::of(&case).expect("the case has a custody clock");
    Ok(waystation_core::CustodyClock::compute(&facts, &CustodyRules::default(), now()))
}

fn due(clock: &waystation_core::CustodyClock, kind: waystation_core::DeadlineKind) -> chrono::DateTime<chrono::Utc> {
    clock.deadlines.iter().find(|d| d.kind == kind).expect("the deadline is on the clock").due_at
}

#[test]
fn the_encounter_time_and_custody_are_corrected_and_the_custody_clock_follows() {
    use waystation_core::DeadlineKind as K;
    let mut f = fixture();
    let met = "2026-11-21T22:10:00-07:00";
    let clock = clock_after(&mut f, vec![crate::followup::edit("encounter.occurred_at", json!(met))]).unwrap();
    let start = chrono::DateTime::parse_from_rfc3339(met).unwrap().to_utc();
    assert_eq!(clock.started_at, start, "custody starts at the corrected encounter");
    assert_eq!(due(&clock, K::Transfer), start + chrono::TimeDelta::hours(72));
    assert_eq!(f.doc()["encounter"]["occurred_at"], met, "kept with its own offset");

    let started = "2026-11-22T06:00:00-07:00";
    let clock = clock_after(
        &mut f,
        vec![
            crate::followup::edit("custody.started_at", json!(started)),
            crate::followup::edit("custody.facility", json!("  Ajo Station, room 3 ")),
            crate::followup::edit("custody.exceptional_circumstances", json!("Road closed by flooding for a day.")),
        ],
    )
    .unwrap();
    let start = chrono::DateTime::parse_from_rfc3339(started).unwrap().to_utc();
    assert_eq!(due(&clock, K::PlacementNotification), start + chrono::TimeDelta::hours(48));
    let custody = &f.doc()["custody"];
    assert_eq!(
        (custody["facility"].as_str(), custody["started_at"].as_str()),
        (Some("Ajo Station, room 3"), Some(started))
    );
}

#[test]
fn an_encounter_or_custody_time_in_the_future_or_out_of_order_is_refused_and_saves_nothing() {
    let mut f = fixture();
    let soon = (now() + chrono::TimeDelta::hours(3)).to_rfc3339();
    let m = f.refused("encounter.occurred_at", |d| {
        field_changes(d, vec![crate::followup::edit("encounter.occurred_at", json!(soon))], now())
    });
    assert_eq!(m, "is in the future");
    f.refused("encounter.occurred_at", |d| {
        field_changes(d, vec![crate::followup::edit("encounter.occurred_at", json!("2026-11-21 22:10"))], now())
    });
    f.refused("encounter.occurred_at", |d| {
        field_changes(d, vec![crate::followup::edit("encounter.occurred_at", Value::Null)], now())
    });
    // Notified before custody started: the custody section read whole refuses it.
    let m = f.refused("custody.placement_notified_at", |d| {
        field_changes(d, vec![crate::followup::edit("custody.started_at", json!("2026-11-22T12:00:00-07:00"))], now())
    });
    assert!(m.contains("before custody started"), "{m}");
    let m = f.refused("custody.transferred_at", |d| {
        field_changes(d, vec![crate::followup::edit("custody.transferred_at", json!(soon))], now())
    });
    assert_eq!(m, "is in the future");
    assert_eq!(f.doc()["encounter"]["occurred_at"], "2026-11-22T04:35:00-07:00");
}
