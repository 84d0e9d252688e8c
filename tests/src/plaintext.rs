//! Looking for a case's words where they must not be: every file under a
//! folder, byte for byte, in any letter case, as UTF-8 and as UTF-16.

use std::path::{Path, PathBuf};

/// Every file under `dir`, its subfolders' included.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() { todo.push(path) } else { out.push(path) }
        }
    }
    out.sort();
    out
}

/// `(file, marker)` for each marker found in `bytes` of a file, in any ASCII
/// letter case, as it is or as it is written inside a JSON string, as UTF-8
/// or as UTF-16 in either byte order.
pub fn markers_in(name: &str, bytes: &[u8], markers: &[String]) -> Vec<String> {
    let bytes = bytes.to_ascii_lowercase();
    let mut found = Vec::new();
    for marker in markers {
        let lower = marker.to_ascii_lowercase();
        let json = serde_json::to_string(&lower).unwrap_or_default();
        let mut forms = Vec::new();
        for text in [lower.as_str(), json.trim_matches('"')] {
            forms.push(text.as_bytes().to_vec());
            for be in [false, true] {
                forms.push(
                    text.encode_utf16().flat_map(|u| if be { u.to_be_bytes() } else { u.to_le_bytes() }).collect(),
                );
            }
        }
        if forms.iter().any(|f| memchr::memmem::find(&bytes, f).is_some()) {
            found.push(format!("{marker:?} in {name}"));
        }
    }
    found
}

/// Every marker found in any file under `dir` (see [`markers_in`]); panics
/// when there is no file to look in, which would prove nothing.
pub fn find_in_folder(dir: &Path, markers: &[String]) -> Vec<String> {
    let files = files_under(dir);
    assert!(!files.is_empty(), "nothing to scan in {}", dir.display());
    files
        .iter()
        .flat_map(|f| markers_in(&f.display().to_string(), &std::fs::read(f).unwrap_or_default(), markers))
        .collect()
}
