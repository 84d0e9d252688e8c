//! Round trips of every message through JSON, and the version checks.

use super::*;
use proptest::prelude::*;
use serde_json::{Map, Value};
use waystation_core::{CaseId, Change, DeviceId, FieldPath, Hlc, ItemId, ListKind, OpId, Operation, OrgId, UserName};

fn org() -> impl Strategy<Value = OrgId> {
    "[a-z][a-z0-9-]{0,20}".prop_map(|s| OrgId::parse("org", &s).unwrap())
}

fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,30}".prop_map(Value::String),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (
            org(),
            proptest::collection::btree_map(prop_oneof![Just("status"), Just("child.given_name")], json_value(), 0..3)
        )
            .prop_map(|(owner, fields)| Change::CreateCase {
                owner,
                fields: fields.into_iter().map(|(f, v)| (FieldPath::parse(f).unwrap(), v)).collect()
            }),
        org().prop_map(|org| Change::Share { org }),
        (
            prop_oneof![Just("status"), Just("child.given_name"), Just("encounter.narrative")],
            json_value(),
            any::<u128>()
        )
            .prop_map(|(f, value, s)| Change::Set {
                field: FieldPath::parse(f).unwrap(),
                value,
                supersedes: vec![OpId::from_u128(s)]
            }),
        (any::<u128>(), ".{0,30}").prop_map(|(i, text)| {
            let mut value = Map::new();
            value.insert("text".into(), Value::String(text));
            Change::AddItem { list: ListKind::Services, item: ItemId::from_u128(i), value }
        }),
        any::<u128>().prop_map(|i| Change::RemoveItem {
            list: ListKind::Adults,
            item: ItemId::from_u128(i),
            seen: None
        }),
    ]
}

fn operation() -> impl Strategy<Value = Operation> {
    (any::<u128>(), any::<u128>(), any::<u128>(), any::<u64>(), any::<u32>(), "[a-z][a-z0-9._-]{0,15}", change())
        .prop_map(|(id, case, device, wall_ms, counter, user, change)| {
            let device = DeviceId::from_u128(device);
            Operation {
                id: OpId::from_u128(id),
                case_id: CaseId::from_u128(case),
                hlc: Hlc { wall_ms, counter, device },
                device,
                user: UserName::parse("user", &user).unwrap(),
                class: Default::default(),
                change,
            }
        })
}

fn status() -> impl Strategy<Value = OpStatus> {
    prop_oneof![
        Just(OpStatus::Accepted),
        Just(OpStatus::Duplicate),
        Just(OpStatus::RefusedDifferentContent),
        Just(OpStatus::RefusedInvalid),
        Just(OpStatus::RefusedForbidden),
    ]
}

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
    let text = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, v, "{text}");
}

proptest! {
    #[test]
    fn push_requests_round_trip(ops in proptest::collection::vec(operation(), 0..8)) {
        round_trip(&PushRequest { ops });
    }

    #[test]
    fn pull_responses_round_trip(ops in proptest::collection::vec(operation(), 0..8), pos in 0..=i64::MAX as u64, more in any::<bool>()) {
        let r = PullResponse { ops, next_cursor: PullCursor::at(pos), more, server_epoch: ServerEpoch("e".into()) };
        round_trip(&r);
        prop_assert_eq!(r.next_cursor.position().unwrap(), pos);
    }

    #[test]
    fn push_responses_round_trip(results in proptest::collection::vec((any::<u128>(), status(), proptest::option::of(".{0,20}")), 0..8)) {
        let results = results.into_iter().map(|(id, status, message)| OpResult { id: OpId::from_u128(id), status, message }).collect();
        round_trip(&PushResponse { results, server_epoch: ServerEpoch("epoch".into()) });
    }

    #[test]
    fn credentials_round_trip(device in any::<u128>(), secret in "[A-Za-z0-9_-]{1,64}") {
        let c = DeviceCredential { device_id: DeviceId::from_u128(device), secret: DeviceSecret::new(secret) };
        let parsed: DeviceCredential = c.bearer_token().parse().unwrap();
        prop_assert_eq!(parsed, c);
    }

    #[test]
    fn enroll_messages_round_trip(code in "[A-Z0-9-]{1,30}", name in ".{0,40}", o in org(), device in any::<u128>()) {
        round_trip(&EnrollRequest { code: EnrollmentCode::new(code.clone()), device_name: name, app_version: "0.1.0".into(), request_id: Some("r1".into()) });
        round_trip(&EnrollResponse {
            device_id: DeviceId::from_u128(device),
            device_secret: DeviceSecret::new(code),
            org: o,
            role: waystation_core::Role::NgoStaff,
            server_epoch: ServerEpoch("x".into()),
        });
    }
}

#[test]
fn statuses_and_codes_have_their_wire_names() {
    assert_eq!(serde_json::to_string(&OpStatus::RefusedDifferentContent).unwrap(), "\"refused_different_content\"");
    for code in
        [ErrorCode::DeviceRevoked, ErrorCode::PayloadTooLarge, ErrorCode::ProtocolTooOld, ErrorCode::RateLimited]
    {
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{}\"", code.as_str()));
    }
}

#[test]
fn versions_out_of_range_are_refused_with_their_code() {
    assert!(check_version(PROTOCOL_VERSION).is_ok());
    assert_eq!(check_version(0).unwrap_err().code(), ErrorCode::ProtocolTooOld);
    assert_eq!(check_version(PROTOCOL_VERSION + 1).unwrap_err().code(), ErrorCode::ProtocolTooNew);
    assert_eq!(check_version_header(None).unwrap_err(), ProtocolError::Missing);
    assert_eq!(check_version_header(Some("one")).unwrap_err(), ProtocolError::Malformed);
    assert_eq!(check_version_header(Some(" 1 ")).unwrap(), 1);
}

#[test]
fn secrets_are_never_debug_printed() {
    let c = DeviceCredential { device_id: DeviceId::from_u128(7), secret: DeviceSecret::new("hunter2-secret") };
    assert!(!format!("{c:?}").contains("hunter2"));
    let r = SignInRequest { user: UserName::parse("u", "ana").unwrap(), password: Password::new("pw-marker") };
    assert!(!format!("{r:?}").contains("pw-marker"));
}

#[test]
fn malformed_credentials_and_cursors_are_refused() {
    assert!("no-dot".parse::<DeviceCredential>().is_err());
    assert!("not-a-uuid.secret".parse::<DeviceCredential>().is_err());
    assert!(format!("{}.", DeviceId::from_u128(1)).parse::<DeviceCredential>().is_err());
    assert_eq!(PullCursor::from_stored("abc").position().unwrap_err(), ProtocolError::BadCursor);
    assert_eq!(PullCursor::start().position().unwrap(), 0);
}

#[test]
fn device_info_reads_the_older_shape_and_round_trips_the_sync_state() {
    // The list as the service answered before it kept pull positions and refusals.
    let old = serde_json::json!({
        "id": DeviceId::from_u128(5), "name": "laptop", "org": "border-7", "role": "agent",
        "enrolled_at": "2026-11-01T08:00:00Z", "last_contact": null, "app_version": "0.1.0",
        "protocol_version": 1, "last_pushed_op": null, "revoked": false
    });
    let info: admin::DeviceInfo = serde_json::from_value(old).unwrap();
    assert_eq!((info.behind, info.refused_ops, &info.pulled_through, &info.last_refusal), (0, 0, &None, &None));
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T02:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let full = admin::DeviceInfo {
        pulled_through: Some(PullCursor::at(120)),
        last_pull_at: Some(at),
        behind: 7,
        refused_ops: 3,
        last_refusal: Some(admin::Refusal { status: OpStatus::RefusedForbidden, message: None, at }),
        ..info
    };
    round_trip(&full);
    let text = serde_json::to_value(&full).unwrap();
    assert_eq!(text["pulled_through"], "120");
    assert_eq!(text["last_refusal"]["status"], "refused_forbidden");
    // Enrolled, never signed in: "never completed" until the code's life ends, then expired.
    assert_eq!(full.standing(at), admin::DeviceStanding::Active);
    let pending = admin::DeviceInfo { complete_by: Some(at), ..full.clone() };
    round_trip(&pending);
    assert_eq!(pending.standing(at - chrono::Duration::seconds(1)), admin::DeviceStanding::NeverCompleted);
    assert_eq!(pending.standing(at), admin::DeviceStanding::Expired);
    assert_eq!(admin::DeviceInfo { revoked: true, ..pending }.standing(at), admin::DeviceStanding::Revoked);
}
