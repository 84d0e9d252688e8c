//! A store made by the first schema opens with every migration, data intact.

use serde_json::json;
use waystation_core::{CaseId, DeviceId};
use waystation_store::{FeedPosition, KdfParams, SCHEMA_VERSION, Store};

use crate::fixture::*;

#[test]
fn a_store_made_by_schema_1_is_upgraded_with_its_data_intact() {
    const { assert!(SCHEMA_VERSION >= 2, "this test needs a second migration") };
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("store");
    let mut store =
        Store::create_with_schema(&dir, &user(), &pass(), DeviceId::new(), &org(), KdfParams::for_tests(), 1).unwrap();
    let raw = store.raw_connection_for_tests().unwrap();
    let version: u32 = raw.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 1);
    let has_rejected: i64 =
        raw.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'rejected_ops'", [], |r| r.get(0)).unwrap();
    assert_eq!(has_rejected, 0, "schema 1 has no rejected_ops table");
    drop(raw);
    let id = store.save_new_case(CaseId::new(), named("Maribel", "Quispe", "found at the river crossing")).unwrap();
    store.edit(id, vec![set("status", json!("referred"))]).unwrap();
    store.lock().unwrap();

    let mut store = Store::unlock(&dir, &user(), &pass()).unwrap();
    let status = store.status().unwrap();
    assert_eq!(status.schema_version, SCHEMA_VERSION);
    assert_eq!(status.case_count, 1);
    assert_eq!(status.outbox_len, 6);
    let view = store.case(id).unwrap().unwrap();
    assert_eq!(given_name(&view.document), Some("Maribel"));
    assert_eq!(view.document["status"], json!("referred"));
    assert_eq!(store.search("quispe").unwrap(), vec![id]);
    assert_eq!(store.operations(id).unwrap().len(), 6);
    store.audit_verify().unwrap();
    // The new table works: a divergent pulled operation is kept aside in it.
    let mut op = store.outbox_peek(1).unwrap().remove(0);
    op.user = waystation_core::UserName::parse("user", "someone.else").unwrap();
    let report = store.apply_pulled(vec![op], FeedPosition { epoch: "e1".into(), cursor: "1".into() }).unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(store.status().unwrap().rejected_ops, 1);
    let raw = store.raw_connection_for_tests().unwrap();
    let index: i64 =
        raw.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'ops_case_hlc'", [], |r| r.get(0)).unwrap();
    assert_eq!(index, 1);
}

#[test]
fn a_store_from_a_newer_version_is_refused_untouched() {
    let (tmp, store) = new_store();
    let dir = store_dir(&tmp);
    let raw = store.raw_connection_for_tests().unwrap();
    raw.execute_batch("PRAGMA user_version = 99;").unwrap();
    drop(raw);
    drop(store);
    let err = Store::unlock(&dir, &user(), &pass()).unwrap_err();
    assert!(
        matches!(err, waystation_store::StoreError::NewerSchema { found: 99, known } if known == SCHEMA_VERSION),
        "{err:?}"
    );
}
