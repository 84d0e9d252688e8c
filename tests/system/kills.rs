//! Kills: the service killed (SIGKILL) and restarted mid-batch, and the
//! client (`waystation-cli sync`) killed mid-sync; the same end state.

use anyhow::{Context, Result};
use rand::Rng;
use std::process::{Command, Stdio};
use std::time::Duration;
use waystation_store::{Passphrase, Store};
use waystation_sync::SyncOptions;
use waystation_system_tests::proxy::{Fault, FaultProxy, Plan};
use waystation_system_tests::server::{PASSWORD, workspace_bin};
use waystation_system_tests::world::{check_held, held, org, server_ops, user};

use crate::both_backends;
use crate::common::*;

fn kills() -> usize {
    std::env::var("WAYSTATION_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(12)
}

async fn service_killed_mid_batch(backend: Backend) -> Result<()> {
    let Some(mut server) = service(backend, &[]).await? else { return Ok(()) };
    // The proxy keeps one address for the clients across restarts.
    let proxy = FaultProxy::start(server.addr, Plan::clean()).await?;
    let root = tempfile::tempdir()?;
    let options = SyncOptions { batch: 50, pull_page: 100, ..SyncOptions::default() };
    let mut devices = devices(&server, &proxy.url(), root.path(), options).await?;
    devices.iter_mut().for_each(|d| d.churns_sharing = true);
    let loops = EditLoops::start(devices, 40, 10_000);
    let n = kills();
    for _ in 0..n {
        tokio::time::sleep(Duration::from_millis(rand::rng().random_range(150..600))).await;
        server.kill();
        tokio::time::sleep(Duration::from_millis(rand::rng().random_range(10..200))).await;
        server.restart()?;
        proxy.set_upstream(server.addr);
    }
    let mut devices = loops.stop().await?;
    settle(&mut devices).await?;
    let ops = check_end_state(&server, &devices).await?;
    eprintln!("{backend:?}: service killed {n} times; {ops} operations, each once");
    Ok(())
}

both_backends!(service_killed_mid_batch);

/// `waystation-cli sync` killed with SIGKILL at random moments, at least 20
/// times, while the proxy slows requests down; then one sync to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn client_killed_mid_sync() -> Result<()> {
    let server = service(Backend::Sqlite, &[]).await?.context("sqlite")?;
    let proxy = FaultProxy::start(server.addr, Plan::clean()).await?;
    let cli = workspace_bin("waystation-cli", "WAYSTATION_CLI_BIN")?;
    let root = tempfile::tempdir()?;
    let store = root.path().join("ana");
    let run = |args: &[&str]| {
        let mut c = Command::new(&cli);
        c.args(args)
            .env("WAYSTATION_STORE", &store)
            .env("WAYSTATION_USER", "ana")
            .env("WAYSTATION_PASSPHRASE", PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let code = server.code("border-7", "agent")?;
    let st = run(&["enroll", "--server", &proxy.url(), "--code", &code, "--kdf", "fast"]).status()?;
    assert!(st.success(), "enroll");
    let cases = root.path().join("cases.jsonl");
    let example =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/case.json"))?;
    let mut base: serde_json::Value = serde_json::from_str(&example)?;
    waystation_system_tests::world::as_agent_writes(&mut base);
    // Shared only with organizations this service knows.
    if let Some(o) = base.as_object_mut() {
        o.remove("shared_with");
        o.remove("referrals");
    }
    let write_cases = |n: usize| -> Result<()> {
        let mut text = String::new();
        for _ in 0..n {
            let mut c = base.clone();
            c["id"] = serde_json::json!(uuid::Uuid::now_v7().to_string());
            text.push_str(&serde_json::to_string(&c)?);
            text.push('\n');
        }
        std::fs::write(&cases, text)?;
        Ok(())
    };
    // Every request is delayed, and more cases are queued every third round,
    // so a sync is usually still running when the kill comes; rounds go on
    // until 25 syncs were killed mid-way (a faster sync must not weaken this).
    proxy.set_plan(Plan {
        fault_rate: 1.0,
        kinds: vec![Fault::Delay],
        max_delay: Duration::from_millis(80),
        ..Plan::clean()
    });
    let mut killed = 0;
    let mut rounds = 0;
    while killed < 25 && rounds < 200 {
        if rounds % 3 == 0 {
            write_cases(40)?;
            assert!(run(&["case", "import", cases.to_str().context("path")?]).status()?.success(), "import");
        }
        rounds += 1;
        let mut child = run(&["sync", "--batch", "20"]).spawn()?;
        tokio::time::sleep(Duration::from_millis(rand::rng().random_range(50..700))).await;
        if child.try_wait()?.is_none() {
            child.kill()?; // SIGKILL
            killed += 1;
        }
        child.wait()?;
    }
    proxy.set_plan(Plan::clean());
    let st = run(&["sync"]).status()?;
    assert!(st.success(), "the last sync finishes");
    assert!(killed >= 20, "only {killed} syncs of {rounds} were killed mid-way");
    let (all, rows) = server_ops(server.db()).await?;
    let s = Store::unlock(&store, &user("ana"), &Passphrase::new(PASSWORD)?)?;
    assert_eq!(s.outbox_len()?, 0);
    assert!(s.audit_verify().is_ok(), "the audit chain survived the kills");
    let h = held(&s.raw_connection_for_tests()?)?;
    assert_eq!(rows, all.len() as u64);
    let ids: std::collections::BTreeSet<_> = all.iter().map(|o| o.id).collect();
    assert_eq!(ids, h.local, "the service holds exactly this device's operations");
    check_held("cli", &h, &all, &org("border-7"), waystation_core::Role::Agent)?;
    eprintln!("client killed {killed} times mid-sync in {rounds} rounds; {} operations, each once", all.len());
    Ok(())
}
