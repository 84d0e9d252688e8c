//! The follow-up edits of a saved case, as the desktop's commands call
//! them: core's edit rules ([`waystation_core::edit`]), whose refusals —
//! every refused field at once — become a [`CommandError`] (`invalid`, its
//! fields named) and nothing more. No rule lives here; `waystation-cli case
//! set` calls the same ones.

use serde_json::Value;
use waystation_core::edit;
use waystation_core::{CaseView, Change, ItemId, ListKind, ReferralStatus};

pub use waystation_core::edit::{FOLLOW_UP_LISTS, FieldEdit, NewReferral, Now, REMOVABLE_LISTS};

use crate::error::CommandError;

#[path = "followup_rules.rs"]
pub mod rules;

/// [`edit::referral_status_changes`].
pub fn referral_status_changes(
    document: &Value,
    referral: ItemId,
    status: ReferralStatus,
    at: &str,
    now: Now,
) -> Result<Vec<Change>, CommandError> {
    Ok(edit::referral_status_changes(document, referral, status, at, now)?)
}

/// [`edit::new_item_change`].
pub fn new_item_change(list: ListKind, value: Value, now: Now) -> Result<Change, CommandError> {
    Ok(edit::new_item_change(list, value, now)?)
}

/// [`edit::new_referral_changes`].
pub fn new_referral_changes(view: &CaseView, value: Value, now: Now) -> Result<Vec<Change>, CommandError> {
    Ok(edit::new_referral_changes(view, value, now)?)
}

/// [`edit::remove_item_change`].
pub fn remove_item_change(document: &Value, list: ListKind, item: ItemId, now: Now) -> Result<Change, CommandError> {
    Ok(edit::remove_item_change(document, list, item, now)?)
}

/// [`edit::item_field_changes`].
pub fn item_field_changes(
    document: &Value,
    list: ListKind,
    item: ItemId,
    edits: Vec<FieldEdit>,
    now: Now,
) -> Result<Vec<Change>, CommandError> {
    Ok(edit::item_field_changes(document, list, item, edits, now)?)
}

/// [`edit::relief_milestone_change`].
pub fn relief_milestone_change(
    document: &Value,
    relief: ItemId,
    milestone: &str,
    on: &str,
    now: Now,
) -> Result<Change, CommandError> {
    Ok(edit::relief_milestone_change(document, relief, milestone, on, now)?)
}

/// [`edit::field_changes`].
pub fn field_changes(document: &Value, edits: Vec<FieldEdit>, now: Now) -> Result<Vec<Change>, CommandError> {
    Ok(edit::field_changes(document, edits, now)?)
}

#[cfg(test)]
#[path = "followup_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "followup_list_tests.rs"]
mod list_tests;
