//! Issue 23, through the binaries: refused changes at the head of the
//! outbox never hold back the changes queued after them, `sync` exits 0
//! only when it finished, its counts are true, and a refusal for an
//! organization the service did not know is sent again and accepted once an
//! administrator adds it.

use anyhow::{Context, Result, ensure};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use waystation_system_tests::server::{PASSWORD, workspace_bin};

use crate::both_backends;
use crate::common::*;

/// `examples/case.json` without its id (the import makes one per copy): its
/// referrals share the case with `placement-office` and
/// `casa-esperanza-legal`, unknown to this service.
fn example_case() -> Result<Value> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/case.json"))?;
    let mut case: Value = serde_json::from_str(&text)?;
    case.as_object_mut().context("a case is an object")?.remove("id");
    waystation_system_tests::world::as_agent_writes(&mut case);
    Ok(case)
}

fn n(report: &Value, key: &str) -> u64 {
    report[key].as_u64().unwrap_or_else(|| panic!("{key} missing from {report}"))
}

/// Every refused change `status` names: (kind, words).
fn refusals(status: &Value) -> Vec<(String, String)> {
    status["sync"]["refused_changes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| (r["kind"].as_str().unwrap_or("").into(), r["words"].as_str().unwrap_or("").into()))
                .collect()
        })
        .unwrap_or_default()
}

/// `case import` on an agent's device refuses a case carrying a note of a
/// class agents may not read (write rules match read rules), naming the line
/// and the class, and saves nothing of the file.
async fn an_agents_import_refuses_a_note_its_role_may_not_read(backend: Backend) -> Result<()> {
    let Some(server) = service(backend, &[]).await? else { return Ok(()) };
    let bin = workspace_bin("waystation-cli", "WAYSTATION_CLI_BIN")?;
    let root = tempfile::tempdir()?;
    let ana = enroll(&server, &bin, root.path().join("ana"), "ana")?;
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/case.json"))?;
    let mut whole: Value = serde_json::from_str(&text)?;
    whole.as_object_mut().context("a case is an object")?.remove("id");
    let file = root.path().join("cases.jsonl");
    std::fs::write(&file, format!("{}\n{whole}\n", example_case()?))?;
    let out = ana.run(&["case", "import", file.to_str().context("path")?])?;
    let words = String::from_utf8_lossy(&out.stderr);
    ensure!(!out.status.success(), "the import was accepted");
    ensure!(
        words.contains("line 2") && words.contains("legal_privileged") && words.contains("nothing was saved"),
        "{words}"
    );
    ensure!(n(&ana.status()?, "queued_changes") == 0, "something was saved");
    ensure!(ana.ok(&["case", "list"])?.trim().is_empty(), "a case was saved");
    Ok(())
}

async fn new_cases_are_not_held_back_by_refused_ones(backend: Backend) -> Result<()> {
    let Some(server) = service(backend, &[]).await? else { return Ok(()) };
    let bin = workspace_bin("waystation-cli", "WAYSTATION_CLI_BIN")?;
    let root = tempfile::tempdir()?;
    let ana = enroll(&server, &bin, root.path().join("ana"), "ana")?;
    let base = example_case()?;
    ana.import(root.path(), &vec![base.clone(); 100])?;
    let queued = n(&ana.status()?, "queued_changes");

    // The first sync: everything answered; the shares with the unknown office refused, named, kept.
    let first = ana.sync(&[])?;
    let refused = n(&first, "refused");
    ensure!(refused == 200, "{refused} refused, not one per copy's two shares with unknown offices: {first}");
    ensure!(n(&first, "accepted") + n(&first, "duplicates") + refused == queued, "counts {first} ≠ {queued} queued");
    let status = ana.status()?;
    ensure!(n(&status, "queued_changes") == 200, "{status}");
    let named = refusals(&status);
    ensure!(named.len() == 200, "{} refusals named", named.len());
    for (kind, _) in &named {
        ensure!(kind == "unknown_organization", "refusal kind {kind}");
    }
    // Each copy shares with two organizations the service does not know: each named in plain words.
    for office in ["Placement office", "Casa esperanza legal"] {
        let words = format!(
            "{office} is not known to the service yet; the referral will be sent when an administrator adds it"
        );
        let count = named.iter().filter(|(_, w)| *w == words).count();
        ensure!(count == 100, "{count} refusals say: {words}");
    }

    // Ten cases with no referrals, synced in batches of 10: the 200 refusals fill every read window.
    let mut plain = base.clone();
    plain.as_object_mut().context("object")?.remove("referrals");
    ana.import(root.path(), &vec![plain; 10])?;
    let new = n(&ana.status()?, "queued_changes") - 200;
    let second = ana.sync(&["--batch", "10"])?;
    ensure!(n(&second, "accepted") == new && n(&second, "refused") == 0, "{second}: {new} new changes were queued");
    let status = ana.status()?;
    ensure!(n(&status, "queued_changes") == 200 && refusals(&status).len() == 200, "{status}");
    // The refusals are not sent again at every sync: only the pull's one request.
    let third = ana.sync(&["--batch", "10"])?;
    ensure!(n(&third, "requests") == 1 && n(&third, "refused") == 0, "{third}");

    // A second device of the organization receives all 110 cases.
    let beto = enroll(&server, &bin, root.path().join("beto"), "beto")?;
    beto.sync(&[])?;
    let listed = beto.ok(&["case", "list"])?.lines().count();
    ensure!(listed == 110, "the second device holds {listed} cases, not 110");

    // The offices added on the service: the refused shares are offered again and accepted.
    server.admin(&["org", "add", "placement-office"])?;
    server.admin(&["org", "add", "casa-esperanza-legal"])?;
    let fourth = ana.sync(&["--offer-refused"])?;
    ensure!(n(&fourth, "accepted") + n(&fourth, "duplicates") == 200 && n(&fourth, "refused") == 0, "{fourth}");
    let status = ana.status()?;
    ensure!(n(&status, "queued_changes") == 0 && refusals(&status).is_empty(), "{status}");
    ensure!(status["last_error"].is_null(), "{status}");
    eprintln!(
        "{backend:?}: 200 refusals named, 110 cases on the second device, the refusals accepted after the office was added"
    );
    Ok(())
}

both_backends!(an_agents_import_refuses_a_note_its_role_may_not_read, new_cases_are_not_held_back_by_refused_ones);

/// `sync --watch` says each run's end with its totals (from the engine's run
/// events, none dropped), and stops cleanly on Ctrl-C.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_watch_says_each_runs_totals() -> Result<()> {
    use std::io::{BufRead, BufReader};
    let Some(server) = service(Backend::Sqlite, &[]).await? else { return Ok(()) };
    let bin = workspace_bin("waystation-cli", "WAYSTATION_CLI_BIN")?;
    let root = tempfile::tempdir()?;
    let ana = enroll(&server, &bin, root.path().join("ana"), "ana")?;
    let mut plain = example_case()?;
    plain.as_object_mut().context("object")?.remove("referrals");
    ana.import(root.path(), &vec![plain; 3])?;
    let queued = n(&ana.status()?, "queued_changes");
    let mut child = Command::new(&ana.bin)
        .args(["sync", "--watch"])
        .env("WAYSTATION_STORE", &ana.store)
        .env("WAYSTATION_USER", ana.user)
        .env("WAYSTATION_PASSPHRASE", PASSWORD)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().context("stderr")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = vec![];
    let finished = loop {
        let line = rx.recv_timeout(std::time::Duration::from_secs(60)).context("no run finished within a minute")?;
        seen.push(line.clone());
        if line.starts_with("sync: run ") {
            break line;
        }
    };
    ensure!(finished == format!("sync: run finished: {queued} sent, 0 received, 0 refused"), "{seen:?}");
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status()?;
    let status = child.wait()?;
    ensure!(status.success(), "sync --watch ended with {status} on Ctrl-C");
    ensure!(n(&ana.status()?, "queued_changes") == 0, "everything sent");
    Ok(())
}
