//! The custody clock: how long the child has been in custody and where each
//! legal deadline stands, computed from the case and an injected `now`, so
//! that it works offline and is tested without waiting.
//!
//! The clock runs from custody's start (the encounter, unless
//! `custody.started_at` says otherwise); a child met through NGO outreach
//! has no clock until a custody start is recorded.
//!
//! Deadlines (hours configurable in [`CustodyRules`]):
//! - **screening** within 48 h of custody starting: the law requires it for a
//!   child from a contiguous country; Waystation holds every child to it
//!   unless `screen_every_child` is off. Met by `screening.completed_at`.
//! - **placement-office notification** within 48 h, and **transfer** to the
//!   federal child-placement office within 72 h, for an unaccompanied child.
//!   Met by `custody.placement_notified_at` and `custody.transferred_at`.
//!   Dropped when custody ended otherwise (returned home, released to a
//!   parent) before they were met.
//! - **trafficking referral** within 24 h of a screening that found
//!   indicators: a referral to victim services (the request for an interim
//!   assistance or eligibility letter), met when it is sent.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Serialize, Serializer};

use crate::case::NewCase;
use crate::encounter::EncounterType;
use crate::referral::ReferralTo;
use crate::screening::IndicatorFinding;

/// The hours of each deadline, and how early to warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CustodyRules {
    /// Screening deadline, hours after custody starts (48).
    pub screening_hours: u32,
    /// Notification of the placement office, hours after custody starts (48).
    pub placement_notification_hours: u32,
    /// Transfer to the placement office, hours after custody starts (72).
    pub transfer_hours: u32,
    /// Referral for an interim assistance or eligibility letter, hours after
    /// a screening that found indicators (24).
    pub trafficking_referral_hours: u32,
    /// A deadline is "due soon" this many hours before it passes (12).
    pub warning_hours: u32,
    /// Whether every child, not only children from contiguous countries, gets the screening deadline (true).
    pub screen_every_child: bool,
}

impl Default for CustodyRules {
    fn default() -> Self {
        Self {
            screening_hours: 48,
            placement_notification_hours: 48,
            transfer_hours: 72,
            trafficking_referral_hours: 24,
            warning_hours: 12,
            screen_every_child: true,
        }
    }
}

/// Which deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DeadlineKind {
    /// Trafficking screening.
    Screening,
    /// Notification of the federal child-placement office.
    PlacementNotification,
    /// Transfer to the federal child-placement office.
    Transfer,
    /// Referral for an interim assistance or eligibility letter.
    TraffickingReferral,
}

/// Where a deadline stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DeadlineState {
    /// Open, more than the warning lead time left.
    Ok,
    /// Open, less than the warning lead time left.
    DueSoon,
    /// Open and passed.
    Overdue,
    /// Done; `on_time` says whether before the deadline.
    Met {
        /// Whether it was met by the deadline.
        on_time: bool,
    },
}

fn seconds<S: Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(d.num_seconds())
}

/// One deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Deadline {
    /// Which.
    pub kind: DeadlineKind,
    /// When it passes.
    pub due_at: DateTime<Utc>,
    /// When it was met, if it was.
    pub met_at: Option<DateTime<Utc>>,
    /// Where it stands.
    #[serde(flatten)]
    pub state: DeadlineState,
    /// Time until it passes (negative when passed), in seconds on the wire.
    #[serde(serialize_with = "seconds", rename = "time_left_seconds")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub time_left: TimeDelta,
}

/// What the clock needs from a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyFacts {
    /// When custody started.
    pub started_at: DateTime<Utc>,
    /// Whether the child is unaccompanied.
    pub unaccompanied: bool,
    /// Whether the child is a national of a contiguous country.
    pub contiguous: bool,
    /// When the screening was completed.
    pub screening_completed_at: Option<DateTime<Utc>>,
    /// When a screening found trafficking indicators.
    pub indicators_found_at: Option<DateTime<Utc>>,
    /// When the placement office was notified.
    pub placement_notified_at: Option<DateTime<Utc>>,
    /// When the child was transferred to it.
    pub transferred_at: Option<DateTime<Utc>>,
    /// When custody ended in any way (transfer, return, release).
    pub ended_at: Option<DateTime<Utc>>,
    /// When the first referral to victim services was sent.
    pub trafficking_referral_sent_at: Option<DateTime<Utc>>,
}

impl CustodyFacts {
    /// The facts of a case: custody starts at `custody.started_at`, else at
    /// the encounter. `None` when the child is not in custody: met through
    /// NGO outreach, with no custody start recorded.
    pub fn of(case: &NewCase) -> Option<Self> {
        let custody = case.custody.clone().unwrap_or_default();
        if case.encounter.kind == EncounterType::NgoOutreach && custody.started_at.is_none() {
            return None;
        }
        let screening = case.screening.as_ref();
        let completed = screening.and_then(|s| s.completed_at).map(|t| t.utc());
        let found = screening
            .filter(|s| s.result.as_ref().is_some_and(|r| r.indicators == IndicatorFinding::Present))
            .and_then(|s| s.completed_at.or(s.started_at))
            .map(|t| t.utc());
        Some(Self {
            started_at: custody.started_at.unwrap_or(case.encounter.occurred_at).utc(),
            unaccompanied: case.encounter.accompaniment.is_unaccompanied(),
            contiguous: case.child.is_from_contiguous_country(),
            screening_completed_at: completed,
            indicators_found_at: found,
            placement_notified_at: custody.placement_notified_at.map(|t| t.utc()),
            transferred_at: custody.transferred_at.map(|t| t.utc()),
            ended_at: custody.ended_at().map(|t| t.utc()),
            trafficking_referral_sent_at: case
                .referrals
                .iter()
                .filter(|r| r.value.to == ReferralTo::VictimServices)
                .filter_map(|r| r.value.sent_or_later_at())
                .min()
                .map(|t| t.utc()),
        })
    }
}

/// Time in custody and every deadline that applies, at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustodyClock {
    /// When custody started.
    pub started_at: DateTime<Utc>,
    /// The moment the clock was read.
    pub now: DateTime<Utc>,
    /// Whether the child is still in custody.
    pub in_custody: bool,
    /// Time in custody: until it ended, else until `now` (never negative).
    #[serde(serialize_with = "seconds", rename = "time_in_custody_seconds")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub time_in_custody: TimeDelta,
    /// The deadlines that apply, soonest first.
    pub deadlines: Vec<Deadline>,
}

impl CustodyClock {
    /// Read the clock for `facts` at `now`.
    pub fn compute(facts: &CustodyFacts, rules: &CustodyRules, now: DateTime<Utc>) -> Self {
        let start = facts.started_at;
        let hours = |h: u32| TimeDelta::hours(i64::from(h));
        let warning = hours(rules.warning_hours);
        let deadline = |kind, due_at: DateTime<Utc>, met_at: Option<DateTime<Utc>>| {
            let state = match met_at {
                Some(m) => DeadlineState::Met { on_time: m <= due_at },
                None if now >= due_at => DeadlineState::Overdue,
                None if due_at - now <= warning => DeadlineState::DueSoon,
                None => DeadlineState::Ok,
            };
            Deadline { kind, due_at, met_at, state, time_left: due_at - now }
        };
        let mut deadlines = Vec::new();
        if facts.contiguous || rules.screen_every_child {
            deadlines.push(deadline(
                DeadlineKind::Screening,
                start + hours(rules.screening_hours),
                facts.screening_completed_at,
            ));
        }
        if facts.unaccompanied {
            // Custody that ended without a transfer (a return, a release to a
            // parent) leaves nothing to transfer or notify.
            let ended_otherwise = facts.ended_at.is_some() && facts.transferred_at.is_none();
            if !(ended_otherwise && facts.placement_notified_at.is_none()) {
                deadlines.push(deadline(
                    DeadlineKind::PlacementNotification,
                    start + hours(rules.placement_notification_hours),
                    facts.placement_notified_at,
                ));
            }
            if !ended_otherwise {
                deadlines.push(deadline(
                    DeadlineKind::Transfer,
                    start + hours(rules.transfer_hours),
                    facts.transferred_at,
                ));
            }
        }
        if let Some(found) = facts.indicators_found_at {
            deadlines.push(deadline(
                DeadlineKind::TraffickingReferral,
                found + hours(rules.trafficking_referral_hours),
                facts.trafficking_referral_sent_at,
            ));
        }
        deadlines.sort_by_key(|d| d.due_at);
        let end = facts.ended_at.map_or(now, |e| e.min(now));
        Self {
            started_at: start,
            now,
            in_custody: facts.ended_at.is_none_or(|e| e > now),
            time_in_custody: (end - start).max(TimeDelta::zero()),
            deadlines,
        }
    }

    /// The deadline of a kind, if it applies.
    pub fn deadline(&self, kind: DeadlineKind) -> Option<&Deadline> {
        self.deadlines.iter().find(|d| d.kind == kind)
    }

    /// The open deadlines that are due soon or overdue: what to warn about.
    pub fn warnings(&self) -> impl Iterator<Item = &Deadline> {
        self.deadlines.iter().filter(|d| matches!(d.state, DeadlineState::DueSoon | DeadlineState::Overdue))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap() + TimeDelta::hours(h)
    }

    fn facts() -> CustodyFacts {
        CustodyFacts {
            started_at: at(0),
            unaccompanied: true,
            contiguous: false,
            screening_completed_at: None,
            indicators_found_at: None,
            placement_notified_at: None,
            transferred_at: None,
            ended_at: None,
            trafficking_referral_sent_at: None,
        }
    }

    fn state(c: &CustodyClock, k: DeadlineKind) -> DeadlineState {
        c.deadline(k).unwrap().state
    }

    #[test]
    fn deadlines_move_from_ok_to_due_soon_to_overdue() {
        let rules = CustodyRules::default();
        let c = CustodyClock::compute(&facts(), &rules, at(10));
        assert_eq!(state(&c, DeadlineKind::Screening), DeadlineState::Ok);
        assert_eq!(c.time_in_custody, TimeDelta::hours(10));
        assert_eq!(c.deadline(DeadlineKind::Transfer).unwrap().time_left, TimeDelta::hours(62));
        let c = CustodyClock::compute(&facts(), &rules, at(37));
        assert_eq!(state(&c, DeadlineKind::Screening), DeadlineState::DueSoon);
        assert_eq!(state(&c, DeadlineKind::Transfer), DeadlineState::Ok);
        let c = CustodyClock::compute(&facts(), &rules, at(48));
        assert_eq!(state(&c, DeadlineKind::Screening), DeadlineState::Overdue);
        assert_eq!(state(&c, DeadlineKind::Transfer), DeadlineState::Ok);
        assert_eq!(c.deadline(DeadlineKind::Screening).unwrap().time_left, TimeDelta::zero());
        let c = CustodyClock::compute(&facts(), &rules, at(60));
        assert_eq!(state(&c, DeadlineKind::Transfer), DeadlineState::DueSoon);
        assert_eq!(c.warnings().count(), 3);
        assert_eq!(c.deadline(DeadlineKind::Screening).unwrap().time_left, TimeDelta::hours(-12));
    }

    #[test]
    fn recorded_steps_meet_deadlines_late_or_on_time() {
        let mut f = facts();
        f.screening_completed_at = Some(at(20));
        f.placement_notified_at = Some(at(50));
        let c = CustodyClock::compute(&f, &CustodyRules::default(), at(60));
        assert_eq!(state(&c, DeadlineKind::Screening), DeadlineState::Met { on_time: true });
        assert_eq!(state(&c, DeadlineKind::PlacementNotification), DeadlineState::Met { on_time: false });
        assert_eq!(state(&c, DeadlineKind::Transfer), DeadlineState::DueSoon);
    }

    #[test]
    fn hours_are_configurable_and_an_accompanied_child_has_no_transfer_deadline() {
        let rules = CustodyRules { transfer_hours: 24, screen_every_child: false, ..CustodyRules::default() };
        let c = CustodyClock::compute(&facts(), &rules, at(30));
        assert_eq!(state(&c, DeadlineKind::Transfer), DeadlineState::Overdue);
        assert!(c.deadline(DeadlineKind::Screening).is_none(), "not a contiguous-country child");
        let f = CustodyFacts { unaccompanied: false, contiguous: true, ..facts() };
        let c = CustodyClock::compute(&f, &rules, at(30));
        assert!(c.deadline(DeadlineKind::Transfer).is_none());
        assert_eq!(state(&c, DeadlineKind::Screening), DeadlineState::Ok);
    }

    #[test]
    fn a_returned_child_leaves_custody_and_the_transfer_deadline() {
        let f =
            CustodyFacts { contiguous: true, screening_completed_at: Some(at(5)), ended_at: Some(at(30)), ..facts() };
        let c = CustodyClock::compute(&f, &CustodyRules::default(), at(100));
        assert!(!c.in_custody);
        assert_eq!(c.time_in_custody, TimeDelta::hours(30));
        assert!(c.deadline(DeadlineKind::Transfer).is_none());
        assert!(c.deadline(DeadlineKind::PlacementNotification).is_none());
    }

    #[test]
    fn indicators_start_the_referral_deadline() {
        let f = CustodyFacts { screening_completed_at: Some(at(6)), indicators_found_at: Some(at(6)), ..facts() };
        let c = CustodyClock::compute(&f, &CustodyRules::default(), at(20));
        let d = c.deadline(DeadlineKind::TraffickingReferral).unwrap();
        assert_eq!((d.due_at, d.state), (at(30), DeadlineState::DueSoon));
        let f = CustodyFacts { trafficking_referral_sent_at: Some(at(8)), ..f };
        let c = CustodyClock::compute(&f, &CustodyRules::default(), at(40));
        assert_eq!(state(&c, DeadlineKind::TraffickingReferral), DeadlineState::Met { on_time: true });
    }
}
