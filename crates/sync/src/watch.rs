//! Retrying: exponential backoff with jitter, on a timer, and at once when
//! connectivity returns (a probe of `/healthz` while waiting), not only on
//! the next local change.

use rand::Rng;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

use crate::engine::{Phase, SyncReport, Syncer};
use crate::error::{Result, SyncError};

/// Exponential backoff with "equal jitter": the n-th wait is drawn between
/// half and all of `base · 2ⁿ`, capped at `max`, so many devices coming back
/// at once do not retry in step.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    /// Backoff from `base` up to `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self { base, max: max.max(base), attempt: 0 }
    }

    /// The next wait.
    pub fn next_delay(&mut self) -> Duration {
        let exp = self.base.saturating_mul(1u32 << self.attempt.min(20)).min(self.max);
        self.attempt = self.attempt.saturating_add(1);
        let half = exp / 2;
        half + Duration::from_micros(rand::rng().random_range(0..=half.as_micros().min(u64::MAX as u128) as u64))
    }

    /// Start over (after a success).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// When the watch loop syncs.
#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    /// Between successful syncs.
    pub interval: Duration,
    /// How often to probe the service while waiting after a connection failure.
    pub probe_every: Duration,
    /// First wait after a failure.
    pub backoff_base: Duration,
    /// Longest wait after failures.
    pub backoff_max: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            probe_every: Duration::from_secs(3),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
        }
    }
}

impl Syncer {
    /// Sync until push and pull both finish, retrying transient failures
    /// with backoff, at most `attempts` times. Errors that retrying cannot
    /// fix (revoked, refused credential, local store) end it at once.
    pub async fn sync_until_done(&mut self, attempts: u32, mut backoff: Backoff) -> Result<SyncReport> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.sync_once().await {
                Ok(r) => return Ok(r),
                Err(e) if e.is_transient() && tries < attempts.max(1) => {
                    let offline = matches!(e, SyncError::Unreachable(_));
                    tracing::info!(error = %e, "sync failed; retrying");
                    self.wait(backoff.next_delay(), offline, Duration::from_millis(500), None).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sync now, then again every `interval`, when `nudge` is notified (a
    /// local change), and after failures with backoff, as soon as the
    /// service answers again. Returns when `stop` completes, or with the
    /// error when retrying cannot help (revoked: the store is wiped).
    pub async fn watch(
        &mut self,
        options: WatchOptions,
        nudge: Arc<Notify>,
        stop: impl Future<Output = ()>,
    ) -> Result<()> {
        let mut backoff = Backoff::new(options.backoff_base, options.backoff_max);
        tokio::pin!(stop);
        loop {
            let outcome = tokio::select! {
                r = self.sync_once() => r,
                () = &mut stop => return Ok(()),
            };
            let wait = match outcome {
                Ok(_) => {
                    backoff.reset();
                    self.set_phase(Phase::Waiting);
                    tokio::select! {
                        () = tokio::time::sleep(options.interval) => {}
                        () = nudge.notified() => {}
                        () = &mut stop => return Ok(()),
                    }
                    continue;
                }
                Err(e) if e.is_transient() => (backoff.next_delay(), matches!(e, SyncError::Unreachable(_))),
                Err(e) => return Err(e),
            };
            tokio::select! {
                () = self.wait(wait.0, wait.1, options.probe_every, Some(&nudge)) => {}
                () = &mut stop => return Ok(()),
            }
        }
    }

    /// Wait `delay`, or less: when `offline`, probe the service every
    /// `probe_every` and return as soon as it answers again.
    async fn wait(&self, delay: Duration, offline: bool, probe_every: Duration, nudge: Option<&Notify>) {
        self.set_phase(Phase::Waiting);
        let deadline = tokio::time::Instant::now() + delay;
        let probe = async {
            if !offline {
                return std::future::pending::<()>().await;
            }
            loop {
                tokio::time::sleep(probe_every).await;
                if self.client.healthy().await {
                    tracing::info!("the sync service answers again: syncing now");
                    return;
                }
            }
        };
        let nudged = async {
            match nudge {
                Some(n) => n.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => {}
            () = probe => {}
            () = nudged => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let waits: Vec<Duration> = (0..8).map(|_| b.next_delay()).collect();
        for (i, w) in waits.iter().enumerate() {
            let exp = Duration::from_millis(100 * (1 << i)).min(Duration::from_secs(1));
            assert!(*w >= exp / 2 && *w <= exp, "wait {i}: {w:?} not within [{:?}, {exp:?}]", exp / 2);
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }
}
