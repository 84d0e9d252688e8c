//! Restore: the service's database is replaced by an older copy (a new
//! epoch); the clients notice, re-send everything, and nothing the service
//! had acknowledged before is missing afterwards.

use anyhow::{Context, Result};
use waystation_sync::SyncOptions;
use waystation_system_tests::server::{Db, ServerProc, with_database};

use crate::both_backends;
use crate::common::*;

/// Copy the service's data aside while it is stopped; returns how to put it back.
async fn backup(server: &mut ServerProc) -> Result<Backup> {
    server.kill();
    let b = match server.db().clone() {
        Db::Sqlite(dir) => {
            let copy = tempfile::tempdir()?;
            for f in ["waystation-server.sqlite3", "waystation-server.sqlite3-wal", "waystation-server.sqlite3-shm"] {
                if dir.join(f).exists() {
                    std::fs::copy(dir.join(f), copy.path().join(f))?;
                }
            }
            Backup::Sqlite(copy)
        }
        Db::Postgres(url) => {
            let name =
                url.split('?').next().unwrap_or_default().rsplit('/').next().context("database name")?.to_owned();
            let copy = format!("{name}_backup");
            let admin = with_database(&url, "postgres");
            let c = waystation_server::storage::postgres_tls::connect(&admin).await.map_err(anyhow::Error::msg)?;
            c.batch_execute(&format!("CREATE DATABASE {copy} TEMPLATE {name}")).await?;
            Backup::Postgres(with_database(&url, &copy))
        }
    };
    server.restart()?;
    Ok(b)
}

enum Backup {
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

async fn restore_replays_everything_acknowledged(backend: Backend) -> Result<()> {
    let Some(mut server) = service(backend, &[]).await? else { return Ok(()) };
    let root = tempfile::tempdir()?;
    let options = SyncOptions { batch: 100, pull_page: 200, ..SyncOptions::default() };
    let url = server.url();
    let mut devices = devices(&server, &url, root.path(), options).await?;
    for d in devices.iter_mut() {
        d.random_edits(30, "casa-esperanza")?;
    }
    settle(&mut devices).await?;
    let backup = backup(&mut server).await?;
    // Acknowledged after the backup: these are what a restore loses.
    for d in devices.iter_mut() {
        d.random_edits(30, "casa-esperanza")?;
    }
    settle(&mut devices).await?;
    for d in &devices {
        assert_eq!(d.with_store(|s| s.outbox_len())?, 0, "{}: everything was acknowledged", d.name);
    }
    let before = waystation_system_tests::world::server_ops(server.db()).await?.1;
    server.kill();
    match backup {
        Backup::Sqlite(copy) => {
            let Db::Sqlite(dir) = server.db().clone() else { unreachable!() };
            for f in ["waystation-server.sqlite3", "waystation-server.sqlite3-wal", "waystation-server.sqlite3-shm"] {
                let _ = std::fs::remove_file(dir.join(f));
                if copy.path().join(f).exists() {
                    std::fs::copy(copy.path().join(f), dir.join(f))?;
                }
            }
            server.restart()?;
        }
        Backup::Postgres(copy) => {
            server = ServerProc::start(Db::Postgres(copy), &[], None)?;
            for d in devices.iter_mut() {
                d.syncer.set_server(&server.url())?;
            }
        }
    }
    let lost = before - waystation_system_tests::world::server_ops(server.db()).await?.1;
    assert!(lost > 0, "the restored copy should lack the later operations");
    let mut changed = 0;
    for d in devices.iter_mut() {
        let r = d.syncer.sync_until_done(20, quick_backoff()).await?;
        changed += usize::from(r.epoch_changed);
    }
    assert_eq!(changed, devices.len(), "every device noticed the new epoch");
    settle(&mut devices).await?;
    let n = check_end_state(&server, &devices).await?;
    assert_eq!(n as u64, before, "after the restore the service holds again all {before} operations");
    Ok(())
}

both_backends!(restore_replays_everything_acknowledged);
