//! A pull leaves out the pulling device's own operations (it holds them),
//! yet its cursor moves past them, and pages stay whole: every other visible
//! operation arrives once, in feed order, whatever the page size.

use serde_json::json;
use waystation_core::{CaseId, OpId, Operation, Role, Sensitivity};
use waystation_protocol::{OpStatus, PullResponse};

use crate::helpers::*;

/// The feed rows a pull reads at most per operation it may return (the
/// service's scan window; see `storage::rows`).
const SCAN_FACTOR: usize = 8;

fn ids(ops: &[Operation]) -> Vec<OpId> {
    ops.iter().map(|o| o.id).collect()
}

/// Pull every page from `cursor` with `limit`, checking each page's shape;
/// returns the operations in order, the pages and the final cursor.
pub(crate) async fn pull_pages(
    d: &TestDevice,
    cursor: &str,
    limit: u32,
) -> (Vec<Operation>, Vec<PullResponse>, String) {
    let (mut cursor, mut ops, mut pages) = (cursor.to_owned(), Vec::new(), Vec::new());
    loop {
        let page = d.pull_page(&cursor, limit).await;
        assert!(page.ops.len() <= limit as usize, "a page holds at most its limit");
        let next: u64 = page.next_cursor.as_str().parse().unwrap();
        let before: u64 = cursor.parse().unwrap();
        if page.more {
            assert!(next > before, "a page that says more moves the cursor ({before} -> {next})");
        } else {
            assert!(next >= before);
        }
        ops.extend(page.ops.iter().cloned());
        cursor = page.next_cursor.as_str().to_owned();
        let more = page.more;
        pages.push(page);
        if !more {
            return (ops, pages, cursor);
        }
        assert!(pages.len() < 10_000, "the pull never ends");
    }
}

fn batch(d: &TestDevice, case: CaseId, n: usize) -> Vec<Operation> {
    let mut ops = vec![d.create(case)];
    ops.extend((1..n).map(|i| d.set(case, "encounter.place", json!(format!("gate {i}")))));
    ops
}

async fn acked(d: &TestDevice, ops: &[Operation]) {
    let r = d.push(ops).await;
    assert!(r.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", r.results);
}

async fn a_device_does_not_pull_its_own_operations_and_a_second_device_does(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let a = app.device("border-7", Role::Agent, "ana").await;
    let b = app.device("border-7", Role::Agent, "ana").await;
    let case = CaseId::new();
    let ops = batch(&a, case, 12);
    acked(&a, &ops).await;
    let (own, _, cursor) = pull_pages(&a, "0", 5).await;
    assert!(own.is_empty(), "the pushing device gets none of its own operations back: {:?}", ids(&own));
    assert_ne!(cursor, "0", "its cursor moved past them");
    let (got, _, _) = pull_pages(&b, "0", 5).await;
    assert_eq!(ids(&got), ids(&ops), "a second device of the organization gets them all, in order");
    // b writes to the same case: a gets exactly that, from where it was.
    let answer = b.set(case, "status", json!("referred"));
    acked(&b, std::slice::from_ref(&answer)).await;
    let (got, _, _) = pull_pages(&a, &cursor, 5).await;
    assert_eq!(ids(&got), vec![answer.id]);
    let (own, _, _) = pull_pages(&b, "0", 5).await;
    assert_eq!(ids(&own), ids(&ops), "b's pull leaves out only its own operation");
}

async fn the_cursor_moves_past_pages_of_only_own_operations(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let a = app.device("border-7", Role::Agent, "ana").await;
    let b = app.device("border-7", Role::Agent, "ana").await;
    let limit = 2u32;
    let window = limit as usize * SCAN_FACTOR;
    // More own operations than three scan windows, then one of b's.
    let own = batch(&a, CaseId::new(), window * 3 + 5);
    acked(&a, &own).await;
    let theirs = b.create(CaseId::new());
    acked(&b, std::slice::from_ref(&theirs)).await;
    let first = a.pull_page("0", limit).await;
    assert!(first.ops.is_empty(), "the first window holds only own operations");
    assert!(first.more, "an empty page of skipped operations is not the end of the feed");
    assert_ne!(first.next_cursor.as_str(), "0");
    let (got, pages, end) = pull_pages(&a, "0", limit).await;
    assert_eq!(ids(&got), vec![theirs.id], "after the skipped pages, the other device's operation");
    assert!(pages.len() >= 4, "the own operations took several windows: {} pages", pages.len());
    assert!(pages[..pages.len() - 1].iter().all(|p| p.ops.is_empty()));
    // At the end: an empty page, no more, and the cursor stays put.
    let again = a.pull_page(&end, limit).await;
    assert!(again.ops.is_empty() && !again.more);
    assert_eq!(again.next_cursor.as_str(), end);
    // Only own operations after the cursor, up to the very end: it moves and ends.
    let later = batch(&a, CaseId::new(), 3);
    acked(&a, &later).await;
    let tail = a.pull_page(&end, limit).await;
    assert!(tail.ops.is_empty() && !tail.more, "own operations to the end of the feed: no more");
    assert!(tail.next_cursor.as_str().parse::<u64>().unwrap() > end.parse::<u64>().unwrap(), "but moved past them");
}

async fn pages_of_mixed_operations_keep_order_and_boundaries(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let a = app.device("border-7", Role::Agent, "ana").await;
    let b = app.device("border-7", Role::Agent, "ana").await;
    // Interleaved pushes: own runs of varying length around b's operations.
    let mut theirs = Vec::new();
    for round in 0..6 {
        acked(&a, &batch(&a, CaseId::new(), 1 + round * 4)).await;
        let ops = batch(&b, CaseId::new(), 1 + round % 3);
        acked(&b, &ops).await;
        theirs.extend(ops);
    }
    for limit in [1u32, 2, 3, 4, theirs.len() as u32, 1000] {
        let (got, pages, _) = pull_pages(&a, "0", limit).await;
        assert_eq!(ids(&got), ids(&theirs), "limit {limit}: every other operation once, in feed order");
        let full = pages.iter().filter(|p| p.ops.len() == limit as usize).count();
        assert!(full >= theirs.len() / limit as usize / 2, "limit {limit}: pages are mostly full");
    }
    // Resuming from each intermediate cursor gives the rest.
    let (_, pages, _) = pull_pages(&a, "0", 3).await;
    let mut seen = 0;
    for p in &pages {
        seen += p.ops.len();
        let (rest, _, _) = pull_pages(&a, p.next_cursor.as_str(), 3).await;
        assert_eq!(ids(&rest), ids(&theirs[seen..]), "resuming after {seen} operations");
    }
}

async fn own_operations_come_back_only_on_shared_cases_and_need_to_know_holds(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let agent = app.device("border-7", Role::Agent, "ana").await;
    let ngo = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let ngo_2 = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let case = CaseId::new();
    let before = vec![agent.create(case), agent.set(case, "status", json!("open"))];
    acked(&agent, &before).await;
    let share = agent.share(case, "casa-esperanza");
    acked(&agent, std::slice::from_ref(&share)).await;
    let legal = ngo.note(case, Sensitivity::LegalPrivileged, "legal-marker");
    let service = ngo.set(case, "status", json!("referred"));
    acked(&ngo, &[legal.clone(), service.clone()]).await;
    let (got, _, _) = pull_pages(&ngo, "0", 2).await;
    // The share first: no first part of the feed looks like a case the NGO does not see. A device
    // of an organization a case is shared with gets its own operations back too: it removes the
    // case when the sharing ends, and must get them again when the case is shared again.
    let mut want = vec![share.id];
    want.extend(ids(&before));
    want.extend([legal.id, service.id]);
    assert_eq!(ids(&got), want, "the NGO device gets the case's operations, its own too");
    let (got, _, _) = pull_pages(&ngo_2, "0", 2).await;
    assert_eq!(ids(&got), want, "the NGO's other device gets everything, its legal note included");
    let (got, _, _) = pull_pages(&agent, "0", 2).await;
    assert_eq!(ids(&got), vec![service.id], "the agent: the NGO's change, never the legal note, none of its own");
}

crate::both_backends!(
    a_device_does_not_pull_its_own_operations_and_a_second_device_does,
    the_cursor_moves_past_pages_of_only_own_operations,
    pages_of_mixed_operations_keep_order_and_boundaries,
    own_operations_come_back_only_on_shared_cases_and_need_to_know_holds,
);
