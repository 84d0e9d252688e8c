//! Intake drafts and the sync client's state: small opaque JSON bodies kept
//! inside the encrypted database, so an intake interrupted by a crash or a
//! lock loses nothing and a device credential never touches the disk in clear.

use rusqlite::{OptionalExtension, params};

use crate::audit::now_text;
use crate::error::Result;
use crate::store::Store;

impl Store {
    /// This user's draft under `name` (opaque JSON text), if any. Not
    /// audited: a draft is not a case yet.
    pub fn draft(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT body FROM drafts WHERE user = ?1 AND name = ?2",
                params![self.user().as_str(), name],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Replace this user's draft under `name` (one row, one transaction).
    pub fn set_draft(&mut self, name: &str, body: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO drafts (user, name, body, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user, name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            params![self.user().as_str(), name, body, now_text()],
        )?;
        Ok(())
    }

    /// Forget this user's draft under `name` (after it was saved as a case, or discarded).
    pub fn discard_draft(&mut self, name: &str) -> Result<()> {
        self.conn.execute("DELETE FROM drafts WHERE user = ?1 AND name = ?2", params![self.user().as_str(), name])?;
        Ok(())
    }

    /// The sync client's state, as it last saved it (opaque JSON), if any.
    /// It holds the device credential: never log it.
    pub fn sync_state(&self) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT body FROM sync_state WHERE singleton = 1", [], |r| r.get(0)).optional()?)
    }

    /// Replace the sync client's state (one row, one transaction).
    pub fn set_sync_state(&mut self, body: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_state (singleton, body, updated_at) VALUES (1, ?1, ?2)
             ON CONFLICT (singleton) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            params![body, now_text()],
        )?;
        Ok(())
    }
}
