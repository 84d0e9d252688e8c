//! WAL checkpoints off the push path. SQLite's automatic checkpoint runs
//! inside the commit that crosses its threshold, that is under the service's
//! one-writer lock, where every push waits for it. Here the writer's automatic
//! checkpoint is only a safety net (a large threshold), and a thread with its
//! own connection runs a PASSIVE checkpoint after commits, while the next push
//! goes on (WAL mode lets a checkpoint and a writer run at once). Durability
//! is unchanged: every commit is synced to the WAL (`synchronous = FULL`)
//! before it is acknowledged, and a checkpoint syncs the database file before
//! the WAL is reused.

use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::db;
use crate::storage::{Result, StorageError};

/// The writer's own automatic checkpoint, in pages: only if this thread falls far behind.
pub(super) const WRITER_AUTOCHECKPOINT_PAGES: u32 = 16_384;

/// The checkpoint thread; dropping it stops the thread and waits for it.
pub(super) struct Checkpointer {
    signal: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Start the thread on its own connection to `path`.
    pub(super) fn start(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).map_err(db)?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;").map_err(db)?;
        let (signal, commits) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while commits.recv().is_ok() {
                    // Commits that came while the last checkpoint ran are covered by this one.
                    while commits.try_recv().is_ok() {}
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!(error = %e, "WAL checkpoint failed; the next commit tries again");
                    }
                }
            })
            .map_err(|e| StorageError::Io(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self { signal: Some(signal), thread: Some(thread) })
    }

    /// A handle that tells the thread a commit happened.
    pub(super) fn handle(&self) -> Option<mpsc::Sender<()>> {
        self.signal.clone()
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.signal.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
