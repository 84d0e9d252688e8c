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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hlc {
    /// Milliseconds since the Unix epoch, as the clock last knew it.
    #[serde(deserialize_with = "integral::u64")]
    pub wall_ms: u64,
    /// Increments when several timestamps share one wall time.
    #[serde(deserialize_with = "integral::u32")]
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

/// Integers as JSON Schema sees them: a number with a zero fraction (`7.0`)
/// is an integer too, so the service takes what its OpenAPI document allows.
/// Written back, they are plain integers.
mod integral {
    use serde::Deserializer;
    use serde::de::{Error, Visitor};
    use std::fmt;

    struct Whole(u64);

    impl<'de> Visitor<'de> for Whole {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a whole number from 0 to {}", self.0)
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<u64, E> {
            if v <= self.0 { Ok(v) } else { Err(E::custom(format!("{v} is over {}", self.0))) }
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::custom(format!("{v} is below 0"))).and_then(|v| self.visit_u64(v))
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<u64, E> {
            // Exactly a whole number in range (u64::MAX as f64 is 2^64, out of range).
            if v.fract() == 0.0 && v >= 0.0 && v < self.0 as f64 + 1.0 && v < u64::MAX as f64 {
                self.visit_u64(v as u64)
            } else {
                Err(E::custom(format!("{v} is not a whole number from 0 to {}", self.0)))
            }
        }
    }

    pub(super) fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(Whole(u64::MAX))
    }

    pub(super) fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        d.deserialize_any(Whole(u64::from(u32::MAX))).map(|v| v as u32)
    }
}

#[cfg(test)]
mod wire_tests {
    use super::Hlc;

    #[test]
    fn a_clock_takes_whole_numbers_written_with_a_zero_fraction_and_nothing_else() {
        let device = "0190b6c2-7c1e-7000-8000-000000000001";
        let parse = |w: &str, c: &str| {
            serde_json::from_str::<Hlc>(&format!(r#"{{"wall_ms": {w}, "counter": {c}, "device": "{device}"}}"#))
        };
        let h = parse("1700000000000.0", "7.0").unwrap();
        assert_eq!((h.wall_ms, h.counter), (1_700_000_000_000, 7));
        assert!(serde_json::to_string(&h).unwrap().contains(r#""counter":7,"#), "written back as an integer");
        for (w, c) in
            [("1.5", "0"), ("-1", "0"), ("0", "4294967296"), ("0", "4294967296.0"), ("1e30", "0"), ("0", "\"1\"")]
        {
            assert!(parse(w, c).is_err(), "{w} {c}");
        }
        assert_eq!(parse("0", "4294967295").unwrap().counter, u32::MAX);
    }
}
