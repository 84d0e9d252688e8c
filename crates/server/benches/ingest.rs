//! Ingest benchmark (issue 3): operations pushed over HTTP by 1, 8 and 32
//! concurrent simulated devices, against a raw batched INSERT of the same
//! rows into the same kind of database in the same run (right before each
//! of our runs), and against the same service with case values stored
//! unsealed (issue 19: what sealing costs); then a device catching up from
//! zero with pulls. Prints throughputs and ratios.
//!
//! `cargo bench -p waystation-server --features unsealed-baseline --bench ingest` (SQLite; PostgreSQL too
//! when WAYSTATION_TEST_DATABASE_URL is set). WAYSTATION_BENCH_OPS sets the
//! number of operations per run (default 100000); WAYSTATION_BENCH_BACKEND
//! (sqlite or postgres) and WAYSTATION_BENCH_DEVICES (e.g. `1,8`) run a part.

use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use waystation_core::{CaseId, Change, FieldPath, HlcClock, OpId, Operation, OrgId, Role, UserName};
use waystation_protocol::{DeviceCredential, EnrollResponse, PROTOCOL_HEADER, PullResponse, PushRequest, PushResponse};
use waystation_server::clock::SystemClock;
use waystation_server::storage::{NewCode, UserRecord};
use waystation_server::{AppState, Postgres, Settings, Sqlite, Storage, secrets};

const BATCH: usize = 500;

fn ops_for(device: waystation_core::DeviceId, n: usize) -> Vec<Operation> {
    let mut clock = HlcClock::new(device);
    let user = UserName::parse("u", "ana").unwrap();
    let mut ops = Vec::with_capacity(n);
    let mut case = CaseId::new();
    for i in 0..n {
        // Cases of ten operations: a creation and nine field writes.
        let change = if i % 10 == 0 {
            case = CaseId::new();
            Change::create_case(OrgId::parse("o", "border-7").unwrap())
        } else {
            Change::Set {
                field: FieldPath::parse("encounter.place").unwrap(),
                value: json!(format!("gate {i}")),
                supersedes: vec![],
            }
        };
        ops.push(Operation {
            id: OpId::new(),
            case_id: case,
            hlc: clock.tick(i as u64),
            device,
            user: user.clone(),
            class: Default::default(),
            change,
        });
    }
    ops
}

async fn fresh(backend: &str, sealed: bool) -> (Arc<dyn Storage>, Option<tempfile::TempDir>, Option<String>) {
    let key = waystation_server::storage::sealed::DatabaseKey::generate();
    if backend == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        let s = if sealed { Sqlite::open(dir.path(), &key) } else { Sqlite::open_unsealed_baseline(dir.path()) };
        (Arc::new(s.unwrap()), Some(dir), None)
    } else {
        let admin = std::env::var("WAYSTATION_TEST_DATABASE_URL").unwrap();
        let client = waystation_server::storage::postgres_tls::connect(&admin).await.unwrap();
        let name = format!("waystation_bench_{}", uuid::Uuid::now_v7().simple());
        client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
        let url = waystation_system_tests::backend::with_database(&admin, &name);
        let s = if sealed {
            Postgres::open(&url, 40, &key).await
        } else {
            Postgres::open_unsealed_baseline(&url, 40).await
        };
        (Arc::new(s.unwrap()), None, Some(url))
    }
}

/// Enroll one simulated device over HTTP with a fresh one-time code, as an agent of `org`.
async fn enroll(storage: &dyn Storage, http: &reqwest::Client, base: &str, org: &OrgId) -> DeviceCredential {
    let now = chrono::Utc::now();
    let code = secrets::enrollment_code();
    storage
        .add_code(&NewCode {
            code_hash: secrets::hash_secret(&secrets::normalize_code(&code)),
            org: org.clone(),
            role: Role::Agent,
            created_at: now,
            expires_at: now + chrono::Duration::hours(1),
            id: waystation_server::secrets::random_token(9),
            created_by: None,
        })
        .await
        .unwrap();
    let e: EnrollResponse = http
        .post(format!("{base}/v1/enroll"))
        .header(PROTOCOL_HEADER, "1")
        .json(&json!({"code": code.as_str(), "device_name": "bench", "app_version": "bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cred = DeviceCredential { device_id: e.device_id, secret: e.device_secret };
    // The first sign-in completes the enrollment; it also makes "ana" a user
    // of this device, whom its operations may be attributed to.
    let signed = http
        .post(format!("{base}/v1/signin"))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(cred.bearer_token())
        .json(&json!({"user": "ana", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(signed.status().is_success(), "sign-in: {}", signed.text().await.unwrap_or_default());
    cred
}

const PASSWORD: &str = "a password for the benchmark";

async fn ours(backend: &str, devices: usize, total: usize, sealed: bool) -> f64 {
    let (storage, _dir, _url) = fresh(backend, sealed).await;
    let now = chrono::Utc::now();
    storage.add_org(&OrgId::parse("o", "border-7").unwrap(), now).await.unwrap();
    let user = UserRecord {
        name: UserName::parse("u", "ana").unwrap(),
        org: OrgId::parse("o", "border-7").unwrap(),
        role: Role::Agent,
        password_hash: secrets::hash_password(PASSWORD).unwrap(),
        created_at: now,
        disabled: false,
    };
    storage.add_user(&user).await.unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let settings = Settings { max_body_bytes: 16 * 1024 * 1024, ..Default::default() };
    let state = AppState::new(storage.clone(), Arc::new(SystemClock), settings);
    tokio::spawn(waystation_server::serve(state, listener, None, std::future::pending()));
    let http = reqwest::Client::new();
    let mut creds = Vec::new();
    for _ in 0..devices {
        creds.push(enroll(storage.as_ref(), &http, &base, &user.org).await);
    }
    // Each device's batches, as the sync client holds them (a typed
    // PushRequest, serialized per request as the client does).
    let work: Vec<(DeviceCredential, Vec<PushRequest>)> = creds
        .into_iter()
        .map(|c| {
            let ops = ops_for(c.device_id, total / devices);
            (c, ops.chunks(BATCH).map(|b| PushRequest { ops: b.to_vec() }).collect())
        })
        .collect();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (cred, batches) in work {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            for batch in &batches {
                let r: PushResponse = http
                    .post(format!("{base}/v1/push"))
                    .header(PROTOCOL_HEADER, "1")
                    .bearer_auth(cred.bearer_token())
                    .json(batch)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert!(r.results.iter().all(|r| r.status.is_acknowledged()));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let rate = total as f64 / start.elapsed().as_secs_f64();
    // Catch-up: one more device pulls everything from zero.
    if devices == 1 {
        let cred = enroll(storage.as_ref(), &http, &base, &user.org).await;
        let start = Instant::now();
        let (mut cursor, mut n) = ("0".to_owned(), 0usize);
        loop {
            let page: PullResponse = http
                .get(format!("{base}/v1/pull?after={cursor}&limit=1000"))
                .header(PROTOCOL_HEADER, "1")
                .bearer_auth(cred.bearer_token())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            n += page.ops.len();
            cursor = page.next_cursor.as_str().to_owned();
            if !page.more {
                break;
            }
        }
        assert_eq!(n, total);
        let how = if sealed { "sealed" } else { "unsealed" };
        println!(
            "{backend:8} pull catch-up from zero ({how:8}): {:>9.0} ops/s",
            n as f64 / start.elapsed().as_secs_f64()
        );
    }
    rate
}

/// The baseline: the same rows (id, case, class, hash, canonical JSON) by batched INSERT, 500 per transaction.
async fn raw(backend: &str, total: usize) -> f64 {
    let rows: Vec<(String, String, String, String)> = ops_for(waystation_core::DeviceId::new(), total)
        .iter()
        .map(|o| {
            let c = o.canonical_json();
            (o.id.to_string(), o.case_id.to_string(), secrets::hash_secret(&c), c)
        })
        .collect();
    if backend == "sqlite" {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = rusqlite::Connection::open(dir.path().join("raw.sqlite3")).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE ops (op_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, class TEXT NOT NULL, content_hash TEXT NOT NULL, canonical TEXT NOT NULL)").unwrap();
        let start = Instant::now();
        for chunk in rows.chunks(BATCH) {
            let tx = conn.transaction().unwrap();
            {
                let mut s = tx.prepare_cached("INSERT INTO ops VALUES (?1, ?2, 'general', ?3, ?4)").unwrap();
                for (id, case, hash, c) in chunk {
                    s.execute(rusqlite::params![id, case, hash, c]).unwrap();
                }
            }
            tx.commit().unwrap();
        }
        total as f64 / start.elapsed().as_secs_f64()
    } else {
        let (storage, _dir, url) = fresh(backend, true).await;
        drop(storage);
        let mut client = waystation_server::storage::postgres_tls::connect(&url.unwrap()).await.unwrap();
        client.batch_execute("CREATE TABLE raw_ops (op_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, class TEXT NOT NULL, content_hash TEXT NOT NULL, canonical TEXT NOT NULL)").await.unwrap();
        let start = Instant::now();
        for chunk in rows.chunks(BATCH) {
            let tx = client.transaction().await.unwrap();
            let mut sql = String::from("INSERT INTO raw_ops VALUES ");
            let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = Vec::new();
            for (i, (id, case, hash, c)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                let b = i * 4;
                sql.push_str(&format!("(${}, ${}, 'general', ${}, ${})", b + 1, b + 2, b + 3, b + 4));
                params.push(id);
                params.push(case);
                params.push(hash);
                params.push(c);
            }
            tx.execute(sql.as_str(), &params).await.unwrap();
            tx.commit().await.unwrap();
        }
        total as f64 / start.elapsed().as_secs_f64()
    }
}

#[tokio::main]
async fn main() {
    let total: usize = std::env::var("WAYSTATION_BENCH_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let mut backends = vec!["sqlite"];
    if std::env::var("WAYSTATION_TEST_DATABASE_URL").is_ok() {
        backends.push("postgres");
    }
    // To profile one part: WAYSTATION_BENCH_BACKEND=sqlite|postgres, WAYSTATION_BENCH_DEVICES=8.
    if let Ok(only) = std::env::var("WAYSTATION_BENCH_BACKEND") {
        backends.retain(|b| *b == only);
    }
    let device_counts: Vec<usize> = match std::env::var("WAYSTATION_BENCH_DEVICES") {
        Ok(v) => v.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) => vec![1, 8, 32],
    };
    for backend in backends {
        for &devices in &device_counts {
            // The baseline right before each of our runs: on a shared machine
            // the load drifts, and a ratio of two distant runs measures that.
            let baseline = raw(backend, total).await;
            println!("{backend:8} raw batched INSERT ({BATCH}/tx):   {baseline:>9.0} ops/s");
            // Unsealed then sealed, one after the other: their ratio is what sealing costs.
            let unsealed = ours(backend, devices, total, false).await;
            println!(
                "{backend:8} push over HTTP, {devices:>2} devices, unsealed: {unsealed:>9.0} ops/s   ratio {:.2}x",
                unsealed / baseline
            );
            let sealed = ours(backend, devices, total, true).await;
            println!(
                "{backend:8} push over HTTP, {devices:>2} devices, sealed:   {sealed:>9.0} ops/s   ratio {:.2}x   \
                 sealed/unsealed {:.2}x",
                sealed / baseline,
                sealed / unsealed
            );
        }
    }
}
