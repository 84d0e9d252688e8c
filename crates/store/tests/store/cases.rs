//! Saving, editing, reading, listing and searching cases.

use serde_json::json;
use waystation_core::{CaseId, Change, ItemId, ListKind, Sensitivity};
use waystation_store::{Store, StoreError};

use crate::fixture::*;

#[test]
fn a_saved_case_reads_back_with_its_summary_and_timeline() {
    let (_tmp, mut store) = new_store();
    let id = store.save_new_case(CaseId::new(), case_with("Roundtrip")).unwrap();
    let view = store.case(id).unwrap().unwrap();
    assert_eq!(view.owner, Some(org()));
    assert_eq!(given_name(&view.document), Some("Roundtripgiven"));
    assert_eq!(view.document["adults"][0]["name"], json!("Roundtripadult"));
    assert_eq!(view.document["notes"][0]["sensitivity"], json!("general"));
    assert_eq!(view.op_count, 10);

    let list = store.case_list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, id);
    assert_eq!(list[0].status.as_deref(), Some("open"));
    assert_eq!(list[0].name.as_deref(), Some("Roundtripgiven Roundtripfamily"));
    assert_eq!(list[0].encounter_at.as_deref(), Some("2026-11-20T10:15:00-07:00"));

    let ops = store.operations(id).unwrap();
    assert_eq!(ops.len(), 10);
    assert!(ops.windows(2).all(|w| w[0].hlc < w[1].hlc), "timeline in clock order");
    assert!(ops.iter().all(|o| o.device == store.device() && &o.user == store.user()));

    let status = store.status().unwrap();
    assert_eq!((status.case_count, status.outbox_len), (1, 10));
    assert_eq!(status.last_hlc, Some(ops[9].hlc));
    assert!(store.case(CaseId::new()).unwrap().is_none());
}

#[test]
fn an_edit_supersedes_what_the_device_had_seen() {
    let (_tmp, mut store) = new_store();
    let id = store.save_new_case(CaseId::new(), named("Ana", "Perez", "x")).unwrap();
    let first = store.operations(id).unwrap();
    let given_op = first
        .iter()
        .find(|o| matches!(&o.change, Change::Set { field, .. } if field.as_str() == "child.given_name"))
        .unwrap()
        .id;
    let new_ops = store
        .edit(id, vec![set("child.given_name", json!("Ana María")), set("child.given_name", json!("Ana Maria"))])
        .unwrap();
    let ops = store.operations(id).unwrap();
    let supersedes = |op_id| match &ops.iter().find(|o| o.id == op_id).unwrap().change {
        Change::Set { supersedes, .. } => supersedes.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(supersedes(new_ops[0]), vec![given_op]);
    assert_eq!(supersedes(new_ops[1]), vec![new_ops[0]], "a second write in one edit supersedes the first");
    let view = store.case(id).unwrap().unwrap();
    assert_eq!(given_name(&view.document), Some("Ana Maria"));
    assert!(view.conflicts.is_empty());
    // Search follows the edit.
    assert_eq!(store.search("maria").unwrap(), vec![id]);
}

#[test]
fn removing_a_note_carries_the_notes_class_and_bad_changes_save_nothing() {
    let (_tmp, mut store) = new_store();
    let note = ItemId::new();
    let mut changes = named("Lucia", "Mam", "y");
    changes.push(Change::AddItem {
        list: ListKind::Notes,
        item: note,
        value: map(json!({"sensitivity": "law_enforcement_sensitive", "text": "tip about a stash house"})),
    });
    let id = store.save_new_case(CaseId::new(), changes).unwrap();
    let removed = store.edit(id, vec![Change::RemoveItem { list: ListKind::Notes, item: note, seen: None }]).unwrap();
    let ops = store.operations(id).unwrap();
    assert_eq!(ops.iter().find(|o| o.id == removed[0]).unwrap().class, Sensitivity::LawEnforcementSensitive);

    let before = store.status().unwrap();
    let err = store.edit(
        id,
        vec![
            set("status", json!("closed")),
            Change::RemoveItem { list: ListKind::Adults, item: ItemId::new(), seen: None },
        ],
    );
    assert!(matches!(err, Err(StoreError::InvalidChange { change_index: 1, .. })), "{err:?}");
    let note_edit = Change::SetItemField {
        list: ListKind::Notes,
        item: note,
        field: "text".into(),
        value: json!("x"),
        supersedes: vec![],
    };
    assert!(matches!(store.edit(id, vec![note_edit]), Err(StoreError::InvalidChange { .. })));
    assert!(matches!(
        store.edit(CaseId::new(), vec![set("status", json!("closed"))]),
        Err(StoreError::CaseNotFound(_))
    ));
    assert!(matches!(store.edit(id, vec![create()]), Err(StoreError::InvalidChange { .. })));
    let after = store.status().unwrap();
    assert_eq!((before.outbox_len, before.audit_entries), (after.outbox_len, after.audit_entries));
}

#[test]
fn a_batch_is_saved_whole_or_not_at_all() {
    let (_tmp, mut store) = new_store();
    let mut batch: Vec<_> = (0..10).map(|i| new_case(&format!("batch{i}"))).collect();
    // Case 3 lacks its creation: the whole batch is refused and names it.
    batch[3].1.remove(0);
    let err = store.save_new_cases(batch.clone()).unwrap_err();
    assert!(matches!(err, StoreError::InvalidChange { case_index: 3, change_index: 0, .. }), "{err:?}");
    assert_eq!(store.status().unwrap().case_count, 0);
    assert_eq!(store.status().unwrap().outbox_len, 0);

    // A note without a sensitivity class is refused too.
    let mut bad_note = case_with("badnote");
    bad_note.push(add(ListKind::Notes, json!({"text": "no class"})));
    let err = store.save_new_cases(vec![new_case("ok"), (CaseId::new(), bad_note)]).unwrap_err();
    assert!(
        matches!(&err, StoreError::InvalidChange { case_index: 1, field, .. } if field.contains("sensitivity")),
        "{err:?}"
    );

    batch[3].1.insert(0, create());
    let ids = store.save_new_cases(batch.clone()).unwrap();
    assert_eq!(ids.len(), 10);
    assert_eq!(store.status().unwrap().case_count, 10);
    // The same ids again: refused, nothing added.
    assert!(matches!(store.save_new_cases(batch), Err(StoreError::CaseExists(_))));
    assert_eq!(store.status().unwrap().case_count, 10);
    let dup = CaseId::new();
    assert!(matches!(
        store.save_new_cases(vec![(dup, case_with("d1")), (dup, case_with("d2"))]),
        Err(StoreError::CaseExists(_))
    ));
}

#[test]
fn search_finds_names_aliases_narrative_and_adults_best_first_and_escapes_any_input() {
    let (_tmp, mut store) = new_store();
    let rosa = store.save_new_case(CaseId::new(), named("Rosa", "Tzul", "came with a cousin named Rosa")).unwrap();
    let other = store.save_new_case(CaseId::new(), named("Marta", "Lopez", "asked about Rosa, her sister")).unwrap();
    let jose = store.save_new_case(CaseId::new(), named("José", "Ixcoy", "walked from the bus station")).unwrap();
    let mut with_adult = named("Pedro", "Son", "quiet");
    with_adult.push(add(ListKind::Adults, json!({"name": "Ignacio Velasquez"})));
    with_adult.push(set("child.aliases", json!(["Pepe", "El Flaco"])));
    let pedro = store.save_new_case(CaseId::new(), with_adult).unwrap();

    assert_eq!(store.search("rosa").unwrap(), vec![rosa, other], "the name match ranks above the narrative match");
    assert_eq!(store.search("jose").unwrap(), vec![jose], "diacritics are folded");
    assert_eq!(store.search("velasq").unwrap(), vec![pedro], "adults' names, by prefix");
    assert_eq!(store.search("flaco").unwrap(), vec![pedro], "aliases");
    assert_eq!(store.search("bus station").unwrap(), vec![jose]);
    assert_eq!(store.search("rosa lopez").unwrap(), vec![other], "every word must match");
    for hostile in ["\"", "AND(", "NEAR(rosa", "rosa OR", "*", "-rosa", "col:rosa", "'", "\"rosa", "^", ")", "", "   "]
    {
        let found = store.search(hostile);
        assert!(found.is_ok(), "{hostile:?} gave {found:?}");
    }
    assert_eq!(store.search("\"rosa").unwrap(), vec![rosa, other]);
}

#[test]
fn a_reopened_store_continues_its_clock() {
    let (tmp, mut store) = new_store();
    let id = store.save_new_case(CaseId::new(), named("A", "B", "c")).unwrap();
    let last = store.status().unwrap().last_hlc.unwrap();
    drop(store);
    let mut store = Store::unlock(&store_dir(&tmp), &user(), &pass()).unwrap();
    assert_eq!(store.status().unwrap().last_hlc, Some(last));
    let new_op = store.edit(id, vec![set("status", json!("closed"))]).unwrap()[0];
    let op = store.operations(id).unwrap().into_iter().find(|o| o.id == new_op).unwrap();
    assert!(op.hlc > last);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 128, ..Default::default() })]
    /// Whatever a user types into the search box, the search answers; it is
    /// never an FTS5 syntax error.
    #[test]
    fn any_search_text_is_answered(text in proptest::prop_oneof![
        "[\"'()*^:+\\-{}\\[\\] a-zA-Z0-9ñé\u{0}-\u{1f}NEAROR]{0,24}",
        "(?s).{0,32}",
    ]) {
        thread_local! {
            static STORE: std::cell::RefCell<(tempfile::TempDir, Store)> = std::cell::RefCell::new({
                let (tmp, mut store) = new_store();
                store.save_new_case(CaseId::new(), named("Rosa", "Tzul", "near the OR river (AND) \"quoted\"")).unwrap();
                (tmp, store)
            });
        }
        STORE.with(|s| {
            let found = s.borrow_mut().1.search(&text);
            proptest::prop_assert!(found.is_ok(), "{:?} gave {:?}", text, found);
            Ok(())
        })?;
    }
}
