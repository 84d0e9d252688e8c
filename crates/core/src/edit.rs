//! The edit rules of a saved case, as changes: a referral added (with the
//! case shared with its receiving organization) or moved to its next
//! status, a service, relief application or outcome added, a relief
//! milestone dated, an item entered by mistake removed, case-level fields
//! corrected (the encounter's time and custody's among them; a time typed
//! on this device is not after its clock). Each builder reads the
//! case's merged document, checks the edit by core's rules (one field, then
//! the whole item or case it lands in) and returns the changes to write, or
//! every refused field at once; nothing here writes, and nothing here reads
//! the clock: "now" is an argument. The store fills each
//! change's `supersedes` from the device's frontier when it saves them.
//!
//! Which referral status may follow which is [`ReferralStatus::next`], as
//! is the field that dates each. The desktop's commands and
//! `waystation-cli case set` both call these, so both refuse the same edits;
//! a refusal is every refused field at once (`Vec<FieldError>`).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::relief::MILESTONES;
use crate::{
    CaseView, Catalog, Change, FieldError, FieldPath, ItemId, ListKind, NewCase, OrgId, ReferralStatus, ReferralTo,
    Role, Text, Timestamp, referral_needs_share, validate_field, validate_item, validate_item_field,
};

/// Why an edit was refused: every refused field, named under its list
/// (`services.provided_on`) or by its path (`child.given_name`).
pub type Refused = Vec<FieldError>;

fn refused(field: impl Into<String>, message: impl Into<String>) -> Refused {
    vec![FieldError::new(field, message)]
}

/// "Now" as the rules here see it: the command passes the device's clock,
/// tests the moment they are set at. Nothing here reads the clock itself.
pub type Now = chrono::DateTime<chrono::Utc>;

/// The item `item` of `list` in a merged document, without its `id` and cleared fields.
fn find_item(document: &Value, list: ListKind, item: ItemId) -> Option<Map<String, Value>> {
    let id = item.to_string();
    document.get(list.as_str())?.as_array()?.iter().find_map(|v| {
        let o = v.as_object()?;
        (o.get("id").and_then(Value::as_str) == Some(id.as_str())).then(|| {
            // A field cleared by an edit merges as null: it is not a value.
            let mut o: Map<String, Value> =
                o.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
            o.remove("id");
            o
        })
    })
}

fn not_found(list: ListKind, field: &str) -> Refused {
    refused(field, format!("is not one of this case's {} (it may have been removed)", list.as_str()))
}

/// Check the item whole after the edit (two fields that contradict, a step
/// before the referral was written), naming the field under the list.
fn check_whole(list: ListKind, item: &Map<String, Value>, now: Now) -> Result<(), Refused> {
    validate_item(list, item, now.date_naive()).map_err(|e| vec![e])
}

/// Move referral `referral` to `status`, dated `at` (RFC 3339 with its
/// offset): two `SetItemField` changes, the status and its time.
pub fn referral_status_changes(
    document: &Value,
    referral: ItemId,
    status: ReferralStatus,
    at: &str,
    now: Now,
) -> Result<Vec<Change>, Refused> {
    let list = ListKind::Referrals;
    let mut current = find_item(document, list, referral).ok_or_else(|| not_found(list, "referral"))?;
    let from = current.get("status").and_then(|s| ReferralStatus::parse(s).ok());
    let allowed = from.map(ReferralStatus::next).unwrap_or_default();
    if !allowed.contains(&status) {
        let now = from.map_or("unknown", ReferralStatus::as_str);
        let next: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        let message = if next.is_empty() {
            format!("a {now} referral cannot move to another status")
        } else {
            format!("a {now} referral can move only to {}", next.join(" or "))
        };
        return Err(refused("referrals.status", message));
    }
    let time_field = status.time_field();
    let at = Value::String(at.trim().to_owned());
    validate_item_field(list, time_field, &at, now.date_naive())?;
    // Steps go forward in time: not before the step this one follows.
    let new_time = Timestamp::parse_any(&at)?;
    let previous = ["drafted_at", "sent_at", "acknowledged_at", "accepted_at"]
        .iter()
        .filter_map(|k| Some((*k, Timestamp::parse_any(current.get(*k)?).ok()?)))
        .max_by_key(|(_, t)| *t);
    if let Some((k, t)) = previous
        && new_time < t
    {
        let step = k.trim_end_matches("_at");
        return Err(refused(
            format!("referrals.{time_field}"),
            format!("is before the referral was {step}; a referral moves forward in time"),
        ));
    }
    let status_value = Value::String(status.as_str().to_owned());
    current.insert("status".into(), status_value.clone());
    current.insert(time_field.into(), at.clone());
    check_whole(list, &current, now)?;
    Ok(vec![
        Change::SetItemField { list, item: referral, field: "status".into(), value: status_value, supersedes: vec![] },
        Change::SetItemField { list, item: referral, field: time_field.into(), value: at, supersedes: vec![] },
    ])
}

/// The lists an item may be added to from the case screen, besides notes.
pub const FOLLOW_UP_LISTS: [ListKind; 3] = [ListKind::Services, ListKind::Relief, ListKind::Outcomes];

/// Add `value` (an object of the item's fields, no `id`) to `list` as a new item.
pub fn new_item_change(list: ListKind, value: Value, now: Now) -> Result<Change, Refused> {
    if !FOLLOW_UP_LISTS.contains(&list) {
        return Err(refused("list", "items of this list are not added from the case screen"));
    }
    let item = form_item(list, value)?;
    check_whole(list, &item, now)?;
    Ok(Change::AddItem { list, item: ItemId::new(), value: item })
}

/// A new item's fields as a form sends them: an object without an `id`,
/// text trimmed, and an optional field left empty dropped (it is not a value).
fn form_item(list: ListKind, value: Value) -> Result<Map<String, Value>, Refused> {
    let Value::Object(mut item) = value else {
        return Err(refused(list.as_str(), format!("must be an object of {}'s fields", list.as_str())));
    };
    if item.contains_key("id") {
        return Err(refused(format!("{}.id", list.as_str()), "is made by the app; leave it out"));
    }
    item.retain(|_, v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()));
    for v in item.values_mut() {
        if let Value::String(s) = v {
            *s = s.trim().to_owned();
        }
    }
    Ok(item)
}

/// A new referral as the case screen's form sends it (for the generated
/// bindings only): it starts `drafted`; its later steps come by moving it on.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[allow(dead_code)]
pub struct NewReferral {
    /// Where it goes.
    to: ReferralTo,
    /// The receiving organization's short id, when it uses Waystation.
    org: Option<OrgId>,
    /// When it was written (RFC 3339 with the offset).
    drafted_at: Timestamp,
    /// Why, in words.
    reason: Option<Text>,
    /// The receiver's reference number.
    reference: Option<Text>,
}

/// Add a referral written after the intake: an `AddItem` of it as
/// `drafted`, and, when it names an organization that is not the case's
/// owner, a `Share` with it in the same save (as an intake's referral does),
/// so the receiver can see the case. The share is written even when the
/// case is shared with that organization already: it is this referral's own
/// reason to share, which an unshare made elsewhere without seeing it does not end.
pub fn new_referral_changes(view: &CaseView, value: Value, now: Now) -> Result<Vec<Change>, Refused> {
    let list = ListKind::Referrals;
    let mut item = form_item(list, value)?;
    let later: Vec<FieldError> = ReferralStatus::ALL
        .iter()
        .map(|s| s.time_field())
        .chain(["status"])
        .filter(|k| *k != "drafted_at" && item.contains_key(*k))
        .map(|k| {
            FieldError::new(format!("referrals.{k}"), "a new referral starts as drafted; move it on once it is saved")
        })
        .collect();
    if !later.is_empty() {
        return Err(later);
    }
    item.insert("status".into(), Value::String(ReferralStatus::Drafted.as_str().to_owned()));
    check_whole(list, &item, now)?;
    not_ahead_of_now("referrals.drafted_at", item.get("drafted_at"), now)?;
    let org = item.get("org").and_then(Value::as_str).map(|o| OrgId::parse("referrals.org", o)).transpose()?;
    let mut changes = vec![Change::AddItem { list, item: ItemId::new(), value: item }];
    if let Some(org) = org
        && referral_needs_share(view.owner.as_ref(), &std::collections::BTreeSet::new(), &org)
    {
        changes.push(Change::Share { org });
    }
    Ok(changes)
}

/// The end of the sharing a referral gave, when it goes (removed, or
/// recorded as declined): an `Unshare` of its organization when this device
/// belongs to the case's owner (`device_org`), the case is shared with that
/// organization, and no other referral to it still gives a reason (one not
/// declined; a completed one keeps the case with the organization that
/// served the child). The store names the shares it ends when it saves it.
pub fn sharing_ends_with(view: &CaseView, device_org: &OrgId, referral: ItemId) -> Option<Change> {
    if view.owner.as_ref() != Some(device_org) {
        return None;
    }
    let referrals = view.document.get(ListKind::Referrals.as_str())?.as_array()?;
    let id = referral.to_string();
    let org_of = |r: &Value| r.get("org").and_then(Value::as_str).map(str::to_owned);
    let gone = referrals.iter().find(|r| r.get("id").and_then(Value::as_str) == Some(id.as_str()))?;
    let org = OrgId::parse("referrals.org", &org_of(gone)?).ok()?;
    if !view.shared_with.contains(&org) {
        return None;
    }
    let declined = Value::String(ReferralStatus::Declined.as_str().to_owned());
    let other_reason = referrals.iter().any(|r| {
        r.get("id").and_then(Value::as_str) != Some(id.as_str())
            && org_of(r).as_deref() == Some(org.as_str())
            && r.get("status") != Some(&declined)
    });
    (!other_reason).then_some(Change::Unshare { org, seen: Vec::new() })
}

/// An explicit "stop sharing" of the case with `org`, by a supervisor of the
/// owning organization (`device_org`, `role`): every referral to it stays as
/// the record of what was sent, and the organization's devices remove the
/// case at their next sync.
pub fn stop_sharing_change(view: &CaseView, device_org: &OrgId, role: Role, org: &str) -> Result<Change, Refused> {
    if role != Role::Supervisor || view.owner.as_ref() != Some(device_org) {
        return Err(refused("org", "only a supervisor of the organization that owns the case may stop sharing it"));
    }
    let org = OrgId::parse("org", org.trim()).map_err(|e| vec![e])?;
    if !view.shared_with.contains(&org) {
        return Err(refused("org", format!("the case is not shared with {org}")));
    }
    Ok(Change::Unshare { org, seen: Vec::new() })
}

/// How far ahead of this device's clock a time typed on it may be: a form
/// opened on "now" and saved a few minutes later is still now.
pub const CLOCK_SLACK: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// A time typed on this device is not after now. Core allows a day's slack
/// for devices' clocks that differ; a time typed here is read against this clock.
fn not_ahead_of_now(field: &str, value: Option<&Value>, now: Now) -> Result<(), Refused> {
    let Some(t) = value.and_then(|v| Timestamp::parse_any(v).ok()) else { return Ok(()) };
    if t.get().to_utc() > now + CLOCK_SLACK {
        return Err(refused(field, "is in the future"));
    }
    Ok(())
}

/// The lists whose items may be removed when entered by mistake.
pub const REMOVABLE_LISTS: [ListKind; 4] =
    [ListKind::Adults, ListKind::Referrals, ListKind::Services, ListKind::Outcomes];

/// Remove item `item` of `list`, entered by mistake: a service, an outcome,
/// an adult, or a referral still drafted. Notes are never removed, relief
/// applications are dated or corrected, and a referral that was sent stays
/// as the record of it. A removal that would leave the case breaking a rule
/// it kept is refused too.
pub fn remove_item_change(document: &Value, list: ListKind, item: ItemId, now: Now) -> Result<Change, Refused> {
    match list {
        ListKind::Notes => {
            return Err(refused(
                "list",
                "notes are never removed; to correct one, add a note that says what was wrong",
            ));
        }
        ListKind::Relief => {
            return Err(refused(
                "list",
                "a relief application is not removed; correct its fields or date its denial instead",
            ));
        }
        _ if !REMOVABLE_LISTS.contains(&list) => {
            return Err(refused("list", "items of this list are not removed from the case screen"));
        }
        _ => {}
    }
    let current = find_item(document, list, item).ok_or_else(|| not_found(list, "item"))?;
    if list == ListKind::Referrals {
        let status = current.get("status").and_then(|s| ReferralStatus::parse(s).ok());
        if !status.is_some_and(|s| ReferralStatus::REMOVABLE.contains(&s)) {
            let now = status.map_or("unknown", ReferralStatus::as_str);
            return Err(refused(
                "referrals.status",
                format!(
                    "a {now} referral cannot be removed; only one still drafted can. It stays as the record of \
                     what was sent"
                ),
            ));
        }
    }
    if whole(document, now).is_ok() {
        let mut edited = document.clone();
        let id = item.to_string();
        if let Some(items) = edited.get_mut(list.as_str()).and_then(Value::as_array_mut) {
            items.retain(|i| i.get("id").and_then(Value::as_str) != Some(id.as_str()));
        }
        whole(&edited, now).map_err(|e| vec![e])?;
    }
    // The store names what the removal saw (`seen`) when it saves it.
    Ok(Change::RemoveItem { list, item, seen: None })
}

/// Correct fields of item `item` of a follow-up list (a service logged on the
/// wrong day): `SetItemField` changes for the fields whose value differs,
/// each checked on its own and then the item whole. Every refused field comes
/// back at once, named under the list (`services.provided_on`).
pub fn item_field_changes(
    document: &Value,
    list: ListKind,
    item: ItemId,
    edits: Vec<FieldEdit>,
    now: Now,
) -> Result<Vec<Change>, Refused> {
    if !FOLLOW_UP_LISTS.contains(&list) {
        return Err(refused("list", "items of this list are not edited from the case screen"));
    }
    let mut current = find_item(document, list, item).ok_or_else(|| not_found(list, "item"))?;
    let original = current.clone();
    let mut problems = Vec::new();
    let mut changes = Vec::new();
    for edit in edits {
        let name = format!("{}.{}", list.as_str(), edit.field);
        let held = original.get(&edit.field).unwrap_or(&Value::Null);
        if let Some(was) = &edit.was
            && was != held
        {
            problems.push(FieldError::new(name, CHANGED_MEANWHILE));
            continue;
        }
        let value = normalized(edit.value);
        if &value == held {
            continue;
        }
        if let Err(e) = validate_item_field(list, &edit.field, &value, now.date_naive()) {
            problems.push(e);
            continue;
        }
        if value.is_null() {
            current.remove(&edit.field);
        } else {
            current.insert(edit.field.clone(), value.clone());
        }
        changes.push(Change::SetItemField { list, item, field: edit.field, value, supersedes: vec![] });
    }
    if problems.is_empty()
        && !changes.is_empty()
        && let Err(e) = validate_item(list, &current, now.date_naive())
    {
        problems.push(e);
    }
    if problems.is_empty() { Ok(changes) } else { Err(problems) }
}

/// Why an edit of a value a sync changed meanwhile is refused.
const CHANGED_MEANWHILE: &str = "was changed on another device while you edited it; check the new value and edit again";

/// A form's value: text trimmed, and empty text clears the field.
fn normalized(value: Value) -> Value {
    match value {
        Value::String(s) if s.trim().is_empty() => Value::Null,
        Value::String(s) => Value::String(s.trim().to_owned()),
        v => v,
    }
}

/// Date milestone `milestone` (`filed_on`, one of core's relief milestones)
/// of relief application `relief` on day `on` (`YYYY-MM-DD`).
pub fn relief_milestone_change(
    document: &Value,
    relief: ItemId,
    milestone: &str,
    on: &str,
    now: Now,
) -> Result<Change, Refused> {
    let list = ListKind::Relief;
    if !MILESTONES.contains(&milestone) {
        return Err(refused(
            "relief.milestone",
            format!("is not a relief milestone; the milestones are: {}", MILESTONES.join(", ")),
        ));
    }
    let mut current = find_item(document, list, relief).ok_or_else(|| not_found(list, "relief"))?;
    let on = Value::String(on.trim().to_owned());
    validate_item_field(list, milestone, &on, now.date_naive())?;
    current.insert(milestone.into(), on.clone());
    check_whole(list, &current, now)?;
    Ok(Change::SetItemField { list, item: relief, field: milestone.into(), value: on, supersedes: vec![] })
}

/// One case-level field as a form saves it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct FieldEdit {
    /// The field's path (`child.given_name`, `status`).
    pub field: String,
    /// The new value (`null` clears an optional field).
    pub value: Value,
    /// The value the form was opened with: when the field holds another one
    /// now (a sync brought it), the edit is refused rather than overwrite it unseen.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub was: Option<Value>,
}

fn field_value<'a>(document: &'a Value, path: &FieldPath) -> &'a Value {
    path.segments().try_fold(document, |v, k| v.get(k)).unwrap_or(&Value::Null)
}

fn set_value(document: &mut Value, path: &FieldPath, value: Value) {
    let mut at = document;
    let segments: Vec<&str> = path.segments().collect();
    for (i, k) in segments.iter().enumerate() {
        let Value::Object(map) = at else { return };
        if i + 1 == segments.len() {
            if value.is_null() {
                map.remove(*k);
            } else {
                map.insert((*k).to_owned(), value);
            }
            return;
        }
        at = map.entry((*k).to_owned()).or_insert_with(|| Value::Object(Map::new()));
    }
}

/// `Set` changes for the fields whose value differs from the case's: every
/// field checked on its own, then the case whole (a date of birth and an
/// estimated age together) when it was whole before. All refused fields come
/// back at once; an edit that changes nothing gives no change.
pub fn field_changes(document: &Value, edits: Vec<FieldEdit>, now: Now) -> Result<Vec<Change>, Refused> {
    let mut problems = Vec::new();
    let mut changes = Vec::new();
    let mut edited = document.clone();
    for edit in edits {
        let path = match FieldPath::parse(&edit.field) {
            Ok(p) => p,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let current = field_value(document, &path);
        if let Some(was) = &edit.was
            && was != current
        {
            problems.push(FieldError::new(path.to_string(), CHANGED_MEANWHILE));
            continue;
        }
        let value = normalized(edit.value);
        if &value == current {
            continue;
        }
        if let Err(e) = validate_field(&path, &value, now.date_naive()) {
            problems.push(e);
            continue;
        }
        if path.as_str().ends_with("_at")
            && let Err(e) = not_ahead_of_now(path.as_str(), Some(&value), now)
        {
            problems.extend(e);
            continue;
        }
        set_value(&mut edited, &path, value.clone());
        changes.push(Change::Set { field: path, value, supersedes: vec![] });
    }
    if problems.is_empty()
        && !changes.is_empty()
        && whole(document, now).is_ok()
        && let Err(e) = whole(&edited, now)
    {
        problems.push(e);
    }
    if problems.is_empty() { Ok(changes) } else { Err(problems) }
}

/// The case read whole, by the rules a new case follows.
fn whole(document: &Value, now: Now) -> Result<NewCase, FieldError> {
    NewCase::parse_with(document, now.date_naive(), Catalog::builtin())
}
