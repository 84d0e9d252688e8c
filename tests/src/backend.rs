//! The two storage backends every service test runs on, and the PostgreSQL
//! test server they share. Used by these system tests and by the service's
//! own suite (`crates/server/tests`).

use anyhow::Result;

/// Which storage backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded SQLite file, the default.
    Sqlite,
    /// PostgreSQL at `WAYSTATION_TEST_DATABASE_URL`.
    Postgres,
}

/// What a test body may return: nothing, or a `Result` that must be `Ok`.
pub trait TestOutcome {
    /// Panic (failing the test) unless this is a success.
    fn check(self);
}

impl TestOutcome for () {
    fn check(self) {}
}

impl<E: std::fmt::Debug> TestOutcome for std::result::Result<(), E> {
    fn check(self) {
        if let Err(e) = self {
            panic!("{e:?}");
        }
    }
}

/// Run each named `async fn name(backend: Backend)` (returning `()` or a
/// `Result`) as two tests, `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
               async fn $name() {
                   $crate::backend::TestOutcome::check(super::$name($crate::backend::Backend::Sqlite).await)
               } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
               async fn $name() {
                   $crate::backend::TestOutcome::check(super::$name($crate::backend::Backend::Postgres).await)
               } )*
        }
    };
}

/// The database key every test service runs with (`WAYSTATION_KEY`): a key
/// for tests, printed here on purpose, never one of a real service.
pub const TEST_DATABASE_KEY: &str = "7e57d0c0ffee5eed7e57d0c0ffee5eed7e57d0c0ffee5eed7e57d0c0ffee5eed";

/// [`TEST_DATABASE_KEY`], parsed.
pub fn test_database_key() -> waystation_server::storage::sealed::DatabaseKey {
    waystation_server::storage::sealed::DatabaseKey::parse(TEST_DATABASE_KEY)
        .expect("the test key is 64 hex characters")
}

/// The data key of a service's database, unwrapped with [`TEST_DATABASE_KEY`]
/// from `wrapped` (its `meta.data_key`): for tests that read the database directly.
pub fn test_sealer(wrapped: &str) -> Result<waystation_server::storage::sealed::Sealer> {
    Ok(waystation_server::storage::sealed::Sealer::unwrap(&test_database_key(), wrapped)?)
}

/// The PostgreSQL server for tests (`WAYSTATION_TEST_DATABASE_URL`), `None` when explicitly skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var("WAYSTATION_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ if std::env::var("WAYSTATION_SKIP_POSTGRES").as_deref() == Ok("1") => None,
        _ => panic!(
            "WAYSTATION_TEST_DATABASE_URL is not set: the PostgreSQL half of the suite needs a server \
             (e.g. postgres://waystation:waystation@127.0.0.1/postgres; crates/server/tests/start-postgres.sh \
             starts one). Set WAYSTATION_SKIP_POSTGRES=1 to skip it on purpose."
        ),
    }
}

/// `url` pointing at database `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, Some(q))).unwrap_or((url, None));
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A new, empty PostgreSQL database on the test server; `None` when PostgreSQL is skipped.
pub async fn fresh_postgres_database() -> Result<Option<String>> {
    let Some(admin) = postgres_url() else { return Ok(None) };
    let client = waystation_server::storage::postgres_tls::connect(&admin)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to the test PostgreSQL (WAYSTATION_TEST_DATABASE_URL): {e}"))?;
    let name = format!("waystation_test_{}", uuid::Uuid::now_v7().simple());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await?;
    Ok(Some(with_database(&admin, &name)))
}
