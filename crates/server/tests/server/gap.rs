//! The change-feed gap: 8 devices push concurrently while a reader polls the
//! feed in small pages throughout; the reader must end with exactly the set
//! of operations that was acknowledged, each once.

use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use waystation_core::{CaseId, OpId, Role};
use waystation_protocol::OpStatus;

use crate::helpers::*;

const PUSHERS: usize = 8;
const BATCHES: usize = 12;
const OPS_PER_BATCH: usize = 5;

async fn a_reader_polling_during_concurrent_pushes_misses_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let app = Arc::new(app);
    let reader = app.device("border-7", Role::Agent, "ana").await;
    let mut pushers = Vec::new();
    for _ in 0..PUSHERS {
        pushers.push(app.device("border-7", Role::Agent, "ana").await);
    }
    let done = Arc::new(AtomicBool::new(false));
    let reading = {
        let done = done.clone();
        tokio::spawn(async move {
            let mut seen: BTreeMap<OpId, usize> = BTreeMap::new();
            let mut cursor = "0".to_owned();
            loop {
                // Read `done` before the page: a page that ends with no more
                // after the pushers finished has seen everything.
                let finished = done.load(Ordering::SeqCst);
                let page = reader.pull_page(&cursor, 7).await;
                for op in &page.ops {
                    *seen.entry(op.id).or_default() += 1;
                }
                cursor = page.next_cursor.as_str().to_owned();
                if finished && !page.more {
                    return seen;
                }
                if !page.more {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let mut tasks = Vec::new();
    for d in pushers {
        tasks.push(tokio::spawn(async move {
            let mut acked = BTreeSet::new();
            for _ in 0..BATCHES {
                let case = CaseId::new();
                let mut ops = vec![d.create(case)];
                for i in 1..OPS_PER_BATCH {
                    ops.push(d.set(case, "encounter.place", json!(i)));
                }
                let r = d.push(&ops).await;
                for res in r.results {
                    assert_eq!(res.status, OpStatus::Accepted);
                    acked.insert(res.id);
                }
            }
            acked
        }));
    }
    let mut acknowledged = BTreeSet::new();
    for t in tasks {
        acknowledged.extend(t.await.unwrap());
    }
    done.store(true, Ordering::SeqCst);
    let seen = reading.await.unwrap();
    assert_eq!(acknowledged.len(), PUSHERS * BATCHES * OPS_PER_BATCH);
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "operations seen more than once: {twice:?}");
    let seen_ids: BTreeSet<OpId> = seen.keys().copied().collect();
    let missed = acknowledged.difference(&seen_ids).count();
    assert_eq!(missed, 0, "the reader skipped {missed} acknowledged operations");
    assert_eq!(seen_ids, acknowledged);
}

crate::both_backends!(a_reader_polling_during_concurrent_pushes_misses_nothing);
