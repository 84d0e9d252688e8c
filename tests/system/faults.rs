//! No loss, no duplicate under faults: several devices of two organizations
//! edit shared cases while the proxy drops, delays, resets, cuts and
//! duplicates requests; at the end the service holds every operation exactly
//! once and every device holds exactly what it may see.
//!
//! Scale: `WAYSTATION_FAULT_ROUNDS` (default below) rounds of edits per device.

use anyhow::Result;
use waystation_sync::SyncOptions;
use waystation_system_tests::proxy::{Fault, FaultProxy, Plan};

use crate::both_backends;
use crate::common::*;

fn rounds() -> usize {
    std::env::var("WAYSTATION_FAULT_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(40)
}

async fn no_loss_no_duplicate_under_faults(backend: Backend) -> Result<()> {
    // A small body limit, so the first large batches are refused as too large and halved.
    let Some(server) = service(backend, &[("WAYSTATION_MAX_BODY_BYTES", "65536")]).await? else { return Ok(()) };
    let t0 = std::time::Instant::now();
    let proxy = FaultProxy::start(server.addr, Plan::clean()).await?;
    let root = tempfile::tempdir()?;
    let options = SyncOptions { batch: 500, pull_page: 25, ..SyncOptions::default() };
    let mut devices = devices(&server, &proxy.url(), root.path(), options).await?;
    // The owner's devices also stop and start sharing cases, read through small pages.
    devices.iter_mut().for_each(|d| d.churns_sharing = true);
    // Offline work first: a big outbox per agent (halving on 413 follows).
    for d in devices.iter_mut().take(3) {
        d.random_edits(1200, "casa-esperanza")?;
    }
    eprintln!("setup and offline edits: {:?}", t0.elapsed());
    proxy.set_plan(Plan::faults(0.9));
    let rounds = rounds();
    let mut tasks = Vec::new();
    for mut d in devices {
        tasks.push(tokio::spawn(async move {
            for _ in 0..rounds {
                d.random_edits(10, "casa-esperanza")?;
                d.syncer.sync_until_done(10_000, quick_backoff()).await?;
                // A second sync finds little new: cheap requests, as many faults.
                d.syncer.sync_until_done(10_000, quick_backoff()).await?;
            }
            anyhow::Ok(d)
        }));
    }
    let mut devices = Vec::new();
    for t in tasks {
        devices.push(t.await??);
    }
    // How many requests the rounds made depends on the devices' timing; more rounds, one device after
    // another, until every kind of fault was injected often enough (at most as many again).
    let min = std::env::var("WAYSTATION_FAULT_MIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or((1000 * rounds as u64 / 40).max(1));
    let mut extra = 0;
    while extra < rounds && proxy.fault_counts().iter().any(|(_, count)| *count < min) {
        for d in devices.iter_mut() {
            d.random_edits(10, "casa-esperanza")?;
            d.syncer.sync_until_done(10_000, quick_backoff()).await?;
        }
        extra += 1;
    }
    // The agents' first batches were over the body limit: refused as too large, then halved.
    for d in devices.iter().take(3) {
        assert!(d.syncer.batch_size() < 500, "{}: the batch was never halved", d.name);
    }
    eprintln!("rounds: {:?} ({extra} more after the concurrent ones)", t0.elapsed());
    proxy.set_plan(Plan::clean());
    settle(&mut devices).await?;
    eprintln!("settled: {:?}", t0.elapsed());
    let n = check_end_state(&server, &devices).await?;
    eprintln!("checked: {:?}", t0.elapsed());
    let counts = proxy.fault_counts();
    eprintln!("{backend:?}: {n} operations, {} requests, faults {counts:?}", proxy.requests());
    assert!(n >= 10_000 || rounds < 40, "only {n} operations");
    for (kind, count) in counts {
        assert!(count >= min, "only {count} faults of kind {kind:?}");
    }
    let _ = Fault::ALL;
    Ok(())
}

both_backends!(no_loss_no_duplicate_under_faults);
