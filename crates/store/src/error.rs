//! The store's errors. Messages are plain words for a field agent or an
//! administrator; none carries case data, a passphrase or a key.

use chrono::{DateTime, Utc};
use waystation_core::CaseId;

/// Result with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What can go wrong with the local store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The passphrase does not unlock this user's key. Nothing but the
    /// failed-attempt count changed.
    #[error("wrong passphrase; {attempts_left} attempt(s) left before a lockout")]
    WrongPassphrase {
        /// How many more wrong passphrases lock the user out.
        attempts_left: u32,
    },
    /// Too many wrong passphrases: no unlock, not even with the right one, until `until`.
    #[error("too many wrong passphrases; locked until {until}")]
    LockedOut {
        /// When the next attempt will be accepted.
        until: DateTime<Utc>,
    },
    /// The passphrase is refused by policy before it is tried.
    #[error("the passphrase must be at least {min} and at most {max} characters long")]
    PassphrasePolicy {
        /// Fewest characters.
        min: usize,
        /// Most characters.
        max: usize,
    },
    /// No local user of that name holds a key to this store.
    #[error("user {0} has no key to this store")]
    UnknownUser(String),
    /// A local user of that name already holds a key to this store.
    #[error("user {0} already has a key to this store")]
    UserExists(String),
    /// The last user cannot be removed: nobody could unlock the store again.
    #[error("the last user of a store cannot be removed")]
    LastUser,
    /// The folder holds no store (no key ring).
    #[error("no store here (the key ring file is missing)")]
    NotAStore,
    /// The folder already holds a store, or part of one.
    #[error("a store already exists here; choose an empty folder")]
    AlreadyExists,
    /// The key ring file cannot be read.
    #[error("the key ring file is damaged: {0}")]
    KeyringDamaged(String),
    /// The unwrapped key does not open the database (a key ring from another store?).
    #[error("the database does not open with this store's key (damaged, or the key ring belongs to another store)")]
    DatabaseKeyMismatch,
    /// The database was written by a newer version of Waystation.
    #[error("the database has schema version {found}, newer than this program knows ({known}); update Waystation")]
    NewerSchema {
        /// Version found in the file.
        found: u32,
        /// Newest version this program knows.
        known: u32,
    },
    /// No case with this id is in the store.
    #[error("case {0} is not in this store")]
    CaseNotFound(CaseId),
    /// A new case's id is already taken.
    #[error("case {0} is already in this store")]
    CaseExists(CaseId),
    /// A change was refused; nothing of its batch was saved.
    #[error("case {case_index} of the batch, change {change_index}: {field}: {message}")]
    InvalidChange {
        /// Position of the case in the batch (0 for a single case).
        case_index: usize,
        /// Position of the change in the case's changes.
        change_index: usize,
        /// The field at fault.
        field: String,
        /// What is wrong, in plain words.
        message: String,
    },
    /// Stored data does not parse: the database was changed outside Waystation.
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    /// The key derivation failed (bad parameters).
    #[error("key derivation failed: {0}")]
    Kdf(String),
    /// SQLite or SQLCipher refused an operation.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// Reading or writing a file failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

/// Why the audit chain does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BreakKind {
    /// The entry's content no longer matches its hash.
    #[error("the entry was changed after it was written")]
    Changed,
    /// An entry with this sequence number is missing.
    #[error("the entry is missing (removed)")]
    Missing,
    /// The entry does not name the hash of the entry before it.
    #[error("the entry does not follow the entry before it")]
    NotChained,
    /// Entries at and after this sequence number were removed from the end.
    #[error("the newest entries, from this one on, were removed")]
    Truncated,
    /// An operation this entry recorded was changed in the operation log.
    #[error("an operation this entry recorded was changed")]
    OperationChanged,
    /// An operation this entry recorded is no longer in the operation log.
    #[error("an operation this entry recorded was removed")]
    OperationMissing,
    /// The operation log holds operations no entry recorded (added outside the store).
    #[error("the operation log holds operations no entry recorded")]
    OperationUnrecorded,
    /// The entry differs from the checkpoint kept in the key ring.
    #[error("the entry differs from the checkpoint kept beside the database")]
    CheckpointMismatch,
}

/// The outcome of a failed audit verification.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The chain is broken at entry `seq`.
    #[error("the audit chain is broken at entry {seq}: {reason}")]
    Broken {
        /// The first entry at fault.
        seq: u64,
        /// What is wrong there.
        reason: BreakKind,
    },
    /// The chain could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for AuditError {
    fn from(e: rusqlite::Error) -> Self {
        AuditError::Store(StoreError::Database(e))
    }
}
