//! Following the sync service to another address, as the Settings screen
//! does it (`sync_move_service`), against the real `waystation-server`
//! (SQLite, 127.0.0.1 port 0) and real SQLCipher stores, without a window.

mod common;

use anyhow::Result;
use common::{ORG, service, wait_for};
use waystation_core::{DeviceId, OrgId, UserName};
use waystation_desktop::commands::session::enroll;
use waystation_desktop::commands::sync::move_service;
use waystation_desktop::error::{CommandError, ErrorCode};
use waystation_desktop::state::{AppState, Session};
use waystation_store::{KdfParams, Passphrase, Store};
use waystation_system_tests::server::PASSWORD;

fn block_on<T>(f: impl Future<Output = T>) -> T {
    tauri::async_runtime::block_on(f)
}

fn refused_field(e: &CommandError) -> (&str, &str) {
    assert_eq!(e.code, ErrorCode::Invalid, "{e:?}");
    let p = e.fields.first().expect("a refused field");
    (p.field.as_str(), p.message.as_str())
}

fn kept_server(app: &AppState) -> Option<String> {
    app.shared().with_session(|s| Ok(waystation_sync::read_state(s)?.and_then(|st| st.server))).unwrap()
}

#[test]
fn an_enrolled_app_follows_its_service_to_another_address_and_a_refused_one_changes_nothing() -> Result<()> {
    let server = service()?;
    let dir = tempfile::tempdir()?;
    let app = AppState::new(dir.path().to_owned());
    let code = server.code(ORG, "agent")?;
    block_on(enroll(&app, &server.url(), &code, "demo.agent", PASSWORD.into(), KdfParams::for_tests()))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let first = wait_for(&app, "the first sync", |l| l.last_success_at.is_some() && !l.running)?;
    let old = kept_server(&app);

    // Nobody answers there: refused, the reason beside the address, nothing changed, syncing as before.
    let e = block_on(move_service(&app, "http://127.0.0.1:9")).unwrap_err();
    let (field, reason) = refused_field(&e);
    assert_eq!(field, "server");
    assert_eq!(reason, "unreachable", "the kind of refusal, for the screen to word it");
    assert!(e.message.contains("was not changed"), "{e:?}");
    assert_eq!(kept_server(&app), old);
    assert!(app.shared().sync_running(), "the sync started again after the refusal");
    app.sync_now().unwrap();
    let after_refusal =
        wait_for(&app, "a sync after the refusal", |l| !l.running && l.last_success_at > first.last_success_at)?;
    assert!(after_refusal.last_error.is_none(), "{after_refusal:?}");

    // Not an address at all, or nothing typed: refused beside the field.
    for bad in ["ftp://127.0.0.1/", "  "] {
        let e = block_on(move_service(&app, bad)).unwrap_err();
        assert_eq!(refused_field(&e).0, "server", "{bad:?}: {e:?}");
        assert_eq!(kept_server(&app), old);
    }

    // The same service under another name: kept, and the next syncs go there.
    let new = server.url().replace("127.0.0.1", "localhost");
    let line = block_on(move_service(&app, &new)).map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(line.server.as_deref().map(|s| s.trim_end_matches('/')), Some(new.as_str()));
    assert_eq!(kept_server(&app).as_deref().map(|s| s.trim_end_matches('/')), Some(new.as_str()));
    // The sync started again by itself, and syncs at once.
    assert!(app.shared().sync_running(), "the sync started again after the move");
    let moved = wait_for(&app, "a sync at the new address", |l| {
        !l.running && l.last_success_at > after_refusal.last_success_at
    })?;
    assert!(moved.last_error.is_none(), "{moved:?}");

    // Locked: nothing to move.
    app.shared().lock().unwrap();
    assert_eq!(block_on(move_service(&app, &server.url())).unwrap_err().code, ErrorCode::Locked);
    Ok(())
}

#[test]
fn a_local_only_store_has_no_service_to_move() {
    let dir = tempfile::tempdir().unwrap();
    let app = AppState::new(dir.path().to_owned());
    let user = UserName::parse("user", "ana.lopez").unwrap();
    let org = OrgId::parse("org", "local-demo").unwrap();
    let pass = Passphrase::new("a long passphrase").unwrap();
    let store = Store::create(app.shared().dir(), &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap();
    app.shared().open(Session::new(store)).unwrap();

    let e = block_on(move_service(&app, "http://127.0.0.1:9")).unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable, "{e:?}");
    assert!(e.message.contains("not enrolled"), "{e:?}");
    assert_eq!(kept_server(&app), None);
    // The store is as it was: still local-only, and "Sync now" still says so.
    assert_eq!(app.sync_now().unwrap_err().code, ErrorCode::Unavailable);
}
