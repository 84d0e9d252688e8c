//! `sync-bench`: our sync on the same workload as the PouchDB peer — N
//! intake-shaped records of about 1 KB each, the client on disk (the
//! encrypted store), the service on disk (SQLite by default, or PostgreSQL
//! with `--postgres URL`): initial push, a sync with nothing new, a sync
//! after CHANGED records changed; `--delay-ms` adds the same per-request
//! latency the peer's DELAY_MS adds, in the proxy (at 0 ms the client talks
//! to the service directly, as the peer's client does). Prints one JSON line.
//! `--perf FILE` records a `perf` profile of the client and the service
//! during the initial push only.
//!
//! Run by `tests/bench/sync-vs-pouchdb.sh`, which runs the peer too.

use anyhow::{Context, Result, bail};
use serde_json::json;
use std::time::{Duration, Instant};
use waystation_core::{CaseId, Change, FieldPath, Role};
use waystation_sync::SyncOptions;
use waystation_system_tests::proxy::{FaultProxy, Plan};
use waystation_system_tests::server::{Db, ServerProc, fresh_postgres_database};
use waystation_system_tests::world::{Device, org};

struct Args {
    n: usize,
    changed: usize,
    delay_ms: u64,
    postgres: bool,
    /// The service keeps case values unsealed (its binary built with
    /// `unsealed-baseline`): the baseline of what sealing costs.
    unsealed: bool,
    batch: usize,
    in_flight: usize,
    perf: Option<String>,
}

fn args() -> Result<Args> {
    let mut a = Args {
        n: 10_000,
        changed: 100,
        delay_ms: 0,
        postgres: false,
        unsealed: false,
        batch: 1000,
        in_flight: waystation_sync::DEFAULT_IN_FLIGHT,
        perf: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().context("a flag without its value");
        match flag.as_str() {
            "--n" => a.n = val()?.parse()?,
            "--changed" => a.changed = val()?.parse()?,
            "--delay-ms" => a.delay_ms = val()?.parse()?,
            "--batch" => a.batch = val()?.parse()?,
            "--in-flight" => a.in_flight = val()?.parse()?,
            "--postgres" => a.postgres = true,
            "--unsealed" => a.unsealed = true,
            "--perf" => a.perf = Some(val()?),
            other => {
                bail!(
                    "unknown flag {other}; use --n N --changed N --delay-ms MS --batch N --in-flight N --postgres --unsealed --perf FILE"
                )
            }
        }
    }
    Ok(a)
}

/// One intake-shaped record of about 1 KB, made the way the app makes an
/// intake: a case created with its status, the child's names and an
/// encounter narrative (the bulk of the kilobyte) — one operation, as one
/// record is one document for the peer.
fn record(i: usize) -> Vec<Change> {
    const FIRST: [&str; 8] = ["Amina", "Joseph", "Grace", "Musa", "Fatuma", "Peter", "Halima", "David"];
    const LAST: [&str; 8] = ["Otieno", "Mwangi", "Njeri", "Abdi", "Kamau", "Achieng", "Wanjiru", "Hassan"];
    let narrative = format!(
        "Encounter {i} at site SITE-{:04}, district {}. {}",
        i % 250,
        i % 17,
        "Found walking along the highway shoulder with two adults who left when approached; says she is travelling to an aunt; fictional benchmark text. "
            .repeat(5)
    );
    let field = |f: &str| FieldPath::parse(f).expect("path");
    let fields = [
        (field("status"), json!("open")),
        (field("child.given_name"), json!(FIRST[i % 8])),
        (field("child.family_name"), json!(LAST[(i >> 3) % 8])),
        (field("encounter.narrative"), json!(narrative)),
    ];
    vec![Change::CreateCase { owner: org("border-7"), fields: fields.into_iter().collect() }]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let a = args()?;
    let env: &[(&str, &str)] = if a.unsealed { &[("WAYSTATION_UNSEALED_BASELINE", "1")] } else { &[] };
    let server = if a.postgres {
        let url = fresh_postgres_database().await?.context("WAYSTATION_TEST_DATABASE_URL is not set")?;
        ServerProc::start(Db::Postgres(url), env, None)?
    } else {
        ServerProc::sqlite(env)?
    };
    server.admin(&["org", "add", "border-7"])?;
    server.admin(&["user", "add", "--org", "border-7", "--role", "agent", "ana"])?;
    // The peer adds its delay in its server; at 0 ms neither side has anything between client and service.
    let proxy = match a.delay_ms {
        0 => None,
        ms => Some(FaultProxy::start(server.addr, Plan { latency: Duration::from_millis(ms), ..Plan::clean() }).await?),
    };
    let url = proxy.as_ref().map_or_else(|| server.url(), FaultProxy::url);
    let root = tempfile::tempdir()?;
    let options = SyncOptions { batch: a.batch, in_flight: a.in_flight, ..SyncOptions::default() };
    let mut dev =
        Device::enroll(&server, &url, "border-7", Role::Agent, "ana", &root.path().join("ana"), options).await?;

    let t = Instant::now();
    let mut ids = Vec::with_capacity(a.n);
    let cases: Vec<(CaseId, Vec<Change>)> = (0..a.n).map(|i| (CaseId::new(), record(i))).collect();
    for chunk in cases.chunks(1000) {
        ids.extend(dev.with_store(|s| s.save_new_cases(chunk.to_vec()))?);
    }
    let insert = t.elapsed();
    let ops = dev.with_store(|s| s.outbox_len())?;

    let perf = a.perf.as_deref().map(|out| start_perf(out, &server)).transpose()?;
    let service_pid = server.pid().context("the service is not running")?;
    let cpu0 = (cpu_ms(std::process::id())?, cpu_ms(service_pid)?);
    let t = Instant::now();
    let push = dev.syncer.push_once().await?;
    let initial = t.elapsed();
    let cpu1 = (cpu_ms(std::process::id())?, cpu_ms(service_pid)?);
    if let Some(p) = perf {
        stop_perf(p)?;
    }
    anyhow::ensure!(dev.with_store(|s| s.outbox_len())? == 0, "the outbox is empty after the push");

    // Pull our own records back once (not timed: the peer's push does not pull), then a sync with nothing new.
    dev.syncer.sync_once().await?;
    let t = Instant::now();
    let noop_report = dev.syncer.sync_once().await?;
    let noop = t.elapsed();

    for (k, id) in ids.iter().take(a.changed).enumerate() {
        dev.with_store(|s| {
            s.edit(
                *id,
                vec![Change::Set {
                    field: FieldPath::parse("child.given_name").expect("path"),
                    value: json!(format!("Changed {k}")),
                    supersedes: vec![],
                }],
            )
        })?;
    }
    let t = Instant::now();
    let delta = dev.syncer.sync_once().await?;
    let delta_time = t.elapsed();

    // Counted, not read: the unsealed baseline's rows do not open as sealed ones.
    let rows: u64 = match server.db() {
        Db::Sqlite(dir) => rusqlite::Connection::open(dir.join("waystation-server.sqlite3"))?.query_row(
            "SELECT COUNT(*) FROM ops",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64,
        Db::Postgres(url) => waystation_server::storage::postgres_tls::connect(url)
            .await
            .map_err(anyhow::Error::msg)?
            .query_one("SELECT COUNT(*) FROM ops", &[])
            .await?
            .get::<_, i64>(0) as u64,
    };
    anyhow::ensure!(
        rows == ops + a.changed as u64,
        "the service holds {rows} operations, expected {}",
        ops + a.changed as u64
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{}",
        json!({
            "backend": if a.postgres { "postgres" } else { "sqlite" },
            "delay_ms": a.delay_ms,
            "records": a.n,
            "ops": ops,
            "local_insert_ms": ms(insert),
            "initial_push_ms": ms(initial),
            "initial_records_s": a.n as f64 / initial.as_secs_f64(),
            "initial_ops_s": ops as f64 / initial.as_secs_f64(),
            "initial_requests": push.requests,
            // CPU time spent during the push (less noisy than the wall clock on a shared machine).
            "initial_cpu_ms_client": cpu1.0 - cpu0.0,
            "initial_cpu_ms_service": cpu1.1 - cpu0.1,
            "initial_accepted": push.accepted,
            "noop_ms": ms(noop),
            "noop_requests": noop_report.requests,
            "delta_changed": a.changed,
            "delta_ms": ms(delta_time),
            "delta_requests": delta.requests,
            "delta_accepted": delta.accepted,
        })
    );
    Ok(())
}

/// `perf record` on this process and the service, from now until [`stop_perf`].
/// DWARF call graphs: release builds keep no frame pointers, so `-g` would
/// give flat profiles (`perf report --children` then attributes time to callers).
fn start_perf(out: &str, server: &ServerProc) -> Result<std::process::Child> {
    let service = server.pid().context("the service is not running")?;
    let child = std::process::Command::new("perf")
        .args([
            "record",
            "-q",
            "-F",
            "1999",
            "--call-graph",
            "dwarf,16384",
            "-o",
            out,
            "-p",
            &format!("{},{service}", std::process::id()),
        ])
        .spawn()
        .context("perf record (install linux-perf)")?;
    std::thread::sleep(Duration::from_millis(500)); // let it attach
    Ok(child)
}

fn stop_perf(mut perf: std::process::Child) -> Result<()> {
    std::process::Command::new("kill").args(["-INT", &perf.id().to_string()]).status()?;
    perf.wait()?;
    Ok(())
}

/// CPU time (user + system) a process has used so far, in milliseconds.
fn cpu_ms(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').context("a /proc stat line")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11).context("utime")?.parse::<u64>()? + f.get(12).context("stime")?.parse::<u64>()?;
    Ok(ticks * 10) // USER_HZ is 100 on Linux
}
