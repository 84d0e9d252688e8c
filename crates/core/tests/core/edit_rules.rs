//! Core's edit rules of a saved case, on the merged document of
//! `examples/case.json`, with "now" given (the desktop's and the CLI's
//! commands call these; their own tests go through a real store).

use serde_json::{Value, json};
use waystation_core::edit::{self, FieldEdit};
use waystation_core::{Change, ItemId, ListKind, NewCase, ReferralStatus};

use crate::support::{CASE, json as parse, merged_document, now, today};

fn document() -> Value {
    merged_document(&NewCase::from_value(&parse(CASE), today()).unwrap())
}

const ACCEPTED: &str = "019aab3e-7a20-7d11-8c3e-1a2b3c4d5e01";

#[test]
fn a_time_typed_on_this_device_may_not_be_ahead_of_its_clock() {
    let ahead = (now() + chrono::Duration::hours(3)).to_rfc3339();
    let edits = vec![FieldEdit { field: "encounter.occurred_at".into(), value: json!(ahead), was: None }];
    let refused = edit::field_changes(&document(), edits, now()).unwrap_err();
    assert_eq!(refused.len(), 1);
    assert_eq!((refused[0].field.as_str(), refused[0].message.as_str()), ("encounter.occurred_at", "is in the future"));
    let within = (now() + edit::CLOCK_SLACK / 2).to_rfc3339();
    let edits = vec![FieldEdit { field: "encounter.occurred_at".into(), value: json!(within), was: None }];
    assert!(matches!(edit::field_changes(&document(), edits, now()).unwrap()[..], [Change::Set { .. }]));
}

#[test]
fn every_refused_field_comes_back_at_once_and_an_unchanged_one_gives_no_change() {
    let doc = document();
    let given = doc["child"]["given_name"].clone();
    let edits = vec![
        FieldEdit { field: "child.date_of_birth".into(), value: json!("2099-01-01"), was: None },
        FieldEdit { field: "child.favourite_colour".into(), value: json!("red"), was: None },
        FieldEdit { field: "child.given_name".into(), value: json!("Someone"), was: Some(json!("not what it holds")) },
    ];
    let refused = edit::field_changes(&doc, edits, now()).unwrap_err();
    let fields: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["child.date_of_birth", "child.favourite_colour", "child.given_name"]);
    let same = vec![FieldEdit { field: "child.given_name".into(), value: given, was: None }];
    assert!(edit::field_changes(&doc, same, now()).unwrap().is_empty());
}

#[test]
fn an_accepted_referral_stays_and_notes_are_never_removed() {
    let doc = document();
    let accepted: ItemId = ACCEPTED.parse().unwrap();
    let refused =
        edit::referral_status_changes(&doc, accepted, ReferralStatus::Sent, &now().to_rfc3339(), now()).unwrap_err();
    assert_eq!(refused[0].field, "referrals.status");
    let refused = edit::remove_item_change(&doc, ListKind::Referrals, accepted, now()).unwrap_err();
    assert!(refused[0].message.contains("only one still drafted"), "{}", refused[0].message);
    let refused = edit::remove_item_change(&doc, ListKind::Notes, ItemId::new(), now()).unwrap_err();
    assert!(refused[0].message.contains("never removed"));
}
