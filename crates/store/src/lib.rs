//! Waystation's encrypted local store, the one on every field laptop.
//!
//! One SQLCipher file holds everything — operation log, case views, outbox,
//! full-text search, audit chain — encrypted whole (WAL included) with a
//! random 256-bit key. That key is wrapped per local user with a key derived
//! from the user's passphrase by Argon2id and kept in `keyring.json` beside
//! the database, so passphrases change and users come and go without
//! re-encrypting anything, and a wrong passphrase never touches the database.
//! Every change is an operation written in the same transaction as the state
//! it changes and its outbox entry; every change and every read of a case is
//! an entry in a hash chain.
//!
//! ```no_run
//! # fn main() -> Result<(), waystation_store::StoreError> {
//! use waystation_store::{KdfParams, Passphrase, Store};
//! use waystation_core::{DeviceId, OrgId, UserName};
//! let user = UserName::parse("user", "ana.lopez").unwrap();
//! let org = OrgId::parse("org", "border-station-7").unwrap();
//! let pass = Passphrase::new("a long passphrase")?;
//! let store = Store::create("/tmp/ws".as_ref(), &user, &pass, DeviceId::new(), &org, KdfParams::default())?;
//! store.lock()?;
//! let mut store = Store::unlock("/tmp/ws".as_ref(), &user, &pass)?;
//! println!("{} cases", store.status()?.case_count);
//! # Ok(()) }
//! ```
//!
//! The design this crate is part of is in the repository's `docs/` (docs/security.md and docs/sync.md).

mod audit;
mod db;
mod drafts;
mod error;
mod keyring;
mod materialize;
mod passphrase;
mod read;
mod sealed;
mod store;
mod sync;
mod write;

pub use audit::AuditReport;
pub use db::{DB_FILE, SCHEMA_VERSION};
pub use error::{AuditError, BreakKind, Result, StoreError};
pub use keyring::{KEYRING_FILE, KdfParams, LockoutPolicy};
pub use passphrase::Passphrase;
pub use read::{CaseSummary, StoreStatus};
pub use sealed::Sealed;
pub use store::Store;
pub use sync::{FeedPosition, PullReport, QueuedOp, RejectedOp};

impl Store {
    /// Verify the audit chain end to end, against the head stored in the
    /// database and the checkpoint kept in the key ring.
    pub fn audit_verify(&self) -> std::result::Result<AuditReport, AuditError> {
        let ring = keyring::Keyring::load(&self.dir)?;
        audit::verify(&self.conn, ring.audit_checkpoint.as_ref())
    }
}

/// Open any file as an encrypted database with exactly the store's SQLCipher
/// and connection settings (for the benchmark's raw-table comparison).
#[doc(hidden)]
pub fn open_encrypted_file_for_bench(path: &std::path::Path, key: &[u8; 32]) -> Result<rusqlite::Connection> {
    db::open_file(path, key, true)
}
