//! The service's one integration test binary: every test starts the real
//! service on 127.0.0.1:0 with a fresh database, and runs against both
//! backends (SQLite in a temp folder; PostgreSQL in a fresh database on the
//! server named by WAYSTATION_TEST_DATABASE_URL).

pub(crate) use waystation_system_tests::both_backends;

mod helpers;

mod admin;
mod answers;
mod bad_input;
mod cli;
mod console;
mod console_isolation;
mod device_status;
mod enrollment;
mod epoch;
mod gap;
mod need_to_know;
mod postgres_tls;
mod pull;
mod push;
mod tls;
