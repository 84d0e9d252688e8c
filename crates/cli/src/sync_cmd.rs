//! `enroll`, `move --server URL`, `sync [--watch]` and the sync half of `status`: thin wrappers
//! over `waystation-sync`, on a small Tokio runtime.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use waystation_core::UserName;
use waystation_protocol::EnrollmentCode;
use waystation_store::{KdfParams, Store};
use waystation_sync::{Backoff, Enrollment, SyncError, SyncOptions, WatchOptions};
use zeroize::Zeroizing;

/// Exit code of a sync that found the device revoked (and wiped it).
pub const EXIT_REVOKED: u8 = 3;

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the network runtime")
}

/// `enroll --server URL --code CODE`: enroll, sign in online, create the
/// store; each try and wait said on stderr. Run again after a failure, it
/// picks up the same enrollment.
#[allow(clippy::too_many_arguments)]
pub fn enroll(
    dir: &Path,
    server: &str,
    code: &str,
    user: &UserName,
    password: &Zeroizing<String>,
    device_name: Option<String>,
    attempts: u32,
    kdf: KdfParams,
) -> Result<ExitCode> {
    let device_name = device_name.unwrap_or_else(|| {
        std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "waystation-cli".into())
    });
    let mut enrollment = Enrollment::new(
        server,
        EnrollmentCode::new(code.trim()),
        device_name,
        user.clone(),
        password.as_str(),
        dir,
        kdf,
    );
    enrollment.attempts = attempts.max(1);
    enrollment.progress = Some(Arc::new(|step: waystation_sync::EnrollProgress| eprintln!("enroll: {}", step.words())));
    let store = runtime()?.block_on(waystation_sync::enroll(enrollment))?;
    let (device, org) = (store.device(), store.owner_org().clone());
    store.lock()?;
    println!("enrolled device {device} of organization {org}; created the store in {} for {user}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// `sync [--watch]`: exit 0 only when push and pull both finished: every
/// change queued at the start acknowledged or refused (and named in
/// `status`), the pull at the end of the feed. Otherwise the error, with
/// the counts so far.
pub fn sync(store: Store, watch: bool, attempts: u32, batch: usize, offer_refused: bool) -> Result<ExitCode> {
    let mut options = SyncOptions { batch, ..SyncOptions::default() };
    if offer_refused {
        options.reoffer_after = Duration::ZERO;
    }
    let mut syncer = waystation_sync::open(store, options)?;
    let so_far = syncer.subscribe();
    // Every run's start and end (none dropped): the last one's totals go in an error.
    let mut runs = syncer.runs();
    let rt = runtime()?;
    let outcome = rt.block_on(async {
        let mut progress = syncer.subscribe();
        let show = watch || std::io::IsTerminal::is_terminal(&std::io::stderr());
        tokio::spawn(async move {
            while progress.changed().await.is_ok() {
                if show {
                    let p = progress.borrow().clone();
                    eprintln!(
                        "sync: {:?}: {} queued, {} refused, {} sent, {} received{}",
                        p.phase,
                        p.queued,
                        p.refused,
                        p.sent,
                        p.received,
                        p.last_error.map(|e| format!("; last error: {e}")).unwrap_or_default()
                    );
                }
            }
        });
        if watch {
            // Each run's end, with its totals, on its own line.
            let mut each = syncer.runs();
            tokio::spawn(async move {
                while let Some(event) = each.recv().await {
                    if let waystation_sync::RunEvent::Finished(t) = event {
                        eprintln!("{}", run_line(&t));
                    }
                }
            });
            let stop = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            syncer.watch(WatchOptions::default(), Arc::new(tokio::sync::Notify::new()), stop).await.map(|()| None)
        } else {
            syncer
                .sync_until_done(attempts, Backoff::new(Duration::from_millis(500), Duration::from_secs(30)))
                .await
                .map(Some)
        }
    });
    let store = syncer.store().clone();
    drop(syncer);
    match outcome {
        Ok(report) => {
            if let Some(r) = report {
                println!("{}", serde_json::to_string(&r)?);
            }
            lock(store)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(SyncError::Revoked) => {
            eprintln!("waystation-cli: {}", SyncError::Revoked);
            Ok(ExitCode::from(EXIT_REVOKED))
        }
        Err(e) => {
            let mut last = None;
            while let Ok(event) = runs.try_recv() {
                if let waystation_sync::RunEvent::Finished(t) = event {
                    last = Some(t);
                }
            }
            let t = last.unwrap_or_default();
            let p = so_far.borrow().clone();
            bail!(
                "{e} (the last attempt: {} changes sent, {} received, {} refused; {} queued, {} of them refused)",
                t.sent,
                t.received,
                t.refused,
                p.queued,
                p.refused
            )
        }
    }
}

/// One run's end in words: `sync: run finished: 3 sent, 0 received, 0 refused`.
fn run_line(t: &waystation_sync::RunTotals) -> String {
    let totals = format!("{} sent, {} received, {} refused", t.sent, t.received, t.refused);
    match &t.error {
        None => format!("sync: run finished: {totals}"),
        Some(e) => format!("sync: run stopped: {totals}; {e}"),
    }
}

/// Lock the store the sync engine held (its keys zeroized), once the engine is gone.
fn lock(store: waystation_sync::SharedStore) -> Result<()> {
    if let Ok(m) = Arc::try_unwrap(store) {
        m.into_inner().map_err(|_| anyhow::anyhow!("the store was left inconsistent"))?.lock()?;
    }
    Ok(())
}

/// `move --server URL`: sync with the same service at another address, once
/// the service there has accepted this device's credential.
pub fn move_service(store: Store, server: &str) -> Result<ExitCode> {
    let mut syncer = waystation_sync::open(store, SyncOptions::default())?;
    let moved = runtime()?.block_on(syncer.move_service(server));
    let store = syncer.store().clone();
    drop(syncer);
    let moved = moved?;
    lock(store)?;
    println!("this device now syncs with {}", moved.server);
    if moved.new_epoch {
        println!("the service there was restored from a backup: the next sync sends again what it may have lost");
    }
    Ok(ExitCode::SUCCESS)
}

/// The sync fields of `status`: queued changes, last sync, last error, server.
pub fn status_fields(store: &Store, into: &mut Value) -> Result<()> {
    let state = waystation_sync::read_state(store)?;
    let queued = store.outbox_len()?;
    let obj = into.as_object_mut().context("status is not an object")?;
    let s = state.unwrap_or_default();
    obj.insert("queued_changes".into(), json!(queued));
    obj.insert("last_sync".into(), json!(s.last_success));
    obj.insert("last_error".into(), json!(s.last_error));
    obj.insert("server".into(), json!(s.server));
    obj.insert(
        "sync".into(),
        json!({
            "enrolled": s.credential().is_some(),
            "role": s.role,
            "epoch": s.epoch,
            "last_error_at": s.last_error_at,
            "refused_changes": s.refused.iter().map(|(id, r)| json!({
                "op_id": id, "status": r.status, "message": r.message, "at": r.at,
                "kind": r.kind(), "may_settle": r.kind().may_settle(), "words": r.words(),
            })).collect::<Vec<_>>(),
        }),
    );
    Ok(())
}
