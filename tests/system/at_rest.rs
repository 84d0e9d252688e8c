//! Issue 19, item 1, through the binaries: the service keeps no case in the
//! clear — not in its database, WAL, journal or backups (SQLite, searched
//! byte for byte), not in any row of any table (PostgreSQL) — after a full
//! sync of the examples; a wrong key refuses to start and changes no byte;
//! the key rotates while the service runs; a backup restores.

use anyhow::{Context, Result, ensure};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use waystation_system_tests::backend::TEST_DATABASE_KEY;
use waystation_system_tests::plaintext::{files_under, find_in_folder, markers_in};
use waystation_system_tests::server::{Db, ServerProc, workspace_bin};
use waystation_system_tests::world::{as_agent_writes, server_ops};

use crate::both_backends;
use crate::common::*;

/// The organizations the examples are referred to (a share to an unknown one is refused).
const PARTNERS: [&str; 4] =
    ["placement-office", "casa-esperanza-legal", "houston-victim-services", "gulf-coast-immigrant-justice"];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Every example case (the `.json` files and each line of `cases.jsonl`), as an agent's device may import it.
fn examples() -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(examples_dir())?.flatten().map(|e| e.path()).collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path)?;
        let values: Vec<Value> = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => vec![serde_json::from_str(&text)?],
            Some("jsonl") => {
                text.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect::<Result<_, _>>()?
            }
            _ => continue,
        };
        for mut case in values {
            as_agent_writes(&mut case);
            out.push(case);
        }
    }
    Ok(out)
}

/// The words of the cases a reader would recognize a child by: every text of
/// two words or more (names, places, narratives, notes) and every identity
/// document number, at least 9 characters long (no ciphertext holds one by chance).
fn case_words(cases: &[Value]) -> Vec<String> {
    fn walk(v: &Value, key: &str, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::String(s) if s.len() >= 9 && (s.trim().contains(' ') || key == "number") => {
                out.insert(s.trim().to_owned());
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| walk(x, k, out)),
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    cases.iter().for_each(|c| walk(c, "", &mut out));
    out.into_iter().collect()
}

/// Every file under `dir` and its bytes, but SQLite's `-shm`: the WAL's
/// shared-memory index, which any reader rebuilds after a crash and which
/// holds no content of the database (sqlite.org/walformat.html).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .filter(|f| !f.to_string_lossy().ends_with("-shm"))
        .map(|f| (f.clone(), std::fs::read(&f).unwrap_or_default()))
        .collect()
}

/// Every row of every table of the service's PostgreSQL database, as text, by table.
async fn tables_as_text(url: &str) -> Result<BTreeMap<String, String>> {
    let client = waystation_server::storage::postgres_tls::connect(url).await.map_err(anyhow::Error::msg)?;
    let tables: Vec<String> = client
        .query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = BTreeMap::new();
    for t in tables {
        let row = client
            .query_one(
                &format!("SELECT COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM \"{t}\" t"),
                &[],
            )
            .await?;
        out.insert(t, row.get::<_, String>(0));
    }
    Ok(out)
}

/// A key other than the test key, as its 64 characters.
fn another_key(root: &Path, name: &str) -> Result<(PathBuf, String)> {
    let file = root.join(name);
    let bin = workspace_bin("waystation-server", "WAYSTATION_SERVER_BIN")?;
    let out = Command::new(bin).args(["key", "new", "--file"]).arg(&file).output()?;
    ensure!(out.status.success(), "key new: {}", String::from_utf8_lossy(&out.stderr));
    Ok((file.clone(), std::fs::read_to_string(&file)?.trim().to_owned()))
}

/// A service seeded with the examples' organizations, and an agent's CLI device that synced every example.
async fn synced_examples(backend: Backend, root: &Path) -> Result<Option<(ServerProc, Cli, Vec<Value>)>> {
    let Some(server) = service(backend, &[]).await? else { return Ok(None) };
    for partner in PARTNERS {
        server.admin(&["org", "add", partner])?;
    }
    let bin = workspace_bin("waystation-cli", "WAYSTATION_CLI_BIN")?;
    let ana = enroll(&server, &bin, root.join("ana"), "ana")?;
    let cases = examples()?;
    ana.import(root, &cases)?;
    ana.sync(&[])?;
    ensure!(ana.status()?["queued_changes"] == 0, "every change was sent");
    Ok(Some((server, ana, cases)))
}

async fn the_service_keeps_no_case_in_the_clear(backend: Backend) -> Result<()> {
    let root = tempfile::tempdir()?;
    let Some((mut server, _ana, cases)) = synced_examples(backend, root.path()).await? else { return Ok(()) };
    let words = case_words(&cases);
    ensure!(words.len() >= 40, "only {} words to look for", words.len());
    // The search would prove nothing if the words were not stored: the
    // service's operations, opened with the data key, hold every one.
    let (ops, _) = server_ops(server.db()).await?;
    let opened: String = ops.iter().map(|o| serde_json::to_string(o).unwrap_or_default()).collect();
    let missing: Vec<&String> =
        words.iter().filter(|w| markers_in("", opened.as_bytes(), std::slice::from_ref(w)).is_empty()).collect();
    ensure!(missing.is_empty(), "words not in the opened operations: {missing:?}");

    match server.db().clone() {
        Db::Sqlite(dir) => {
            // A backup while the service runs, in its data folder.
            std::fs::create_dir_all(dir.join("backups"))?;
            let backup = dir.join("backups/examples.backup");
            server.admin(&["backup", "--to", backup.to_str().context("path")?])?;
            let found = find_in_folder(&dir, &words);
            ensure!(found.is_empty(), "case words in the running service's folder: {found:?}");
            // Killed, its WAL and shared memory stay as they were.
            server.kill();
            let found = find_in_folder(&dir, &words);
            ensure!(found.is_empty(), "case words in the killed service's folder: {found:?}");

            // A wrong key: refused, and not one byte of the folder changes.
            let before = snapshot(&dir);
            ensure!(
                before.keys().any(|f| f.to_string_lossy().ends_with("-wal")),
                "the kill left no WAL: {:?}",
                before.keys().collect::<Vec<_>>()
            );
            let (_, wrong) = another_key(root.path(), "wrong.key")?;
            server.set_env("WAYSTATION_KEY", &wrong);
            let e = server.admin(&["migrate"]).expect_err("a wrong key opened the database").to_string();
            ensure!(e.contains("does not open this database"), "{e}");
            let e = server.restart().expect_err("the service started with a wrong key").to_string();
            ensure!(e.contains("did not start"), "{e}");
            let after = snapshot(&dir);
            let changed: Vec<_> =
                before.keys().chain(after.keys()).filter(|f| before.get(*f) != after.get(*f)).collect();
            ensure!(changed.is_empty(), "a refused start changed {changed:?}");
            server.set_env("WAYSTATION_KEY", TEST_DATABASE_KEY);

            // The backup restores, whole, into an empty folder, and never over a database.
            let e = server.admin(&["restore", "--from", backup.to_str().context("path")?]).expect_err("restored over");
            ensure!(e.to_string().contains("already exists"), "{e}");
            let restored = root.path().join("restored");
            let bin = workspace_bin("waystation-server", "WAYSTATION_SERVER_BIN")?;
            let out = Command::new(&bin)
                .env("WAYSTATION_KEY", TEST_DATABASE_KEY)
                .arg("--data")
                .arg(&restored)
                .args(["restore", "--from"])
                .arg(&backup)
                .output()?;
            ensure!(out.status.success(), "restore: {}", String::from_utf8_lossy(&out.stderr));
            let again = ServerProc::start(Db::Sqlite(restored.clone()), &[], None)?;
            let (restored_ops, rows) = server_ops(again.db()).await?;
            ensure!(rows == ops.len() as u64, "the restored service holds {rows} operations of {}", ops.len());
            let ids =
                |o: &[waystation_core::Operation]| o.iter().map(|o| o.id).collect::<std::collections::BTreeSet<_>>();
            ensure!(ids(&restored_ops) == ids(&ops), "the restored operations differ");
            drop(again);
            let found = find_in_folder(&restored, &words);
            ensure!(found.is_empty(), "case words in the restored folder: {found:?}");
        }
        Db::Postgres(url) => {
            let tables = tables_as_text(&url).await?;
            ensure!(tables.contains_key("ops") && tables.contains_key("cases"), "{:?}", tables.keys());
            let found: Vec<String> =
                tables.iter().flat_map(|(t, text)| markers_in(t, text.as_bytes(), &words)).collect();
            ensure!(found.is_empty(), "case words in PostgreSQL rows: {found:?}");
            server.kill();
            let (_, wrong) = another_key(root.path(), "wrong.key")?;
            server.set_env("WAYSTATION_KEY", &wrong);
            let e = server.admin(&["migrate"]).expect_err("a wrong key opened the database").to_string();
            ensure!(e.contains("does not open this database"), "{e}");
            ensure!(tables_as_text(&url).await? == tables, "a refused start changed a row");
        }
    }
    Ok(())
}

/// The database key rotates while the service runs: the service goes on,
/// the old key no longer opens the database, the new one does.
async fn the_key_rotates_while_the_service_runs(backend: Backend) -> Result<()> {
    let root = tempfile::tempdir()?;
    let Some(mut server) = service(backend, &[]).await? else { return Ok(()) };
    let bin = workspace_bin("waystation-cli", "WAYSTATION_CLI_BIN")?;
    let ana = enroll(&server, &bin, root.path().join("ana"), "ana")?;
    let mut cases = examples()?.into_iter().filter(|c| c.get("referrals").is_none() && c.get("shared_with").is_none());
    let mut next = || -> Result<Value> {
        let mut c = cases.next().context("an example without referrals")?;
        c["id"] = serde_json::json!(uuid::Uuid::now_v7().to_string());
        Ok(c)
    };
    ana.import(root.path(), &[next()?])?;
    ana.sync(&[])?;

    let (new_file, new_key) = another_key(root.path(), "new.key")?;
    let said = server.admin(&["key", "rotate", "--new-key-file", new_file.to_str().context("path")?])?;
    ensure!(said.contains("running services go on"), "{said}");
    // The running service goes on.
    ana.import(root.path(), &[next()?])?;
    ana.sync(&[])?;
    ensure!(ana.status()?["queued_changes"] == 0, "the service stopped accepting changes");

    // The old key no longer opens it; the new one does.
    server.kill();
    let e = server.admin(&["migrate"]).expect_err("the old key still opens the database").to_string();
    ensure!(e.contains("does not open this database"), "{e}");
    server.set_env("WAYSTATION_KEY", &new_key);
    server.restart()?;
    let beto = Cli { bin: bin.clone(), store: root.path().join("beto"), user: "beto" };
    let code = server.code("border-7", "agent")?;
    beto.ok(&["enroll", "--server", &server.url(), "--code", &code, "--kdf", "fast"])?;
    beto.sync(&[])?;
    let listed = beto.ok(&["case", "list"])?;
    ensure!(listed.lines().filter(|l| !l.trim().is_empty()).count() == 2, "another device got {listed}");
    Ok(())
}

both_backends!(the_service_keeps_no_case_in_the_clear, the_key_rotates_while_the_service_runs);
