//! Checking one edit by the same rules as a whole case: a `Set` of a
//! case-level field, an item added to a list, one field of an item changed.
//! The store runs these on local edits and on operations pulled from other
//! devices, so a value refused in a form is refused on the wire too.
//!
//! Rules that relate two fields (a date of birth *or* an estimated age,
//! both coordinates or neither) apply when a whole record is read; a
//! single-field edit is checked on its own.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::adult::Adult;
use crate::case::CaseStatus;
use crate::child::Child;
use crate::custody::Custody;
use crate::encounter::Encounter;
use crate::error::FieldError;
use crate::ids::ItemId;
use crate::note::Note;
use crate::op::{Change, FieldPath, ListKind, Operation};
use crate::outcome::Outcome;
use crate::parse::{Ctx, Record, check_record_field, parse_record, string};
use crate::referral::Referral;
use crate::relief::ReliefApplication;
use crate::screening::Screening;
use crate::service::Service;

/// Check a value for a case-level field (`status`, `child.given_name`). A
/// `null` clears the field and is refused for a required field. Dates after
/// `today` (the caller's clock; a day's slack for time zones) are "in the future".
pub fn validate_field(path: &FieldPath, value: &Value, today: NaiveDate) -> Result<(), FieldError> {
    let ctx = Ctx { today, whole: false };
    let mut segments = path.segments();
    let (first, second) = (segments.next().unwrap_or_default(), segments.next());
    match (first, second) {
        ("status", None) => {
            if value.is_null() {
                return Err(FieldError::new("status", "is required"));
            }
            CaseStatus::parse(value).map(drop).map_err(|e| e.under("status"))
        }
        ("child", Some(k)) => check_record_field::<Child>(k, value, &ctx).map_err(|e| e.under("child")),
        ("encounter", Some(k)) => check_record_field::<Encounter>(k, value, &ctx).map_err(|e| e.under("encounter")),
        ("screening", Some(k)) => check_record_field::<Screening>(k, value, &ctx).map_err(|e| e.under("screening")),
        ("custody", Some(k)) => check_record_field::<Custody>(k, value, &ctx).map_err(|e| e.under("custody")),
        ("child" | "encounter" | "screening" | "custody", None) => Err(FieldError::new(
            path.as_str(),
            format!("is a section; set its fields one by one (like {first}.{})", first_field(first)),
        )),
        _ => Err(FieldError::new(path.as_str(), "is not a field of a case")),
    }
}

fn first_field(section: &str) -> &'static str {
    match section {
        "child" => Child::FIELDS[0],
        "encounter" => Encounter::FIELDS[0],
        "screening" => Screening::FIELDS[0],
        _ => Custody::FIELDS[0],
    }
}

fn item_record(list: ListKind, v: &Value, ctx: &Ctx) -> Result<(), FieldError> {
    match list {
        ListKind::Adults => parse_record::<Adult>(v, ctx).map(drop),
        ListKind::Referrals => parse_record::<Referral>(v, ctx).map(drop),
        ListKind::Notes => parse_record::<Note>(v, ctx).map(drop),
        ListKind::Services => parse_record::<Service>(v, ctx).map(drop),
        ListKind::Relief => parse_record::<ReliefApplication>(v, ctx).map(drop),
        ListKind::Outcomes => parse_record::<Outcome>(v, ctx).map(drop),
    }
}

/// Check a whole item added to `list` (its fields; an `id` key, if present,
/// must be a UUID). Errors are named under the list: `referrals.to`.
pub fn validate_item(list: ListKind, item: &Map<String, Value>, today: NaiveDate) -> Result<(), FieldError> {
    let ctx = Ctx { today, whole: true };
    let mut m = item.clone();
    if let Some(id) = m.remove("id").filter(|v| !v.is_null()) {
        let text = string(&id).map_err(|e| e.under("id").under(list.as_str()))?;
        ItemId::parse("id", text).map_err(|e| e.under(list.as_str()))?;
    }
    item_record(list, &Value::Object(m), &ctx).map_err(|e| e.under(list.as_str()))
}

/// Check a new value of one field of an item of `list`. Notes are never edited.
pub fn validate_item_field(list: ListKind, field: &str, value: &Value, today: NaiveDate) -> Result<(), FieldError> {
    let ctx = Ctx { today, whole: false };
    let r = match list {
        ListKind::Adults => check_record_field::<Adult>(field, value, &ctx),
        ListKind::Referrals => check_record_field::<Referral>(field, value, &ctx),
        ListKind::Notes => Err(FieldError::new(field, "notes cannot be edited; add a new note instead")),
        ListKind::Services => check_record_field::<Service>(field, value, &ctx),
        ListKind::Relief => check_record_field::<ReliefApplication>(field, value, &ctx),
        ListKind::Outcomes => check_record_field::<Outcome>(field, value, &ctx),
    };
    r.map_err(|e| e.under(list.as_str()))
}

/// Check what a change carries by the case rules: the fields a case is
/// created with, the value of a `Set`, an added item, an item field. Sharing
/// and removal carry nothing to check.
pub fn validate_change(change: &Change, today: NaiveDate) -> Result<(), FieldError> {
    match change {
        Change::Set { field, value, .. } => validate_field(field, value, today),
        Change::AddItem { list, value, .. } => validate_item(*list, value, today),
        Change::SetItemField { list, field, value, .. } => validate_item_field(*list, field, value, today),
        Change::CreateCase { fields, .. } => fields
            .iter()
            .try_for_each(|(field, value)| validate_field(field, value, today).map_err(|e| e.under("fields"))),
        Change::Share { .. } | Change::Unshare { .. } | Change::RemoveItem { .. } => Ok(()),
    }
}

/// Check an operation made here or received from elsewhere: its envelope
/// ([`Operation::validate`]) and what it carries, by the case rules.
/// "Not in the future" is judged against the day of the operation's own
/// clock, so that a device whose clock is behind still accepts what another
/// device wrote. Errors about the change are named under `change`.
pub fn validate_operation(op: &Operation) -> Result<(), FieldError> {
    op.validate()?;
    let written = i64::try_from(op.hlc.wall_ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or(NaiveDate::MAX, |t| t.date_naive());
    validate_change(&op.change, written).map_err(|e| e.under("change"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(p: &str) -> FieldPath {
        FieldPath::parse(p).unwrap()
    }

    /// The day these tests are set on (the dates below are before it).
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn field_edits_follow_the_record_rules() {
        assert!(validate_field(&path("child.languages"), &json!(["quc", "spa"]), today()).is_ok());
        let e = validate_field(&path("child.languages"), &json!(["kiche"]), today()).unwrap_err();
        assert_eq!(e.field, "child.languages[0]");
        let e = validate_field(&path("encounter.occurred_at"), &Value::Null, today()).unwrap_err();
        assert_eq!((e.field.as_str(), e.message.as_str()), ("encounter.occurred_at", "is required"));
        assert!(validate_field(&path("child.given_name"), &Value::Null, today()).is_ok(), "optional fields clear");
        assert_eq!(validate_field(&path("child.shoe_size"), &json!(3), today()).unwrap_err().field, "child.shoe_size");
        assert_eq!(validate_field(&path("child"), &json!({}), today()).unwrap_err().field, "child");
        assert_eq!(validate_field(&path("weather"), &json!("rain"), today()).unwrap_err().field, "weather");
        assert!(validate_field(&path("status"), &json!("referred"), today()).is_ok());
    }

    #[test]
    fn item_edits_follow_the_record_rules() {
        let item = json!({"to": "legal_services", "status": "sent", "drafted_at": "2026-11-20T10:00:00Z"});
        assert!(validate_item(ListKind::Referrals, item.as_object().unwrap(), today()).is_ok());
        let bad = json!({"to": "lawyer", "status": "sent", "drafted_at": "2026-11-20T10:00:00Z"});
        assert_eq!(
            validate_item(ListKind::Referrals, bad.as_object().unwrap(), today()).unwrap_err().field,
            "referrals.to"
        );
        let e = validate_item_field(ListKind::Referrals, "status", &json!("lost"), today()).unwrap_err();
        assert_eq!(e.field, "referrals.status");
        assert!(
            validate_item_field(ListKind::Referrals, "sent_at", &json!("2026-11-21T08:00:00-06:00"), today()).is_ok()
        );
        assert!(validate_item_field(ListKind::Notes, "text", &json!("x"), today()).is_err());
    }
}
