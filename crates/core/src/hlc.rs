//! Hybrid logical clock: wall-clock milliseconds plus a counter, so that every
//! operation made on a device orders after everything that device has seen,
//! even when laptop clocks disagree.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ids::DeviceId;

/// A hybrid logical clock timestamp. Ordered by wall time, then counter, then
/// device id: the device is the tiebreak that makes the order total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Hlc {
    /// Milliseconds since the Unix epoch, as the clock last knew it.
    pub wall_ms: u64,
    /// Increments when several timestamps share one wall time.
    pub counter: u32,
    /// The device that made the timestamp.
    pub device: DeviceId,
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:08}-{}", self.wall_ms, self.counter, self.device)
    }
}

/// The clock one device keeps. It never goes backwards: a new timestamp is
/// greater than every timestamp made or observed before.
#[derive(Debug, Clone)]
pub struct HlcClock {
    device: DeviceId,
    last_wall: u64,
    last_counter: u32,
}

impl HlcClock {
    /// A clock for `device` that has seen nothing yet.
    pub fn new(device: DeviceId) -> Self {
        Self { device, last_wall: 0, last_counter: 0 }
    }

    /// A clock that resumes after `last` (for example the newest timestamp in
    /// a store's operation log).
    pub fn resume(device: DeviceId, last: Option<Hlc>) -> Self {
        let mut clock = Self::new(device);
        if let Some(last) = last {
            clock.observe(last);
        }
        clock
    }

    /// The device this clock belongs to.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// A new timestamp, given the physical time now in milliseconds.
    pub fn tick(&mut self, physical_ms: u64) -> Hlc {
        if physical_ms > self.last_wall {
            self.last_wall = physical_ms;
            self.last_counter = 0;
        } else {
            self.last_counter = self.last_counter.saturating_add(1);
        }
        Hlc { wall_ms: self.last_wall, counter: self.last_counter, device: self.device }
    }

    /// Move the clock past a timestamp received from elsewhere.
    pub fn observe(&mut self, seen: Hlc) {
        if (seen.wall_ms, seen.counter) > (self.last_wall, self.last_counter) {
            self.last_wall = seen.wall_ms;
            self.last_counter = seen.counter;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_goes_backwards_when_the_wall_clock_does() {
        let mut clock = HlcClock::new(DeviceId::from_u128(1));
        let a = clock.tick(1_000);
        let b = clock.tick(900);
        let c = clock.tick(1_000);
        assert!(a < b && b < c, "{a} {b} {c}");
    }

    #[test]
    fn orders_after_what_it_observed() {
        let mut clock = HlcClock::new(DeviceId::from_u128(1));
        let remote = Hlc { wall_ms: 5_000, counter: 7, device: DeviceId::from_u128(2) };
        clock.observe(remote);
        let next = clock.tick(10);
        assert!(next > remote);
    }
}
