//! Crash safety: a child process (this test binary) writes cases in a loop
//! and is killed with SIGKILL at random moments; after each kill every case
//! it reported committed is readable, the audit chain verifies, and the
//! operation log, the outbox and the case views agree exactly.

use rand::Rng;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use waystation_core::CaseId;
use waystation_store::Store;

use crate::fixture::*;
use crate::plaintext::find_plaintext;

const CHILD_ENV: &str = "WAYSTATION_STORE_CRASH_CHILD_DIR";
const KILLS: usize = 55;

/// The child: returns at once unless the parent set the environment variable.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let dir = Path::new(&dir);
    let mut store = Store::unlock(dir, &user(), &pass()).expect("child unlock");
    let mut out = std::io::stdout().lock();
    let mut saved: Vec<CaseId> = Vec::new();
    for i in 0u64.. {
        let marker = format!("Crashmark{}x{i}", std::process::id());
        match i % 3 {
            0 => {
                let id = store.save_new_case(CaseId::new(), case_with(&marker)).expect("save");
                saved.push(id);
                writeln!(out, "COMMITTED {id}").unwrap();
            }
            1 => {
                let batch: Vec<_> = (0..4).map(|k| new_case(&format!("{marker}b{k}"))).collect();
                let ids = store.save_new_cases(batch).expect("save batch");
                for id in ids {
                    saved.push(id);
                    writeln!(out, "COMMITTED {id}").unwrap();
                }
            }
            _ => {
                let id = saved[i as usize % saved.len()];
                store.edit(id, vec![set("status", serde_json::json!("referred"))]).expect("edit");
                writeln!(out, "EDITED {id}").unwrap();
            }
        }
        out.flush().unwrap();
    }
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The log, the outbox, the views, the search index and the audit agree.
fn check_consistency(store: &mut Store, committed: &BTreeSet<CaseId>, latest: &[CaseId]) {
    store.audit_verify().expect("audit chain verifies after a kill");
    let raw = store.raw_connection_for_tests().unwrap();
    let mut present = raw.prepare("SELECT 1 FROM cases WHERE case_id = ?1").unwrap();
    for id in committed {
        assert!(present.exists([id.to_string()]).unwrap(), "committed case {id} lost");
    }
    drop(present);
    // The newest committed cases read back whole through the API.
    for id in latest.iter().rev().take(5) {
        let view = store.case(*id).unwrap().expect("committed case readable");
        assert_eq!(view.id, *id);
    }
    let checks = [
        (
            "operations missing from the outbox",
            "SELECT count(*) FROM ops WHERE op_id NOT IN (SELECT op_id FROM outbox)",
        ),
        ("outbox entries without operation", "SELECT count(*) FROM outbox WHERE op_id NOT IN (SELECT op_id FROM ops)"),
        ("cases without operations", "SELECT count(*) FROM cases WHERE case_id NOT IN (SELECT case_id FROM ops)"),
        ("operations without a case", "SELECT count(*) FROM ops WHERE case_id NOT IN (SELECT case_id FROM cases)"),
        (
            "operations not counted by an audit entry",
            "SELECT (SELECT count(*) FROM ops) - (SELECT coalesce(sum(json_extract(detail, '$.ops')), 0) \
             FROM audit WHERE action IN ('create', 'edit', 'pull'))",
        ),
        (
            "cases without their creation in the audit log",
            "SELECT count(*) FROM cases WHERE case_id NOT IN (SELECT case_id FROM audit WHERE action = 'create')",
        ),
        (
            "cases whose view is behind their operations",
            "SELECT count(*) FROM cases c WHERE json_extract(c.view, '$.op_count') != \
             (SELECT count(*) FROM ops o WHERE o.case_id = c.case_id) \
             OR c.updated_hlc != (SELECT max(hlc) FROM ops o WHERE o.case_id = c.case_id)",
        ),
        ("search rows not matching cases", "SELECT (SELECT count(*) FROM cases) - (SELECT count(*) FROM case_search)"),
    ];
    for (what, sql) in checks {
        assert_eq!(count(&raw, sql), 0, "{what}");
    }
    assert_eq!(store.outbox_len().unwrap() as i64, count(&raw, "SELECT count(*) FROM ops"));
}

#[test]
fn committed_cases_survive_sigkill_at_random_moments() {
    let (tmp, store) = new_store();
    let dir = store_dir(&tmp);
    store.lock().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand::rng();
    let mut committed = BTreeSet::new();
    let mut edited = 0;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash::crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The kill lands at a random moment of the child's writing: after a
        // random number of its commits and a random pause, however slow the
        // machine is (a fixed pause from the start could fall before the
        // child's unlock on a loaded machine and test nothing).
        let mut output = BufReader::new(child.stdout.take().unwrap());
        let mut text = String::new();
        for _ in 0..rng.random_range(1..=12) {
            if output.read_line(&mut text).unwrap() == 0 {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(rng.random_range(0..20_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        output.read_to_string(&mut text).unwrap();
        let mut latest = Vec::new();
        for line in text.lines() {
            if let Some(id) = line.strip_prefix("COMMITTED ") {
                let id = id.parse::<CaseId>().unwrap();
                committed.insert(id);
                latest.push(id);
            } else if line.starts_with("EDITED ") {
                edited += 1;
            }
        }
        if round == KILLS - 1 {
            // Right after the kill, before anyone reopens: WAL and all.
            let leaked = find_plaintext(&dir, &["Crashmark".to_string()]);
            assert!(leaked.is_empty(), "plaintext after a crash: {leaked:?}");
        }
        let mut store = Store::unlock(&dir, &user(), &pass()).unwrap();
        check_consistency(&mut store, &committed, &latest);
        drop(store);
    }
    eprintln!("{KILLS} kills, {} cases committed, {edited} edits committed", committed.len());
    assert!(
        committed.len() >= KILLS,
        "every round should commit a case before its kill ({} committed)",
        committed.len()
    );
    assert!(edited > 0, "the child should also edit cases");
    let leaked = find_plaintext(&dir, &["Crashmark".to_string()]);
    assert!(leaked.is_empty(), "plaintext after reopening: {leaked:?}");
}
