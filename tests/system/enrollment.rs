//! Enrolling over a link that drops (issue 26): every enrollment finishes
//! with its one code, however its requests are cut, retried, doubled or its
//! process killed between steps; the service ends with exactly one active
//! device per enrollment and no orphan; each device then syncs.
//!
//! Figures: the retries per enrollment are printed (`enrollment over N %
//! cuts: …`); `cargo test -p waystation-system-tests --test system
//! enrollment -- --nocapture` shows them.

use anyhow::{Context, Result, bail, ensure};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use waystation_core::{CaseId, Change, DeviceId, Role};
use waystation_protocol::EnrollmentCode;
use waystation_store::{KdfParams, Store};
use waystation_sync::{Backoff, EnrollProgress, EnrollStanding, Enrollment, SyncError, SyncOptions};
use waystation_system_tests::proxy::{Fault, FaultProxy, Plan};
use waystation_system_tests::server::{PASSWORD, ServerProc};
use waystation_system_tests::world::{org, user};

use crate::both_backends;
use crate::common::*;

/// What one run of `enroll` did: its requests, and whether it finished.
#[derive(Default)]
struct Tally {
    requests: AtomicU32,
}

fn enrollment<'a>(
    url: &'a str,
    code: &str,
    name: &str,
    dir: &'a Path,
    attempts: u32,
    progress: Arc<dyn Fn(EnrollProgress) + Send + Sync>,
) -> Enrollment<'a> {
    let mut e = Enrollment::new(
        url,
        EnrollmentCode::new(code),
        format!("{name} station laptop"),
        user(name),
        PASSWORD,
        dir,
        KdfParams::for_tests(),
    );
    e.attempts = attempts;
    e.backoff = Backoff::new(Duration::from_millis(1), Duration::from_millis(8));
    e.progress = Some(progress);
    e
}

/// The service's devices as `device list` prints them: (id, standing).
fn device_list(server: &ServerProc) -> Result<Vec<(DeviceId, String)>> {
    server
        .admin(&["device", "list"])?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            ensure!(cols.len() >= 4, "a device line with too few columns: {l}");
            Ok((cols[0].parse().with_context(|| format!("device id in {l}"))?, cols[3].to_owned()))
        })
        .collect()
}

/// Enroll `n` devices through the proxy cutting `rate` of enrollment
/// requests, each with one code and `enroll` run again (as a user would)
/// until it finishes; then check the service and sync each device.
async fn enroll_through_cuts(backend: Backend, rate: f64) -> Result<()> {
    let n = 50;
    let Some(server) = service(backend, &[]).await? else { return Ok(()) };
    let proxy = FaultProxy::start(server.addr, Plan::enrollment_cuts(rate)).await?;
    let url = proxy.url();
    let root = tempfile::tempdir()?;
    let (mut requests, mut runs, mut most) = (0u32, 0u32, 0u32);
    let mut devices = Vec::new();
    for i in 0..n {
        let (org_name, role, name) =
            if i % 2 == 0 { ("border-7", Role::Agent, "ana") } else { ("casa-esperanza", Role::NgoStaff, "luis") };
        let code = server.code(org_name, role.as_str())?;
        let dir = root.path().join(format!("laptop-{i}"));
        let tally = Arc::new(Tally::default());
        let t = Arc::clone(&tally);
        let progress: Arc<dyn Fn(EnrollProgress) + Send + Sync> = Arc::new(move |step| {
            if matches!(step, EnrollProgress::Enrolling { .. } | EnrollProgress::SigningIn { .. }) {
                t.requests.fetch_add(1, Ordering::Relaxed);
            }
        });
        let mut run = 0;
        let store = loop {
            run += 1;
            // At most 3 tries of each request per run, as the station's first report.
            match waystation_sync::enroll(enrollment(&url, &code, name, &dir, 3, Arc::clone(&progress))).await {
                Ok(store) => break store,
                Err(SyncError::EnrollmentStopped { standing: EnrollStanding::CodeStillGood, .. }) if run < 30 => {}
                Err(e) => bail!("enrollment {i}, run {run}: {e}"),
            }
        };
        let used = tally.requests.load(Ordering::Relaxed);
        requests += used;
        runs += run;
        most = most.max(used);
        ensure!(!waystation_sync::request_id_path(&dir).exists(), "enrollment {i}: its kept request was left behind");
        devices.push((store, org_name, role));
    }
    let counts = proxy.fault_counts();
    eprintln!(
        "{backend:?}: enrollment over {:.0} % cuts: {n} enrollments, {requests} enroll/sign-in requests \
         ({:.2} per enrollment, at most {most}), {runs} runs of enroll ({:.2} per enrollment), faults {counts:?}",
        rate * 100.0,
        requests as f64 / n as f64,
        runs as f64 / n as f64
    );
    ensure!(counts.iter().map(|(_, c)| c).sum::<u64>() > 0, "the proxy cut nothing");

    // Exactly one active device per enrollment: the very ones the laptops hold; no orphan.
    let listed = device_list(&server)?;
    let held: BTreeSet<DeviceId> = devices.iter().map(|(s, ..)| s.device()).collect();
    ensure!(held.len() == n, "{} distinct devices among {n} laptops", held.len());
    let listed_ids: BTreeSet<DeviceId> = listed.iter().map(|(id, _)| *id).collect();
    ensure!(listed.len() == n, "the service lists {} devices for {n} enrollments: {listed:?}", listed.len());
    ensure!(listed_ids == held, "the service's devices are not the laptops' devices");
    for (id, standing) in &listed {
        ensure!(standing == "active", "device {id} is {standing}, not active");
    }

    // Each device then syncs, through the same cuts on every route.
    proxy.set_plan(Plan { routes: vec!["/v1/"], ..Plan::enrollment_cuts(rate) });
    let options = SyncOptions { batch: 50, ..SyncOptions::default() };
    let mut cases = 0;
    for (i, (store, org_name, role)) in devices.into_iter().enumerate() {
        let mut store: Store = store;
        if role == Role::Agent {
            store.save_new_case(CaseId::new(), vec![Change::create_case(org(org_name))])?;
            cases += 1;
        }
        let mut syncer = waystation_sync::open(store, options)?;
        syncer.sync_until_done(1_000, quick_backoff()).await.with_context(|| format!("device {i} syncs"))?;
        let queued = syncer.store().lock().map_err(|_| anyhow::anyhow!("poisoned"))?.status()?.outbox_len;
        ensure!(queued == 0, "device {i}: {queued} changes left queued");
    }
    let (ops, _) = waystation_system_tests::world::server_ops(server.db()).await?;
    ensure!(ops.len() == cases, "the service holds {} operations, {cases} were made", ops.len());
    Ok(())
}

async fn fifty_enrollments_finish_through_15_percent_cuts(backend: Backend) -> Result<()> {
    enroll_through_cuts(backend, 0.15).await
}

async fn fifty_enrollments_finish_through_50_percent_cuts(backend: Backend) -> Result<()> {
    enroll_through_cuts(backend, 0.50).await
}

/// Where a run of `enroll` is killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kill {
    /// Not killed.
    No,
    /// Right after the service's enrollment answer was kept.
    AfterEnrolled,
    /// Right after the sign-in answer arrived.
    AfterSignedIn,
    /// Right after the store was created, before its sync state was written.
    AfterStoreCreated,
}

/// Which answer a run's link cuts (after the service committed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    No,
    Enroll,
    SignIn,
}

fn kill() -> impl Strategy<Value = Kill> {
    prop_oneof![Just(Kill::No), Just(Kill::AfterEnrolled), Just(Kill::AfterSignedIn), Just(Kill::AfterStoreCreated)]
}

fn cut() -> impl Strategy<Value = Cut> {
    prop_oneof![Just(Cut::No), Just(Cut::Enroll), Just(Cut::SignIn)]
}

/// One interrupted run of `enroll`, in a task of its own: a kill is a panic
/// at that step (nothing after it runs: no clean-up, no file removed).
async fn interrupted_run(url: String, code: String, dir: std::path::PathBuf, kill: Kill) -> Result<bool> {
    let progress: Arc<dyn Fn(EnrollProgress) + Send + Sync> = Arc::new(move |step| {
        let at = match step {
            EnrollProgress::Enrolled => Kill::AfterEnrolled,
            EnrollProgress::SignedIn => Kill::AfterSignedIn,
            EnrollProgress::StoreCreated => Kill::AfterStoreCreated,
            _ => Kill::No,
        };
        if at != Kill::No && at == kill {
            panic!("killed {at:?}");
        }
    });
    let task = tokio::spawn(async move {
        let e = enrollment(&url, &code, "ana", &dir, 1, progress);
        waystation_sync::enroll(e).await.map(|s| s.device())
    });
    match task.await {
        Ok(Ok(_)) => Ok(true),
        Ok(Err(SyncError::EnrollmentStopped { standing: EnrollStanding::CodeStillGood, .. })) => Ok(false),
        Ok(Err(e)) => bail!("a run ended in an error a retry cannot mend: {e}"),
        Err(j) if j.is_panic() => Ok(false),
        Err(j) => bail!("the run's task failed: {j}"),
    }
}

/// One enrollment through `runs` (each cut and/or killed), then a run on a
/// good link: it converges to one enrolled device with one working credential.
/// Returns how many of the interrupted runs stopped short.
async fn enroll_through(server: &ServerProc, proxy: &FaultProxy, runs: &[(Cut, Kill)]) -> Result<usize> {
    let code = server.code("border-7", "agent")?;
    let before = device_list(server)?.len();
    let root = tempfile::tempdir()?;
    let dir = root.path().join("laptop");
    let mut stopped = 0;
    for (cut, kill) in runs {
        let routes = match cut {
            Cut::No => vec![],
            Cut::Enroll => vec!["/v1/enroll"],
            Cut::SignIn => vec!["/v1/signin"],
        };
        proxy.set_plan(Plan { fault_rate: 1.0, kinds: vec![Fault::CutResponse], routes, ..Plan::clean() });
        let done = interrupted_run(proxy.url(), code.clone(), dir.clone(), *kill).await?;
        // A run may go through a cut or a kill of a step it no
        // longer makes (an earlier run already made it).
        if done {
            break;
        }
        stopped += 1;
    }
    // The link is good again: one more run finishes (or finds it finished).
    proxy.set_plan(Plan::clean());
    let finished = interrupted_run(proxy.url(), code.clone(), dir.clone(), Kill::No).await;
    match finished {
        Ok(true) => {}
        Err(e) if e.to_string().contains("already exists") => {}
        other => bail!("the last run did not finish: {other:?}"),
    }
    let store = Store::unlock(&dir, &user("ana"), &waystation_store::Passphrase::new(PASSWORD)?)?;
    ensure!(!waystation_sync::request_id_path(&dir).exists(), "the kept enrollment was left behind");
    let device = store.device();
    // One working credential: it syncs.
    let mut syncer = waystation_sync::open(store, SyncOptions::default())?;
    syncer.sync_until_done(3, quick_backoff()).await?;
    // One device for this enrollment, active, and it is the store's.
    let listed = device_list(server)?;
    ensure!(listed.len() == before + 1, "{} new devices for one enrollment: {runs:?}", listed.len() - before);
    ensure!(listed.iter().all(|(_, s)| s == "active"), "a device is not active: {listed:?} after {runs:?}");
    ensure!(listed.iter().any(|(id, _)| *id == device), "the store's device is not the service's");
    Ok(stopped)
}

/// The enrollment state machine against a real service: each run cut after
/// a step (enroll committed, sign-in committed) or killed after one
/// (enrolled, signed in, store created); a run that goes through always
/// ends with one enrolled device, one working credential, no orphan.
async fn any_cut_or_kill_converges_to_one_enrolled_device(backend: Backend) -> Result<()> {
    let Some(server) = service(backend, &[]).await? else { return Ok(()) };
    let proxy = FaultProxy::start(server.addr, Plan::clean()).await?;
    // Every cut with every kill, alone, first.
    for cut in [Cut::No, Cut::Enroll, Cut::SignIn] {
        for kill in [Kill::No, Kill::AfterEnrolled, Kill::AfterSignedIn, Kill::AfterStoreCreated] {
            let stopped =
                enroll_through(&server, &proxy, &[(cut, kill)]).await.with_context(|| format!("{cut:?}, {kill:?}"))?;
            // On a fresh enrollment every step is made: each cut and each kill stops the run.
            let interrupted = usize::from(cut != Cut::No || kill != Kill::No);
            ensure!(stopped == interrupted, "{cut:?}, {kill:?}: {stopped} runs stopped short");
        }
    }
    // Then random sequences of them.
    let cases = std::env::var("WAYSTATION_ENROLL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let strategy = proptest::collection::vec((cut(), kill()), 1..5);
    let handle = tokio::runtime::Handle::current();
    let result = runner.run(&strategy, |runs| {
        tokio::task::block_in_place(|| handle.block_on(enroll_through(&server, &proxy, &runs)))
            .map(|_| ())
            .map_err(|e| TestCaseError::fail(format!("{e:#}")))
    });
    result.map_err(|e| anyhow::anyhow!("{e}"))
}

/// `waystation-cli enroll` killed with SIGKILL at random moments while
/// the link is slow, then run again on a good link: it finishes the same
/// enrollment every time (one new active device, its kept request gone).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn enroll_killed_with_sigkill_finishes_when_run_again() -> Result<()> {
    use rand::Rng;
    use std::process::{Command, Stdio};
    let server = service(Backend::Sqlite, &[]).await?.context("sqlite")?;
    let proxy = FaultProxy::start(server.addr, Plan::clean()).await?;
    let cli = waystation_system_tests::server::workspace_bin("waystation-cli", "WAYSTATION_CLI_BIN")?;
    let root = tempfile::tempdir()?;
    let (mut killed, mut resumed) = (0, 0);
    for i in 0..12 {
        let code = server.code("border-7", "agent")?;
        let store = root.path().join(format!("laptop-{i}"));
        let run = || {
            let mut c = Command::new(&cli);
            c.args(["enroll", "--server", &proxy.url(), "--code", &code, "--kdf", "fast", "--attempts", "2"])
                .env("WAYSTATION_STORE", &store)
                .env("WAYSTATION_USER", "ana")
                .env("WAYSTATION_PASSPHRASE", PASSWORD)
                .stdin(Stdio::null())
                .stdout(Stdio::null());
            c
        };
        let before = device_list(&server)?.len();
        proxy.set_plan(Plan {
            fault_rate: 1.0,
            kinds: vec![Fault::Delay],
            max_delay: Duration::from_millis(300),
            routes: vec!["/v1/enroll", "/v1/signin"],
            ..Plan::clean()
        });
        let mut child = run().stderr(Stdio::null()).spawn()?;
        tokio::time::sleep(Duration::from_millis(rand::rng().random_range(20..600))).await;
        if child.try_wait()?.is_none() {
            child.kill()?;
            killed += 1;
        }
        child.wait()?;
        proxy.set_plan(Plan::clean());
        let out = run().stderr(Stdio::piped()).output()?;
        let err = String::from_utf8_lossy(&out.stderr);
        ensure!(out.status.success() || err.contains("already"), "run {i} after the kill: {err}");
        resumed += usize::from(err.contains("picking up"));
        ensure!(!waystation_sync::request_id_path(&store).exists(), "run {i}: the kept enrollment was left");
        let listed = device_list(&server)?;
        ensure!(listed.len() == before + 1, "run {i}: {} new devices", listed.len() - before);
        ensure!(listed.iter().all(|(_, s)| s == "active"), "run {i}: {listed:?}");
    }
    eprintln!("enroll killed {killed} times of 12, {resumed} runs picked up a kept answer");
    ensure!(killed >= 6, "only {killed} kills landed before the enrollment finished");
    Ok(())
}

both_backends!(
    fifty_enrollments_finish_through_15_percent_cuts,
    fifty_enrollments_finish_through_50_percent_cuts,
    any_cut_or_kill_converges_to_one_enrolled_device
);
