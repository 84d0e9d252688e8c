//! The PostgreSQL server restarted under the service while devices sync;
//! the same end state. Its own test binary, because restarting the shared
//! cluster would break other tests running beside it (cargo runs test
//! binaries one after another). Restart command: `WAYSTATION_PG_RESTART`
//! (default `pg_ctlcluster ${PG_VERSION:-15} main restart`).

#[allow(dead_code, unused_macros)]
#[path = "../system/common.rs"]
mod common;

use anyhow::{Context, Result, bail};
use std::time::Duration;
use waystation_sync::SyncOptions;
use waystation_system_tests::proxy::{FaultProxy, Plan};

use common::*;

fn restart_postgres() -> Result<()> {
    let cmd = std::env::var("WAYSTATION_PG_RESTART").unwrap_or_else(|_| {
        format!("pg_ctlcluster {} main restart", std::env::var("PG_VERSION").unwrap_or_else(|_| "15".into()))
    });
    // The cluster runs on the real clock, also when this test runs under a
    // shifted one (scripts/test's second run): it is shared with other runs.
    let st = std::process::Command::new("sh")
        .arg("-c")
        .arg(&cmd)
        .env_remove("LD_PRELOAD")
        .env_remove("FAKETIME")
        .status()
        .context("run the restart command")?;
    if !st.success() {
        bail!("`{cmd}` failed");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_mid_sync() -> Result<()> {
    let Some(server) = service(Backend::Postgres, &[]).await? else { return Ok(()) };
    let proxy = FaultProxy::start(server.addr, Plan::clean()).await?;
    let root = tempfile::tempdir()?;
    let options = SyncOptions { batch: 50, pull_page: 100, ..SyncOptions::default() };
    let devices = devices(&server, &proxy.url(), root.path(), options).await?;
    let loops = EditLoops::start(devices, 30, 100_000);
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        tokio::task::spawn_blocking(restart_postgres).await??;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut devices = loops.stop().await?;
    settle(&mut devices).await?;
    let n = check_end_state(&server, &devices).await?;
    eprintln!("PostgreSQL restarted twice mid-sync; {n} operations, each once");
    Ok(())
}
