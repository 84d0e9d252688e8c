//! Unlock, wrong passphrase, lockout, passphrase change, local users, wipe.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use std::fs;
use waystation_core::{CaseId, DeviceId, UserName};
use waystation_store::{DB_FILE, KEYRING_FILE, KdfParams, Passphrase, Store, StoreError};

use crate::fixture::*;

fn keyring_without_failures(dir: &std::path::Path) -> Value {
    let mut ring: Value = serde_json::from_slice(&fs::read(dir.join(KEYRING_FILE)).unwrap()).unwrap();
    for (_, user) in ring["users"].as_object_mut().unwrap() {
        user.as_object_mut().unwrap().remove("failures");
    }
    ring
}

#[test]
fn a_wrong_passphrase_changes_nothing_but_the_failed_attempt_count() {
    let (tmp, mut store) = new_store();
    let dir = store_dir(&tmp);
    for i in 0..20 {
        store.save_new_case(CaseId::new(), case_with(&format!("wrongpass{i}"))).unwrap();
    }
    // The store stays open: its WAL and shared-memory files exist and hold the cases.
    let files = [DB_FILE.to_string(), format!("{DB_FILE}-wal"), format!("{DB_FILE}-shm")];
    assert!(dir.join(&files[1]).exists(), "the WAL should exist while the store is open");
    let before: Vec<_> = files.iter().map(|f| file_hash(&dir.join(f))).collect();
    let ring_before = keyring_without_failures(&dir);

    let err = Store::unlock(&dir, &user(), &wrong_pass()).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase { attempts_left: 4 }), "{err:?}");
    let err = Store::unlock(&dir, &user(), &wrong_pass()).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase { attempts_left: 3 }), "{err:?}");

    let after: Vec<_> = files.iter().map(|f| file_hash(&dir.join(f))).collect();
    assert_eq!(before, after, "database, WAL and shared memory must be byte-identical");
    assert_eq!(ring_before, keyring_without_failures(&dir), "only the failure count may change in the key ring");
    let ring: Value = serde_json::from_slice(&fs::read(dir.join(KEYRING_FILE)).unwrap()).unwrap();
    assert_eq!(ring["users"]["ana.lopez"]["failures"]["count"], 2);
    // No other file appeared.
    let mut names: Vec<String> =
        fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let mut expected = vec![
        KEYRING_FILE.to_string(),
        "keyring.lock".to_string(),
        files[0].clone(),
        files[1].clone(),
        files[2].clone(),
    ];
    expected.sort();
    assert_eq!(names, expected);

    // Same with the store closed: no WAL, database untouched.
    drop(store);
    let db_before = file_hash(&dir.join(DB_FILE));
    assert!(Store::unlock(&dir, &user(), &wrong_pass()).is_err());
    assert_eq!(db_before, file_hash(&dir.join(DB_FILE)));
    assert!(!dir.join(&files[1]).exists());
}

fn at(base: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    base + Duration::seconds(secs)
}

#[test]
fn five_wrong_passphrases_lock_out_even_the_right_one_until_the_delay_passes() {
    let (tmp, store) = new_store();
    let dir = store_dir(&tmp);
    store.lock().unwrap();
    let t0 = Utc::now();
    for (i, left) in [4, 3, 2, 1].into_iter().enumerate() {
        let err = Store::unlock_at(&dir, &user(), &wrong_pass(), at(t0, i as i64 * 10)).unwrap_err();
        assert!(matches!(err, StoreError::WrongPassphrase { attempts_left } if attempts_left == left), "{err:?}");
    }
    let err = Store::unlock_at(&dir, &user(), &wrong_pass(), at(t0, 40)).unwrap_err();
    let StoreError::LockedOut { until } = err else { panic!("expected a lockout, got {err:?}") };
    assert_eq!(until, at(t0, 40 + 600), "the first lockout lasts 10 minutes");

    for secs in [41, 300, 639] {
        let err = Store::unlock_at(&dir, &user(), &pass(), at(t0, secs)).unwrap_err();
        assert!(matches!(err, StoreError::LockedOut { .. }), "right passphrase during lockout: {err:?}");
    }
    let mut store = Store::unlock_at(&dir, &user(), &pass(), at(t0, 641)).unwrap();

    // The five failures were written to the audit log at this unlock.
    let raw = store.raw_connection_for_tests().unwrap();
    let failed: i64 =
        raw.query_row("SELECT count(*) FROM audit WHERE action = 'unlock_failed'", [], |r| r.get(0)).unwrap();
    assert_eq!(failed, 5);
    store.audit_verify().unwrap();
    drop(raw);
    store.save_new_case(CaseId::new(), case_with("afterlockout")).unwrap();
    drop(store);

    // Success reset the count.
    let err = Store::unlock_at(&dir, &user(), &wrong_pass(), at(t0, 700)).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase { attempts_left: 4 }), "{err:?}");
}

#[test]
fn a_second_lockout_before_a_success_lasts_twice_as_long() {
    let (tmp, store) = new_store();
    let dir = store_dir(&tmp);
    drop(store);
    let t0 = Utc::now();
    for i in 0..5 {
        let _ = Store::unlock_at(&dir, &user(), &wrong_pass(), at(t0, i));
    }
    for i in 0..4 {
        let _ = Store::unlock_at(&dir, &user(), &wrong_pass(), at(t0, 700 + i));
    }
    let err = Store::unlock_at(&dir, &user(), &wrong_pass(), at(t0, 710)).unwrap_err();
    let StoreError::LockedOut { until } = err else { panic!("{err:?}") };
    assert_eq!(until, at(t0, 710 + 1200));
    assert!(Store::unlock_at(&dir, &user(), &pass(), at(t0, 710 + 1199)).is_err());
    assert!(Store::unlock_at(&dir, &user(), &pass(), at(t0, 710 + 1200)).is_ok());
}

#[test]
fn a_passphrase_change_rewraps_the_key_without_reencrypting_the_database() {
    let (tmp, mut store) = new_store();
    let dir = store_dir(&tmp);
    let cases: Vec<_> = (0..200).map(|i| new_case(&format!("rewrap{i}"))).collect();
    let ids = store.save_new_cases(cases).unwrap();
    let raw = store.raw_connection_for_tests().unwrap();
    raw.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    let pages: i64 = raw.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    let page_size: u64 =
        raw.query_row("PRAGMA cipher_page_size", [], |r| r.get::<_, String>(0)).unwrap().parse().unwrap();
    assert!(pages > 20, "the database should be large enough to tell a rewrite ({pages} pages)");
    let db_before = file_hash(&dir.join(DB_FILE));

    let new_pass = Passphrase::new("a brand new passphrase").unwrap();
    let err = store.change_passphrase(&wrong_pass(), &new_pass).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err:?}");
    store.change_passphrase(&pass(), &new_pass).unwrap();

    assert_eq!(db_before, file_hash(&dir.join(DB_FILE)), "the main database file was not rewritten");
    let wal_len = fs::metadata(dir.join(format!("{DB_FILE}-wal"))).map(|m| m.len()).unwrap_or(0);
    assert!(wal_len < 5 * page_size, "only the audit entry was written ({wal_len} bytes of WAL)");
    drop(raw);
    drop(store);

    assert!(matches!(Store::unlock(&dir, &user(), &pass()), Err(StoreError::WrongPassphrase { .. })));
    let mut store = Store::unlock(&dir, &user(), &new_pass).unwrap();
    assert!(store.case(ids[199]).unwrap().is_some());
}

#[test]
fn users_are_added_and_removed_without_touching_the_others() {
    let (tmp, mut store) = new_store();
    let dir = store_dir(&tmp);
    let id = store.save_new_case(CaseId::new(), case_with("users")).unwrap();
    let bob = UserName::parse("user", "bob.reyes").unwrap();
    let bob_pass = Passphrase::new("bob's own long passphrase").unwrap();
    store.add_user(&bob, &bob_pass, KdfParams::for_tests()).unwrap();
    assert!(matches!(store.add_user(&bob, &bob_pass, KdfParams::for_tests()), Err(StoreError::UserExists(_))));
    drop(store);

    let mut as_bob = Store::unlock(&dir, &bob, &bob_pass).unwrap();
    assert_eq!(as_bob.user(), &bob);
    assert!(as_bob.case(id).unwrap().is_some());
    assert!(matches!(Store::unlock(&dir, &bob, &pass()), Err(StoreError::WrongPassphrase { .. })));
    as_bob.remove_user(&user()).unwrap();
    assert!(matches!(as_bob.remove_user(&bob), Err(StoreError::LastUser)));
    assert_eq!(as_bob.users().unwrap(), vec![bob.clone()]);
    drop(as_bob);

    assert!(matches!(Store::unlock(&dir, &user(), &pass()), Err(StoreError::UnknownUser(_))));
    let store = Store::unlock(&dir, &bob, &bob_pass).unwrap();
    store.audit_verify().unwrap();
}

#[test]
fn wipe_destroys_the_key_ring_and_the_database() {
    let (tmp, mut store) = new_store();
    let dir = store_dir(&tmp);
    store.save_new_case(CaseId::new(), case_with("wipe")).unwrap();
    drop(store);
    Store::wipe(&dir).unwrap();
    let left: Vec<_> = fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "files left after a wipe: {left:?}");
    assert!(matches!(Store::unlock(&dir, &user(), &pass()), Err(StoreError::NotAStore)));
}

#[test]
fn a_store_is_not_created_over_another() {
    let (tmp, store) = new_store();
    let dir = store_dir(&tmp);
    drop(store);
    let err = Store::create(&dir, &user(), &pass(), DeviceId::new(), &org(), KdfParams::for_tests()).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists), "{err:?}");
    assert!(Store::unlock(&dir, &user(), &pass()).is_ok());
}

#[test]
fn debug_output_shows_no_key() {
    let (_tmp, store) = new_store();
    let shown = format!("{store:?} {:?}", pass());
    assert!(shown.contains("redacted") && !shown.contains("horse"), "{shown}");
}

#[test]
fn a_key_ring_from_another_store_does_not_open_the_database() {
    let (tmp_a, store_a) = new_store();
    let (tmp_b, store_b) = new_store();
    drop((store_a, store_b));
    let (a, b) = (store_dir(&tmp_a), store_dir(&tmp_b));
    fs::copy(b.join(KEYRING_FILE), a.join(KEYRING_FILE)).unwrap();
    let err = Store::unlock(&a, &user(), &pass()).unwrap_err();
    assert!(matches!(err, StoreError::DatabaseKeyMismatch), "{err:?}");
}

#[test]
fn a_changed_byte_in_the_database_file_is_detected_not_read_as_data() {
    let (tmp, mut store) = new_store();
    let dir = store_dir(&tmp);
    let cases: Vec<_> = (0..50).map(|i| new_case(&format!("flip{i}"))).collect();
    store.save_new_cases(cases).unwrap();
    let raw = store.raw_connection_for_tests().unwrap();
    let page_size: usize =
        raw.query_row("PRAGMA cipher_page_size", [], |r| r.get::<_, String>(0)).unwrap().parse().unwrap();
    drop(raw);
    store.lock().unwrap();
    let path = dir.join(DB_FILE);
    let mut bytes = fs::read(&path).unwrap();
    assert!(bytes.len() > page_size * 4);
    bytes[page_size * 3 + 1000] ^= 0x01; // one bit in the fourth page
    fs::write(&path, bytes).unwrap();
    let store = Store::unlock(&dir, &user(), &pass()).unwrap();
    let raw = store.raw_connection_for_tests().unwrap();
    let check = raw.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0));
    assert!(!matches!(check.as_deref(), Ok("ok")), "a flipped bit went unnoticed: {check:?}");
}

#[test]
fn parallel_wrong_passphrases_cannot_outrun_the_lockout() {
    let (tmp, store) = new_store();
    let dir = store_dir(&tmp);
    drop(store);
    let results: Vec<StoreError> = std::thread::scope(|s| {
        let handles: Vec<_> =
            (0..10).map(|_| s.spawn(|| Store::unlock(&dir, &user(), &wrong_pass()).unwrap_err())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wrong = results.iter().filter(|e| matches!(e, StoreError::WrongPassphrase { .. })).count();
    let locked = results.iter().filter(|e| matches!(e, StoreError::LockedOut { .. })).count();
    assert_eq!((wrong, locked), (4, 6), "exactly four attempts are told they were wrong: {results:?}");
    assert!(matches!(Store::unlock(&dir, &user(), &pass()), Err(StoreError::LockedOut { .. })));
}
