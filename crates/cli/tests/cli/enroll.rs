//! `enroll` over a link that does not answer: it says what became of the
//! enrollment (never "changes stay queued": there is no store and nothing
//! queued), keeps only its request id, and a second run keeps the same one.

use std::process::Command;

#[test]
fn an_enrollment_that_cannot_reach_the_service_says_the_code_is_still_good() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("station");
    let enroll = || {
        Command::new(env!("CARGO_BIN_EXE_waystation-cli"))
            .env("WAYSTATION_STORE", &store)
            .env("WAYSTATION_USER", "ana")
            .env("WAYSTATION_PASSPHRASE", super::PASS)
            .env_remove("RUST_BACKTRACE")
            // Nothing listens on port 9 of 127.0.0.1 (discard).
            .args(["enroll", "--server", "http://127.0.0.1:9", "--code", "ABCDE-FGHIJ-KLMNO", "--attempts", "2"])
            .args(["--kdf", "fast"])
            .output()
            .unwrap()
    };
    let out = enroll();
    let err = super::stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("not enrolled yet") && err.contains("the code is still good"), "{err}");
    assert!(!err.contains("stay queued"), "{err}");
    // Each try and the wait between them are said as they happen.
    assert!(err.contains("enroll: enrolling this device") && err.contains("trying again in"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!store.join(waystation_store::DB_FILE).exists(), "no store without an enrollment");
    let kept_path = waystation_sync::request_id_path(&store);
    let kept = std::fs::read_to_string(&kept_path).unwrap();
    assert!(!kept.contains("ABCDE"), "the code is not kept: {kept}");
    let again = enroll();
    assert!(!again.status.success());
    assert_eq!(std::fs::read_to_string(&kept_path).unwrap(), kept, "the same request id on the next run");
}
