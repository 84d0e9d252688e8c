//! Intake drafts and sync state: kept per user inside the encrypted
//! database, surviving a lock, never on disk in clear.

use crate::fixture::*;
use waystation_store::{KdfParams, Store};

#[test]
fn a_draft_survives_a_lock_is_per_user_and_is_encrypted() {
    let (dir, mut store) = new_store();
    let body = r#"{"step":"child","child":{"given_name":"Draftmarkerzq"}}"#;
    assert_eq!(store.draft("intake").unwrap(), None);
    store.set_draft("intake", body).unwrap();
    store.set_draft("intake", &body.replace("child\"", "screening\"")).unwrap();
    let other = waystation_core::UserName::parse("user", "second.user").unwrap();
    store.add_user(&other, &pass(), KdfParams::for_tests()).unwrap();
    store.lock().unwrap();

    for file in std::fs::read_dir(store_dir(&dir)).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        assert!(!bytes.windows(13).any(|w| w == b"Draftmarkerzq"), "a draft is on disk in clear");
    }

    let mut store = Store::unlock(&store_dir(&dir), &user(), &pass()).unwrap();
    let saved = store.draft("intake").unwrap().expect("the draft survives a lock");
    assert!(saved.contains("\"step\":\"screening\""), "the newest draft wins: {saved}");
    store.discard_draft("intake").unwrap();
    assert_eq!(store.draft("intake").unwrap(), None);
    store.set_draft("intake", body).unwrap();
    store.lock().unwrap();

    let store = Store::unlock(&store_dir(&dir), &other, &pass()).unwrap();
    assert_eq!(store.draft("intake").unwrap(), None, "another user's draft is not shown");
}

#[test]
fn sync_state_is_one_replaceable_row() {
    let (_dir, mut store) = new_store();
    assert_eq!(store.sync_state().unwrap(), None);
    store.set_sync_state(r#"{"server":"http://127.0.0.1:1"}"#).unwrap();
    store.set_sync_state(r#"{"server":"http://127.0.0.1:2"}"#).unwrap();
    assert_eq!(store.sync_state().unwrap().as_deref(), Some(r#"{"server":"http://127.0.0.1:2"}"#));
}

#[test]
fn case_views_lists_every_case_with_one_audit_entry() {
    let (_dir, mut store) = new_store();
    for marker in ["Alphaview", "Betaview", "Gammaview"] {
        let (id, changes) = new_case(marker);
        store.save_new_case(id, changes).unwrap();
    }
    let before = store.status().unwrap().audit_entries;
    let views = store.case_views().unwrap();
    assert_eq!(views.len(), 3);
    assert_eq!(store.status().unwrap().audit_entries, before + 1);
    assert!(views.iter().all(|v| v.owner.as_ref() == Some(&org())));
}
