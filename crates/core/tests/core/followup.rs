//! Core's edit rules of a saved case against a real store holding
//! `examples/case.json` (the desktop's commands and `waystation-cli case set`
//! call these rules and save what they return the same way): what is
//! accepted is saved and read back; what is refused names its field and
//! saves nothing.

use serde_json::{Value, json};
use waystation_core::edit::{
    FieldEdit, Now, field_changes, item_field_changes, new_item_change, referral_status_changes,
    relief_milestone_change,
};
use waystation_core::{
    CaseId, CaseState, CaseView, Change, DeviceId, FieldError, FieldKey, ItemId, ListKind, NewCase, OrgId,
    ReferralStatus, UserName,
};
use waystation_store::{KdfParams, Passphrase, Store};

use crate::support::CASE;

/// What core's rules refuse: every refused field at once.
pub type Refused = Vec<FieldError>;

pub(crate) const SENT: &str = "019aab3e-7a20-7d11-8c3e-1a2b3c4d5e02";
const ACKNOWLEDGED: &str = "019aab3e-7a20-7d11-8c3e-1a2b3c4d5e03";
const ACCEPTED: &str = "019aab3e-7a20-7d11-8c3e-1a2b3c4d5e01";
const T_VISA: &str = "019aab3e-ad50-7a44-9f6b-4d5e6f7a8b01";

pub(crate) struct Fixture {
    _dir: tempfile::TempDir,
    pub(crate) store: Store,
    pub(crate) id: CaseId,
}

/// The moment these tests are set at: after every date of `examples/case.json`
/// and of the edits below. The rules are given it, never the real clock, so
/// the tests pass on any day.
pub(crate) fn now() -> Now {
    chrono::DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().to_utc()
}

pub(crate) fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let user = UserName::parse("user", "ana.lopez").unwrap();
    let org = OrgId::parse("org", "casa-esperanza").unwrap();
    let pass = Passphrase::new("a long passphrase").unwrap();
    let mut store =
        Store::create(&dir.path().join("store"), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap();
    let (id, changes) = NewCase::parse(CASE, now().date_naive()).unwrap().into_changes(&org);
    store.save_new_case(id, changes).unwrap();
    Fixture { _dir: dir, store, id }
}

impl Fixture {
    pub(crate) fn ops(&mut self) -> usize {
        self.store.operations(self.id).unwrap().len()
    }
    pub(crate) fn doc(&mut self) -> Value {
        self.store.case(self.id).unwrap().unwrap().document
    }
    /// Build the changes from the case's view with `build`, save them (none:
    /// nothing to save) in one store transaction, and read the case again.
    pub(crate) fn edit_view(
        &mut self,
        build: impl FnOnce(&CaseView) -> Result<Vec<Change>, Refused>,
    ) -> Result<CaseView, Refused> {
        let changes = build(&self.store.case(self.id).unwrap().expect("the case is here"))?;
        if !changes.is_empty() {
            self.store.edit(self.id, changes).unwrap();
        }
        Ok(self.store.case(self.id).unwrap().unwrap())
    }
    pub(crate) fn edit(
        &mut self,
        build: impl FnOnce(&Value) -> Result<Vec<Change>, Refused>,
    ) -> Result<Value, Refused> {
        self.edit_view(|view| build(&view.document)).map(|view| view.document)
    }
    /// `build` is refused on `field` and nothing is saved.
    pub(crate) fn refused(
        &mut self,
        field: &str,
        build: impl FnOnce(&Value) -> Result<Vec<Change>, Refused>,
    ) -> String {
        let before = self.ops();
        let e = self.edit(build).unwrap_err();
        assert!(e.iter().any(|p| p.field == field), "expected {field}, got {e:?}");
        assert_eq!(self.ops(), before, "a refused edit saved something");
        e.iter().find(|p| p.field == field).map(|p| p.message.clone()).unwrap_or_default()
    }
}

pub(crate) fn item<'a>(doc: &'a Value, list: &str, id: &str) -> &'a Value {
    doc[list].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap()
}

pub(crate) fn id(text: &str) -> ItemId {
    ItemId::parse("id", text).unwrap()
}

#[test]
fn a_referral_moves_to_its_next_status_with_its_time() {
    let mut f = fixture();
    let at = "2026-11-25T09:15:00-07:00";
    let doc = f.edit(|d| referral_status_changes(d, id(SENT), ReferralStatus::Acknowledged, at, now())).unwrap();
    let r = item(&doc, "referrals", SENT);
    assert_eq!((r["status"].as_str(), r["acknowledged_at"].as_str()), (Some("acknowledged"), Some(at)));
    let doc = f.edit(|d| referral_status_changes(d, id(SENT), ReferralStatus::Accepted, at, now())).unwrap();
    assert_eq!(item(&doc, "referrals", SENT)["status"], "accepted");
    let ops = f.store.operations(f.id).unwrap();
    let last = &ops[ops.len() - 1].change;
    assert!(
        matches!(last, Change::SetItemField { field, supersedes, .. } if field == "accepted_at" && supersedes.is_empty()),
        "a first write of a field supersedes nothing: {last:?}"
    );
    let status_write = &ops[ops.len() - 2].change;
    assert!(
        matches!(status_write, Change::SetItemField { field, supersedes, .. } if field == "status" && supersedes.len() == 1),
        "the new status supersedes the one this device had seen: {status_write:?}"
    );
}

#[test]
fn a_referral_cannot_skip_go_back_or_leave_a_final_status() {
    let mut f = fixture();
    let at = "2026-11-25T09:15:00-07:00";
    let m =
        f.refused("referrals.status", |d| referral_status_changes(d, id(SENT), ReferralStatus::Completed, at, now()));
    assert_eq!(m, "a sent referral can move only to acknowledged or accepted or declined");
    f.refused("referrals.status", |d| referral_status_changes(d, id(ACKNOWLEDGED), ReferralStatus::Sent, at, now()));
    f.refused("referrals.status", |d| referral_status_changes(d, id(ACCEPTED), ReferralStatus::Declined, at, now()));
    f.refused("referral", |d| referral_status_changes(d, ItemId::new(), ReferralStatus::Sent, at, now()));
    let m = f.refused("referrals.status", |d| referral_status_changes(d, id(SENT), ReferralStatus::Drafted, at, now()));
    assert!(m.contains("can move only to"), "{m}");
}

#[test]
fn a_referral_step_time_must_be_a_real_past_time_after_the_step_before() {
    let mut f = fixture();
    let s = ReferralStatus::Acknowledged;
    let m = f.refused("referrals.acknowledged_at", |d| referral_status_changes(d, id(SENT), s, "yesterday", now()));
    assert!(m.contains("offset"), "{m}");
    f.refused("referrals.acknowledged_at", |d| referral_status_changes(d, id(SENT), s, "2999-01-01T00:00:00Z", now()));
    let m = f.refused("referrals.acknowledged_at", |d| {
        referral_status_changes(d, id(SENT), s, "2026-11-22T13:00:00-07:00", now())
    });
    assert_eq!(m, "is before the referral was sent; a referral moves forward in time");
    assert_eq!(item(&f.doc(), "referrals", SENT)["status"], "sent");
}

#[test]
fn a_service_an_outcome_and_a_relief_application_are_added_checked_by_core() {
    let mut f = fixture();
    let service = json!({"kind": "mental_health", "provided_on": "2026-11-25", "description": "  First session. ", "provider": ""});
    let doc = f.edit(|_| Ok(vec![new_item_change(ListKind::Services, service, now())?])).unwrap();
    let services = doc["services"].as_array().unwrap();
    let added = services.iter().find(|s| s["kind"] == "mental_health").unwrap();
    assert_eq!(added["description"], "First session.");
    assert!(added.get("provider").is_none(), "an empty optional field is left out");
    let outcome =
        json!({"kind": "reunification", "occurred_on": "2026-11-25", "sponsor_relationship": "aunt_or_uncle"});
    let doc = f.edit(|_| Ok(vec![new_item_change(ListKind::Outcomes, outcome, now())?])).unwrap();
    assert!(doc["outcomes"].as_array().unwrap().iter().any(|o| o["kind"] == "reunification"));
    let relief = json!({"kind": "sijs", "court_findings_on": "2026-11-25"});
    let doc = f.edit(|_| Ok(vec![new_item_change(ListKind::Relief, relief, now())?])).unwrap();
    assert!(doc["relief"].as_array().unwrap().iter().any(|r| r["kind"] == "sijs"));

    let m = f.refused("services.provided_on", |_| {
        Ok(vec![new_item_change(ListKind::Services, json!({"kind": "shelter", "provided_on": "2999-01-01"}), now())?])
    });
    assert_eq!(m, "is in the future");
    f.refused("services.description", |_| {
        Ok(vec![new_item_change(ListKind::Services, json!({"kind": "other", "provided_on": "2026-11-25"}), now())?])
    });
    f.refused("relief.court_findings_on", |_| {
        Ok(vec![new_item_change(
            ListKind::Relief,
            json!({"kind": "u_visa", "court_findings_on": "2026-11-25"}),
            now(),
        )?])
    });
    f.refused("outcomes.kind", |_| {
        Ok(vec![new_item_change(ListKind::Outcomes, json!({"kind": "adoption", "occurred_on": "2026-11-25"}), now())?])
    });
    f.refused("list", |_| Ok(vec![new_item_change(ListKind::Notes, json!({"text": "x"}), now())?]));
    f.refused("services.id", |_| {
        let v = json!({"id": ItemId::new().to_string(), "kind": "shelter", "provided_on": "2026-11-25"});
        Ok(vec![new_item_change(ListKind::Services, v, now())?])
    });
}

#[test]
fn a_relief_milestone_is_dated_by_core_s_rules() {
    let mut f = fixture();
    let doc = f
        .edit(|d| Ok(vec![relief_milestone_change(d, id(T_VISA), "certification_requested_on", "2026-11-25", now())?]));
    assert_eq!(item(&doc.unwrap(), "relief", T_VISA)["certification_requested_on"], "2026-11-25");
    let m = f.refused("relief.court_findings_on", |d| {
        Ok(vec![relief_milestone_change(d, id(T_VISA), "court_findings_on", "2026-11-25", now())?])
    });
    assert_eq!(m, "juvenile-court findings apply to SIJS only");
    f.refused("relief.filed_on", |d| {
        Ok(vec![relief_milestone_change(d, id(T_VISA), "filed_on", "2026-02-30", now())?])
    });
    f.refused("relief.milestone", |d| Ok(vec![relief_milestone_change(d, id(T_VISA), "kind", "2026-11-25", now())?]));
    f.refused("relief", |d| Ok(vec![relief_milestone_change(d, ItemId::new(), "filed_on", "2026-11-25", now())?]));
}

pub(crate) fn edit(field: &str, value: Value) -> FieldEdit {
    FieldEdit { field: field.into(), value, was: None }
}

#[test]
fn corrected_fields_are_saved_and_only_the_changed_ones() {
    let mut f = fixture();
    let before = f.ops();
    let seen = CaseState::from_ops(&f.store.operations(f.id).unwrap()).unwrap();
    let frontier = seen.frontier(&FieldKey::Case { field: "child.family_name".into() });
    assert_eq!(frontier.len(), 1, "the intake wrote the family name once");
    let doc = f
        .edit(|d| {
            field_changes(
                d,
                vec![
                    edit("child.given_name", json!(" Rosa Elena ")),
                    edit("child.family_name", json!("Tzul Choc")),
                    edit("status", json!("closed")),
                ],
                now(),
            )
        })
        .unwrap();
    assert_eq!((doc["child"]["family_name"].as_str(), doc["status"].as_str()), (Some("Tzul Choc"), Some("closed")));
    assert_eq!(f.ops(), before + 2, "the unchanged given name is not written again");
    let ops = f.store.operations(f.id).unwrap();
    let family = ops.iter().rev().take(2).find_map(|o| match &o.change {
        Change::Set { field, supersedes, .. } if field.as_str() == "child.family_name" => Some(supersedes.clone()),
        _ => None,
    });
    assert_eq!(family, Some(frontier), "the correction supersedes the device's frontier for that field");
    let before = f.ops();
    f.edit(|d| field_changes(d, vec![edit("child.family_name", json!("Tzul Choc"))], now())).unwrap();
    assert_eq!(f.ops(), before, "saving unchanged values writes nothing");
}

#[test]
fn a_bad_value_refuses_the_whole_edit_and_names_every_field() {
    let mut f = fixture();
    let before = f.ops();
    let e = f
        .edit(|d| {
            field_changes(
                d,
                vec![
                    edit("child.family_name", json!("Tzul Choc")),
                    edit("child.date_of_birth", json!("2030-01-01")),
                    edit("child.nationalities", json!(["Guatemala"])),
                    edit("status", Value::Null),
                    edit("child.shoe_size", json!(3)),
                ],
                now(),
            )
        })
        .unwrap_err();
    let fields: Vec<&str> = e.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        ["child.date_of_birth", "child.nationalities[0]", "status", "child.shoe_size"],
        "every problem, in the form's order"
    );
    assert_eq!(e[0].message, "is in the future");
    assert_eq!(f.ops(), before, "nothing saved");
    assert_eq!(f.doc()["child"]["family_name"], "Tzul Chox");
}

#[test]
fn a_whole_case_rule_refuses_an_edit_that_breaks_it() {
    let mut f = fixture();
    // A date of birth and an estimated age together contradict each other when the case is read whole.
    let before = f.ops();
    let e = f.edit(|d| field_changes(d, vec![edit("child.estimated_age_years", json!(12))], now())).unwrap_err();
    assert!(e[0].field.starts_with("child."), "{e:?}");
    assert_eq!(f.ops(), before);
}

#[test]
fn an_edit_of_a_value_changed_meanwhile_is_refused() {
    let mut f = fixture();
    let stale = FieldEdit { field: "child.given_name".into(), value: json!("Rosa"), was: Some(json!("Rosa E.")) };
    let m = f.refused("child.given_name", |d| field_changes(d, vec![stale], now()));
    assert!(m.contains("another device"), "{m}");
    let fresh = FieldEdit { field: "child.given_name".into(), value: json!("Rosa"), was: Some(json!("Rosa Elena")) };
    assert_eq!(f.edit(|d| field_changes(d, vec![fresh], now())).unwrap()["child"]["given_name"], "Rosa");
}

pub(crate) const SHELTER: &str = "019aab3e-9c40-7f33-8e5a-3c4d5e6f7a02";
pub(crate) const PLACEMENT: &str = "019aab3e-be60-7b55-8a7c-5e6f7a8b9c01";

#[test]
fn a_logged_service_is_corrected_field_by_field() {
    let mut f = fixture();
    let before = f.ops();
    let doc = f
        .edit(|d| {
            item_field_changes(
                d,
                ListKind::Services,
                id(SHELTER),
                vec![
                    edit("kind", json!("shelter")),
                    edit("provided_on", json!("2026-11-23")),
                    edit("description", json!("  ")),
                ],
                now(),
            )
        })
        .unwrap();
    let s = item(&doc, "services", SHELTER);
    assert_eq!(s["provided_on"], "2026-11-23");
    assert!(s.get("description").is_none_or(Value::is_null), "an emptied optional field is cleared");
    assert_eq!(f.ops(), before + 2, "the unchanged kind is not written again");
}

#[test]
fn a_bad_item_correction_names_every_field_and_saves_nothing() {
    let mut f = fixture();
    let e = f
        .edit(|d| {
            item_field_changes(
                d,
                ListKind::Outcomes,
                id(PLACEMENT),
                vec![
                    edit("occurred_on", json!("2999-01-01")),
                    edit("kind", json!("adoption")),
                    edit("colour", json!(1)),
                ],
                now(),
            )
        })
        .unwrap_err();
    let fields: Vec<&str> = e.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["outcomes.occurred_on", "outcomes.kind", "outcomes.colour"]);
    // The item whole: a service of kind other must say what it was.
    let m = f.refused("services.description", |d| {
        item_field_changes(
            d,
            ListKind::Services,
            id(SHELTER),
            vec![edit("kind", json!("other")), edit("description", Value::Null)],
            now(),
        )
    });
    assert!(m.contains("say what it was"), "{m}");
    let stale = FieldEdit { field: "location".into(), value: json!("Phoenix"), was: Some(json!("Somewhere else")) };
    f.refused("outcomes.location", |d| item_field_changes(d, ListKind::Outcomes, id(PLACEMENT), vec![stale], now()));
    f.refused("list", |d| item_field_changes(d, ListKind::Notes, ItemId::new(), vec![], now()));
    f.refused("item", |d| item_field_changes(d, ListKind::Services, ItemId::new(), vec![], now()));
}

#[test]
fn a_receipt_notice_is_dated_with_its_number_or_not_at_all() {
    let mut f = fixture();
    let receipt = |n: &str| vec![edit("receipt_on", json!("2026-11-25")), edit("receipt_number", json!(n))];
    let m = f.refused("relief.receipt_number", |d| {
        item_field_changes(d, ListKind::Relief, id(T_VISA), receipt("EAC-12"), now())
    });
    assert!(m.contains("three letters and ten digits"), "{m}");
    assert!(item(&f.doc(), "relief", T_VISA).get("receipt_on").is_none(), "the day was not saved alone");
    let doc = f.edit(|d| item_field_changes(d, ListKind::Relief, id(T_VISA), receipt("EAC2690012345"), now())).unwrap();
    let r = item(&doc, "relief", T_VISA);
    assert_eq!((r["receipt_on"].as_str(), r["receipt_number"].as_str()), (Some("2026-11-25"), Some("EAC2690012345")));
}
