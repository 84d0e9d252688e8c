//! Slows down guessing: after a few failures for one key (a peer address for
//! enrollment codes, a user name for passwords) further attempts are refused
//! for a while, doubling with each failure. Kept in memory, per instance:
//! with several instances the limit is per instance, which still bounds guessing.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// Failures per key.
#[derive(Debug)]
pub struct Limiter {
    free_failures: u32,
    base: Duration,
    max: Duration,
    state: Mutex<HashMap<String, (u32, DateTime<Utc>)>>,
}

impl Limiter {
    /// Allow `free_failures` failures, then lock out for `base`, doubling up to `max`.
    pub fn new(free_failures: u32, base: Duration, max: Duration) -> Self {
        Self { free_failures, base, max, state: Mutex::new(HashMap::new()) }
    }

    /// `Err(seconds to wait)` while `key` is locked out.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let state = self.state.lock().map_err(|_| 1u64)?;
        match state.get(key) {
            Some((failures, last)) if *failures >= self.free_failures => {
                let until = *last + self.lockout(*failures);
                if now < until { Err((until - now).num_seconds().max(1) as u64) } else { Ok(()) }
            }
            _ => Ok(()),
        }
    }

    fn lockout(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(self.free_failures).min(16);
        (self.base * 2i32.pow(doublings)).min(self.max)
    }

    /// Count a failure.
    pub fn fail(&self, key: &str, now: DateTime<Utc>) {
        if let Ok(mut state) = self.state.lock() {
            if state.len() > 100_000 {
                state.retain(|_, (_, last)| now - *last < self.max);
            }
            let e = state.entry(key.to_owned()).or_insert((0, now));
            e.0 += 1;
            e.1 = now;
        }
    }

    /// Forget a key's failures after a success.
    pub fn succeed(&self, key: &str) {
        if let Ok(mut state) = self.state.lock() {
            state.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_out_after_the_free_failures_and_lifts_later() {
        let l = Limiter::new(3, Duration::seconds(10), Duration::seconds(60));
        let t = Utc::now();
        for _ in 0..3 {
            assert!(l.check("k", t).is_ok());
            l.fail("k", t);
        }
        assert!(l.check("k", t).is_err());
        assert!(l.check("other", t).is_ok());
        assert!(l.check("k", t + Duration::seconds(11)).is_ok());
        l.fail("k", t + Duration::seconds(11));
        assert_eq!(l.check("k", t + Duration::seconds(12)), Err(19));
    }
}
