//! The watch loop retries as soon as the service answers again, not only
//! on its (here: hour-long) backoff timer or the next local change.

use anyhow::Result;
use std::sync::Arc;
use std::time::Duration;
use waystation_sync::{Phase, RunEvent, SyncOptions, WatchOptions};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn watch_syncs_as_soon_as_the_service_is_back() -> Result<()> {
    let Some(mut server) = service(Backend::Sqlite, &[]).await? else { return Ok(()) };
    let root = tempfile::tempdir()?;
    let url = server.url();
    let mut devices = devices(&server, &url, root.path(), SyncOptions::default()).await?;
    let mut d = devices.remove(0);
    server.kill();
    d.random_edits(20, "casa-esperanza")?;
    let queued = d.with_store(|s| s.outbox_len())?;
    assert!(queued > 0);
    let mut progress = d.syncer.subscribe();
    let mut runs = d.syncer.runs();
    let nudge = Arc::new(tokio::sync::Notify::new());
    let options = WatchOptions {
        interval: Duration::from_secs(3600),
        probe_every: Duration::from_millis(100),
        backoff_base: Duration::from_secs(3600),
        backoff_max: Duration::from_secs(3600),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let watcher = tokio::spawn(async move {
        let r = d
            .syncer
            .watch(options, nudge, async {
                let _ = stop_rx.await;
            })
            .await;
        (d, r)
    });
    // The first attempt fails: the service is down; the error is there in plain words.
    let failed =
        tokio::time::timeout(Duration::from_secs(60), progress.wait_for(|p| p.last_error.is_some())).await??.clone();
    assert!(failed.last_error.as_deref().unwrap_or_default().contains("cannot be reached"), "{failed:?}");
    server.restart()?;
    // Only the health probe can start the next attempt before an hour has passed.
    let done = tokio::time::timeout(
        Duration::from_secs(120),
        progress.wait_for(|p| p.last_success.is_some() && p.phase != Phase::Pushing && p.phase != Phase::Pulling),
    )
    .await??
    .clone();
    assert!(done.last_error.is_none(), "{done:?}");
    let _ = stop_tx.send(());
    let (d, r) = watcher.await?;
    r?;
    assert_eq!(d.with_store(|s| s.outbox_len())?, 0, "everything queued was sent");
    // The engine reported every run: each start followed by its end, the failed
    // runs with the reason, and the totals add up to exactly what was queued.
    let mut events = vec![];
    while let Ok(e) = runs.try_recv() {
        events.push(e);
    }
    assert!(events.len() >= 4 && events.len() % 2 == 0, "{events:?}");
    let mut sent = 0;
    for pair in events.chunks(2) {
        let [RunEvent::Started { push_only: false }, RunEvent::Finished(t)] = pair else {
            panic!("a start then its end: {pair:?}")
        };
        sent += t.sent;
    }
    let RunEvent::Finished(first) = &events[1] else { unreachable!() };
    assert!(first.error.as_deref().unwrap_or_default().contains("cannot be reached"), "{first:?}");
    assert_eq!(first.sent, 0);
    let Some(RunEvent::Finished(last)) = events.last() else { unreachable!() };
    assert!(last.error.is_none(), "{last:?}");
    assert_eq!(sent, queued, "every queued change counted once as sent");
    Ok(())
}
