//! The console's benchmark (issue 11): with 1,000 enrolled devices and 10,000
//! open conflicts in the database, the answer times of the device list and
//! the conflict list over HTTP, against a raw `SELECT` of the same rows on
//! the same database in the same run (the ratio), and — when Chromium and
//! the built console are there — the time from sign-in to the device list
//! painted in headless Chromium (`ui/scripts/console-paint.mjs`).
//!
//! `cargo bench -p waystation-server --bench console` (SQLite; PostgreSQL too
//! when WAYSTATION_TEST_DATABASE_URL is set). WAYSTATION_BENCH_DEVICES and
//! WAYSTATION_BENCH_CONFLICTS change the sizes (default 1000 and 10000).

use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use waystation_core::{CaseId, Change, DeviceId, FieldPath, HlcClock, OpId, Operation, OrgId, Role, UserName};
use waystation_server::clock::SystemClock;
use waystation_server::storage::{DeviceRecord, NewCode, NewDevice, Pusher, Redeemed, UserRecord};
use waystation_server::{AppState, Postgres, Settings, Sqlite, Storage, secrets};

const PASSWORD: &str = "a password for the benchmark";
const RUNS: usize = 5;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

enum Raw {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

async fn fresh(backend: &str) -> (Arc<dyn Storage>, Option<tempfile::TempDir>, Raw) {
    let key = waystation_server::storage::sealed::DatabaseKey::generate();
    if backend == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        let s = Sqlite::open(dir.path(), &key).unwrap();
        let file = dir.path().join("waystation-server.sqlite3");
        (Arc::new(s), Some(dir), Raw::Sqlite(file))
    } else {
        let admin = std::env::var("WAYSTATION_TEST_DATABASE_URL").unwrap();
        let client = waystation_server::storage::postgres_tls::connect(&admin).await.unwrap();
        let name = format!("waystation_bench_{}", uuid::Uuid::now_v7().simple());
        client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
        let url = waystation_system_tests::backend::with_database(&admin, &name);
        (Arc::new(Postgres::open(&url, 16, &key).await.unwrap()), None, Raw::Postgres(url))
    }
}

async fn device(storage: &dyn Storage, org: &OrgId, user: &UserName, i: usize) -> DeviceRecord {
    let now = chrono::Utc::now();
    let code = secrets::enrollment_code();
    let hash = secrets::hash_secret(&secrets::normalize_code(&code));
    storage
        .add_code(&NewCode {
            code_hash: hash.clone(),
            org: org.clone(),
            role: Role::Agent,
            created_at: now,
            expires_at: now + chrono::Duration::hours(1),
            id: secrets::random_token(9),
            created_by: None,
        })
        .await
        .unwrap();
    let new = NewDevice {
        id: DeviceId::new(),
        name: format!("station laptop {i}"),
        secret_hash: secrets::hash_secret(&secrets::random_token(32)),
        app_version: "bench".into(),
        request_hash: None,
    };
    let Redeemed::Enrolled(d) = storage.redeem_code(&hash, &new, now).await.unwrap() else { panic!("not enrolled") };
    storage.record_sign_in(d.id, user, now).await.unwrap();
    storage.touch_device(d.id, now - chrono::Duration::hours((i % 200) as i64), Some("bench"), 1).await.unwrap();
    DeviceRecord { complete_by: None, ..d }
}

/// `n` cases, each with one field written concurrently by `a` and `b`: `n` open conflicts.
async fn conflicts(storage: &dyn Storage, org: &OrgId, user: &UserName, a: &DeviceRecord, b: &DeviceRecord, n: usize) {
    let (mut ca, mut cb) = (HlcClock::new(a.id), HlcClock::new(b.id));
    let field = FieldPath::parse("encounter.place").unwrap();
    let op = |clock: &mut HlcClock, d: &DeviceRecord, case: CaseId, change: Change, t: u64| Operation {
        id: OpId::new(),
        case_id: case,
        hlc: clock.tick(t),
        device: d.id,
        user: user.clone(),
        class: Default::default(),
        change,
    };
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let cases: Vec<CaseId> = chunk.iter().map(|_| CaseId::new()).collect();
        let mut first = Vec::new();
        let mut second = Vec::new();
        for (k, case) in cases.iter().enumerate() {
            let t = 1_000 + (chunk[0] + k) as u64;
            first.push(op(&mut ca, a, *case, Change::create_case(org.clone()), t));
            let set = |v: &str| Change::Set { field: field.clone(), value: json!(v), supersedes: vec![] };
            first.push(op(&mut ca, a, *case, set("gate 4"), t));
            second.push(op(&mut cb, b, *case, set("gate 5"), t));
        }
        let now = chrono::Utc::now();
        for (d, ops) in [(a, first), (b, second)] {
            let results = storage.push(Pusher { device: d, now }, ops).await.unwrap();
            assert!(results.iter().all(|r| r.status.is_acknowledged()), "a seeding write was refused");
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn raw_rows(raw: &Raw, org: &str) -> (f64, usize, f64, usize) {
    match raw {
        Raw::Sqlite(file) => {
            let c = rusqlite::Connection::open(file).unwrap();
            let time = |sql: &str| {
                let mut times = Vec::new();
                let mut n = 0;
                for _ in 0..RUNS {
                    let t = Instant::now();
                    let mut s = c.prepare(sql).unwrap();
                    let cols = s.column_count();
                    let rows: Vec<Vec<rusqlite::types::Value>> = s
                        .query_map([org], |r| (0..cols).map(|i| r.get(i)).collect())
                        .unwrap()
                        .collect::<Result<_, _>>()
                        .unwrap();
                    n = rows.len();
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                (median(times), n)
            };
            let (d, dn) = time("SELECT * FROM devices WHERE org = ?1");
            let (c2, cn) = time(
                "SELECT c.* FROM cases c JOIN case_access a ON a.case_id = c.case_id WHERE a.org = ?1 \
                 AND c.conflict_count > 0",
            );
            (d, dn, c2, cn)
        }
        Raw::Postgres(url) => {
            let client = waystation_server::storage::postgres_tls::connect(url).await.unwrap();
            let mut out = Vec::new();
            for sql in [
                "SELECT * FROM devices WHERE org = $1",
                "SELECT c.* FROM cases c JOIN case_access a ON a.case_id = c.case_id WHERE a.org = $1 \
                 AND c.conflict_count > 0",
            ] {
                let mut times = Vec::new();
                let mut n = 0;
                for _ in 0..RUNS {
                    let t = Instant::now();
                    n = client.query(sql, &[&org]).await.unwrap().len();
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                out.push((median(times), n));
            }
            (out[0].0, out[0].1, out[1].0, out[1].1)
        }
    }
}

async fn http_ms(http: &reqwest::Client, url: &str, token: &str) -> (f64, usize) {
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = http.get(url).bearer_auth(token).send().await.unwrap();
        assert!(r.status().is_success(), "{url}: {}", r.status());
        let v: serde_json::Value = r.json().await.unwrap();
        n = v.as_array().map_or(0, Vec::len);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    (median(times), n)
}

async fn run(backend: &str) {
    let (devices, conflict_count) =
        (env_usize("WAYSTATION_BENCH_DEVICES", 1000), env_usize("WAYSTATION_BENCH_CONFLICTS", 10_000));
    let (storage, _dir, raw) = fresh(backend).await;
    let now = chrono::Utc::now();
    let org = OrgId::parse("o", "border-7").unwrap();
    storage.add_org(&org, now).await.unwrap();
    let hash = secrets::hash_password(PASSWORD).unwrap();
    for (name, role) in [("ana", Role::Agent), ("console.admin", Role::SyncAdmin)] {
        let user = UserRecord {
            name: UserName::parse("u", name).unwrap(),
            org: org.clone(),
            role,
            password_hash: hash.clone(),
            created_at: now,
            disabled: false,
        };
        storage.add_user(&user).await.unwrap();
    }
    let ana = UserName::parse("u", "ana").unwrap();
    let t = Instant::now();
    let mut all = Vec::new();
    for i in 0..devices.max(2) {
        all.push(device(storage.as_ref(), &org, &ana, i).await);
    }
    conflicts(storage.as_ref(), &org, &ana, &all[0], &all[1], conflict_count).await;
    println!(
        "{backend}: seeded {} devices and {conflict_count} open conflicts in {:.1} s",
        all.len(),
        t.elapsed().as_secs_f64()
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(storage.clone(), Arc::new(SystemClock), Settings::default());
    tokio::spawn(waystation_server::serve(state, listener, None, std::future::pending()));
    let http = reqwest::Client::new();
    let session: serde_json::Value = http
        .post(format!("{base}/v1/admin/login"))
        .json(&json!({"user": "console.admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let (dev_ms, dev_n) = http_ms(&http, &format!("{base}/v1/admin/devices"), &token).await;
    let (con_ms, con_n) = http_ms(&http, &format!("{base}/v1/admin/conflicts"), &token).await;
    let (raw_dev, raw_dev_n, raw_con, raw_con_n) = raw_rows(&raw, org.as_str()).await;
    println!(
        "{backend}: device list   {dev_n} devices  {dev_ms:8.1} ms over HTTP  vs raw SELECT {raw_dev_n} rows {raw_dev:7.1} ms  \
         ratio {:.1}x",
        dev_ms / raw_dev.max(0.001)
    );
    println!(
        "{backend}: conflict list {con_n} cases    {con_ms:8.1} ms over HTTP  vs raw SELECT {raw_con_n} rows {raw_con:7.1} ms  \
         ratio {:.1}x",
        con_ms / raw_con.max(0.001)
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/scripts/console-paint.mjs");
    if waystation_server::console_assets::built() && std::path::Path::new("/usr/bin/chromium").exists() {
        let out = std::process::Command::new("node")
            .args([script, &base, "console.admin", PASSWORD])
            .output()
            .expect("node runs");
        print!("{backend}: {}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        }
    } else {
        println!("{backend}: (the console is not built or /usr/bin/chromium is missing: no paint time)");
    }
}

#[tokio::main]
async fn main() {
    let only = std::env::var("WAYSTATION_BENCH_BACKEND").ok();
    for backend in ["sqlite", "postgres"] {
        if only.as_deref().is_some_and(|o| o != backend) {
            continue;
        }
        if backend == "postgres" && std::env::var("WAYSTATION_TEST_DATABASE_URL").is_err() {
            println!("postgres: WAYSTATION_TEST_DATABASE_URL is not set, skipped");
            continue;
        }
        run(backend).await;
    }
}
