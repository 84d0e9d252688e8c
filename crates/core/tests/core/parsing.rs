//! Bad input is refused, and every refusal names its field.

use serde_json::{Value, json};
use waystation_core::NewCase;

use crate::support::{self, json};

/// Apply `edit` to the main example and return the error's field and message.
fn refused(edit: impl FnOnce(&mut Value)) -> (String, String) {
    let mut v = json(support::CASE);
    edit(&mut v);
    let e = NewCase::from_value(&v, support::today()).expect_err("must be refused");
    (e.field, e.message)
}

/// The value at `path` (numeric segments index arrays).
fn at<'a>(mut v: &'a mut Value, path: &[String]) -> &'a mut Value {
    for key in path {
        v = match key.parse::<usize>() {
            Ok(n) => &mut v[n],
            Err(_) => &mut v[key.as_str()],
        };
    }
    v
}

fn owned(path: &[&str]) -> Vec<String> {
    path.iter().map(|s| (*s).to_owned()).collect()
}

fn set(path: &[&str], value: Value) -> impl FnOnce(&mut Value) {
    let path = owned(path);
    move |v: &mut Value| {
        let (last, parents) = path.split_last().unwrap();
        let parent = at(v, parents);
        match last.parse::<usize>() {
            Ok(n) => parent[n] = value,
            Err(_) => {
                parent.as_object_mut().unwrap().insert(last.clone(), value);
            }
        }
    }
}

fn remove(path: &[&str]) -> impl FnOnce(&mut Value) {
    let path = owned(path);
    move |v: &mut Value| {
        let (last, parents) = path.split_last().unwrap();
        at(v, parents).as_object_mut().unwrap().remove(last);
    }
}

#[track_caller]
fn expect(edit: impl FnOnce(&mut Value), field: &str, words: &str) {
    let (f, m) = refused(edit);
    assert_eq!(f, field, "message was {m:?}");
    assert!(m.contains(words), "{field}: {m:?} should say {words:?}");
}

#[test]
fn child_errors_name_their_field() {
    expect(set(&["child", "date_of_birth"], json!("2031-01-01")), "child.date_of_birth", "in the future");
    expect(set(&["child", "date_of_birth"], json!("2011-02-30")), "child.date_of_birth", "not a date on the calendar");
    expect(set(&["child", "date_of_birth"], json!("14/06/2011")), "child.date_of_birth", "YYYY-MM-DD");
    expect(set(&["child", "date_of_birth"], json!("2026-11-23")), "child.date_of_birth", "after the encounter");
    expect(set(&["child", "estimated_age_years"], json!(15)), "child.estimated_age_years", "not both");
    expect(set(&["child", "nationalities"], json!(["GT", "XX"])), "child.nationalities[1]", "ISO 3166-1");
    expect(set(&["child", "languages"], json!(["kiche"])), "child.languages[0]", "ISO 639-3");
    expect(set(&["child", "given_name"], json!(42)), "child.given_name", "must be text, not a number");
    expect(set(&["child", "given_name"], json!("   ")), "child.given_name", "empty");
    expect(set(&["child", "shoe_size"], json!(3)), "child.shoe_size", "is not a field of the child");
    expect(set(&["child", "sex"], json!("f")), "child.sex", "female");
    expect(set(&["child", "age_method"], json!("guess")), "child.age_method", "self_report");
    expect(
        set(&["child", "identity_documents", "0", "kind"], json!("visa")),
        "child.identity_documents[0].kind",
        "passport",
    );
    expect(set(&["child", "interpreter_used"], json!("yes")), "child.interpreter_used", "true or false");
}

#[test]
fn encounter_errors_name_their_field() {
    expect(remove(&["encounter"]), "encounter", "is required");
    expect(remove(&["encounter", "accompaniment"]), "encounter.accompaniment", "is required");
    expect(set(&["encounter", "occurred_at"], json!("yesterday")), "encounter.occurred_at", "UTC offset");
    expect(set(&["encounter", "occurred_at"], json!("2026-11-22T04:35:00")), "encounter.occurred_at", "UTC offset");
    expect(set(&["encounter", "latitude"], json!(123.0)), "encounter.latitude", "-90 to 90");
    expect(remove(&["encounter", "longitude"]), "encounter.longitude", "both");
    expect(set(&["encounter", "type"], json!("boat")), "encounter.type", "between_ports");
    expect(set(&["encounter", "station"], json!("Ajo station")), "encounter.station", "station code");
    expect(set(&["encounter", "time_zone"], json!("MST")), "encounter.time_zone", "time-zone name");
    expect(set(&["encounter", "recorded_by"], json!("Agent Morales")), "encounter.recorded_by", "lowercase");
}

#[test]
fn list_item_errors_name_the_item_and_field() {
    expect(set(&["referrals", "1", "to"], json!("lawyer")), "referrals[1].to", "child_placement");
    expect(
        set(&["referrals", "0", "sent_at"], json!("2026-11-22T10:00:00-07:00")),
        "referrals[0].sent_at",
        "before drafted_at",
    );
    expect(
        set(&["referrals", "0", "declined_at"], json!("2026-11-23T10:00:00-07:00")),
        "referrals[0].declined_at",
        "both",
    );
    expect(set(&["referrals", "2", "org"], json!("Casa Esperanza")), "referrals[2].org", "lowercase");
    expect(
        set(&["referrals", "1", "id"], json!("019aab3e-7a20-7d11-8c3e-1a2b3c4d5e01")),
        "referrals[1].id",
        "earlier item",
    );
    expect(set(&["referrals", "1", "id"], json!("r-2")), "referrals[1].id", "UUID");
    expect(set(&["notes", "2", "sensitivity"], json!("secret")), "notes[2].sensitivity", "legal_privileged");
    expect(remove(&["notes", "0", "author"]), "notes[0].author", "is required");
    expect(set(&["adults", "0", "verification_method"], Value::Null), "adults[0].verification_method", "verified");
    expect(set(&["relief", "0", "court_findings_on"], json!("2026-11-24")), "relief[0].court_findings_on", "SIJS only");
    expect(set(&["relief", "0", "receipt_number"], json!("12345")), "relief[0].receipt_number", "three letters");
    expect(set(&["services", "0", "provided_on"], json!("2027-01-01")), "services[0].provided_on", "in the future");
    expect(set(&["outcomes", "0", "kind"], json!("adoption")), "outcomes[0].kind", "reunification");
    expect(set(&["notes"], json!({"text": "x"})), "notes", "must be a list");
    expect(set(&["notes", "1"], json!("a note")), "notes[1]", "must be an object");
}

#[test]
fn screening_errors_name_their_field() {
    expect(
        set(&["screening", "answers", "owes_debt"], json!("maybe")),
        "screening.answers.owes_debt",
        "yes, no, unknown, declined",
    );
    expect(
        set(&["screening", "answers", "likes_football"], json!("yes")),
        "screening.answers.likes_football",
        "not a question",
    );
    expect(set(&["screening", "version"], json!(9)), "screening.version", "no version 9");
    expect(set(&["screening", "version"], json!(1.5)), "screening.version", "whole number");
    expect(set(&["screening", "language"], json!("k'iche'")), "screening.language", "ISO 639-3");
    expect(
        set(&["screening", "completed_at"], json!("2026-11-22T09:00:00-07:00")),
        "screening.completed_at",
        "before started_at",
    );
    expect(
        set(&["screening", "criteria"], json!({"no_credible_fear": {"answer": "yes", "why": "x"}})),
        "screening.criteria.no_credible_fear.why",
        "not a field",
    );
    expect(
        set(&["screening", "criteria"], json!({"is_happy": {"answer": "yes"}})),
        "screening.criteria.is_happy",
        "criterion",
    );
}

#[test]
fn document_level_errors_name_their_field() {
    expect(set(&["weather"], json!("rain")), "weather", "is not a field of a case");
    expect(set(&["id"], json!("case-1")), "id", "UUID");
    expect(set(&["status"], json!("pending")), "status", "open, referred, transferred, closed");
    let e = NewCase::parse("[]", support::today()).unwrap_err();
    assert!(e.message.contains("must be an object"), "{e}");
    let e = NewCase::parse("{\"id\": ", support::today()).unwrap_err();
    assert!(e.message.contains("not valid JSON"), "{e}");
}

#[test]
fn an_error_never_repeats_the_value_of_a_free_text_field() {
    // Names and narratives are case plaintext: errors about them say what is wrong, not what was written.
    let (_, m) = refused(set(&["child", "given_name"], json!("Rosa\nElena")));
    assert!(!m.contains("Rosa"), "{m}");
    let (_, m) = refused(set(&["encounter", "narrative"], json!("x".repeat(20_001))));
    assert!(!m.contains("xxx"), "{m}");
}
