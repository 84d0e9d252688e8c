//! The connection to PostgreSQL is TLS: the service's own connections (seen
//! by the server in `pg_stat_ssl`), `verify-full` refuses a certificate not
//! issued for the host connected to, and `verify-ca` refuses one its CA did
//! not sign. The suite's PostgreSQL (start-postgres.sh) has a certificate for
//! `localhost` only, signed by a CA made for the tests.

use waystation_core::{CaseId, Role};
use waystation_server::Postgres;
use waystation_server::storage::postgres_tls::connect;

use crate::helpers::*;

/// The test database's URL, which must be TLS with `verify-full` (the suite
/// runs its PostgreSQL half over TLS); `None` when PostgreSQL is skipped.
async fn tls_database() -> Option<String> {
    let url = fresh_postgres_database().await?;
    assert!(
        url.contains("sslmode=verify-full") && url.contains("sslrootcert=") && url.contains("@localhost"),
        "the PostgreSQL tests run over TLS: WAYSTATION_TEST_DATABASE_URL must name localhost with \
         sslmode=verify-full&sslrootcert=CA.pem (crates/server/tests/start-postgres.sh prints one), not {url}"
    );
    Some(url)
}

#[tokio::test]
async fn the_services_connections_to_postgresql_are_tls() {
    let Some(app) = spawn_app(Backend::Postgres).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let case = CaseId::new();
    d.push(&[d.create(case)]).await;
    d.pull_all().await;
    let url = app.postgres_url().expect("a PostgreSQL app");
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap().to_owned();
    let client = connect(&url).await.unwrap();
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl), \
             (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) \
             FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid \
             WHERE a.datname = $1 AND a.pid <> pg_backend_pid()",
            &[&db],
        )
        .await
        .unwrap();
    let (tls, plain, mine): (i64, i64, bool) = (row.get(0), row.get(1), row.get(2));
    assert!(tls >= 1, "the service holds connections to its database");
    assert_eq!(plain, 0, "every connection of the service is TLS");
    assert!(mine, "the tests' own connection is TLS too");
}

#[tokio::test]
async fn verify_full_refuses_a_certificate_for_another_name_and_verify_ca_one_of_another_authority() {
    let Some(url) = tls_database().await else { return };
    // The certificate names localhost; 127.0.0.1 is the same server under a name it does not hold.
    let by_address = url.replace("@localhost", "@127.0.0.1");
    let e = Postgres::open(&by_address, 2, &waystation_system_tests::backend::test_database_key())
        .await
        .err()
        .expect("verify-full to a name the certificate lacks");
    assert!(e.to_string().contains("certificate"), "{e}");
    assert!(connect(&by_address).await.is_err());
    // verify-ca checks who signed it, not the name: the same address is accepted.
    let ca_only = by_address.replace("sslmode=verify-full", "sslmode=verify-ca");
    Postgres::open(&ca_only, 2, &waystation_system_tests::backend::test_database_key())
        .await
        .expect("verify-ca accepts the test CA's certificate under any name");
    // A CA that did not sign it is refused, by verify-ca too.
    let dir = tempfile::tempdir().unwrap();
    let other = rcgen::generate_simple_self_signed(vec!["Another CA".to_owned()]).unwrap();
    let other_ca = dir.path().join("other-ca.pem");
    std::fs::write(&other_ca, other.cert.pem()).unwrap();
    let root = url.split("sslrootcert=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let wrong = ca_only.replace(&root, other_ca.to_str().unwrap());
    let e = Postgres::open(&wrong, 2, &waystation_system_tests::backend::test_database_key())
        .await
        .err()
        .expect("a certificate another authority signed");
    assert!(e.to_string().contains("certificate"), "{e}");
    // require: encrypted, the certificate unchecked (libpq's meaning).
    let required = wrong.replace("sslmode=verify-ca", "sslmode=require");
    let client = connect(&required).await.unwrap();
    let row = client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await.unwrap();
    assert!(row.get::<_, bool>(0));
}
