//! The desktop app's enrollment and background sync against the real
//! `waystation-server` (SQLite, 127.0.0.1 port 0), without a window: the
//! same functions the commands call.

mod common;

use anyhow::Result;
use common::{ORG, service, wait_for};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use waystation_core::{CaseId, OrgId};
use waystation_desktop::commands::session::enroll;
use waystation_desktop::commands::sync::status;
use waystation_desktop::error::ErrorCode;
use waystation_desktop::state::{AppState, Notice};
use waystation_desktop::sync_task::CHANGED_EVENT;
use waystation_store::KdfParams;
use waystation_system_tests::server::{PASSWORD, ServerProc};

/// The events the window would have received.
type Events = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

fn enrolled(server: &ServerProc, dir: &std::path::Path) -> Result<AppState> {
    Ok(enrolled_with_events(server, dir)?.0)
}

fn enrolled_with_events(server: &ServerProc, dir: &std::path::Path) -> Result<(AppState, Events)> {
    let state = AppState::new(dir.to_owned());
    let events = Events::default();
    let sink = Arc::clone(&events);
    state.set_emitter(Arc::new(move |name: &str, payload| sink.lock().unwrap().push((name.to_owned(), payload))));
    let code = server.code(ORG, "agent")?;
    let info = tauri::async_runtime::block_on(enroll(
        &state,
        &server.url(),
        &code,
        "demo.agent",
        PASSWORD.into(),
        KdfParams::for_tests(),
    ))
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(state.shared().signed_in().as_deref(), Some("demo.agent"), "{info:?}");
    Ok((state, events))
}

#[test]
fn an_enrolled_app_syncs_in_the_background_and_a_revoked_one_returns_to_first_run() -> Result<()> {
    let server = service()?;
    let dir = tempfile::tempdir()?;
    let a = enrolled(&server, &dir.path().join("a"))?;
    let org = a.shared().with_session(|s| Ok(s.owner_org().clone())).unwrap();
    assert_eq!(org, OrgId::parse("org", ORG)?, "the store belongs to the organization the service gave");
    let first = wait_for(&a, "the first sync", |l| l.last_success_at.is_some())?;
    assert_eq!(first.server.as_deref().map(|s| s.trim_end_matches('/')), Some(server.url().as_str()));
    assert!(first.last_error.is_none(), "{first:?}");

    // An intake, then "Sync now": the service takes it and a second device receives it.
    let (id, changes) =
        waystation_core::NewCase::parse(include_str!("../../examples/case.json"), chrono::Utc::now().date_naive())?
            .into_changes(&org);
    let id: CaseId = a.shared().with_session(|s| Ok(s.save_new_case(id, changes)?)).unwrap();
    assert!(status(a.shared()).unwrap().queued > 0);
    a.sync_now().unwrap();
    let line = wait_for(&a, "the case to be sent", |l| l.queued == l.refused as u64 && l.sent > 0)?;
    assert!(line.last_error.is_none(), "{line:?}");
    // The line counts since unlocking: a later sync with nothing to send does not reset it.
    a.sync_now().unwrap();
    let later =
        wait_for(&a, "a sync with nothing to send", |l| !l.running && l.last_success_at > line.last_success_at)?;
    assert_eq!(later.sent, line.sent, "{later:?}");

    let (b, events) = enrolled_with_events(&server, &dir.path().join("b"))?;
    let received = wait_for(&b, "the second device's first sync", |l| l.received > 0 && !l.running)?;
    let held = b.shared().with_session(|s| Ok(s.case(id)?)).unwrap();
    assert!(held.is_some(), "the second device received the case through the service");
    // The window is told the cases changed, with what the run received.
    let deadline = Instant::now() + Duration::from_secs(60);
    let changed = loop {
        let seen = events.lock().unwrap().iter().find(|(n, _)| n == CHANGED_EVENT).map(|(_, p)| p.clone());
        if let Some(p) = seen {
            break p;
        }
        assert!(Instant::now() < deadline, "no {CHANGED_EVENT} after the second device received the case");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(changed["received"], serde_json::json!(received.received), "{changed}");

    // Locking stops the sync and closes the store cleanly: it unlocks again.
    a.shared().lock().unwrap();
    assert!(status(a.shared()).is_err(), "locked: no sync line");

    // The administrator revokes b: at its next contact the store is wiped and first run says why.
    let device = b.shared().with_session(|s| Ok(s.device())).unwrap();
    server.admin(&["device", "revoke", &device.to_string()])?;
    b.sync_now().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while b.shared().signed_in().is_some() {
        assert!(Instant::now() < deadline, "the revoked device was not wiped");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!b.shared().store_exists(), "the store's key ring is gone");
    assert_eq!(b.shared().take_notice(), Some(Notice::Revoked));
    assert_eq!(b.shared().take_notice(), None, "the notice shows once");
    Ok(())
}

#[test]
fn a_wrong_code_or_address_is_refused_and_creates_nothing() -> Result<()> {
    let server = service()?;
    let dir = tempfile::tempdir()?;
    let state = AppState::new(dir.path().join("store"));
    let bad = tauri::async_runtime::block_on(enroll(
        &state,
        &server.url(),
        "not-a-code",
        "demo.agent",
        PASSWORD.into(),
        KdfParams::for_tests(),
    ))
    .unwrap_err();
    assert_eq!(bad.code, ErrorCode::SyncFailed, "{bad:?}");
    assert!(!state.shared().store_exists());
    let bad = tauri::async_runtime::block_on(enroll(
        &state,
        "ftp://nowhere",
        "x",
        "demo.agent",
        PASSWORD.into(),
        KdfParams::for_tests(),
    ))
    .unwrap_err();
    assert_eq!(bad.code, ErrorCode::Invalid, "{bad:?}");
    assert_eq!(bad.fields[0].field, "server");
    let bad = tauri::async_runtime::block_on(enroll(
        &state,
        &server.url(),
        "x",
        "demo.agent",
        "short".into(),
        KdfParams::for_tests(),
    ))
    .unwrap_err();
    assert_eq!(bad.code, ErrorCode::WeakPassphrase, "{bad:?}");
    assert!(!state.shared().store_exists());
    // A local-only store has nothing to sync.
    assert_eq!(state.sync_now().unwrap_err().code, ErrorCode::Locked);
    Ok(())
}
