//! Moving a device to another address of its service: checked before it is
//! kept, refused without a change for an address that is not its service,
//! and after the move every change goes through the new address.

use anyhow::Result;
use waystation_core::Role;
use waystation_sync::{SyncError, SyncOptions};
use waystation_system_tests::proxy::{FaultProxy, Plan};
use waystation_system_tests::world::Device;

use crate::both_backends;
use crate::common::*;

/// The address the device syncs with, as its store remembers it.
fn remembered(device: &Device) -> Option<String> {
    device.with_store(|s| waystation_sync::read_state(s)).expect("sync state").and_then(|s| s.server)
}

async fn a_device_moves_to_its_service_at_another_address_and_nowhere_else(backend: Backend) -> Result<()> {
    let Some(server) = service(backend, &[]).await? else { return Ok(()) };
    let root = tempfile::tempdir()?;
    let mut device =
        Device::enroll(&server, &server.url(), "border-7", Role::Agent, "ana", root.path(), SyncOptions::default())
            .await?;
    device.random_edits(5, "casa-esperanza")?;
    device.syncer.sync_until_done(100, quick_backoff()).await?;
    let before = remembered(&device);
    assert_eq!(before.as_deref().map(|s| s.trim_end_matches('/')), Some(server.url().as_str()));

    // Not an address, another service that never enrolled it, nothing listening: refused, nothing changed.
    let bad = device.syncer.move_service("ftp://example.org").await.expect_err("not an http(s) address");
    assert!(matches!(bad, SyncError::BadServerUrl(_)), "{bad}");
    let other = waystation_system_tests::server::ServerProc::sqlite(&[])?;
    let stranger = device.syncer.move_service(&other.url()).await.expect_err("a service that does not know it");
    assert!(stranger.to_string().contains("does not know this device"), "{stranger}");
    let mut stopped = other; // its port, with nobody listening any more
    stopped.kill();
    let nobody = device.syncer.move_service(&stopped.url()).await.expect_err("nothing answers");
    assert!(nobody.to_string().contains("cannot be reached"), "{nobody}");
    assert_eq!(remembered(&device), before, "a refused move changes nothing");
    device.random_edits(1, "casa-esperanza")?;
    device.syncer.sync_until_done(100, quick_backoff()).await?;

    // The same service behind another address (a proxy standing for its new name).
    let proxy = FaultProxy::start(server.addr, Plan::clean()).await?;
    let moved = device.syncer.move_service(&proxy.url()).await?;
    assert!(!moved.new_epoch, "the same service, the same epoch");
    assert_eq!(remembered(&device).as_deref().map(|s| s.trim_end_matches('/')), Some(proxy.url().as_str()));
    let through = proxy.requests();
    device.random_edits(3, "casa-esperanza")?;
    device.syncer.sync_until_done(100, quick_backoff()).await?;
    assert!(proxy.requests() > through, "the sync after the move went through the new address");
    assert_eq!(device.with_store(|s| s.outbox_len())?, 0, "everything reached the service");
    check_end_state(&server, std::slice::from_ref(&device)).await?;
    Ok(())
}

both_backends!(a_device_moves_to_its_service_at_another_address_and_nowhere_else);

/// The same through `waystation-cli move --server URL`: one clear line and a
/// non-zero exit when refused, the new address in `status`, and `sync` through it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_moves_a_device_and_says_why_it_will_not() -> Result<()> {
    use std::process::{Command, Stdio};
    use waystation_system_tests::server::{PASSWORD, workspace_bin};

    let server = service(Backend::Sqlite, &[]).await?.expect("sqlite");
    let cli = workspace_bin("waystation-cli", "WAYSTATION_CLI_BIN")?;
    let root = tempfile::tempdir()?;
    let store = root.path().join("ana");
    let run = |args: &[&str]| -> Result<std::process::Output> {
        Ok(Command::new(&cli)
            .args(args)
            .env("WAYSTATION_STORE", &store)
            .env("WAYSTATION_USER", "ana")
            .env("WAYSTATION_PASSPHRASE", PASSWORD)
            .stdin(Stdio::null())
            .output()?)
    };
    let server_of = |out: &std::process::Output| -> Result<String> {
        let status: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        Ok(status["server"].as_str().unwrap_or_default().trim_end_matches('/').to_owned())
    };
    let code = server.code("border-7", "agent")?;
    assert!(run(&["enroll", "--server", &server.url(), "--code", &code, "--kdf", "fast"])?.status.success());

    let refused = run(&["move", "--server", "http://127.0.0.1:9"])?;
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "a move to nowhere fails");
    assert!(said.contains("was not changed") && said.contains("cannot be reached"), "{said}");
    assert_eq!(said.trim().lines().count(), 1, "one line: {said}");
    assert_eq!(server_of(&run(&["status"])?)?, server.url(), "nothing changed");

    let proxy = FaultProxy::start(server.addr, Plan::clean()).await?;
    let moved = run(&["move", "--server", &proxy.url()])?;
    assert!(moved.status.success(), "{}", String::from_utf8_lossy(&moved.stderr));
    assert!(String::from_utf8_lossy(&moved.stdout).contains("now syncs with"));
    assert_eq!(server_of(&run(&["status"])?)?, proxy.url());
    let before = proxy.requests();
    assert!(run(&["sync"])?.status.success(), "a sync through the new address");
    assert!(proxy.requests() > before, "it went through the new address");
    Ok(())
}
