//! Revocation: a revoked device's next sync wipes it; its store can no longer be unlocked.

use anyhow::Result;
use waystation_store::{Passphrase, Store, StoreError};
use waystation_sync::{SyncError, SyncOptions};
use waystation_system_tests::server::PASSWORD;

use crate::both_backends;
use crate::common::*;

async fn a_revoked_device_is_wiped_at_its_next_sync(backend: Backend) -> Result<()> {
    let Some(server) = service(backend, &[]).await? else { return Ok(()) };
    let root = tempfile::tempdir()?;
    let url = server.url();
    let mut devices = devices(&server, &url, root.path(), SyncOptions::default()).await?;
    devices[0].random_edits(10, "casa-esperanza")?;
    settle(&mut devices).await?;
    let mut victim = devices.remove(3);
    victim.random_edits(3, "casa-esperanza")?;
    let id = victim.with_store(|s| s.device());
    server.admin(&["device", "revoke", &id.to_string()])?;
    let err = victim.syncer.sync_once().await.expect_err("a revoked device cannot sync");
    assert!(matches!(err, SyncError::Revoked), "{err}");
    assert!(err.to_string().contains("wiped"), "the error says so: {err}");
    let dir = victim.dir.clone();
    drop(victim);
    for f in ["keyring.json", "store.db", "store.db-wal"] {
        assert!(!dir.join(f).exists(), "{f} is gone");
    }
    let user = waystation_system_tests::world::user("luis");
    let unlock = Store::unlock(&dir, &user, &Passphrase::new(PASSWORD)?);
    assert!(matches!(unlock, Err(StoreError::NotAStore)), "{unlock:?}");
    // The others go on.
    settle(&mut devices).await?;
    Ok(())
}

both_backends!(a_revoked_device_is_wiped_at_its_next_sync);
