//! HTTPS with rustls, given a certificate and key; plain HTTP refused off loopback.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_waystation-server");

#[tokio::test]
async fn serves_https_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let mut child = Command::new(BIN)
        .env("WAYSTATION_KEY", waystation_system_tests::backend::TEST_DATABASE_KEY)
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["serve", "--listen", "0.0.0.0:0", "--tls-cert"])
        .arg(&cert_path)
        .arg("--tls-key")
        .arg(&key_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let pem = cert.cert.pem();
    let result = async move {
        let port = line.trim().rsplit(':').next().unwrap().to_owned();
        assert!(line.starts_with("listening on https://"), "{line}");
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
            .build()
            .unwrap();
        let r = client.get(format!("https://localhost:{port}/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        // A client that does not trust the certificate is refused by TLS.
        assert!(reqwest::Client::new().get(format!("https://localhost:{port}/healthz")).send().await.is_err());
    };
    let outcome = tokio::spawn(result).await;
    let _ = child.kill();
    let _ = child.wait();
    outcome.unwrap();
}

#[test]
fn a_bad_certificate_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let out = Command::new(BIN)
        .env("WAYSTATION_KEY", waystation_system_tests::backend::TEST_DATABASE_KEY)
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&junk)
        .arg("--tls-key")
        .arg(&junk)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot load the TLS certificate"), "{err}");
    assert!(!err.contains("panicked"));
}
