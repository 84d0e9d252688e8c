//! Backups of the embedded database: a consistent copy, itself a SQLCipher
//! file keyed with a key derived from the database key (so the copy holds
//! nothing in the clear, not even the names of organizations and users, and
//! opens with the key the database had when it was made). Made while the
//! service runs: one read transaction is one snapshot (WAL mode), and the
//! service's writes go on meanwhile.

use rusqlite::{Connection, OpenFlags, params};
use std::path::Path;
use zeroize::Zeroizing;

use super::{database_file, db, stored_data_key};
use crate::storage::sealed::{DatabaseKey, Sealer};
use crate::storage::{Result, StorageError};

/// What the backup file's key is derived for.
const BACKUP_PURPOSE: &str = "sqlite backup v1";

fn backup_key_text(key: &DatabaseKey) -> Zeroizing<String> {
    Zeroizing::new(format!("x'{}'", hex::encode(*key.derive(BACKUP_PURPOSE))))
}

fn io(what: &str, path: &Path, e: impl std::fmt::Display) -> StorageError {
    StorageError::Io(format!("{what} {}: {e}", path.display()))
}

/// Copy the database of the data folder `dir` to the new file `to`, keyed
/// from `key` (which must open the database). Returns the copy's size in bytes.
pub fn backup(dir: &Path, key: &DatabaseKey, to: &Path) -> Result<u64> {
    let path = database_file(dir);
    if !path.exists() {
        return Err(StorageError::Missing(format!("a database in {}", dir.display())));
    }
    if to.exists() {
        return Err(StorageError::AlreadyExists(format!("the file {}", to.display())));
    }
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
        .map_err(db)?;
    conn.execute_batch("PRAGMA busy_timeout = 10000; PRAGMA cipher_log_level = NONE;").map_err(db)?;
    // A backup that the key could not restore is no backup.
    match stored_data_key(&conn)? {
        Some(w) => drop(Sealer::unwrap(key, &w)?),
        None => return Err(StorageError::Corrupt("the database has no data key (start the service once)".into())),
    }
    let partial = to.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let written = (|| -> Result<()> {
        conn.execute(
            "ATTACH DATABASE ?1 AS backup KEY ?2",
            params![partial.to_string_lossy(), backup_key_text(key).as_str()],
        )
        .map_err(db)?;
        // One read transaction: the copy is one snapshot of the database.
        conn.execute_batch("BEGIN; SELECT sqlcipher_export('backup'); COMMIT;").map_err(db)?;
        conn.execute_batch("DETACH DATABASE backup;").map_err(db)
    })();
    if let Err(e) = written {
        let _ = conn.execute_batch("ROLLBACK;");
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    drop(conn);
    let f = std::fs::File::open(&partial).map_err(|e| io("cannot read", &partial, e))?;
    f.sync_all().map_err(|e| io("cannot sync", &partial, e))?;
    std::fs::rename(&partial, to).map_err(|e| io("cannot rename to", to, e))?;
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = std::fs::File::open(parent).and_then(|d| d.sync_all());
    }
    std::fs::metadata(to).map(|m| m.len()).map_err(|e| io("cannot read", to, e))
}

/// Restore the backup `from` (made with `key`) into the data folder `dir`,
/// which must hold no database. The service started on it then takes a new
/// epoch (it was restored), so devices send again what the backup lacks.
pub fn restore(from: &Path, key: &DatabaseKey, dir: &Path) -> Result<()> {
    let target = database_file(dir);
    if target.exists() {
        return Err(StorageError::AlreadyExists(format!(
            "a database in {} (restore into an empty data folder; move this one aside first)",
            dir.display()
        )));
    }
    if !from.is_file() {
        return Err(StorageError::Missing(format!("the backup {}", from.display())));
    }
    let conn = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
        .map_err(db)?;
    let pragma = Zeroizing::new(format!("PRAGMA key = \"{}\";", backup_key_text(key).as_str()));
    conn.execute_batch(&pragma).map_err(db)?;
    drop(pragma);
    conn.execute_batch("PRAGMA cipher_log_level = NONE;").map_err(db)?;
    if conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).is_err() {
        return Err(StorageError::WrongKey);
    }
    match stored_data_key(&conn)? {
        Some(w) => drop(Sealer::unwrap(key, &w)?),
        None => return Err(StorageError::Corrupt("the backup has no data key".into())),
    }
    std::fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, e))?;
    let partial = target.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let written = (|| -> Result<()> {
        conn.execute("ATTACH DATABASE ?1 AS restored KEY ''", params![partial.to_string_lossy()]).map_err(db)?;
        conn.execute_batch("SELECT sqlcipher_export('restored'); DETACH DATABASE restored;").map_err(db)
    })();
    drop(conn);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &target).map_err(|e| io("cannot rename to", &target, e))?;
    // The marker of whatever ran here before does not describe this database.
    let _ = std::fs::remove_file(dir.join("epoch-marker"));
    Ok(())
}
