//! Pushing the outbox: batches of whole cases, several requests in flight
//! at once (the service commits them one after another, but the round trips,
//! the encoding and the acknowledgements overlap). An operation leaves the
//! outbox only after the service answered for it; a case's operations all
//! travel in one batch of a window, so none overtakes another of its case.

use chrono::Utc;
use std::collections::{HashMap, HashSet};
use waystation_core::{CaseId, OpId, Operation};
use waystation_protocol::{ErrorCode, OpStatus, PushRequest, PushResponse};

use crate::engine::{Phase, SyncReport, Syncer};
use crate::error::{Result, SyncError};
use crate::state::RefusedOp;

/// Split the oldest operations into at most `lanes` batches of at most
/// `batch` operations, each holding whole cases. A case with more than
/// `batch` operations waiting goes alone, `batch` at a time. What does not
/// fit stays in the outbox for the next window.
fn plan(ops: Vec<Operation>, batch: usize, lanes: usize) -> Vec<Vec<Operation>> {
    let mut order: Vec<CaseId> = Vec::new();
    let mut groups: HashMap<CaseId, Vec<Operation>> = HashMap::new();
    for op in ops {
        let g = groups.entry(op.case_id).or_default();
        if g.is_empty() {
            order.push(op.case_id);
        }
        g.push(op);
    }
    let mut out: Vec<Vec<Operation>> = Vec::new();
    let mut current: Vec<Operation> = Vec::new();
    for case in order {
        let group = groups.remove(&case).unwrap_or_default();
        if group.len() > batch {
            if out.is_empty() && current.is_empty() {
                return vec![group.into_iter().take(batch).collect()];
            }
            break;
        }
        if current.len() + group.len() > batch {
            out.push(std::mem::take(&mut current));
            if out.len() == lanes {
                return out;
            }
        }
        current.extend(group);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

impl Syncer {
    pub(crate) async fn push(&mut self, report: &mut SyncReport) -> Result<()> {
        self.set_phase(Phase::Pushing);
        loop {
            let skip: HashSet<OpId> = self.state.refused.keys().copied().collect();
            let want = self.batch * self.in_flight;
            let (ops, queued) = self
                .with_store(move |s| {
                    let ops: Vec<Operation> = s
                        .outbox_peek(want + skip.len())?
                        .into_iter()
                        .filter(|o| !skip.contains(&o.id))
                        .take(want)
                        .collect();
                    Ok((ops, s.outbox_len()?))
                })
                .await?;
            self.progress.send_modify(|p| p.queued = queued);
            if ops.is_empty() {
                return Ok(());
            }
            let batches = plan(ops, self.batch, self.in_flight);
            let sent: Vec<Vec<OpId>> = batches.iter().map(|b| b.iter().map(|o| o.id).collect()).collect();
            let mut tasks = tokio::task::JoinSet::new();
            for (i, ops) in batches.into_iter().enumerate() {
                let client = self.client.clone();
                tasks.spawn(async move { (i, client.push(&PushRequest { ops }).await) });
            }
            let mut answers: Vec<Option<Result<PushResponse>>> = (0..sent.len()).map(|_| None).collect();
            while let Some(joined) = tasks.join_next().await {
                let (i, answer) = joined.map_err(|e| SyncError::Unreachable(format!("a push was interrupted: {e}")))?;
                answers[i] = Some(answer);
            }
            report.requests += sent.len() as u64;
            let mut too_large = false;
            let mut failure = None;
            for (ids, answer) in sent.iter().zip(answers) {
                match answer {
                    Some(Ok(resp)) => self.take_answer(ids, resp, report).await?,
                    Some(Err(SyncError::Refused { code: ErrorCode::PayloadTooLarge, .. })) if self.batch > 1 => {
                        too_large = true;
                    }
                    Some(Err(e)) => {
                        if failure.is_none() || matches!(e, SyncError::Revoked) {
                            failure = Some(e);
                        }
                    }
                    None => failure = Some(SyncError::Unreachable("a push got no answer".into())),
                }
            }
            if let Some(e) = failure {
                return Err(e);
            }
            if too_large {
                self.batch = (self.batch / 2).max(1);
                tracing::info!(batch = self.batch, "the service found a batch too large: halving it");
            }
        }
    }

    /// The service's answer to one batch: acknowledged operations leave the
    /// outbox, refused ones are flagged and kept; then the epoch is checked.
    async fn take_answer(&mut self, sent: &[OpId], resp: PushResponse, report: &mut SyncReport) -> Result<()> {
        if resp.results.len() != sent.len() || resp.results.iter().zip(sent).any(|(r, id)| r.id != *id) {
            return Err(SyncError::BadAnswer("the push answer does not match the batch sent".into()));
        }
        let mut acked = Vec::with_capacity(resp.results.len());
        let refused_before = report.refused;
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
        let n = acked.len() as u64;
        // Only now, after the service answered for each, do they leave the outbox.
        self.with_store(move |s| s.outbox_ack(&acked).map(|_| ())).await?;
        self.progress.send_modify(|p| p.sent += n);
        if report.refused > refused_before {
            self.save_state().await?;
        }
        self.check_epoch(&resp.server_epoch, report).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waystation_core::{Change, DeviceId, HlcClock, OrgId, UserName};

    fn ops(cases: &[(CaseId, usize)]) -> Vec<Operation> {
        let device = DeviceId::new();
        let mut clock = HlcClock::new(device);
        let mut out = Vec::new();
        for (case, n) in cases {
            for _ in 0..*n {
                out.push(Operation {
                    id: OpId::new(),
                    case_id: *case,
                    hlc: clock.tick(1),
                    device,
                    user: UserName::parse("u", "ana").unwrap(),
                    class: Default::default(),
                    change: Change::CreateCase { owner: OrgId::parse("o", "border-7").unwrap() },
                });
            }
        }
        out
    }

    #[test]
    fn batches_hold_whole_cases_in_order_and_respect_the_limits() {
        let (a, b, c, d) = (CaseId::new(), CaseId::new(), CaseId::new(), CaseId::new());
        // Interleaved: a case's operations may be spread over the window.
        let mut all = ops(&[(a, 3), (b, 2), (c, 4), (d, 1)]);
        all.swap(2, 3);
        let batches = plan(all.clone(), 5, 2);
        assert_eq!(batches.len(), 2);
        for batch in &batches {
            assert!(batch.len() <= 5);
        }
        let cases_of = |b: &Vec<Operation>| b.iter().map(|o| o.case_id).collect::<HashSet<_>>();
        assert_eq!(cases_of(&batches[0]), HashSet::from([a, b]));
        assert_eq!(cases_of(&batches[1]), HashSet::from([c, d]));
        // Within a case the outbox order is kept.
        let a_ids: Vec<OpId> = all.iter().filter(|o| o.case_id == a).map(|o| o.id).collect();
        let a_sent: Vec<OpId> = batches[0].iter().filter(|o| o.case_id == a).map(|o| o.id).collect();
        assert_eq!(a_ids, a_sent);
        // One lane: only what fits in one batch; the rest waits.
        assert_eq!(plan(all.clone(), 5, 1).len(), 1);
        // A case larger than a batch goes alone, a batch at a time.
        let big = ops(&[(a, 7), (b, 1)]);
        let batches = plan(big, 5, 4);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].len(), 5);
        assert!(batches[0].iter().all(|o| o.case_id == a));
    }
}
