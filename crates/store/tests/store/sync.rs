//! The sync engine's side of the store: outbox, pulled operations, cursor, epoch change.

use serde_json::json;
use waystation_core::{CaseId, Change, DeviceId, FieldPath, Hlc, OpId, Operation, Sensitivity, UserName};
use waystation_store::FeedPosition;

use crate::fixture::*;

fn cursor(c: &str) -> FeedPosition {
    FeedPosition { epoch: "epoch-1".into(), cursor: c.into() }
}

/// An operation made on another device.
fn remote(case_id: CaseId, device: DeviceId, wall_ms: u64, change: Change) -> Operation {
    Operation {
        id: OpId::new(),
        case_id,
        hlc: Hlc { wall_ms, counter: 0, device },
        device,
        user: UserName::parse("user", "rita.ngo").unwrap(),
        class: Sensitivity::General,
        change,
    }
}

#[test]
fn the_outbox_holds_local_operations_until_acknowledged() {
    let (_tmp, mut store) = new_store();
    let a = store.save_new_case(CaseId::new(), named("A", "B", "c")).unwrap();
    store.save_new_case(CaseId::new(), named("D", "E", "f")).unwrap();
    assert_eq!(store.outbox_len().unwrap(), 10);
    let first = store.outbox_peek(3).unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(first[0].case_id, a);
    assert!(matches!(first[0].change, Change::CreateCase { .. }), "oldest first");
    let ids: Vec<OpId> = first.iter().map(|o| o.id).collect();
    assert_eq!(store.outbox_ack(&ids).unwrap(), 3);
    assert_eq!(store.outbox_ack(&ids).unwrap(), 0, "a repeated acknowledgement is harmless");
    assert_eq!(store.outbox_len().unwrap(), 7);
    assert_ne!(store.outbox_peek(1).unwrap()[0].id, ids[0]);
    // Reading on from a position: what is after it, in order, never what was read before.
    let head = store.outbox_after(0, 4).unwrap();
    let peeked = store.outbox_peek(4).unwrap();
    assert_eq!(head.iter().map(|q| q.id).collect::<Vec<_>>(), peeked.iter().map(|o| o.id).collect::<Vec<_>>());
    // Each as stored: its canonical JSON, which is the operation, and its case.
    for (q, op) in head.iter().zip(&peeked) {
        assert_eq!(q.body, op.canonical_json());
        assert_eq!(q.case_id, op.case_id);
        assert!(!format!("{q:?}").contains(&q.body), "Debug never shows the body");
    }
    let rest = store.outbox_after(head[1].num, 100).unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(rest[0].id, head[2].id);
    assert!(rest.windows(2).all(|w| w[0].num < w[1].num));

    // After a server epoch change every local operation goes out again.
    assert_eq!(store.requeue_all_local_ops().unwrap(), 3);
    assert_eq!(store.outbox_len().unwrap(), 10);
    store.audit_verify().unwrap();
}

#[test]
fn pulled_operations_apply_once_and_divergent_ones_are_kept_aside() {
    let (_tmp, mut store) = new_store();
    let other = DeviceId::new();
    let case = CaseId::new();
    let now = chrono::Utc::now().timestamp_millis() as u64;
    let page = vec![
        remote(case, other, now, Change::create_case(org())),
        remote(case, other, now + 1, set("child.given_name", json!("Yesenia"))),
        remote(case, other, now + 2, set("status", json!("open"))),
    ];
    let report = store.apply_pulled(page.clone(), cursor("3")).unwrap();
    assert_eq!((report.applied, report.duplicates, report.rejected.len()), (3, 0, 0));
    assert_eq!(report.cases, vec![case]);
    assert_eq!(store.pull_cursor().unwrap(), Some(cursor("3")));
    assert_eq!(store.outbox_len().unwrap(), 0, "pulled operations are not sent back");
    assert_eq!(store.search("yesenia").unwrap(), vec![case]);

    // An operation twice in one page counts once.
    let twice = remote(case, other, now + 3, set("child.family_name", json!("Coj")));
    let report = store.apply_pulled(vec![twice.clone(), twice], cursor("3")).unwrap();
    assert_eq!((report.applied, report.duplicates), (1, 1));
    assert_eq!(store.case(case).unwrap().unwrap().op_count, 4);

    // The same page again (a retried pull): nothing changes.
    let report = store.apply_pulled(page.clone(), cursor("3")).unwrap();
    assert_eq!((report.applied, report.duplicates), (0, 3));
    assert_eq!(store.case(case).unwrap().unwrap().op_count, 4);

    // Same id, different content: refused loudly, kept aside, state unchanged.
    let mut forged = page[1].clone();
    forged.change = set("child.given_name", json!("Someone Else"));
    let report = store.apply_pulled(vec![forged.clone()], cursor("4")).unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].op_id, forged.id);
    assert_eq!(given_name(&store.case(case).unwrap().unwrap().document), Some("Yesenia"));
    assert_eq!(store.status().unwrap().rejected_ops, 1);
    assert_eq!(store.pull_cursor().unwrap(), Some(cursor("4")), "the cursor moves past it");

    // An invalid operation (clock of another device) is refused too.
    let mut invalid = remote(case, other, now + 5, set("status", json!("closed")));
    invalid.hlc.device = DeviceId::new();
    assert_eq!(store.apply_pulled(vec![invalid], cursor("5")).unwrap().rejected.len(), 1);

    // The local clock moves past what was pulled.
    let mine = store.edit(case, vec![set("status", json!("referred"))]).unwrap()[0];
    let ops = store.operations(case).unwrap();
    assert_eq!(ops.last().unwrap().id, mine);
    store.audit_verify().unwrap();
}

#[test]
fn concurrent_edits_are_kept_as_a_conflict_until_a_local_edit_resolves_it() {
    let (_tmp, mut store) = new_store();
    let case = store.save_new_case(CaseId::new(), named("Ines", "Cua", "x")).unwrap();
    let local_write = store.edit(case, vec![set("child.given_name", json!("Inés"))]).unwrap()[0];
    // Another device wrote the same field having seen only the creation.
    let seen = store
        .operations(case)
        .unwrap()
        .into_iter()
        .find(|o| matches!(&o.change, Change::Set { field, value, .. } if field.as_str() == "child.given_name" && value == "Ines"))
        .unwrap()
        .id;
    let other = DeviceId::new();
    let wall = chrono::Utc::now().timestamp_millis() as u64 + 10;
    let theirs = remote(
        case,
        other,
        wall,
        Change::Set {
            field: FieldPath::parse("child.given_name").unwrap(),
            value: json!("Agnes"),
            supersedes: vec![seen],
        },
    );
    store.apply_pulled(vec![theirs], cursor("1")).unwrap();
    let view = store.case(case).unwrap().unwrap();
    assert_eq!(view.conflicts.len(), 1);
    assert_eq!(view.conflicts[0].values.len(), 2);
    assert!(view.conflicts[0].values.iter().any(|v| v.op == local_write));
    let raw = store.raw_connection_for_tests().unwrap();
    let stored: i64 = raw.query_row("SELECT count(*) FROM conflicts", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 1);

    store.edit(case, vec![set("child.given_name", json!("Inés"))]).unwrap();
    let view = store.case(case).unwrap().unwrap();
    assert!(view.conflicts.is_empty(), "the edit superseded both values");
    let stored: i64 = raw.query_row("SELECT count(*) FROM conflicts", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 0);
}

/// Issue 23: refused operations stay in the outbox, out of the pending order,
/// so a window of refusals never reads as the end of the outbox.
#[test]
fn refused_operations_stay_in_the_outbox_out_of_the_pending_order() {
    let (_tmp, mut store) = new_store();
    store.save_new_case(CaseId::new(), named("A", "B", "c")).unwrap();
    store.save_new_case(CaseId::new(), named("D", "E", "f")).unwrap();
    let all = store.outbox_after(0, 100).unwrap();
    assert_eq!(all.len(), 10);
    let last = all[9].num;
    // The first six answered: two acknowledged, four refused.
    let acked: Vec<OpId> = all[..2].iter().map(|q| q.id).collect();
    let refused: Vec<OpId> = all[2..6].iter().map(|q| q.id).collect();
    assert_eq!(store.outbox_settle(&acked, &refused).unwrap(), 6);
    assert_eq!(store.outbox_settle(&acked, &refused).unwrap(), 0, "a repeated answer is harmless");
    assert_eq!(store.outbox_len().unwrap(), 8, "refused operations are kept");
    assert_eq!(store.outbox_refused().unwrap(), refused);
    // A window as large as the refusals reads past them, to what is pending.
    let window = store.outbox_after(0, 4).unwrap();
    assert_eq!(window.iter().map(|q| q.id).collect::<Vec<_>>(), all[6..].iter().map(|q| q.id).collect::<Vec<_>>());
    assert_eq!(store.outbox_pending_through(last).unwrap(), (4, last));
    assert_eq!(store.outbox_pending_through(all[5].num).unwrap().0, 0);
    // Offered again: back in the pending order at their old places.
    assert_eq!(store.outbox_reoffer(&refused[..1]).unwrap(), 1);
    assert_eq!(store.outbox_after(0, 1).unwrap()[0].id, refused[0]);
    assert_eq!(store.outbox_refused().unwrap(), refused[1..]);
    // A restored service forgot its refusals: every one is offered again.
    store.requeue_all_local_ops().unwrap();
    assert!(store.outbox_refused().unwrap().is_empty());
    assert_eq!(store.outbox_after(0, 100).unwrap().len(), 10);
    store.audit_verify().unwrap();
}

/// Issue 16: a removal takes away only the writes it saw. Two devices hold a
/// case with an adult; one removes the adult while the other edits it; after
/// exchanging, both keep the adult, flagged "removed on one device, edited on
/// another"; keeping it (an edit of it) settles the flag on both; removing it
/// again, having seen the edit, removes it on both.
#[test]
fn a_removal_does_not_erase_an_edit_it_did_not_see() {
    use waystation_core::{CaseState, FieldKey, ListKind};
    let (_ta, mut a) = new_store();
    let (_tb, mut b) = new_store();
    let mut n = 0;
    let mut exchange = |from: &mut waystation_store::Store, to: &mut waystation_store::Store| {
        n += 1;
        let ops = from.outbox_peek(100).unwrap();
        let ids: Vec<OpId> = ops.iter().map(|o| o.id).collect();
        from.outbox_ack(&ids).unwrap();
        to.apply_pulled(ops, cursor(&n.to_string())).unwrap();
    };
    let case = CaseId::new();
    let adult = add(ListKind::Adults, json!({ "name": "Rosa", "claimed_relationship": "aunt_or_uncle" }));
    let Change::AddItem { item, .. } = &adult else { unreachable!() };
    let item = *item;
    a.save_new_case(case, vec![create(), set("child.given_name", json!("Lucía")), adult]).unwrap();
    exchange(&mut a, &mut b);
    let edit = Change::SetItemField {
        list: ListKind::Adults,
        item,
        field: "name".into(),
        value: json!("Rosa María"),
        supersedes: vec![],
    };
    b.edit(case, vec![edit]).unwrap();
    a.edit(case, vec![Change::RemoveItem { list: ListKind::Adults, item, seen: None }]).unwrap();
    let removal = a.outbox_peek(10).unwrap();
    assert!(
        matches!(&removal[0].change, Change::RemoveItem { seen: Some(s), .. } if !s.is_empty()),
        "the store names what the removal saw: {:?}",
        removal[0].change
    );
    exchange(&mut a, &mut b);
    exchange(&mut b, &mut a);
    for s in [&mut a, &mut b] {
        let view = s.case(case).unwrap().unwrap();
        assert_eq!(view.document["adults"][0]["name"], json!("Rosa María"), "the edit is not erased");
        assert!(
            view.conflicts.iter().any(|c| c.key == FieldKey::Removal { list: ListKind::Adults, item }),
            "flagged: {:?}",
            view.conflicts
        );
    }
    // Kept, on b: the edit that keeps it supersedes the removal.
    let state = CaseState::from_ops(&b.operations(case).unwrap()).unwrap();
    let keep = state.keep_item_change(ListKind::Adults, item).expect("an item with fields");
    b.edit(case, vec![keep]).unwrap();
    exchange(&mut b, &mut a);
    for s in [&mut a, &mut b] {
        let view = s.case(case).unwrap().unwrap();
        assert_eq!(view.document["adults"].as_array().unwrap().len(), 1);
        assert!(view.conflicts.is_empty(), "settled: {:?}", view.conflicts);
    }
    // Removed again on a, having seen the edit: gone on both, no flag.
    a.edit(case, vec![Change::RemoveItem { list: ListKind::Adults, item, seen: None }]).unwrap();
    exchange(&mut a, &mut b);
    for s in [&mut a, &mut b] {
        let view = s.case(case).unwrap().unwrap();
        assert_eq!(view.document["adults"], json!([]));
        assert!(view.conflicts.is_empty());
        s.audit_verify().unwrap();
    }
}
