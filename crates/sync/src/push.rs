//! Pushing the outbox as a pipeline: up to `in_flight` batches on the wire
//! at once, a new one sent as soon as one is answered (the service commits
//! them one after another; the round trips, the encoding, reading the
//! outbox and the acknowledgements overlap). An operation leaves the outbox
//! only after the service answered for it. A case is in at most one batch
//! on the wire at a time, so none of its operations overtakes another.

use chrono::Utc;
use std::collections::{HashSet, VecDeque};
use tokio::task::JoinSet;
use waystation_core::{CaseId, OpId};
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

/// One batch on the wire: its operation ids and cases, and the answer.
type Sent = (Vec<OpId>, Vec<CaseId>, Result<PushResponse>);

impl Syncer {
    pub(crate) async fn push(&mut self, report: &mut SyncReport) -> Result<()> {
        self.set_phase(Phase::Pushing);
        // Restarted from the head of the outbox after a halved batch or a changed epoch.
        'restart: loop {
            let mut read_to: i64 = 0;
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
                        let skip: HashSet<OpId> = self.state.refused.keys().copied().collect();
                        let (read, queued) =
                            self.with_store(move |s| Ok((s.outbox_after(read_to, want)?, s.outbox_len()?))).await?;
                        self.progress.send_modify(|p| p.queued = queued);
                        exhausted = read.len() < want;
                        if let Some(last) = read.last() {
                            read_to = last.num;
                        }
                        pending.extend(read.into_iter().filter(|op| !skip.contains(&op.id)));
                    }
                    let ops = next_batch(&mut pending, &mut busy, self.batch);
                    if ops.is_empty() {
                        break;
                    }
                    let ids: Vec<OpId> = ops.iter().map(|o| o.id).collect();
                    let cases: Vec<CaseId> =
                        ops.iter().map(|o| o.case_id).collect::<HashSet<_>>().into_iter().collect();
                    let client = self.client.clone();
                    report.requests += 1;
                    tasks.spawn(async move {
                        // Sent as stored: the canonical JSON is the operation.
                        let answer = client.push_canonical(ops.iter().map(|o| o.body.as_str())).await;
                        (ids, cases, answer)
                    });
                }
                let Some(joined) = tasks.join_next().await else { break };
                // Answers already in are taken together: one acknowledgement transaction.
                let mut done = vec![joined];
                while let Some(more) = tasks.try_join_next() {
                    done.push(more);
                }
                let mut acked = Vec::new();
                let mut epochs = Vec::new();
                let refused_before = report.refused;
                for joined in done {
                    let (ids, cases, answer) =
                        joined.map_err(|e| SyncError::Unreachable(format!("a push was interrupted: {e}")))?;
                    for c in &cases {
                        busy.remove(c);
                    }
                    match answer {
                        Ok(resp) => {
                            epochs.push(resp.server_epoch.clone());
                            acked.extend(self.take_answer(&ids, resp, report)?);
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
                // Only now, after the service answered for each, do they leave the outbox.
                if !acked.is_empty() {
                    self.with_store(move |s| s.outbox_ack(&acked).map(|_| ())).await?;
                }
                self.progress.send_modify(|p| p.sent += n);
                if report.refused > refused_before {
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

    /// The service's answer to one batch: the acknowledged operation ids (to
    /// leave the outbox); refused ones are flagged and kept.
    fn take_answer(&mut self, sent: &[OpId], resp: PushResponse, report: &mut SyncReport) -> Result<Vec<OpId>> {
        if resp.results.len() != sent.len() || resp.results.iter().zip(sent).any(|(r, id)| r.id != *id) {
            return Err(SyncError::BadAnswer("the push answer does not match the batch sent".into()));
        }
        let mut acked = Vec::with_capacity(resp.results.len());
        let now = Utc::now();
        for r in resp.results {
            match r.status {
                OpStatus::Accepted => {
                    report.accepted += 1;
                    acked.push(r.id);
                }
                OpStatus::Duplicate => {
                    report.duplicates += 1;
                    acked.push(r.id);
                }
                status => {
                    tracing::warn!(op = %r.id, ?status, "the service refused a change; it is kept and flagged");
                    report.refused += 1;
                    self.state.refused.insert(r.id, RefusedOp { status, message: r.message, at: now });
                }
            }
        }
        Ok(acked)
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
