//! No plaintext of a case anywhere in the store's folder.

use std::fs;
use std::path::Path;
use waystation_core::CaseId;
use waystation_store::Store;

use crate::fixture::*;

fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else { return false };
    let mut from = 0;
    while let Some(p) = haystack[from..].iter().position(|&b| b == first) {
        let at = from + p;
        if haystack[at + 1..].starts_with(rest) {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Every (file, marker) where a marker (ASCII, at least 9 characters: random
/// ciphertext will not hold one by chance) is found in any file under `dir`,
/// in any letter case, as UTF-8 or as UTF-16 in either byte order. Give the
/// common prefix of many markers to scan for all of them at once.
pub fn find_plaintext(dir: &Path, markers: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let mut files = 0;
    for entry in walk(dir) {
        let bytes = fs::read(&entry).unwrap_or_default().to_ascii_lowercase();
        files += 1;
        for marker in markers {
            assert!(marker.is_ascii() && marker.len() >= 9, "markers must be long ASCII strings");
            let lower = marker.to_ascii_lowercase();
            let variants = [lower.as_bytes().to_vec(), utf16(&lower, false), utf16(&lower, true)];
            if variants.iter().any(|v| contains(&bytes, v)) {
                found.push(format!("{} in {}", marker, entry.display()));
            }
        }
    }
    assert!(files > 0, "nothing to scan in {}", dir.display());
    found
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The searchable texts `case_with(marker)` writes.
pub fn markers_of(marker: &str) -> Vec<String> {
    ["given", "family", "alias", "narrative", "adult", "note"].iter().map(|f| format!("{marker}{f}")).collect()
}

#[test]
fn the_store_folder_holds_no_plaintext_of_a_case() {
    let (tmp, mut store) = new_store();
    let dir = store_dir(&tmp);
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(store.save_new_case(CaseId::new(), case_with(&format!("Plainmark{i}x"))).unwrap());
    }
    // Every field's marker of one case, and the prefix all markers share.
    let mut markers = markers_of("Plainmark7x");
    markers.push("Plainmark".to_string());
    // The test would be worthless if the markers were not really stored.
    let raw = store.raw_connection_for_tests().unwrap();
    let view: String = raw.query_row("SELECT view FROM cases LIMIT 1", [], |r| r.get(0)).unwrap();
    assert!(view.contains("xnarrative"), "markers are in the decrypted database");
    drop(raw);
    assert_eq!(store.search("Plainmark7xgiven").unwrap(), vec![ids[7]]);

    // Open: database, WAL and shared memory exist.
    assert!(dir.join("store.db-wal").exists());
    assert_eq!(find_plaintext(&dir, &markers), Vec::<String>::new());
    // The scan itself works: a plaintext file with a marker is found.
    let utf16: Vec<u8> = markers[3].to_uppercase().encode_utf16().flat_map(u16::to_be_bytes).collect();
    fs::write(tmp.path().join("control.txt"), utf16).unwrap();
    assert_eq!(find_plaintext(tmp.path(), &markers[3..4]).len(), 1);
    fs::remove_file(tmp.path().join("control.txt")).unwrap();

    // Closed, then reopened and written again.
    store.lock().unwrap();
    assert_eq!(find_plaintext(&dir, &markers), Vec::<String>::new());
    let mut store = Store::unlock(&dir, &user(), &pass()).unwrap();
    assert!(store.case(ids[0]).unwrap().is_some());
    store.edit(ids[1], vec![set("child.given_name", serde_json::json!("Plainmark1xgiven"))]).unwrap();
    assert_eq!(find_plaintext(&dir, &markers), Vec::<String>::new());
}
