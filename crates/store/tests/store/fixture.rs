//! Test data built from raw changes, and helpers to open stores.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::path::Path;
use tempfile::TempDir;
use waystation_core::{CaseId, Change, DeviceId, FieldPath, ItemId, ListKind, OrgId, UserName};
use waystation_store::{KdfParams, Passphrase, Store};

pub fn user() -> UserName {
    UserName::parse("user", "ana.lopez").unwrap()
}

pub fn org() -> OrgId {
    OrgId::parse("org", "border-station-7").unwrap()
}

pub fn pass() -> Passphrase {
    Passphrase::new("correct horse battery staple").unwrap()
}

pub fn wrong_pass() -> Passphrase {
    Passphrase::new("incorrect donkey battery").unwrap()
}

/// A fresh store in a fresh folder (the store lives in `dir/store`).
pub fn new_store() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store =
        Store::create(&dir.path().join("store"), &user(), &pass(), DeviceId::new(), &org(), KdfParams::for_tests())
            .unwrap();
    (dir, store)
}

pub fn store_dir(dir: &TempDir) -> std::path::PathBuf {
    dir.path().join("store")
}

pub fn set(field: &str, value: Value) -> Change {
    Change::Set { field: FieldPath::parse(field).unwrap(), value, supersedes: vec![] }
}

pub fn add(list: ListKind, value: Value) -> Change {
    let Value::Object(map) = value else { panic!("an item is an object") };
    Change::AddItem { list, item: ItemId::new(), value: map }
}

pub fn create() -> Change {
    Change::create_case(org())
}

/// A realistic case whose searchable texts carry `marker`: given name,
/// family name, alias, narrative, an adult's name and a note.
pub fn case_with(marker: &str) -> Vec<Change> {
    vec![
        create(),
        set("status", json!("open")),
        set("child.given_name", json!(format!("{marker}given"))),
        set("child.family_name", json!(format!("{marker}family"))),
        set("child.aliases", json!([format!("{marker}alias")])),
        set("child.estimated_age", json!(15)),
        set("encounter.occurred_at", json!("2026-11-20T10:15:00-07:00")),
        set(
            "encounter.narrative",
            json!(format!(
                "Found walking near the levee at dawn with two others; {marker}narrative said she owes a debt."
            )),
        ),
        add(ListKind::Adults, json!({"name": format!("{marker}adult"), "claimed_relationship": "uncle"})),
        add(
            ListKind::Notes,
            json!({"sensitivity": "general", "text": format!("{marker}note asked for water"),
                   "written_at": "2026-11-20T10:40:00-07:00", "author": "ana.lopez"}),
        ),
    ]
}

/// A case with a given and family name and a narrative.
pub fn named(given: &str, family: &str, narrative: &str) -> Vec<Change> {
    vec![
        create(),
        set("status", json!("open")),
        set("child.given_name", json!(given)),
        set("child.family_name", json!(family)),
        set("encounter.narrative", json!(narrative)),
    ]
}

/// A new case id with its changes.
pub fn new_case(marker: &str) -> (CaseId, Vec<Change>) {
    (CaseId::new(), case_with(marker))
}

/// SHA-256 of a file, or `None` when it does not exist.
pub fn file_hash(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|b| hex::encode(Sha256::digest(&b)))
}

/// The given name in a view's document.
pub fn given_name(doc: &Value) -> Option<&str> {
    doc.get("child")?.get("given_name")?.as_str()
}

/// An object map from a JSON value.
pub fn map(value: Value) -> Map<String, Value> {
    let Value::Object(map) = value else { panic!("not an object") };
    map
}
