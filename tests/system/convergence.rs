//! Convergence, at the store level (no HTTP): devices exchange operations in
//! random orders, with duplicates and partitions, and all reach the same
//! state; concurrent edits of one field appear as a conflict with both
//! values on every device. The owner's devices also add, edit and remove
//! accompanying adults concurrently, and stop and start sharing the case
//! with an NGO whose device, receiving the same way, ends up holding the
//! case exactly when the merge says it is shared — and then the same state.

use proptest::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};
use waystation_core::{CaseId, Change, DeviceId, FieldPath, ItemId, ListKind, Operation};
use waystation_store::{FeedPosition, KdfParams, Passphrase, Store};
use waystation_system_tests::world::{held, note, org, user};

/// The owner's devices; one more, of the NGO, only receives (and passes on what it holds).
const DEVICES: usize = 3;
const NGO: usize = DEVICES;
const FIELDS: [&str; 3] = ["child.given_name", "encounter.narrative", "status"];

#[derive(Debug, Clone)]
enum Step {
    Edit { dev: usize, field: usize, value: u8 },
    Note { dev: usize },
    Deliver { from: usize, to: usize, seed: u64 },
    Partition(bool),
    Share { dev: usize },
    Unshare { dev: usize },
    AddAdult { dev: usize },
    EditAdult { dev: usize, pick: usize },
    RemoveAdult { dev: usize, pick: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..DEVICES, 0..FIELDS.len(), any::<u8>()).prop_map(|(dev, field, value)| Step::Edit { dev, field, value }),
        1 => (0..DEVICES).prop_map(|dev| Step::Note { dev }),
        4 => (0..=NGO, 0..=NGO, any::<u64>()).prop_map(|(from, to, seed)| Step::Deliver { from, to, seed }),
        1 => any::<bool>().prop_map(Step::Partition),
        1 => (0..DEVICES).prop_map(|dev| Step::Share { dev }),
        1 => (0..DEVICES).prop_map(|dev| Step::Unshare { dev }),
        1 => (0..DEVICES).prop_map(|dev| Step::AddAdult { dev }),
        1 => (0..DEVICES, any::<usize>()).prop_map(|(dev, pick)| Step::EditAdult { dev, pick }),
        1 => (0..DEVICES, any::<usize>()).prop_map(|(dev, pick)| Step::RemoveAdult { dev, pick }),
    ]
}

fn value_for(field: usize, v: u8) -> Value {
    match FIELDS[field] {
        "status" => json!(["open", "referred", "transferred", "closed"][usize::from(v) % 4]),
        _ => json!(format!("value {v}")),
    }
}

fn set(field: &str, value: Value) -> Change {
    Change::Set { field: FieldPath::parse(field).expect("path"), value, supersedes: vec![] }
}

fn all_ops(s: &Store) -> Vec<Operation> {
    held(&s.raw_connection_for_tests().expect("raw")).expect("held").ops.into_values().flatten().collect()
}

/// Deliver a random subset of `from`'s operations to `to`, shuffled, some twice.
fn deliver(stores: &mut [Store], from: usize, to: usize, seed: u64, everything: bool, n: &mut u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut ops = all_ops(&stores[from]);
    ops.shuffle(&mut rng);
    if !everything {
        let keep = rand::Rng::random_range(&mut rng, 0..=ops.len());
        ops.truncate(keep);
    }
    let dups: Vec<Operation> = ops.iter().take(ops.len() / 3).cloned().collect();
    ops.extend(dups);
    ops.shuffle(&mut rng);
    *n += 1;
    let cursor = FeedPosition { epoch: "test".into(), cursor: n.to_string() };
    stores[to].apply_pulled(ops, cursor).expect("apply");
}

fn views(s: &Store) -> Vec<(String, String)> {
    let conn = s.raw_connection_for_tests().expect("raw");
    let mut stmt = conn.prepare("SELECT case_id, view FROM cases ORDER BY case_id").expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("query").collect::<Result<_, _>>().expect("rows")
}

/// The case's accompanying adults as `s` holds them.
fn adults(s: &mut Store, case: CaseId) -> Vec<ItemId> {
    let view = s.case(case).expect("read").expect("the owner's device holds the case");
    view.document["adults"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| ItemId::parse("id", x["id"].as_str()?).ok()).collect())
        .unwrap_or_default()
}

fn shared_with_ngo(s: &mut Store, case: CaseId) -> bool {
    s.case(case).expect("read").expect("the case").shared_with.contains(&org("casa-esperanza"))
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let root = tempfile::tempdir().expect("tempdir");
    let pass = Passphrase::new("correct horse battery staple").expect("passphrase");
    let mut stores: Vec<Store> = (0..=NGO)
        .map(|i| {
            let (name, org_id) = if i == NGO { ("luis", "casa-esperanza") } else { ("ana", "border-7") };
            Store::create(
                &root.path().join(i.to_string()),
                &user(name),
                &pass,
                DeviceId::new(),
                &org(org_id),
                KdfParams::for_tests(),
            )
            .expect("store")
        })
        .collect();
    let case = CaseId::new();
    stores[0].save_new_case(case, vec![Change::create_case(org("border-7"))]).expect("create");
    let mut n = 0;
    for to in 1..DEVICES {
        deliver(&mut stores, 0, to, 0, true, &mut n);
    }
    // Two devices write one field concurrently, neither having seen the other.
    stores[1].edit(case, vec![set("child.family_name", json!("Tzul"))]).expect("edit");
    stores[2].edit(case, vec![set("child.family_name", json!("Tzoc"))]).expect("edit");
    let mut partitioned = false;
    for s in steps {
        match s {
            Step::Edit { dev, field, value } => {
                stores[dev].edit(case, vec![set(FIELDS[field], value_for(field, value))]).expect("edit");
            }
            Step::Note { dev } => {
                let author = stores[dev].user().clone();
                stores[dev].edit(case, vec![note(waystation_core::Sensitivity::General, &author)]).expect("note");
            }
            // Partition: device 0 alone, devices 1 and 2 together.
            Step::Deliver { from, to, seed } if from != to && !(partitioned && (from == 0) != (to == 0)) => {
                deliver(&mut stores, from, to, seed, false, &mut n);
            }
            Step::Deliver { .. } => {}
            Step::Partition(p) => partitioned = p,
            Step::Share { dev } => {
                stores[dev].edit(case, vec![Change::Share { org: org("casa-esperanza") }]).expect("share");
            }
            Step::Unshare { dev } if shared_with_ngo(&mut stores[dev], case) => {
                let unshare = Change::Unshare { org: org("casa-esperanza"), seen: vec![] };
                stores[dev].edit(case, vec![unshare]).expect("unshare");
            }
            Step::Unshare { .. } => {}
            Step::AddAdult { dev } => {
                let mut adult = serde_json::Map::new();
                adult.insert("name".into(), json!(format!("Adult {dev}")));
                let add = Change::AddItem { list: ListKind::Adults, item: ItemId::new(), value: adult };
                stores[dev].edit(case, vec![add]).expect("add adult");
            }
            Step::EditAdult { dev, pick } | Step::RemoveAdult { dev, pick } => {
                let held = adults(&mut stores[dev], case);
                let Some(item) = held.get(pick % held.len().max(1)).copied() else { continue };
                let change = if matches!(s, Step::EditAdult { .. }) {
                    let value = json!(format!("Adult {pick}"));
                    Change::SetItemField {
                        list: ListKind::Adults,
                        item,
                        field: "name".into(),
                        value,
                        supersedes: vec![],
                    }
                } else {
                    Change::RemoveItem { list: ListKind::Adults, item, seen: None }
                };
                stores[dev].edit(case, vec![change]).expect("adult");
            }
        }
    }
    // Heal: everyone gets everything, in a random order.
    for round in 0..2u64 {
        for from in 0..=NGO {
            for to in 0..=NGO {
                if from != to {
                    deliver(&mut stores, from, to, round * 100 + (from * DEVICES + to) as u64, true, &mut n);
                }
            }
        }
    }
    // The NGO's device's pull reached the feed's end: the cases it no longer sees go.
    stores[NGO].settle_removals().expect("settle");
    let first = views(&stores[0]);
    for s in &stores[1..DEVICES] {
        prop_assert_eq!(&views(s), &first, "devices that saw the same operations hold the same state");
    }
    // The NGO's device holds the case exactly when the merge shares it, and then the same state.
    let shared = shared_with_ngo(&mut stores[0], case);
    if shared {
        prop_assert_eq!(&views(&stores[NGO]), &first);
    } else {
        prop_assert!(views(&stores[NGO]).is_empty(), "the NGO's device still holds the unshared case");
        prop_assert!(all_ops(&stores[NGO]).is_empty(), "the NGO's device still holds operations of it");
    }
    stores[NGO].audit_verify().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let view: Value = serde_json::from_str(&first[0].1).expect("view json");
    let conflicts = view["conflicts"].to_string();
    prop_assert!(
        conflicts.contains("family_name") && conflicts.contains("Tzul") && conflicts.contains("Tzoc"),
        "the concurrent edits are a conflict with both values: {}",
        conflicts
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 50, ..ProptestConfig::default() })]
    #[test]
    fn devices_converge_whatever_the_order(steps in prop::collection::vec(step(), 5..40)) {
        run(steps)?;
    }
}
