//! Opening the SQLCipher database with the raw key, its settings, and the
//! embedded, append-only migrations.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};
use crate::keyring::DbKey;

/// File name of the database inside a store folder (its WAL and shared
/// memory files add `-wal` and `-shm`).
pub const DB_FILE: &str = "store.db";

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
/// Append only: an applied migration is never edited.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../migrations/0001_init.sql")),
    ("0002_rejected_ops_and_timeline_index", include_str!("../migrations/0002_rejected_ops_and_timeline_index.sql")),
    ("0003_drafts_and_sync_state", include_str!("../migrations/0003_drafts_and_sync_state.sql")),
    ("0004_outbox_refused", include_str!("../migrations/0004_outbox_refused.sql")),
    ("0005_removal_due", include_str!("../migrations/0005_removal_due.sql")),
];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// SQLCipher settings that must be the same at every open of a file: a
/// store made with other values does not open. Never change them without a
/// migration that re-exports the file (`sqlcipher_export`).
/// - 64 KiB pages (SQLCipher's largest): fewer pages to encrypt,
///   authenticate and decrypt. Against the 4 KiB default, bulk inserts run
///   about 1.7x and full scans about 3x faster; a single small commit writes
///   more bytes (about 10 ms per saved case instead of 5 on these disks),
///   which nobody filling in a form can notice.
/// - HMAC-SHA256 instead of the default HMAC-SHA512 for each page's
///   authentication tag: still a full-strength MAC, and these CPUs compute
///   SHA-256 in hardware (SHA-NI), which roughly halves the cost of reading
///   a page — the largest cost of a scan. Every page keeps its MAC: a changed
///   byte in the file is detected, never read as data. (Turning the MAC off
///   would make scans nearly as fast as plain SQLite; refused on purpose.)
///
/// Figures: `cargo run --release -p waystation-store --example bench`.
const CIPHER_SETTINGS: &str = "PRAGMA cipher_page_size = 65536; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;";

/// Connection settings: WAL with `synchronous = FULL`, so a committed intake
/// survives power loss, not only a crash; temporary tables and indices in
/// memory so no plaintext spills to a temporary file; a checkpoint every 256
/// pages (16 MiB of WAL), after which a WAL grown by a big import is cut back
/// to 32 MiB; a 32 MiB page cache; wait up to 5 s for another
/// connection (the desktop app and the CLI may share a store).
const CONNECTION_SETTINGS: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    PRAGMA temp_store = MEMORY;
    PRAGMA cache_size = -32768;
    PRAGMA foreign_keys = OFF;
    PRAGMA busy_timeout = 5000;
    PRAGMA secure_delete = ON;
    PRAGMA wal_autocheckpoint = 256;
    PRAGMA journal_size_limit = 33554432;
";

/// Open (or create) the store's encrypted database with the raw 256-bit key.
pub(crate) fn open(dir: &Path, key: &DbKey, create: bool) -> Result<Connection> {
    open_file(&dir.join(DB_FILE), key, create)
}

/// Open (or create) an encrypted database file with the store's settings.
pub(crate) fn open_file(path: &Path, key: &[u8; 32], create: bool) -> Result<Connection> {
    let flags = if create {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    // The key is the first statement; the text holding it is wiped afterwards.
    let pragma = Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", hex::encode(key.as_slice())));
    let conn = keyed_connection(path, flags, &pragma)?;
    drop(pragma);
    // Without this, SQLCipher prints "hmac check failed" on stderr for a wrong key.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(CIPHER_SETTINGS)?;
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            return Err(StoreError::DatabaseKeyMismatch);
        }
        Err(e) => return Err(e.into()),
    }
    conn.execute_batch(CONNECTION_SETTINGS)?;
    Ok(conn)
}

/// How many times a connection is opened again when SQLCipher refuses to
/// attach its codec (see [`keyed_connection`]).
const KEY_ATTEMPTS: usize = 3;

/// A connection with the key set. Once, in CI under parallel tests, SQLCipher
/// (4.20, libtomcrypt provider) refused `PRAGMA key` on a brand-new file with
/// "An error occurred with PRAGMA key or rekey" although the key was 32 bytes:
/// its codec context failed to initialize (provider activation), which this
/// code cannot see because SQLCipher's log is off. Nothing was written then (a
/// failed key attaches no codec and the connection is left read-only), so
/// the connection is dropped and opened again, at most `KEY_ATTEMPTS` times; a
/// wrong key is not this error (it fails at the first read, below).
fn keyed_connection(path: &Path, flags: OpenFlags, pragma: &str) -> Result<Connection> {
    let mut attempt = 1;
    loop {
        let conn = Connection::open_with_flags(path, flags)?;
        match conn.execute_batch(pragma) {
            Ok(()) => return Ok(conn),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::Unknown && attempt < KEY_ATTEMPTS =>
            {
                drop(conn);
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(10 * attempt as u64));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The schema version of an open database.
pub(crate) fn schema_version(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))?)
}

/// Apply the migrations the database lacks, up to `target`, each in its own
/// transaction together with the new `user_version`.
pub(crate) fn migrate(conn: &mut Connection, target: u32) -> Result<()> {
    let found = schema_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { found, known: SCHEMA_VERSION });
    }
    for (index, (_name, sql)) in MIGRATIONS.iter().enumerate().take(target as usize).skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {};", index + 1))?;
        tx.commit()?;
    }
    Ok(())
}
