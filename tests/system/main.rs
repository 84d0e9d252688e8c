//! Whole-system tests: the real `waystation-server`, real encrypted stores,
//! and a fault-injecting proxy between them. Each runs on SQLite and on
//! PostgreSQL (`WAYSTATION_TEST_DATABASE_URL`; `WAYSTATION_SKIP_POSTGRES=1`
//! skips that half on purpose).

pub(crate) use waystation_system_tests::both_backends;

mod at_rest;
mod common;
mod convergence;
mod enrollment;
mod faults;
mod kills;
mod moving;
mod need_to_know;
mod refusal_props;
mod refusals;
mod restore;
mod revocation;
mod watch;
