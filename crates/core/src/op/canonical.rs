//! An operation's canonical JSON, written straight from its types: object
//! keys sorted at every depth, no whitespace. Byte for byte what sorting the
//! keys of the operation as a `serde_json::Value` gives, without building
//! that tree first (a copy of every key and string of the operation); stored
//! hashes, clients' hashes and "same id, different content" all rest on
//! these bytes, so a property test holds it to the tree's.

use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::OnceLock;

use super::{Change, Operation};

/// Whether this build's `serde_json::Map` iterates its keys sorted (it does
/// unless some crate turns on serde_json's `preserve_order`): then serde_json's
/// own compact writer already writes a value's objects in canonical order.
fn maps_iterate_sorted() -> bool {
    static SORTED: OnceLock<bool> = OnceLock::new();
    *SORTED.get_or_init(|| {
        let mut m = Map::new();
        m.insert("b".into(), Value::Null);
        m.insert("a".into(), Value::Null);
        m.insert("ab".into(), Value::Null);
        m.keys().map(String::as_str).eq(["a", "ab", "b"])
    })
}

/// A JSON object being written: its keys must come in sorted order.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Object<'o> {
    fn open(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        Object { out, first: true }
    }

    /// Start the member `key` (a plain name: no character needs escaping).
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    /// A member whose value serde writes as a string or a number.
    fn leaf<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        leaf(self.key(key), value);
    }

    /// A member holding arbitrary JSON.
    fn value(&mut self, key: &str, value: &Value) {
        write_value(self.key(key), value);
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

/// A string, an id, a name or a number, as serde writes it (escaped).
fn leaf<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(out, value).expect("a string, id or number always serializes");
}

/// Arbitrary JSON with the keys of every object sorted.
fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Object(map) => write_map(out, map),
        Value::Array(items) if !maps_iterate_sorted() => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        other => leaf(out, other),
    }
}

fn write_map(out: &mut Vec<u8>, map: &Map<String, Value>) {
    if maps_iterate_sorted() {
        return leaf(out, map);
    }
    let mut entries: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    entries.sort_by_key(|(k, _)| *k);
    write_object(out, entries);
}

/// An object of `entries`, given in sorted key order.
fn write_object<'v>(out: &mut Vec<u8>, entries: impl IntoIterator<Item = (&'v str, &'v Value)>) {
    out.push(b'{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        leaf(out, key);
        out.push(b':');
        write_value(out, value);
    }
    out.push(b'}');
}

/// The canonical JSON of `op`. Members in sorted key order: `Operation`'s
/// (`case_id`, `change`, `class`, `device`, `hlc`, `id`, `user`), `Hlc`'s,
/// and each change's own (its `kind` tag among them, in its place); members
/// serde leaves out when empty are left out here too.
pub(super) fn operation(op: &Operation) -> String {
    let mut out = Vec::with_capacity(512);
    let mut o = Object::open(&mut out);
    o.leaf("case_id", &op.case_id);
    change(o.key("change"), &op.change);
    o.leaf("class", &op.class);
    o.leaf("device", &op.device);
    let mut hlc = Object::open(o.key("hlc"));
    hlc.leaf("counter", &op.hlc.counter);
    hlc.leaf("device", &op.hlc.device);
    hlc.leaf("wall_ms", &op.hlc.wall_ms);
    hlc.close();
    o.leaf("id", &op.id);
    o.leaf("user", &op.user);
    o.close();
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

fn change(out: &mut Vec<u8>, change: &Change) {
    let mut o = Object::open(out);
    match change {
        Change::CreateCase { owner, fields } => {
            if !fields.is_empty() {
                // A `BTreeMap` of paths iterates in their text's order (`FieldPath` orders as its text).
                write_object(o.key("fields"), fields.iter().map(|(k, v)| (k.as_str(), v)));
            }
            o.leaf("kind", "create_case");
            o.leaf("owner", owner);
        }
        Change::Share { org } => {
            o.leaf("kind", "share");
            o.leaf("org", org);
        }
        Change::Unshare { org, seen } => {
            o.leaf("kind", "unshare");
            o.leaf("org", org);
            if !seen.is_empty() {
                o.leaf("seen", seen);
            }
        }
        Change::Set { field, value, supersedes } => {
            o.leaf("field", field);
            o.leaf("kind", "set");
            if !supersedes.is_empty() {
                o.leaf("supersedes", supersedes);
            }
            o.value("value", value);
        }
        Change::AddItem { list, item, value } => {
            o.leaf("item", item);
            o.leaf("kind", "add_item");
            o.leaf("list", list);
            write_map(o.key("value"), value);
        }
        Change::SetItemField { list, item, field, value, supersedes } => {
            o.leaf("field", field);
            o.leaf("item", item);
            o.leaf("kind", "set_item_field");
            o.leaf("list", list);
            if !supersedes.is_empty() {
                o.leaf("supersedes", supersedes);
            }
            o.value("value", value);
        }
        Change::RemoveItem { list, item, seen } => {
            o.leaf("item", item);
            o.leaf("kind", "remove_item");
            o.leaf("list", list);
            if let Some(seen) = seen {
                o.leaf("seen", seen);
            }
        }
    }
    o.close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Sensitivity;
    use crate::access::{OrgId, UserName};
    use crate::hlc::Hlc;
    use crate::ids::{CaseId, DeviceId, ItemId, OpId};
    use crate::op::{FieldPath, ListKind};
    use proptest::prelude::*;
    use serde_json::json;

    /// The reference: the operation as a `Value` tree, every object's keys
    /// sorted while writing (whatever map type serde_json was built with).
    fn via_tree(op: &Operation) -> String {
        fn write(value: &Value, out: &mut String) {
            match value {
                Value::Object(map) => {
                    let mut keys: Vec<&String> = map.keys().collect();
                    keys.sort();
                    out.push('{');
                    for (i, key) in keys.into_iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&Value::String(key.clone()).to_string());
                        out.push(':');
                        write(&map[key], out);
                    }
                    out.push('}');
                }
                Value::Array(items) => {
                    out.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        write(item, out);
                    }
                    out.push(']');
                }
                other => out.push_str(&other.to_string()),
            }
        }
        let mut out = String::new();
        write(&serde_json::to_value(op).unwrap(), &mut out);
        out
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((".*", inner), 0..5).prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    fn ids() -> impl Strategy<Value = Vec<OpId>> {
        prop::collection::vec(any::<u128>().prop_map(OpId::from_u128), 0..3)
    }

    fn list() -> impl Strategy<Value = ListKind> {
        prop::sample::select(ListKind::ALL.to_vec())
    }

    fn path() -> impl Strategy<Value = FieldPath> {
        // A list's name or a system field is not a path: filter them out.
        "[a-z][a-z_]{0,6}(\\.[a-z][a-z_]{0,6})?".prop_filter_map("a field path", |p| FieldPath::parse(&p).ok())
    }

    fn change() -> impl Strategy<Value = Change> {
        let org = "[a-z][a-z0-9-]{1,8}".prop_map(|o| o.parse::<OrgId>().unwrap());
        prop_oneof![
            (org.clone(), prop::collection::btree_map(path(), json_value(), 0..4))
                .prop_map(|(owner, fields)| Change::CreateCase { owner, fields }),
            org.clone().prop_map(|org| Change::Share { org }),
            (org, ids()).prop_map(|(org, seen)| Change::Unshare { org, seen }),
            (path(), json_value(), ids()).prop_map(|(field, value, supersedes)| Change::Set {
                field,
                value,
                supersedes
            }),
            (list(), any::<u128>(), prop::collection::vec((".*", json_value()), 0..5)).prop_map(|(list, item, kv)| {
                Change::AddItem { list, item: ItemId::from_u128(item), value: kv.into_iter().collect() }
            }),
            (list(), any::<u128>(), ".*", json_value(), ids()).prop_map(|(list, item, field, value, supersedes)| {
                Change::SetItemField { list, item: ItemId::from_u128(item), field, value, supersedes }
            }),
            (list(), any::<u128>(), proptest::option::of(ids())).prop_map(|(list, item, seen)| Change::RemoveItem {
                list,
                item: ItemId::from_u128(item),
                seen
            }),
        ]
    }

    fn operation_strategy() -> impl Strategy<Value = Operation> {
        let class = prop::sample::select(vec![
            Sensitivity::General,
            Sensitivity::LawEnforcementSensitive,
            Sensitivity::LegalPrivileged,
            Sensitivity::Medical,
        ]);
        (any::<[u128; 3]>(), any::<u64>(), any::<u32>(), "[a-z][a-z0-9_.-]{0,10}", class, change()).prop_map(
            |([id, case, device], wall_ms, counter, user, class, change)| {
                let device = DeviceId::from_u128(device);
                Operation {
                    id: OpId::from_u128(id),
                    case_id: CaseId::from_u128(case),
                    hlc: Hlc { wall_ms, counter, device },
                    device,
                    user: user.parse::<UserName>().unwrap(),
                    class,
                    change,
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn written_straight_is_the_sorted_tree_byte_for_byte(op in operation_strategy()) {
            prop_assert_eq!(operation(&op), via_tree(&op));
        }
    }

    #[test]
    fn a_stored_operation_keeps_its_bytes() {
        // Bytes an operation had before this writer existed: they must not move.
        let device = DeviceId::from_u128(7);
        let op = Operation {
            id: OpId::from_u128(1),
            case_id: CaseId::from_u128(2),
            hlc: Hlc { wall_ms: 1_700_000_000_000, counter: 3, device },
            device,
            user: "ana".parse().unwrap(),
            class: Sensitivity::General,
            change: Change::Set {
                field: FieldPath::parse("child.given_name").unwrap(),
                value: json!({"b": 1, "a": "é\"\n"}),
                supersedes: vec![OpId::from_u128(9)],
            },
        };
        assert_eq!(
            operation(&op),
            concat!(
                r#"{"case_id":"00000000-0000-0000-0000-000000000002","change":{"field":"child.given_name","kind":"set","#,
                r#""supersedes":["00000000-0000-0000-0000-000000000009"],"value":{"a":"é\"\n","b":1}},"class":"general","#,
                r#""device":"00000000-0000-0000-0000-000000000007","hlc":{"counter":3,"#,
                r#""device":"00000000-0000-0000-0000-000000000007","wall_ms":1700000000000},"#,
                r#""id":"00000000-0000-0000-0000-000000000001","user":"ana"}"#
            )
        );
    }
}
