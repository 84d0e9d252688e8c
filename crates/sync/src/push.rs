//! Pushing the outbox as a pipeline: up to `in_flight` batches on the wire
//! at once, a new one sent as soon as one is answered (the service commits
//! them one after another; the round trips, the encoding, reading the
//! outbox and the acknowledgements overlap). An operation leaves the outbox
//! only after the service answered for it. A case is in at most one batch
//! on the wire at a time, so none of its operations overtakes another.

use chrono::Utc;
use std::collections::{HashSet, VecDeque};
use tokio::task::JoinSet;
use waystation_core::{CaseId, Change, OpId, Operation, OrgId};
use waystation_protocol::{ErrorCode, OpStatus, PushResponse};
use waystation_store::QueuedOp;

use crate::engine::{Phase, SyncReport, Syncer};
use crate::error::{Result, SyncError};
use crate::state::RefusedOp;

/// Take the next batch from `pending` (outbox order): at most `batch`
/// operations, none of a case in `busy` (a case with a batch on the wire);
/// the cases of the batch become busy. A busy case's operations all stay
/// behind, so a case's operations leave in outbox order, one batch at a time.
fn next_batch(pending: &mut VecDeque<QueuedOp>, busy: &mut HashSet<CaseId>, batch: usize) -> Vec<QueuedOp> {
    let mut taken = Vec::new();
    let mut kept = VecDeque::with_capacity(pending.len());
    let mut cases = HashSet::new();
    while let Some(op) = pending.pop_front() {
        if taken.len() == batch {
            kept.push_back(op);
            kept.extend(pending.drain(..));
            break;
        }
        if busy.contains(&op.case_id) {
            kept.push_back(op);
            continue;
        }
        cases.insert(op.case_id);
        taken.push(op);
    }
    *pending = kept;
    busy.extend(cases);
    taken
}

/// One batch on the wire: its operations, its cases, and the answer.
type Sent = (Vec<QueuedOp>, Vec<CaseId>, Result<PushResponse>);

impl Syncer {
    /// Before a sync: make the outbox's refused operations and the named
    /// refusals of the sync state agree (a crash may have come between
    /// writing one and the other), and put back in the pending order the
    /// refused operations due to be offered again. Returns the newest queue
    /// position of the outbox now: the operations up to it are the ones
    /// this sync must see acknowledged or refused.
    pub(crate) async fn prepare_refusals(&mut self) -> Result<i64> {
        let named: Vec<OpId> = self.state.refused.keys().copied().collect();
        let mut flagged: HashSet<OpId> = self.with_store(|s| s.outbox_refused()).await?.into_iter().collect();
        let unflagged: Vec<OpId> = named.iter().filter(|id| !flagged.contains(id)).copied().collect();
        if !unflagged.is_empty() {
            // Named but pending (offered again, or refused before the outbox kept refusals apart), or gone.
            flagged = self
                .with_store(move |s| {
                    s.outbox_settle(&[], &unflagged)?;
                    s.outbox_refused()
                })
                .await?
                .into_iter()
                .collect();
        }
        let before = self.state.refused.len();
        // A named refusal whose operation left the outbox is settled: nothing to name any more.
        self.state.refused.retain(|id, _| flagged.contains(id));
        let now = Utc::now();
        let after = chrono::Duration::from_std(self.reoffer_after).unwrap_or(chrono::Duration::MAX);
        let state = &self.state;
        let offer: Vec<OpId> = flagged
            .iter()
            .filter(|id| match state.refused.get(id) {
                // Refused but never named (the state was not saved): send it again to learn why.
                None => true,
                Some(r) => r.kind().may_settle() && now.signed_duration_since(r.at) >= after,
            })
            .copied()
            .collect();
        if !offer.is_empty() {
            tracing::info!(count = offer.len(), "offering refused changes to the service again");
            self.with_store(move |s| s.outbox_reoffer(&offer).map(|_| ())).await?;
        }
        if self.state.refused.len() != before {
            self.save_state().await?;
        }
        let (_, last) = self.with_store(|s| s.outbox_pending_through(i64::MAX)).await?;
        Ok(last)
    }

    pub(crate) async fn push(&mut self, report: &mut SyncReport) -> Result<()> {
        self.set_phase(Phase::Pushing);
        // Restarted from the head of the outbox after a halved batch or a changed epoch.
        'restart: loop {
            let mut read_to: i64 = 0;
            // Whether a read of the pending order came back short: its end was reached.
            let mut exhausted = false;
            let mut pending: VecDeque<QueuedOp> = VecDeque::new();
            let mut busy: HashSet<CaseId> = HashSet::new();
            let mut tasks: JoinSet<Sent> = JoinSet::new();
            let mut failure: Option<SyncError> = None;
            let mut too_large = false;
            let mut epoch_changed = false;
            loop {
                // Keep the wire full while nothing went wrong.
                while failure.is_none() && !too_large && !epoch_changed && tasks.len() < self.in_flight {
                    let want = self.batch * self.in_flight;
                    // With nothing on the wire, look again before concluding: the user may have saved meanwhile.
                    if pending.len() < want && (!exhausted || tasks.is_empty()) {
                        // Refused operations are out of the pending order: every operation read can be sent.
                        let (read, queued) =
                            self.with_store(move |s| Ok((s.outbox_after(read_to, want)?, s.outbox_len()?))).await?;
                        self.progress.send_modify(|p| p.queued = queued);
                        exhausted = read.len() < want;
                        if let Some(last) = read.last() {
                            read_to = last.num;
                        }
                        pending.extend(read);
                    }
                    let ops = next_batch(&mut pending, &mut busy, self.batch);
                    if ops.is_empty() {
                        break;
                    }
                    let cases: Vec<CaseId> =
                        ops.iter().map(|o| o.case_id).collect::<HashSet<_>>().into_iter().collect();
                    let client = self.client.clone();
                    report.requests += 1;
                    tasks.spawn(async move {
                        // Sent as stored: the canonical JSON is the operation.
                        let answer = client.push_canonical(ops.iter().map(|o| o.body.as_str())).await;
                        (ops, cases, answer)
                    });
                }
                let Some(joined) = tasks.join_next().await else {
                    // Nothing on the wire. The push is over only when it read to the end of the
                    // pending order with nothing on the wire, or when something went wrong.
                    if failure.is_some() || too_large || epoch_changed || (exhausted && pending.is_empty()) {
                        break;
                    }
                    return Err(SyncError::State("the push stopped before the end of the outbox".into()));
                };
                // Answers already in are taken together: one acknowledgement transaction.
                let mut done = vec![joined];
                while let Some(more) = tasks.try_join_next() {
                    done.push(more);
                }
                let mut acked = Vec::new();
                let mut refused = Vec::new();
                let mut epochs = Vec::new();
                for joined in done {
                    let (ops, cases, answer) =
                        joined.map_err(|e| SyncError::Unreachable(format!("a push was interrupted: {e}")))?;
                    for c in &cases {
                        busy.remove(c);
                    }
                    match answer {
                        Ok(resp) => {
                            epochs.push(resp.server_epoch.clone());
                            self.take_answer(&ops, resp, report, &mut acked, &mut refused)?;
                        }
                        Err(SyncError::Refused { code: ErrorCode::PayloadTooLarge, .. }) if self.batch > 1 => {
                            too_large = true;
                        }
                        Err(e) => {
                            if failure.is_none() || matches!(e, SyncError::Revoked) {
                                failure = Some(e);
                            }
                        }
                    }
                }
                let n = acked.len() as u64;
                let any_refused = !refused.is_empty();
                // Only now, after the service answered for each, do they leave the pending order:
                // acknowledged ones the outbox, refused ones kept apart, in one transaction.
                if !acked.is_empty() || any_refused {
                    self.with_store(move |s| s.outbox_settle(&acked, &refused).map(|_| ())).await?;
                }
                self.progress.send_modify(|p| p.sent += n);
                if any_refused || n > 0 {
                    // Named refusals, and accepted re-offers no longer named.
                    self.save_state().await?;
                }
                for epoch in epochs {
                    epoch_changed |= self.check_epoch(&epoch, report).await?;
                }
            }
            if let Some(e) = failure {
                return Err(e);
            }
            if too_large {
                self.batch = (self.batch / 2).max(1);
                tracing::info!(batch = self.batch, "the service found a batch too large: halving it");
                continue 'restart;
            }
            if epoch_changed {
                // Every local operation was queued again: send from the head.
                continue 'restart;
            }
            return Ok(());
        }
    }

    /// The service's answer to one batch: acknowledged operation ids go to
    /// `acked` (to leave the outbox), refused ones to `refused` (kept, named).
    fn take_answer(
        &mut self,
        sent: &[QueuedOp],
        resp: PushResponse,
        report: &mut SyncReport,
        acked: &mut Vec<OpId>,
        refused: &mut Vec<OpId>,
    ) -> Result<()> {
        if resp.results.len() != sent.len() || resp.results.iter().zip(sent).any(|(r, op)| r.id != op.id) {
            return Err(SyncError::BadAnswer("the push answer does not match the batch sent".into()));
        }
        let now = Utc::now();
        for (r, op) in resp.results.into_iter().zip(sent) {
            match r.status {
                OpStatus::Accepted => {
                    report.accepted += 1;
                    self.state.refused.remove(&r.id);
                    acked.push(r.id);
                }
                OpStatus::Duplicate => {
                    report.duplicates += 1;
                    self.state.refused.remove(&r.id);
                    acked.push(r.id);
                }
                status => {
                    tracing::warn!(op = %r.id, ?status, "the service refused a change; it is kept and named");
                    report.refused += 1;
                    let org = shared_with(op);
                    self.state.refused.insert(r.id, RefusedOp { status, message: r.message, at: now, org });
                    refused.push(r.id);
                }
            }
        }
        Ok(())
    }
}

/// The organization a share operation names (parsed only for a refusal, to name it).
fn shared_with(op: &QueuedOp) -> Option<OrgId> {
    match serde_json::from_str::<Operation>(&op.body).ok()?.change {
        Change::Share { org } => Some(org),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(cases: &[(CaseId, usize)]) -> Vec<QueuedOp> {
        let mut out = Vec::new();
        for (case, n) in cases {
            for _ in 0..*n {
                let num = out.len() as i64 + 1;
                out.push(QueuedOp { num, id: OpId::new(), case_id: *case, body: "{}".into() });
            }
        }
        out
    }

    #[test]
    fn a_case_is_in_one_batch_at_a_time_and_keeps_its_order() {
        let (a, b, c, d) = (CaseId::new(), CaseId::new(), CaseId::new(), CaseId::new());
        let mut all = ops(&[(a, 3), (b, 2), (c, 4), (d, 1)]);
        all.swap(2, 3); // a case's operations may be spread over the outbox
        let order: Vec<OpId> = all.iter().map(|o| o.id).collect();
        let mut pending: VecDeque<QueuedOp> = all.into_iter().collect();
        let mut busy = HashSet::new();
        let first = next_batch(&mut pending, &mut busy, 4);
        assert_eq!(first.iter().map(|o| o.id).collect::<Vec<_>>(), order[..4]);
        assert_eq!(busy, HashSet::from([a, b]));
        // The second batch passes over the rest of a and b (on the wire) and takes c and d.
        let second = next_batch(&mut pending, &mut busy, 4);
        assert!(second.iter().all(|o| o.case_id == c));
        assert_eq!(second.len(), 4);
        assert_eq!(pending.len(), 2, "what was passed over waits, in order");
        let third = next_batch(&mut pending, &mut busy, 4);
        assert_eq!(third.iter().map(|o| o.case_id).collect::<Vec<_>>(), [d]);
        assert!(next_batch(&mut pending, &mut busy, 4).is_empty(), "every case left is on the wire");
        // The first batch answered: its cases are free, the rest of a and b follows in outbox order.
        busy.retain(|k| *k != a && *k != b);
        let fourth = next_batch(&mut pending, &mut busy, 4);
        assert_eq!(fourth.iter().map(|o| o.id).collect::<Vec<_>>(), [order[4]]);
        assert!(pending.is_empty());
        // A case larger than a batch goes a batch at a time.
        let mut big: VecDeque<QueuedOp> = ops(&[(a, 7)]).into_iter().collect();
        let mut busy = HashSet::new();
        assert_eq!(next_batch(&mut big, &mut busy, 5).len(), 5);
        assert!(next_batch(&mut big, &mut busy, 5).is_empty());
    }
}
