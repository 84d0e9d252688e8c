//! The merge is a function of the *set* of operations: property tests over
//! random operation sets (several cases, fields, items and devices;
//! concurrent writes, supersede chains, adds and removes, duplicates).

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use waystation_core::{
    CaseId, CaseState, CaseView, Change, DeviceId, FieldKey, FieldPath, Hlc, ItemId, ListKind, OpId, Operation, OrgId,
    Sensitivity, UserName,
};

const FIELDS: [&str; 3] = ["child.given_name", "status", "encounter.place"];
const ITEM_FIELDS: [&str; 2] = ["status", "reason"];

/// One generated operation, before ids are assigned.
#[derive(Debug, Clone)]
enum Spec {
    Set {
        field: usize,
        value: u8,
        supersedes: u8,
    },
    Add {
        item: usize,
        value: u8,
    },
    SetItem {
        item: usize,
        field: usize,
        value: u8,
        supersedes: u8,
    },
    /// `seen`: a mask over the item's earlier writes (`None`: a removal from before `seen`).
    Remove {
        item: usize,
        seen: Option<u8>,
    },
    Share {
        org: usize,
    },
    /// `seen`: a mask over the organization's earlier shares.
    Unshare {
        org: usize,
        seen: u8,
    },
}

fn spec() -> impl Strategy<Value = (usize, usize, u64, Spec)> {
    let kind = prop_oneof![
        4 => (0..FIELDS.len(), 0u8..3, any::<u8>()).prop_map(|(field, value, supersedes)| Spec::Set { field, value, supersedes }),
        2 => (0..3usize, 0u8..3).prop_map(|(item, value)| Spec::Add { item, value }),
        2 => (0..3usize, 0..ITEM_FIELDS.len(), 0u8..3, any::<u8>())
            .prop_map(|(item, field, value, supersedes)| Spec::SetItem { item, field, value, supersedes }),
        2 => (0..3usize, proptest::option::weighted(0.8, any::<u8>())).prop_map(|(item, seen)| Spec::Remove { item, seen }),
        1 => (0..2usize).prop_map(|org| Spec::Share { org }),
        1 => (0..2usize, any::<u8>()).prop_map(|(org, seen)| Spec::Unshare { org, seen }),
    ];
    // case, device, wall clock (small, so ties happen), what
    (0..2usize, 0..3usize, 0u64..12, kind)
}

fn case(n: usize) -> CaseId {
    CaseId::from_u128(0xca5e_0000 + n as u128)
}

fn item(n: usize) -> ItemId {
    ItemId::from_u128(0x17e0_0000 + n as u128)
}

/// Build operations from specs: a write supersedes a subset (chosen by the
/// mask) of the earlier writes of its register, which yields chains,
/// concurrent writes and forks.
fn build(specs: &[(usize, usize, u64, Spec)]) -> Vec<Operation> {
    let mut ops: Vec<Operation> = Vec::new();
    let mut writes: BTreeMap<(usize, String), Vec<OpId>> = BTreeMap::new();
    // Per (case, item): every write of it, and its removals.
    let mut item_writes: BTreeMap<(usize, usize), Vec<OpId>> = BTreeMap::new();
    let mut removals: BTreeMap<(usize, usize), Vec<OpId>> = BTreeMap::new();
    let mut shares: BTreeMap<(usize, usize), Vec<OpId>> = BTreeMap::new();
    let mask_of = |ids: &[OpId], mask: u8| -> Vec<OpId> {
        ids.iter().enumerate().filter(|(i, _)| mask & (1 << (i % 8)) != 0).map(|(_, id)| *id).collect()
    };
    let mut counters: BTreeMap<(usize, u64), u32> = BTreeMap::new();
    for (n, (c, d, wall, spec)) in specs.iter().enumerate() {
        let device = DeviceId::from_u128(0xde00 + *d as u128);
        let counter = counters.entry((*d, *wall)).or_default();
        *counter += 1;
        let hlc = Hlc { wall_ms: *wall, counter: *counter, device };
        let id = OpId::from_u128(n as u128 + 1);
        let pick = |key: String, mask: u8, writes: &mut BTreeMap<(usize, String), Vec<OpId>>| {
            let earlier = writes.entry((*c, key)).or_default();
            let chosen: Vec<OpId> =
                earlier.iter().enumerate().filter(|(i, _)| mask & (1 << (i % 8)) != 0).map(|(_, id)| *id).collect();
            earlier.push(id);
            chosen
        };
        let change = match spec {
            Spec::Set { field, value, supersedes } => Change::Set {
                field: FieldPath::parse(FIELDS[*field]).unwrap(),
                value: json!(format!("v{value}")),
                supersedes: pick(FIELDS[*field].to_owned(), *supersedes, &mut writes),
            },
            Spec::Add { item: i, value } => {
                item_writes.entry((*c, *i)).or_default().push(id);
                let mut m = Map::new();
                m.insert("status".into(), json!(format!("a{value}")));
                m.insert("to".into(), json!("medical"));
                Change::AddItem { list: ListKind::Referrals, item: item(*i), value: m }
            }
            Spec::SetItem { item: i, field, value, supersedes } => {
                // An edit may also supersede removals of its item (it keeps the item).
                let mut supersedes_too = pick(format!("{i}/{}", ITEM_FIELDS[*field]), *supersedes, &mut writes);
                supersedes_too.extend(mask_of(
                    removals.get(&(*c, *i)).map(Vec::as_slice).unwrap_or_default(),
                    supersedes.rotate_left(3),
                ));
                item_writes.entry((*c, *i)).or_default().push(id);
                Change::SetItemField {
                    list: ListKind::Referrals,
                    item: item(*i),
                    field: ITEM_FIELDS[*field].to_owned(),
                    value: json!(format!("s{value}")),
                    supersedes: supersedes_too,
                }
            }
            Spec::Remove { item: i, seen } => {
                let seen = seen.map(|m| mask_of(item_writes.get(&(*c, *i)).map(Vec::as_slice).unwrap_or_default(), m));
                removals.entry((*c, *i)).or_default().push(id);
                Change::RemoveItem { list: ListKind::Referrals, item: item(*i), seen }
            }
            Spec::Share { org } => {
                shares.entry((*c, *org)).or_default().push(id);
                Change::Share { org: ngo(*org) }
            }
            Spec::Unshare { org, seen } => Change::Unshare {
                org: ngo(*org),
                seen: mask_of(shares.get(&(*c, *org)).map(Vec::as_slice).unwrap_or_default(), *seen),
            },
        };
        let user = UserName::parse("user", &format!("user{d}")).unwrap();
        ops.push(Operation { id, case_id: case(*c), hlc, device, user, class: Sensitivity::General, change });
    }
    ops
}

fn ngo(n: usize) -> OrgId {
    OrgId::parse("org", &format!("ngo-{n}")).unwrap()
}

/// Every case's view, from operations in the given order.
fn views(ops: &[Operation]) -> BTreeMap<CaseId, CaseView> {
    let mut states: BTreeMap<CaseId, CaseState> = BTreeMap::new();
    for op in ops {
        states.entry(op.case_id).or_insert_with(|| CaseState::new(op.case_id)).apply(op.clone()).unwrap();
    }
    states.into_iter().map(|(id, s)| (id, s.view().unwrap())).collect()
}

fn ops_and_shuffle() -> impl Strategy<Value = (Vec<Operation>, Vec<Operation>)> {
    prop::collection::vec(spec(), 1..40).prop_flat_map(|specs| {
        let ops = build(&specs);
        let n = ops.len();
        let shuffled = (Just(ops.clone()), prop::collection::vec(0..n, 0..n))
            .prop_map(|(ops, dups)| {
                let mut all = ops.clone();
                all.extend(dups.into_iter().map(|i| ops[i].clone()));
                all
            })
            .prop_shuffle();
        (Just(ops), shuffled)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_order_and_any_duplication_gives_the_same_views((ops, shuffled) in ops_and_shuffle()) {
        prop_assert_eq!(views(&ops), views(&shuffled));
    }

    #[test]
    fn the_view_without_document_is_the_view_less_its_document((ops, _) in ops_and_shuffle()) {
        let mut states: BTreeMap<CaseId, CaseState> = BTreeMap::new();
        for op in &ops {
            states.entry(op.case_id).or_insert_with(|| CaseState::new(op.case_id)).apply(op.clone()).unwrap();
        }
        for state in states.values() {
            let mut full = state.view().unwrap();
            prop_assert!(full.document.is_object());
            full.document = Value::Null;
            prop_assert_eq!(state.view_without_document().unwrap(), full);
        }
    }

    #[test]
    fn a_write_superseding_the_frontier_resolves_every_conflict_of_its_field(
        (ops, _) in ops_and_shuffle(), field in 0..FIELDS.len(),
    ) {
        let c = ops[0].case_id;
        let mine: Vec<Operation> = ops.iter().filter(|o| o.case_id == c).cloned().collect();
        let mut state = CaseState::from_ops(&mine).unwrap();
        let key = FieldKey::Case { field: FIELDS[field].to_owned() };
        let device = DeviceId::from_u128(0xde99);
        let resolution = Operation {
            id: OpId::from_u128(10_000),
            case_id: c,
            // Even a write whose clock is *older* than the others resolves them: it saw them.
            hlc: Hlc { wall_ms: 0, counter: 0, device },
            device,
            user: UserName::parse("user", "supervisor").unwrap(),
            class: Sensitivity::General,
            change: Change::Set {
                field: FieldPath::parse(FIELDS[field]).unwrap(),
                value: json!("chosen"),
                supersedes: state.frontier(&key),
            },
        };
        state.apply(resolution).unwrap();
        let view = state.view().unwrap();
        prop_assert!(view.conflicts.iter().all(|k| k.key != key));
        prop_assert_eq!(field_value(&view, FIELDS[field]), Some(json!("chosen")));
    }

    #[test]
    fn concurrent_writes_of_different_values_are_a_conflict_holding_both(
        a in 0u64..100, b in 0u64..100, base in prop::bool::ANY,
    ) {
        let mut ops = Vec::new();
        let c = case(0);
        let mut seen = Vec::new();
        if base {
            ops.push(set_op(1, c, 1, 0, "status", "open", vec![]));
            seen.push(OpId::from_u128(1));
        }
        ops.push(set_op(2, c, 2, a, "status", "referred", seen.clone()));
        ops.push(set_op(3, c, 3, b, "status", "closed", seen));
        let view = CaseState::from_ops(&ops).unwrap().view().unwrap();
        prop_assert_eq!(view.conflicts.len(), 1);
        let values: Vec<&Value> = view.conflicts[0].values.iter().map(|v| &v.value).collect();
        prop_assert!(values.contains(&&json!("referred")) && values.contains(&&json!("closed")));
        prop_assert_eq!(values.len(), 2, "the superseded base write is not part of the conflict");
        // The field shows the later clock (device breaks a tie), the conflict keeps the other.
        let winner = if (a, 2) > (b, 3) { "referred" } else { "closed" };
        prop_assert_eq!(field_value(&view, "status"), Some(json!(winner)));
    }

    #[test]
    fn a_removal_takes_away_only_the_writes_it_saw_in_any_order(
        walls in prop::collection::vec(0u64..50, 5), saw_edit in any::<bool>(), legacy in any::<bool>(), settle in 0u8..3,
        order in Just(()).prop_perturb(|_, mut r| {
            let mut v = vec![0usize, 1, 2, 3, 4];
            for i in (1..5).rev() { v.swap(i, r.random_range(0..=i)); }
            v
        }),
        dups in prop::collection::vec(0usize..5, 0..4),
    ) {
        let c = case(0);
        let (d1, d2) = (DeviceId::from_u128(0xde01), DeviceId::from_u128(0xde02));
        let mk = |id: u128, wall: u64, device: DeviceId, change: Change| Operation {
            id: OpId::from_u128(id), case_id: c, hlc: Hlc { wall_ms: wall, counter: id as u32, device }, device,
            user: UserName::parse("user", "user1").unwrap(), class: Sensitivity::General, change,
        };
        let mut m = Map::new();
        m.insert("to".into(), json!("medical"));
        let (add, edit, remove) = (OpId::from_u128(1), OpId::from_u128(2), OpId::from_u128(3));
        let seen = if legacy { None } else if saw_edit { Some(vec![add, edit]) } else { Some(vec![add]) };
        let mut ops = vec![
            mk(1, walls[0], d1, Change::AddItem { list: ListKind::Referrals, item: item(0), value: m }),
            // Device 2 edits; device 1 removes, having seen the edit or not.
            mk(2, walls[1], d2, Change::SetItemField {
                list: ListKind::Referrals, item: item(0), field: "status".into(), value: json!("sent"), supersedes: vec![],
            }),
            mk(3, walls[2], d1, Change::RemoveItem { list: ListKind::Referrals, item: item(0), seen }),
        ];
        let flagged = !legacy && !saw_edit;
        // A person settles a flagged item: 1 keeps it (an edit superseding the removal), 2 removes it again.
        let settled = match (flagged, settle) {
            (true, 1) => Some(mk(4, walls[3], d2, Change::SetItemField {
                list: ListKind::Referrals, item: item(0), field: "status".into(), value: json!("sent"), supersedes: vec![edit, remove],
            })),
            (true, 2) => Some(mk(5, walls[4], d1, Change::RemoveItem { list: ListKind::Referrals, item: item(0), seen: Some(vec![add, edit]) })),
            _ => None,
        };
        ops.extend(settled.clone());
        let mut ordered: Vec<Operation> = order.iter().filter_map(|i| ops.get(*i).cloned()).collect();
        ordered.extend(dups.iter().filter_map(|i| ops.get(*i).cloned()));
        let view = CaseState::from_ops(&ordered).unwrap().view().unwrap();
        let listed = view.document["referrals"].as_array().unwrap().len();
        let removal_conflicts = view.conflicts.iter().filter(|k| matches!(k.key, FieldKey::Removal { .. })).count();
        match (flagged, settle) {
            (false, _) => {
                prop_assert_eq!(listed, 0, "a removal that saw every write (or from before `seen`) removes");
                prop_assert!(view.conflicts.is_empty());
            }
            (true, 0) => {
                prop_assert_eq!(listed, 1, "an edit the removal did not see keeps the item");
                prop_assert_eq!(removal_conflicts, 1, "{:?}", view.conflicts);
                let values: Vec<_> = view.conflicts[0].values.iter().map(|v| (v.op, v.value.clone())).collect();
                prop_assert!(values.contains(&(remove, Value::Null)) && values.contains(&(edit, json!("sent"))), "{:?}", values);
            }
            (true, 1) => {
                prop_assert_eq!(listed, 1, "kept");
                prop_assert_eq!(removal_conflicts, 0);
            }
            (true, _) => {
                prop_assert_eq!(listed, 0, "removed again, seeing the edit");
                prop_assert!(view.conflicts.is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Sharing is an observed-remove set: an organization sees a case exactly
    /// while one of its shares is not among those its unshares saw, whatever
    /// the order the operations arrive in, however often.
    /// The batch lookups the store makes once per save give what the per-key ones give.
    #[test]
    fn every_frontier_at_once_is_each_frontier((ops, _) in ops_and_shuffle()) {
        let mut states: BTreeMap<CaseId, CaseState> = BTreeMap::new();
        for op in &ops {
            states.entry(op.case_id).or_insert_with(|| CaseState::new(op.case_id)).apply(op.clone()).unwrap();
        }
        for state in states.values() {
            for (key, ids) in state.frontiers() {
                prop_assert_eq!(&ids, &state.frontier(&key));
            }
            let standing = state.all_standing_removals();
            for n in 0..3 {
                let want = state.standing_removals(ListKind::Referrals, item(n));
                prop_assert_eq!(standing.get(&(ListKind::Referrals, item(n))).cloned().unwrap_or_default(), want);
            }
        }
    }

    #[test]
    fn an_unshare_ends_only_the_shares_it_saw((ops, shuffled) in ops_and_shuffle()) {
        let views = views(&shuffled);
        for (case_id, view) in &views {
            for n in 0..2 {
                let org = ngo(n);
                let mine = || ops.iter().filter(|o| o.case_id == *case_id);
                let ended: Vec<OpId> = mine()
                    .filter_map(|o| match &o.change {
                        Change::Unshare { org: u, seen } if *u == org => Some(seen.clone()),
                        _ => None,
                    })
                    .flatten()
                    .collect();
                let standing = mine().any(|o| matches!(&o.change, Change::Share { org: s } if *s == org) && !ended.contains(&o.id));
                prop_assert_eq!(view.shared_with.contains(&org), standing, "{:?}", org);
            }
        }
    }
}

#[test]
fn a_share_made_after_an_unshare_shares_the_case_again_and_one_it_did_not_see_keeps_it() {
    let c = case(0);
    let device = DeviceId::from_u128(0xde01);
    let mk = |id: u128, change: Change| Operation {
        id: OpId::from_u128(id),
        case_id: c,
        hlc: Hlc { wall_ms: id as u64, counter: 0, device },
        device,
        user: UserName::parse("user", "user1").unwrap(),
        class: Sensitivity::General,
        change,
    };
    let owner: OrgId = "border-7".parse().unwrap();
    let create = mk(1, Change::create_case(owner.clone()));
    let s1 = mk(2, Change::Share { org: ngo(0) });
    let s2 = mk(3, Change::Share { org: ngo(0) });
    let unshare_saw_s1 = mk(4, Change::Unshare { org: ngo(0), seen: vec![s1.id] });
    let of = |ops: &[&Operation]| CaseState::from_ops(ops.iter().copied()).unwrap().view().unwrap();
    assert!(!of(&[&create, &s1, &unshare_saw_s1]).visible_to(&ngo(0)), "every share it saw ended");
    assert!(of(&[&create, &s1, &s2, &unshare_saw_s1]).visible_to(&ngo(0)), "a share it did not see keeps it");
    let again = mk(5, Change::Share { org: ngo(0) });
    assert!(of(&[&create, &s1, &unshare_saw_s1, &again]).visible_to(&ngo(0)), "shared again");
    // An unshare of one organization never ends another's shares, even naming them.
    let wrong = mk(6, Change::Unshare { org: ngo(1), seen: vec![s1.id] });
    assert!(of(&[&create, &s1, &wrong]).visible_to(&ngo(0)));
    assert!(of(&[&create, &s1]).visible_to(&owner) && !of(&[&create]).visible_to(&ngo(0)));
}

fn set_op(id: u128, c: CaseId, device: u128, wall: u64, field: &str, value: &str, supersedes: Vec<OpId>) -> Operation {
    let device = DeviceId::from_u128(device);
    Operation {
        id: OpId::from_u128(id),
        case_id: c,
        hlc: Hlc { wall_ms: wall, counter: 0, device },
        device,
        user: UserName::parse("user", "user1").unwrap(),
        class: Sensitivity::General,
        change: Change::Set { field: FieldPath::parse(field).unwrap(), value: json!(value), supersedes },
    }
}

fn field_value(view: &CaseView, path: &str) -> Option<Value> {
    let mut at = &view.document;
    for seg in path.split('.') {
        at = at.get(seg)?;
    }
    Some(at.clone())
}

#[test]
fn duplicates_of_an_operation_count_once() {
    let ops = build(&[(0, 0, 1, Spec::Set { field: 0, value: 1, supersedes: 0 })]);
    let mut state = CaseState::from_ops(&ops).unwrap();
    assert!(!state.apply(ops[0].clone()).unwrap());
    assert_eq!(state.view().unwrap().op_count, 1);
    let mut changed = ops[0].clone();
    changed.change =
        Change::Set { field: FieldPath::parse("status").unwrap(), value: json!("closed"), supersedes: vec![] };
    assert!(state.apply(changed).is_err(), "same id, other content is refused");
}
