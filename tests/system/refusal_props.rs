//! Issue 23 as a property of the push against the real service, through the
//! fault proxy: random mixes of operations the service refuses (shares with
//! organizations it does not know) and operations it accepts, random batch
//! sizes and windows, random cuts before forwarding and in the middle of an
//! answer. After every `sync_once` that returns `Ok`, the outbox holds
//! exactly the named refusals and the service holds every other operation
//! exactly once; after every failed one nothing is lost, and a later one
//! picks up.
//!
//! Scale: `WAYSTATION_REFUSAL_CASES` (default 8) generated cases per backend.

use anyhow::{Context, Result, ensure};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use waystation_core::{CaseId, Change, FieldPath, OpId, Role};
use waystation_sync::{RefusalKind, SyncOptions};
use waystation_system_tests::proxy::{Fault, FaultProxy, Plan};
use waystation_system_tests::server::ServerProc;
use waystation_system_tests::world::{Device, check_held, org, server_ops};

use crate::both_backends;
use crate::common::*;

/// One case a device creates: shares with organizations the service does not
/// know (each refused), edits, and perhaps a share it knows (accepted).
#[derive(Debug, Clone)]
struct CaseSpec {
    unknown_shares: usize,
    edits: usize,
    known_share: bool,
}

/// One device's run: two waves of cases, each synced to the end through the faults.
#[derive(Debug, Clone)]
struct Scenario {
    waves: [Vec<CaseSpec>; 2],
    batch: usize,
    in_flight: usize,
    /// Whether refusals that can settle are offered again at every sync (else never, in this run).
    reoffer: bool,
    fault_rate: f64,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let case = (0usize..10, 0usize..4, any::<bool>()).prop_map(|(unknown_shares, edits, known_share)| CaseSpec {
        unknown_shares,
        edits,
        known_share,
    });
    (
        prop::collection::vec(case.clone(), 1..6),
        prop::collection::vec(case, 1..5),
        1usize..6,
        1usize..4,
        any::<bool>(),
        0.0f64..0.6,
    )
        .prop_map(|(first, second, batch, in_flight, reoffer, fault_rate)| Scenario {
            waves: [first, second],
            batch,
            in_flight,
            reoffer,
            fault_rate,
        })
}

fn write_wave(device: &Device, cases: &[CaseSpec]) -> Result<()> {
    for (i, spec) in cases.iter().enumerate() {
        let mut changes = vec![Change::create_case(org("border-7"))];
        changes.extend((0..spec.unknown_shares).map(|k| Change::Share { org: org(&format!("nowhere-{k}")) }));
        if spec.known_share {
            changes.push(Change::Share { org: org("casa-esperanza") });
        }
        let id = device.with_store(|s| s.save_new_case(CaseId::new(), changes))?;
        for e in 0..spec.edits {
            let field = FieldPath::parse("child.given_name").context("field")?;
            let change = Change::Set { field, value: json!(format!("Niña {i}-{e}")), supersedes: vec![] };
            device.with_store(|s| s.edit(id, vec![change]))?;
        }
    }
    Ok(())
}

/// The checks after one `sync_once`: always that nothing is lost or held twice; after an `Ok`
/// that the outbox holds exactly the named refusals, each a share with an unknown organization,
/// the service every other operation, and the device everything of the service it may see.
async fn check(server: &ServerProc, device: &Device, finished: bool) -> Result<()> {
    let (all, rows) = server_ops(server.db()).await?;
    let on_service: BTreeSet<OpId> = all.iter().map(|o| o.id).collect();
    ensure!(on_service.len() as u64 == rows, "the service holds {rows} rows for {} operations", on_service.len());
    let held = device.held()?;
    let conn = device.with_store(|s| s.raw_connection_for_tests())?;
    let outbox: BTreeSet<OpId> = conn
        .prepare("SELECT op_id FROM outbox")?
        .query_map([], |r| r.get::<_, String>(0))?
        .map(|id| Ok(id?.parse()?))
        .collect::<Result<_>>()?;
    let lost = held.local.iter().filter(|id| !outbox.contains(id) && !on_service.contains(id)).count();
    ensure!(lost == 0, "{lost} operations are neither queued nor on the service");
    let named: BTreeSet<OpId> = device.syncer.state().refused.keys().copied().collect();
    ensure!(named.is_subset(&outbox), "a named refusal left the outbox");
    if !finished {
        return Ok(());
    }
    ensure!(
        outbox == named,
        "after a finished sync the outbox holds {} operations, {} named",
        outbox.len(),
        named.len()
    );
    let refused: BTreeSet<OpId> = held
        .ops
        .values()
        .flatten()
        .filter(|o| matches!(&o.change, Change::Share { org } if org.as_str().starts_with("nowhere-")))
        .map(|o| o.id)
        .collect();
    ensure!(
        named == refused,
        "{} refusals named, {} shares with unknown organizations made",
        named.len(),
        refused.len()
    );
    ensure!(named.is_disjoint(&on_service), "the service holds a refused operation");
    for r in device.syncer.state().refused.values() {
        ensure!(r.kind() == RefusalKind::UnknownOrganization, "refusal {:?}", r.kind());
    }
    let missing = held.local.difference(&outbox).filter(|id| !on_service.contains(id)).count();
    ensure!(missing == 0, "{missing} acknowledged operations are not on the service");
    // The pull reached the end of the feed: the device holds all it may see (its refused operations too).
    let mut seen = all;
    seen.extend(held.ops.values().flatten().filter(|o| named.contains(&o.id)).cloned());
    check_held(&device.name, &held, &seen, &device.org, device.role)
}

/// Sync through the faults until a sync finishes (the faults stop after 40 failed tries), checking after each.
async fn sync_to_the_end(server: &ServerProc, proxy: &FaultProxy, device: &mut Device, plan: &Plan) -> Result<()> {
    proxy.set_plan(plan.clone());
    for attempt in 0.. {
        if attempt == 40 {
            proxy.set_plan(Plan::clean());
        }
        let outcome = device.syncer.sync_once().await;
        check(server, device, outcome.is_ok()).await.with_context(|| format!("after {outcome:?}"))?;
        match outcome {
            Ok(_) => return Ok(()),
            Err(e) if e.is_transient() && attempt < 43 => {}
            Err(e) => return Err(e.into()),
        }
    }
    unreachable!()
}

async fn run_scenario(server: &ServerProc, proxy: &FaultProxy, root: &std::path::Path, s: &Scenario) -> Result<()> {
    let reoffer_after = if s.reoffer { Duration::ZERO } else { Duration::from_secs(24 * 3600) };
    let options = SyncOptions { batch: s.batch, in_flight: s.in_flight, reoffer_after, ..SyncOptions::default() };
    proxy.set_plan(Plan::clean());
    let mut device = Device::enroll(server, &proxy.url(), "border-7", Role::Agent, "ana", root, options).await?;
    let plan = Plan {
        fault_rate: s.fault_rate,
        kinds: vec![Fault::Drop, Fault::ResetBefore, Fault::ResetAfter, Fault::CutResponse, Fault::Duplicate],
        ..Plan::clean()
    };
    for wave in &s.waves {
        write_wave(&device, wave)?;
        sync_to_the_end(server, proxy, &mut device, &plan).await?;
    }
    Ok(())
}

async fn refused_operations_never_hold_back_the_push(backend: Backend) -> Result<()> {
    let Some(server) = service(backend, &[]).await? else { return Ok(()) };
    let proxy = FaultProxy::start(server.addr, Plan::clean()).await?;
    let root = tempfile::tempdir()?;
    let cases = std::env::var("WAYSTATION_REFUSAL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(8);
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 8, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let n = AtomicUsize::new(0);
    let handle = tokio::runtime::Handle::current();
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&scenario(), |s| {
            let dir = root.path().join(format!("device-{}", n.fetch_add(1, Ordering::Relaxed)));
            handle.block_on(run_scenario(&server, &proxy, &dir, &s)).map_err(|e| TestCaseError::fail(format!("{e:#}")))
        })
    });
    eprintln!("{backend:?}: {} scenarios, {} requests through the proxy", n.load(Ordering::Relaxed), proxy.requests());
    outcome.map_err(|e| anyhow::anyhow!("{e}"))
}

both_backends!(refused_operations_never_hold_back_the_push);
