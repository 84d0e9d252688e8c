//! Upgrading a database written before migration 4 (every feed entry a
//! `feed` row): its feed still reads whole, and new operations (their own
//! rows as feed entries) come after it.

use chrono::Utc;
use rusqlite::{Connection, params};
use serde_json::json;
use sha2::Digest;
use waystation_core::{CaseId, Change, DeviceId, FieldPath, Hlc, OpId, Operation, OrgId, Role, Sensitivity};

use super::{MIGRATIONS, Sqlite};
use crate::storage::{DeviceRecord, Pusher, Storage};

fn op(id: u128, device: DeviceId, change: Change) -> Operation {
    Operation {
        id: OpId::from_u128(id),
        case_id: CaseId::from_u128(77),
        hlc: Hlc { wall_ms: 1_700_000_000_000 + id as u64, counter: 0, device },
        device,
        user: "ana".parse().unwrap(),
        class: Sensitivity::General,
        change,
    }
}

fn device(id: u128, org: &str) -> DeviceRecord {
    DeviceRecord {
        id: DeviceId::from_u128(id),
        org: org.parse().unwrap(),
        role: Role::Agent,
        secret_hash: String::new(),
        revoked: false,
        complete_by: None,
        checks_authorship: false,
    }
}

fn ids(ops: &[Operation]) -> Vec<u128> {
    ops.iter().map(|o| o.id.as_uuid().as_u128()).collect()
}

#[tokio::test]
async fn a_feed_written_before_migration_4_reads_whole_and_new_operations_follow_it() {
    let dir = tempfile::tempdir().unwrap();
    let (old_device, new_device) = (DeviceId::from_u128(1), DeviceId::from_u128(2));
    let border: OrgId = "border-7".parse().unwrap();
    let create = op(10, old_device, Change::create_case(border.clone()));
    {
        // Schema 3, written as the service before migration 4 wrote it.
        let conn = Connection::open(dir.path().join("waystation-server.sqlite3")).unwrap();
        conn.execute_batch("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            .unwrap();
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= 3) {
            conn.execute_batch(sql).unwrap();
            conn.execute("INSERT INTO schema_migrations VALUES (?1, 'then')", params![version]).unwrap();
        }
        let now = Utc::now().to_rfc3339();
        for org in ["border-7", "casa"] {
            conn.execute("INSERT INTO orgs VALUES (?1, ?2)", params![org, now]).unwrap();
        }
        conn.execute("INSERT INTO users VALUES ('ana', 'border-7', 'agent', 'x', ?1)", params![now]).unwrap();
        let canonical = create.canonical_json();
        // The unkeyed hash of before sealing: the open replaces it with the keyed one.
        let hash = hex::encode(sha2::Sha256::digest(canonical.as_bytes()));
        conn.execute(
            "INSERT INTO ops VALUES (?1, ?2, NULL, 'general', ?3, ?4, ?5, ?6, 1)",
            params![create.id.to_string(), create.case_id.to_string(), hash, canonical, old_device.to_string(), now],
        )
        .unwrap();
        for (org, owner) in [("border-7", true), ("casa", false)] {
            conn.execute(
                "INSERT INTO case_access VALUES (?1, ?2, ?3)",
                params![create.case_id.to_string(), org, owner],
            )
            .unwrap();
        }
        // Two feed rows (owner, then the organization it was shared with), seqs 1 and 2.
        for org in ["border-7", "casa"] {
            conn.execute("INSERT INTO feed (org, op_id) VALUES (?1, ?2)", params![org, create.id.to_string()]).unwrap();
        }
    }
    let s = Sqlite::open(dir.path(), &crate::storage::sealed::DatabaseKey::generate()).unwrap();
    {
        // The operation stored in the clear before sealing is sealed at open.
        let conn = Connection::open(dir.path().join("waystation-server.sqlite3")).unwrap();
        let stored: String = conn.query_row("SELECT canonical FROM ops", [], |r| r.get(0)).unwrap();
        assert!(crate::storage::sealed::is_sealed(&stored) && !stored.contains("border-7"), "{stored}");
    }
    let reader = DeviceId::from_u128(3);
    let page = s.pull(&border, Role::Agent, reader, 0, 10).await.unwrap();
    assert_eq!((ids(&page.ops), page.next, page.more), (vec![10], 1, false));
    let set = op(
        11,
        new_device,
        Change::Set { field: FieldPath::parse("status").unwrap(), value: json!("open"), supersedes: vec![] },
    );
    let pusher = device(2, "border-7");
    let r = s.push(Pusher { device: &pusher, now: Utc::now() }, vec![set.clone()]).await.unwrap();
    assert!(r[0].status.is_acknowledged(), "{r:?}");
    let page = s.pull(&border, Role::Agent, reader, 1, 10).await.unwrap();
    assert_eq!(ids(&page.ops), vec![11], "the new operation after the old feed");
    assert!(page.next > 2, "its seq comes after every seq handed out before: {}", page.next);
    let all = s.pull(&border, Role::Agent, reader, 0, 1).await.unwrap();
    assert_eq!((ids(&all.ops), all.more), (vec![10], true), "old, then new: one page each");
    let own = s.pull(&border, Role::Agent, new_device, 0, 10).await.unwrap();
    assert_eq!(ids(&own.ops), vec![10], "the pushing device gets only the old operation");
    let casa = s.pull(&"casa".parse().unwrap(), Role::Agent, reader, 0, 10).await.unwrap();
    assert_eq!(ids(&casa.ops), vec![10, 11], "the shared organization: both, from feed rows");
    assert_eq!(s.op_count().await.unwrap(), 2);
    // The old operation sent again is a duplicate: its hash was recomputed (keyed) when it was sealed.
    let old_pusher = device(1, "border-7");
    let again = s.push(Pusher { device: &old_pusher, now: Utc::now() }, vec![create.clone()]).await.unwrap();
    assert_eq!(again[0].status, waystation_protocol::OpStatus::Duplicate, "{again:?}");
}
