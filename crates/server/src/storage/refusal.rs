//! What a device's refused operations leave for sync administrators: a
//! count and the last refusal ([`Refusal`]), never a value of an operation.
//!
//! A refusal's message is kept only when it is one of the fixed rule texts of
//! [`rules`](super::rules): those name a rule, not the operation. Every
//! other message is dropped and only the status kept — in particular an
//! invalid operation's message, which is core's validation error and may
//! quote a field name or a value the device sent (`value.<key>: is not a
//! valid field name`, an unknown sensitivity class).

use chrono::{DateTime, Utc};
use waystation_protocol::admin::Refusal;
use waystation_protocol::{OpResult, OpStatus};

/// The fixed texts of the rules' refusals.
const FIXED_MESSAGES: &[&str] = &super::rules::text::ALL;

/// The message of a refusal, when it may be stored: one of the fixed rule texts.
pub fn kept_message(message: Option<&str>) -> Option<&'static str> {
    let message = message?;
    FIXED_MESSAGES.iter().find(|m| **m == message).copied()
}

/// The refusals among a push's results: how many, and the last one (in the
/// order the operations were sent), with its message only when kept.
pub fn refusals_of(results: &[OpResult], at: DateTime<Utc>) -> Option<(u64, Refusal)> {
    let refused: Vec<&OpResult> = results.iter().filter(|r| !r.status.is_acknowledged()).collect();
    let last = refused.last()?;
    let refusal =
        Refusal { status: last.status, message: kept_message(last.message.as_deref()).map(str::to_owned), at };
    Some((refused.len() as u64, refusal))
}

/// A status as stored (its wire name, `refused_forbidden`).
pub fn status_text(status: OpStatus) -> String {
    serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A stored last refusal, from its columns (all `None`: none yet).
pub(crate) fn stored(
    status: Option<String>,
    message: Option<String>,
    at: Option<DateTime<Utc>>,
) -> super::Result<Option<Refusal>> {
    let (Some(status), Some(at)) = (status, at) else { return Ok(None) };
    let status: OpStatus = serde_json::from_value(serde_json::Value::String(status))
        .map_err(|e| super::StorageError::Corrupt(format!("stored refusal status: {e}")))?;
    // Kept only if it is (still) a fixed rule text.
    let message = kept_message(message.as_deref()).map(str::to_owned);
    Ok(Some(Refusal { status, message, at }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::DeviceRecord;
    use crate::storage::rules::{CaseAccess, already_stored, check_access, check_op};
    use serde_json::json;
    use waystation_core::{CaseId, Change, DeviceId, FieldPath, Hlc, OpId, Operation, OrgId, Sensitivity};

    fn org(s: &str) -> OrgId {
        s.parse().unwrap()
    }

    fn device() -> DeviceRecord {
        DeviceRecord {
            id: DeviceId::from_u128(7),
            org: org("border-7"),
            role: waystation_core::Role::Agent,
            secret_hash: String::new(),
            revoked: false,
            complete_by: None,
            checks_authorship: true,
        }
    }

    fn op(change: Change) -> Operation {
        let device = DeviceId::from_u128(7);
        Operation {
            id: OpId::from_u128(1),
            case_id: CaseId::from_u128(2),
            hlc: Hlc { wall_ms: 1_700_000_000_000, counter: 0, device },
            device,
            user: "ana".parse().unwrap(),
            class: Sensitivity::General,
            change,
        }
    }

    fn set_name() -> Operation {
        op(Change::Set {
            field: FieldPath::parse("child.given_name").unwrap(),
            value: json!("Given-Name-Marker"),
            supersedes: vec![],
        })
    }

    #[test]
    fn the_rules_fixed_texts_are_kept() {
        let d = device();
        let mut other_device = set_name();
        other_device.device = DeviceId::from_u128(8);
        other_device.hlc.device = other_device.device;
        let foreign = CaseAccess { owner: org("casa-esperanza"), shared_with: Default::default() };
        let mut share = op(Change::Share { org: org("nowhere") });
        share.case_id = CaseId::from_u128(2);
        let own = CaseAccess { owner: org("border-7"), shared_with: Default::default() };
        let refusals = [
            check_op(&other_device, &d, Some(&d.org), true).unwrap_err(),
            check_op(&set_name(), &d, Some(&org("otra-ong")), true).unwrap_err(),
            check_op(&set_name(), &d, Some(&d.org), false).unwrap_err(),
            check_access(&set_name(), &d, None, None, true).unwrap_err(),
            check_access(&set_name(), &d, Some(&foreign), None, true).unwrap_err(),
            check_access(&op(Change::create_case(org("otra-ong"))), &d, None, None, true).unwrap_err(),
            check_access(&op(Change::create_case(org("border-7"))), &d, Some(&foreign), None, true).unwrap_err(),
            check_access(&share, &d, Some(&own), None, false).unwrap_err(),
            already_stored(&set_name(), "a", "b"),
        ];
        for r in refusals {
            assert!(!r.status.is_acknowledged());
            let text = r.message.as_deref().unwrap();
            assert_eq!(kept_message(Some(text)), Some(text), "a fixed rule text is kept: {text}");
        }
    }

    #[test]
    fn a_validation_message_is_never_kept() {
        let d = device();
        let mut bad = op(Change::AddItem {
            list: waystation_core::ListKind::Adults,
            item: waystation_core::ItemId::from_u128(3),
            value: serde_json::from_value(json!({"Secret-Key-Marker Name": "x"})).unwrap(),
        });
        bad.class = Sensitivity::General;
        let r = check_op(&bad, &d, Some(&d.org), true).unwrap_err();
        assert_eq!(r.status, OpStatus::RefusedInvalid);
        assert!(r.message.as_deref().unwrap().contains("Secret-Key-Marker"), "the message quotes what was sent");
        assert_eq!(kept_message(r.message.as_deref()), None);
        let (count, last) = refusals_of(&[r], Utc::now()).unwrap();
        assert_eq!((count, last.status, last.message), (1, OpStatus::RefusedInvalid, None));
    }

    #[test]
    fn the_last_refusal_of_a_push_is_the_one_kept() {
        let d = device();
        let accepted = OpResult { id: OpId::from_u128(9), status: OpStatus::Accepted, message: None };
        let forbidden = check_access(&set_name(), &d, None, None, true).unwrap_err();
        let different = already_stored(&set_name(), "a", "b");
        assert!(refusals_of(std::slice::from_ref(&accepted), Utc::now()).is_none());
        let (count, last) = refusals_of(&[forbidden, accepted, different], Utc::now()).unwrap();
        assert_eq!((count, last.status), (2, OpStatus::RefusedDifferentContent));
        assert!(last.message.as_deref().unwrap().starts_with("an operation with this id"));
        let status = status_text(last.status);
        assert_eq!(status, "refused_different_content");
        let back = stored(Some(status), last.message.clone(), Some(last.at)).unwrap();
        assert_eq!(back, Some(last));
        assert_eq!(stored(None, None, None).unwrap(), None);
        assert!(stored(Some("nonsense".into()), None, Some(Utc::now())).is_err());
    }
}
