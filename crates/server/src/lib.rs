//! Waystation's central sync service: the HTTP API every field laptop syncs
//! with (enroll, sign in, push, pull — protocol version 1 from
//! `waystation-protocol`), its admin API, and its storage on an embedded
//! SQLite file or on PostgreSQL behind several instances. It enforces
//! need-to-know on every route and page: a device receives only the cases
//! its organization owns or was shared, and only the note classes its role
//! may read.
//!
//! The design this crate is part of is in the repository's `docs/` (docs/sync.md and docs/security.md).

pub mod app;
pub mod clock;
pub mod console_assets;
pub mod error;
pub mod extract;
pub mod keys;
pub mod limiter;
pub mod metrics;
pub mod routes;
pub mod secrets;
pub mod settings;
pub mod storage;

pub use app::{AppState, router, serve};
pub use settings::{Database, Settings};
pub use storage::{Postgres, Sqlite, Storage, StorageError};

use std::sync::Arc;

/// The storage of either backend, as opened.
pub enum Opened {
    /// The embedded SQLite database.
    Sqlite(Arc<Sqlite>),
    /// PostgreSQL.
    Postgres(Arc<Postgres>),
}

impl Opened {
    /// The storage, whichever backend.
    pub fn storage(&self) -> Arc<dyn Storage> {
        match self {
            Opened::Sqlite(s) => s.clone(),
            Opened::Postgres(p) => p.clone(),
        }
    }

    /// Wrap the data key with `new` (see [`Sqlite::rewrap`]).
    pub async fn rewrap(&self, new: &storage::sealed::DatabaseKey) -> Result<(), StorageError> {
        match self {
            Opened::Sqlite(s) => s.rewrap(new).await,
            Opened::Postgres(p) => p.rewrap(new).await,
        }
    }
}

/// Open the storage the settings name with the database key `key`, applying migrations.
pub async fn open_storage(settings: &Settings, key: &storage::sealed::DatabaseKey) -> Result<Opened, StorageError> {
    #[cfg(feature = "unsealed-baseline")]
    if std::env::var_os("WAYSTATION_UNSEALED_BASELINE").is_some() {
        // Only in a binary built for the benchmarks' baseline.
        tracing::warn!("case values are stored UNSEALED: a benchmark baseline, never a service");
        return Ok(match &settings.database {
            Database::Sqlite(dir) => Opened::Sqlite(Arc::new(Sqlite::open_unsealed_baseline(dir)?)),
            Database::Postgres(_) => Opened::Postgres(Arc::new(
                Postgres::open_unsealed_baseline(settings.database_url().unwrap_or_default(), settings.pg_pool_size)
                    .await?,
            )),
        });
    }
    Ok(match &settings.database {
        Database::Sqlite(dir) => {
            let dir = dir.clone();
            let key = key.clone();
            Opened::Sqlite(Arc::new(
                tokio::task::spawn_blocking(move || Sqlite::open(&dir, &key))
                    .await
                    .map_err(|e| StorageError::Io(e.to_string()))??,
            ))
        }
        Database::Postgres(_) => {
            let url = settings.database_url().unwrap_or_default();
            Opened::Postgres(Arc::new(
                Postgres::open_with(url, settings.pg_pool_size, settings.allow_plain_database, key).await?,
            ))
        }
    })
}
