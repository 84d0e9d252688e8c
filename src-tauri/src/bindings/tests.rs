use std::collections::BTreeSet;

use super::*;
use crate::commands::signatures;

fn ui_bindings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings")
}

/// CI runs this: a Rust type changed without regenerating fails here.
#[test]
fn ui_bindings_are_up_to_date() {
    let wanted = generate(&signatures()).unwrap();
    let dir = ui_bindings();
    if std::env::var_os("WAYSTATION_WRITE_BINDINGS").is_some_and(|v| v == "1") {
        write(&dir, &wanted).unwrap();
    }
    let diff = differences(&wanted, &read_dir(&dir).unwrap());
    assert!(diff.is_empty(), "ui/src/bindings is out of date: run `{REGENERATE}`\n  {}", diff.join("\n  "));
}

#[test]
fn a_changed_missing_or_extra_file_is_a_difference() {
    let wanted = generate(&signatures()).unwrap();
    assert!(differences(&wanted, &wanted).is_empty());

    let mut changed = wanted.clone();
    changed.get_mut(Path::new("SyncStatus.ts")).unwrap().push_str("// edited\n");
    assert_eq!(differences(&wanted, &changed), ["changed SyncStatus.ts"]);

    let mut missing = wanted.clone();
    missing.remove(Path::new("CaseDetail.ts"));
    assert_eq!(differences(&wanted, &missing), ["missing CaseDetail.ts"]);

    let mut extra = wanted.clone();
    extra.insert("Old.ts".into(), String::new());
    assert_eq!(differences(&wanted, &extra), ["not generated Old.ts"]);
}

#[test]
fn the_command_map_names_every_argument_and_the_error_is_exported() {
    let files = generate(&signatures()).unwrap();
    let commands = &files[Path::new("commands.ts")];
    assert!(
        commands.contains("  case_add_note: { args: { id: string; note: NewNote }; result: CaseDetail };"),
        "{commands}"
    );
    assert!(commands.contains("  lock: { args: Record<never, never>; result: null };"), "{commands}");
    assert!(commands.contains("import type { NewCaseDocument } from \"./NewCaseDocument\";"), "{commands}");
    assert!(files[Path::new("CommandError.ts")].contains("code: ErrorCode"));
    assert!(files[Path::new("index.ts")].contains("export type * from \"./serde_json/JsonValue\";"));
    // 64-bit counts are plain numbers in the window.
    assert!(!files.values().any(|f| f.contains("bigint")));
}

/// The commands defined in `src/commands/*.rs`: name and argument names (without the app state).
fn defined_commands() -> BTreeSet<(String, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for part in text.split("#[tauri::command]").skip(1) {
            let sig = part.split_once("pub async fn ").expect("a command is a `pub async fn`").1;
            let (name, rest) = sig.split_once('(').unwrap();
            let params = &rest[..rest.find(") ->").unwrap()];
            let mut args = Vec::new();
            let mut depth = 0i32;
            let mut current = String::new();
            for ch in params.chars().chain([',']) {
                match ch {
                    '<' | '(' => depth += 1,
                    '>' | ')' => depth -= 1,
                    ',' if depth == 0 => {
                        let arg = std::mem::take(&mut current);
                        if let Some((name, ty)) = arg.split_once(':')
                            && !ty.trim().starts_with("State<")
                        {
                            args.push(name.trim().to_owned());
                        }
                        continue;
                    }
                    _ => {}
                }
                current.push(ch);
            }
            out.insert((name.trim().to_owned(), args));
        }
    }
    out
}

#[test]
fn every_command_is_in_the_table_with_its_argument_names() {
    let table: BTreeSet<(String, Vec<String>)> =
        signatures().iter().map(|c| (c.name.to_owned(), c.args.iter().map(|a| a.name.to_owned()).collect())).collect();
    let defined = defined_commands();
    assert!(defined.len() > 10, "found too few commands: {defined:?}");
    let missing: Vec<_> = defined.difference(&table).collect();
    let extra: Vec<_> = table.difference(&defined).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the command table in src-tauri/src/commands/mod.rs and the #[tauri::command] functions differ:\n  \
         defined but not in the table (or other argument names): {missing:?}\n  in the table only: {extra:?}"
    );
}

#[test]
fn the_build_script_grants_exactly_the_commands_of_the_table() {
    let build = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("build.rs")).unwrap();
    let list = build.split_once("COMMANDS: &[&str] = &[").unwrap().1.split_once("];").unwrap().0;
    let granted: BTreeSet<&str> =
        list.split(',').map(|s| s.trim().trim_matches('"')).filter(|s| !s.is_empty()).collect();
    let table: BTreeSet<&str> = signatures().iter().map(|c| c.name).collect();
    assert_eq!(granted, table, "build.rs COMMANDS and the command table differ");
}
