//! Tampering with the audit chain through SQL, with the key, is found and located.

use waystation_core::CaseId;
use waystation_store::{AuditError, BreakKind, Store};

use crate::fixture::*;

/// A store with a few cases, reads and edits: a chain of some length.
fn busy_store() -> (tempfile::TempDir, Store) {
    let (tmp, mut store) = new_store();
    // seq 1: store created, 2: unlock, 3: case saved, 4: read, 5: edit, 6: case saved, 7: list.
    let a = store.save_new_case(CaseId::new(), case_with("audit1")).unwrap();
    store.case(a).unwrap();
    store.edit(a, vec![set("status", serde_json::json!("referred"))]).unwrap();
    store.save_new_case(CaseId::new(), case_with("audit2")).unwrap();
    store.case_list().unwrap();
    (tmp, store)
}

fn broken_at(store: &Store) -> (u64, BreakKind) {
    match store.audit_verify() {
        Err(AuditError::Broken { seq, reason }) => (seq, reason),
        other => panic!("tampering not detected: {other:?}"),
    }
}

#[test]
fn an_intact_chain_verifies_and_counts_every_change_and_read() {
    let (_tmp, store) = busy_store();
    let report = store.audit_verify().unwrap();
    // store creation + unlock, a save, a read, an edit, a save, a listing.
    assert_eq!(report.entries, 2 + 1 + 1 + 1 + 1 + 1);
    assert_eq!(report.head_seq, report.entries);
}

#[test]
fn a_changed_entry_is_found() {
    let (_tmp, store) = busy_store();
    let raw = store.raw_connection_for_tests().unwrap();
    raw.execute("UPDATE audit SET user = 'mallory' WHERE seq = 5", []).unwrap();
    assert_eq!(broken_at(&store), (5, BreakKind::Changed));
}

#[test]
fn a_deleted_middle_entry_is_found() {
    let (_tmp, store) = busy_store();
    let raw = store.raw_connection_for_tests().unwrap();
    raw.execute("DELETE FROM audit WHERE seq = 4", []).unwrap();
    assert_eq!(broken_at(&store), (4, BreakKind::Missing));
}

#[test]
fn a_deleted_last_entry_is_found() {
    let (_tmp, store) = busy_store();
    let raw = store.raw_connection_for_tests().unwrap();
    let last: u64 = raw.query_row("SELECT max(seq) FROM audit", [], |r| r.get::<_, i64>(0)).unwrap() as u64;
    raw.execute("DELETE FROM audit WHERE seq = ?1", [last as i64]).unwrap();
    assert_eq!(broken_at(&store), (last, BreakKind::Truncated));
}

#[test]
fn a_truncation_that_also_rewrites_the_stored_head_is_found_by_the_key_ring_checkpoint() {
    let (tmp, store) = busy_store();
    store.lock().unwrap(); // checkpoints the head in the key ring
    let store = Store::unlock(&store_dir(&tmp), &user(), &pass()).unwrap();
    let raw = store.raw_connection_for_tests().unwrap();
    let last: i64 = raw.query_row("SELECT max(seq) FROM audit", [], |r| r.get(0)).unwrap();
    // Remove the newest two entries and make the database's own head agree.
    raw.execute("DELETE FROM audit WHERE seq >= ?1", [last - 1]).unwrap();
    raw.execute(
        "UPDATE device SET audit_head_seq = ?1, audit_head_hash = (SELECT hash FROM audit WHERE seq = ?1)",
        [last - 2],
    )
    .unwrap();
    assert_eq!(broken_at(&store), ((last - 1) as u64, BreakKind::Truncated));
}

#[test]
fn an_entry_added_outside_the_store_is_found() {
    let (_tmp, store) = busy_store();
    let raw = store.raw_connection_for_tests().unwrap();
    raw.execute(
        "INSERT INTO audit (seq, at, user, device, action, prev_hash, hash)
         SELECT seq + 1, at, user, device, 'read', hash, hash FROM audit ORDER BY seq DESC LIMIT 1",
        [],
    )
    .unwrap();
    let last: u64 = raw.query_row("SELECT max(seq) FROM audit", [], |r| r.get::<_, i64>(0)).unwrap() as u64;
    assert_eq!(broken_at(&store), (last, BreakKind::Changed));
}

#[test]
fn a_changed_operation_is_found_at_the_entry_that_recorded_it() {
    let (_tmp, store) = busy_store();
    let raw = store.raw_connection_for_tests().unwrap();
    let changed = raw
        .execute(
            "UPDATE ops SET body = replace(body, 'audit1given', 'mallorygiven') WHERE body LIKE '%audit1given%'",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    assert_eq!(broken_at(&store), (3, BreakKind::OperationChanged));
}

#[test]
fn a_removed_operation_is_found() {
    let (_tmp, store) = busy_store();
    let raw = store.raw_connection_for_tests().unwrap();
    // The edit (entry 5) wrote one operation: remove it.
    raw.execute("DELETE FROM ops WHERE op_id = (SELECT op_id FROM audit WHERE seq = 5)", []).unwrap();
    assert_eq!(broken_at(&store), (5, BreakKind::OperationMissing));
}

#[test]
fn an_operation_added_outside_the_store_is_found() {
    let (_tmp, store) = busy_store();
    let raw = store.raw_connection_for_tests().unwrap();
    raw.execute(
        "INSERT INTO ops (op_id, case_id, hlc, local, body)
         SELECT '00000000-0000-7000-8000-000000000001', case_id, hlc, local, body FROM ops LIMIT 1",
        [],
    )
    .unwrap();
    assert_eq!(broken_at(&store), (7, BreakKind::OperationUnrecorded));
}
