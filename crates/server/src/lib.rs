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
pub mod error;
pub mod extract;
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

/// Open the storage the settings name, applying migrations.
pub async fn open_storage(settings: &Settings) -> Result<Arc<dyn Storage>, StorageError> {
    Ok(match &settings.database {
        Database::Sqlite(dir) => {
            let dir = dir.clone();
            Arc::new(
                tokio::task::spawn_blocking(move || Sqlite::open(&dir))
                    .await
                    .map_err(|e| StorageError::Io(e.to_string()))??,
            )
        }
        Database::Postgres(_) => {
            let url = settings.database_url().unwrap_or_default();
            Arc::new(Postgres::open_with(url, settings.pg_pool_size, settings.allow_plain_database).await?)
        }
    })
}
