//! The server epoch: kept across restarts, changed when the data is restored from a backup.

use chrono::Utc;
use waystation_core::{CaseId, DeviceId, Role};
use waystation_server::storage::{NewCode, NewDevice, Pusher, Redeemed};
use waystation_server::{Postgres, Sqlite, Storage};

use crate::helpers::*;

async fn enrolled(s: &dyn Storage) -> waystation_server::storage::DeviceRecord {
    let now = Utc::now();
    if s.orgs(None).await.unwrap().is_empty() {
        s.add_org(&org("border-7"), now).await.unwrap();
        s.add_user(&waystation_server::storage::UserRecord {
            name: user("ana"),
            org: org("border-7"),
            role: Role::Agent,
            password_hash: "x".into(),
            created_at: now,
            disabled: false,
        })
        .await
        .unwrap();
    }
    let hash = uuid::Uuid::now_v7().to_string();
    s.add_code(&NewCode {
        code_hash: hash.clone(),
        org: org("border-7"),
        role: Role::Agent,
        created_at: now,
        expires_at: now + chrono::Duration::hours(1),
        id: waystation_server::secrets::random_token(9),
        created_by: None,
    })
    .await
    .unwrap();
    let nd = NewDevice {
        id: DeviceId::new(),
        name: "l".into(),
        secret_hash: "h".into(),
        app_version: "1".into(),
        request_hash: None,
    };
    let d = match s.redeem_code(&hash, &nd, now).await.unwrap() {
        Redeemed::Enrolled(d) => d,
        other => panic!("{other:?}"),
    };
    s.record_sign_in(d.id, &user("ana"), now).await.unwrap();
    d
}

async fn push_one(s: &dyn Storage, device: &waystation_server::storage::DeviceRecord) {
    let mut clock = waystation_core::HlcClock::new(device.id);
    let op = waystation_core::Operation {
        id: waystation_core::OpId::new(),
        case_id: CaseId::new(),
        hlc: clock.tick(1),
        device: device.id,
        user: user("ana"),
        class: Default::default(),
        change: waystation_core::Change::create_case(org("border-7")),
    };
    let r = s.push(Pusher { device, now: Utc::now() }, vec![op]).await.unwrap();
    assert_eq!(r[0].status, waystation_protocol::OpStatus::Accepted);
}

async fn a_restart_keeps_the_epoch_and_a_restore_changes_it(backend: Backend) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let backup = tempfile::tempdir().unwrap();
            let db = "waystation-server.sqlite3";
            let first = {
                let s = Sqlite::open(dir.path(), &waystation_system_tests::backend::test_database_key()).unwrap();
                let d = enrolled(&s).await;
                push_one(&s, &d).await;
                s.epoch().await.unwrap()
            };
            std::fs::copy(dir.path().join(db), backup.path().join(db)).unwrap();
            {
                let s = Sqlite::open(dir.path(), &waystation_system_tests::backend::test_database_key()).unwrap();
                assert_eq!(s.epoch().await.unwrap(), first, "a restart keeps the epoch");
                let d = enrolled(&s).await;
                push_one(&s, &d).await;
            }
            for f in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(dir.path().join(format!("{db}{f}")));
            }
            std::fs::copy(backup.path().join(db), dir.path().join(db)).unwrap();
            let s = Sqlite::open(dir.path(), &waystation_system_tests::backend::test_database_key()).unwrap();
            let restored = s.epoch().await.unwrap();
            assert_ne!(restored, first, "a restore from an older copy changes the epoch");
            drop(s);
            assert_eq!(
                Sqlite::open(dir.path(), &waystation_system_tests::backend::test_database_key())
                    .unwrap()
                    .epoch()
                    .await
                    .unwrap(),
                restored,
                "and then it stays"
            );
        }
        Backend::Postgres => {
            let Some(url) = fresh_postgres_database().await else { return };
            let first = {
                let s = Postgres::open(&url, 2, &waystation_system_tests::backend::test_database_key()).await.unwrap();
                let d = enrolled(&s).await;
                push_one(&s, &d).await;
                s.epoch().await.unwrap()
            };
            assert_eq!(
                Postgres::open(&url, 2, &waystation_system_tests::backend::test_database_key())
                    .await
                    .unwrap()
                    .epoch()
                    .await
                    .unwrap(),
                first,
                "a restart keeps the epoch"
            );
            // A restore: the same data in another database (as pg_restore into a new one gives).
            let admin = postgres_url().unwrap();
            let client = waystation_server::storage::postgres_tls::connect(&admin).await.unwrap();
            let source = url.split('?').next().unwrap().rsplit('/').next().unwrap().to_owned();
            let copy = format!("{source}_restored");
            let mut created = false;
            for _ in 0..50 {
                // The pools above close their connections in the background; retry until the template is free.
                if client.batch_execute(&format!("CREATE DATABASE {copy} TEMPLATE {source}")).await.is_ok() {
                    created = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert!(created, "could not copy the database");
            let s =
                Postgres::open(&with_database(&url, &copy), 2, &waystation_system_tests::backend::test_database_key())
                    .await
                    .unwrap();
            assert_ne!(s.epoch().await.unwrap(), first, "restored data gets a new epoch");
            assert_eq!(s.op_count().await.unwrap(), 1, "with the data it had");
        }
    }
}

crate::both_backends!(a_restart_keeps_the_epoch_and_a_restore_changes_it);
