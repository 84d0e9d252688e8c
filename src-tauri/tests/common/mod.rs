//! What the desktop's tests against the real service share: the service
//! (SQLite, 127.0.0.1 port 0) with one organization and its agent, and
//! waiting on the sync line.

use anyhow::{Result, bail};
use std::time::{Duration, Instant};
use waystation_desktop::commands::sync::{SyncStatus, status};
use waystation_desktop::state::AppState;
use waystation_system_tests::server::ServerProc;

/// The organization of the test devices.
pub const ORG: &str = "border-station-7";

/// A fresh service knowing [`ORG`] and its agent `demo.agent`.
pub fn service() -> Result<ServerProc> {
    let server = ServerProc::sqlite(&[])?;
    server.admin(&["org", "add", ORG])?;
    server.admin(&["user", "add", "--org", ORG, "--role", "agent", "demo.agent"])?;
    Ok(server)
}

/// Wait (at most a minute, polling) until the sync line satisfies `done`.
pub fn wait_for(state: &AppState, what: &str, done: impl Fn(&SyncStatus) -> bool) -> Result<SyncStatus> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = status(state.shared()).map_err(|e| anyhow::anyhow!("{e}"))?;
        if done(&line) {
            return Ok(line);
        }
        if Instant::now() > deadline {
            bail!("gave up waiting for {what}; the line says {line:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
