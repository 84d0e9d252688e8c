//! The `waystation-server` binary: the administration commands, `serve` on
//! port 0, a full sync against it, and its log output, which must contain
//! none of the names, narratives, passwords or credentials that went through.

use reqwest::StatusCode;
use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use waystation_core::{CaseId, Role, Sensitivity};
use waystation_protocol::{EnrollResponse, ErrorCode};

use crate::helpers::*;

const BIN: &str = env!("CARGO_BIN_EXE_waystation-server");

struct Cli {
    args: Vec<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Cli {
    async fn new(backend: Backend) -> Option<Self> {
        Some(match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                Self { args: vec!["--data".into(), dir.path().display().to_string()], _dir: Some(dir) }
            }
            Backend::Postgres => {
                let url = fresh_postgres_database().await?;
                Self { args: vec!["--database-url".into(), url], _dir: None }
            }
        })
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(&self.args)
            .args(args)
            .env_remove("WAYSTATION_PASSWORD")
            .env("WAYSTATION_LOG_FORMAT", "json")
            .env("WAYSTATION_KEY", waystation_system_tests::backend::TEST_DATABASE_KEY);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).stdin(Stdio::null()).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn a_full_sync_through_the_binary_logs_no_names_narratives_or_secrets(backend: Backend) {
    let Some(cli) = Cli::new(backend).await else { return };
    let password = "Pw-Marker-Secret-4471";
    cli.ok(&["migrate"]);
    cli.ok(&["org", "add", "border-7"]);
    cli.ok(&["org", "add", "casa-esperanza"]);
    let out = cli
        .cmd(&["user", "add", "--org", "border-7", "--role", "agent", "agent.marker"])
        .env("WAYSTATION_PASSWORD", password)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let code = cli.ok(&["device", "code", "--org", "border-7", "--role", "agent", "--ttl-hours", "2"]);
    assert_eq!(code.len(), 23, "{code}");

    let mut child =
        cli.cmd(&["serve", "--listen", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = child.stderr.take().unwrap();
    let mut server = Server(child);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"));

    let http = reqwest::Client::new();
    assert_eq!(http.get(format!("{base}/healthz")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().status(), StatusCode::OK);
    let r = http
        .post(format!("{base}/v1/enroll"))
        .header("x-waystation-protocol", "1")
        .json(&json!({"code": code, "device_name": "Device-Name-Marker", "app_version": "0.1.0"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let e: EnrollResponse = r.json().await.unwrap();
    let d = TestDevice::for_tests(http.clone(), &base, &e, "agent.marker");
    let r = d
        .req(reqwest::Method::POST, "/v1/signin")
        .json(&json!({"user": "agent.marker", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let case = CaseId::new();
    let ops = vec![
        d.create(case),
        d.set(case, "child.given_name", json!("Given-Name-Marker")),
        d.set(case, "child.family_name", json!("Family-Name-Marker")),
        d.set(case, "encounter.narrative", json!("Narrative-Marker: found near the river")),
        d.note(case, Sensitivity::LawEnforcementSensitive, "Note-Text-Marker"),
        d.share(case, "casa-esperanza"),
    ];
    let pushed = d.push(&ops).await;
    assert!(pushed.results.iter().all(|r| r.status.is_acknowledged()), "{:?}", pushed.results);
    assert!(d.pull_all().await.is_empty(), "a device's own operations do not come back");
    let metrics = http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("waystation_ops_total{result=\"accepted\"} 6"), "{metrics}");
    assert!(metrics.contains("waystation_pull_pages_total 1"));
    assert!(metrics.contains("waystation_http_request_duration_seconds_bucket{route=\"/v1/push\""));
    let openapi: serde_json::Value =
        http.get(format!("{base}/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(openapi["paths"]["/v1/push"]["post"].is_object());

    assert!(openapi["components"]["schemas"]["Refusal"].is_object(), "the admin list's refusal is documented");

    // Why a device is behind, in words: caught up, and one refusal (a case it does not see).
    // The law-enforcement note an agent wrote is one it may read: nothing to report.
    let report = cli.ok(&["notes", "unwritable"]);
    assert_eq!(report, "0 stored notes of a class their writing device may not read", "{report}");
    let listed = cli.ok(&["device", "list"]);
    assert!(listed.contains(&e.device_id.to_string()) && listed.contains("active"), "{listed}");
    assert!(listed.contains("behind 0 entries, last pull "), "{listed}");
    assert!(listed.contains("0 operations refused"), "{listed}");
    let refused = d.push(&[d.set(CaseId::new(), "child.given_name", json!("Refused-Name-Marker"))]).await;
    assert_eq!(refused.results[0].status, waystation_protocol::OpStatus::RefusedForbidden);
    let listed = cli.ok(&["device", "list"]);
    assert!(listed.contains("1 operation refused, last: refused_forbidden at "), "{listed}");
    assert!(listed.contains("(case: this device's organization may not change this case"), "{listed}");
    assert!(!listed.contains("Marker"), "{listed}");

    // Revoked from the command line while serving: refused at once with the wipe code.
    cli.ok(&["device", "revoke", &e.device_id.to_string()]);
    let r = d.req(reqwest::Method::GET, "/v1/pull").send().await.unwrap();
    assert_eq!(error_of(r, StatusCode::FORBIDDEN).await.code, ErrorCode::DeviceRevoked);
    assert!(cli.ok(&["device", "list"]).contains("revoked"));

    let _ = server.0.kill();
    let _ = server.0.wait();
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).unwrap();
    assert!(logs.contains("\"push\"") || logs.contains("push"), "the service logged the sync: {logs}");
    let secret = e.device_secret.expose().to_owned();
    for marker in [
        "Given-Name-Marker",
        "Family-Name-Marker",
        "Narrative-Marker",
        "Note-Text-Marker",
        "Refused-Name-Marker",
        "Device-Name-Marker",
        "agent.marker",
        password,
        code.as_str(),
        &code.replace('-', ""),
        secret.as_str(),
    ] {
        assert!(!logs.contains(marker), "the log contains {marker:?}");
    }
}

async fn user_errors_are_one_clear_line_and_a_non_zero_exit(backend: Backend) {
    let Some(cli) = Cli::new(backend).await else { return };
    cli.ok(&["org", "add", "border-7"]);
    for (args, expect) in [
        (vec!["org", "add", "Border Seven"], "lowercase"),
        (vec!["org", "add", "border-7"], "already exists"),
        (vec!["user", "add", "--org", "border-7", "--role", "boss", "ana"], "not a role"),
        (vec!["device", "code", "--org", "nowhere", "--role", "agent"], "does not exist"),
        (vec!["device", "revoke", "not-an-id"], "UUID"),
        (vec!["device", "revoke", "0190b6c2-7c1e-7000-8000-000000000000"], "no device"),
        (vec!["serve", "--listen", "0.0.0.0:0"], "plain HTTP"),
    ] {
        let out = cli.run(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // A user needs a password of 10+ characters; with no terminal and no file the prompt fails cleanly.
    let out = cli
        .cmd(&["user", "add", "--org", "border-7", "--role", "agent", "ana"])
        .env("WAYSTATION_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("10 characters"));
    let _ = Role::Agent;
}

/// The database key: missing, malformed, readable by others, or two sources
/// at once — each one clear error, and the data folder is not even made.
#[test]
fn a_missing_or_bad_database_key_is_one_clear_error_and_makes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let open = dir.path().join("open.key");
    std::fs::write(&open, format!("{}\n", waystation_system_tests::backend::TEST_DATABASE_KEY)).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = |env: &[(&str, &str)], extra: &[&str]| {
        let mut c = Command::new(BIN);
        c.arg("--data").arg(&data).args(extra).arg("migrate");
        for k in ["WAYSTATION_KEY", "WAYSTATION_KEY_FILE", "WAYSTATION_KEY_COMMAND"] {
            c.env_remove(k);
        }
        c.envs(env.iter().copied());
        c.stdin(Stdio::null()).output().unwrap()
    };
    let open_s = open.to_str().unwrap();
    for (env, extra, expect) in [
        (vec![], vec![], "no database key"),
        (vec![("WAYSTATION_KEY", "abc")], vec![], "too short"),
        (vec![("WAYSTATION_KEY_COMMAND", "exit 7")], vec![], "it failed"),
        (vec![], vec!["--key-file", open_s], "chmod 600"),
        (vec![("WAYSTATION_KEY", "a"), ("WAYSTATION_KEY_COMMAND", "b")], vec![], "not several"),
    ] {
        let out = run(&env, &extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{env:?} {extra:?}");
        assert_eq!(err.lines().filter(|l| l.starts_with("error")).count(), 1, "{err}");
        assert!(err.contains(expect), "{env:?} {extra:?}: {err}");
        assert!(!err.contains(waystation_system_tests::backend::TEST_DATABASE_KEY), "the key was printed: {err}");
        assert!(!data.exists(), "a refused start made the data folder");
    }
}

crate::both_backends!(
    a_full_sync_through_the_binary_logs_no_names_narratives_or_secrets,
    user_errors_are_one_clear_line_and_a_non_zero_exit,
);
