//! What the syncs since unlocking did. The engine counts changes sent and
//! received per run (it sets both to zero when a run starts); the sync line
//! says "since unlocking", and the window wants to know when a run that
//! changed something is over. [`Tally`] adds the runs up from the progress
//! the engine publishes.

use waystation_sync::{Phase, Progress};

/// Changes sent (acknowledged) and received (applied).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Changes the service acknowledged.
    pub sent: u64,
    /// Changes received and applied here.
    pub received: u64,
}

impl Counts {
    fn of(p: &Progress) -> Self {
        Self { sent: p.sent, received: p.received }
    }

    fn is_empty(self) -> bool {
        self.sent == 0 && self.received == 0
    }

    fn add(&mut self, other: Self) {
        self.sent += other.sent;
        self.received += other.received;
    }
}

/// Adds up the engine's per-run counters over a session (created at unlock, dropped at lock).
///
/// Progress arrives through a `watch` channel, which may skip values: a new
/// run shows either as a counter going down (the reset was seen) or as the
/// engine working again after it had stopped (a run ended in between).
#[derive(Debug, Default)]
pub struct Tally {
    since_unlock: Counts,
    /// The counters last seen (the engine's, for the run they belong to).
    seen: Counts,
    /// What the current run changed and was not announced yet.
    this_run: Counts,
    running: bool,
}

impl Tally {
    /// Take in the engine's latest progress. Returns what a run changed once
    /// it is over, when it changed anything (the window then reloads).
    pub fn observe(&mut self, p: &Progress) -> Option<Counts> {
        let now = Counts::of(p);
        let running = matches!(p.phase, Phase::Pushing | Phase::Pulling);
        let new_run = now.sent < self.seen.sent || now.received < self.seen.received || (running && !self.running);
        let mut finished = None;
        let delta = if new_run {
            // The previous run's end was not seen: it is over now.
            finished = self.take_run();
            now
        } else {
            Counts { sent: now.sent - self.seen.sent, received: now.received - self.seen.received }
        };
        self.since_unlock.add(delta);
        self.this_run.add(delta);
        self.seen = now;
        if self.running && !running {
            finished = finished.or(self.take_run());
        }
        self.running = running;
        finished
    }

    fn take_run(&mut self) -> Option<Counts> {
        let run = std::mem::take(&mut self.this_run);
        (!run.is_empty()).then_some(run)
    }

    /// Changes sent and received since unlocking.
    pub fn since_unlock(&self) -> Counts {
        self.since_unlock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(phase: Phase, sent: u64, received: u64) -> Progress {
        Progress { phase, queued: 0, refused: 0, sent, received, last_success: None, last_error: None }
    }

    #[test]
    fn runs_add_up_although_the_engine_counts_each_run_from_zero() {
        let mut t = Tally::default();
        let mut finished = vec![];
        // Run 1 sends 25; run 2 receives 47; run 3 has nothing to do.
        for step in [
            p(Phase::Idle, 0, 0),
            p(Phase::Pushing, 10, 0),
            p(Phase::Pushing, 25, 0),
            p(Phase::Pulling, 25, 0),
            p(Phase::Idle, 25, 0),
            p(Phase::Waiting, 25, 0),
            p(Phase::Waiting, 0, 0),
            p(Phase::Pushing, 0, 0),
            p(Phase::Pulling, 0, 47),
            p(Phase::Idle, 0, 47),
            p(Phase::Waiting, 0, 47),
            p(Phase::Waiting, 0, 0),
            p(Phase::Pushing, 0, 0),
            p(Phase::Idle, 0, 0),
        ] {
            finished.extend(t.observe(&step));
        }
        assert_eq!(t.since_unlock(), Counts { sent: 25, received: 47 });
        assert_eq!(finished, vec![Counts { sent: 25, received: 0 }, Counts { sent: 0, received: 47 }]);
    }

    #[test]
    fn skipped_progress_neither_loses_nor_doubles_a_run() {
        let mut t = Tally::default();
        let mut finished = vec![];
        // The reset and the end of runs were not seen (the channel keeps the latest value only).
        for step in [
            p(Phase::Pushing, 25, 0),
            p(Phase::Waiting, 25, 0),
            p(Phase::Pushing, 30, 0),
            p(Phase::Pulling, 30, 2),
            p(Phase::Pushing, 4, 0),
            p(Phase::Waiting, 4, 0),
        ] {
            finished.extend(t.observe(&step));
        }
        assert_eq!(t.since_unlock(), Counts { sent: 59, received: 2 });
        assert_eq!(finished.len(), 3);
    }
}
