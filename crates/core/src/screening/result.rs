//! What a screening found, computed from its answers with its own
//! instrument version, and which answers drove it.
//!
//! - Indicators: `present` when any indicator was answered yes; else
//!   `incomplete` when any was not asked, unknown or declined; else `none`.
//! - Contiguous-country return (Mexican or Canadian children only):
//!   `eligible` only when all four criteria are answered yes *with a
//!   rationale*, no indicator is present or open, and the child's age is
//!   known and 14 or over (policy presumes a younger child cannot decide
//!   independently; Waystation does not let that presumption be overridden).
//!   Any criterion answered no, any indicator present, or an age under 14
//!   makes it `not_eligible`; anything missing makes it `incomplete`.

use serde::{Deserialize, Serialize};

use super::instrument::{CriterionKind, Instrument};
use super::{Answer, Screening};

/// What the indicator questions found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum IndicatorFinding {
    /// At least one indicator was answered yes.
    Present,
    /// Every indicator was answered no.
    None,
    /// None was answered yes, but some were not asked, unknown or declined.
    Incomplete,
}

/// Whether a child from a contiguous country may be returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReturnEligibility {
    /// The child is not a national of a contiguous country.
    NotApplicable,
    /// All four criteria are met, with rationales.
    Eligible,
    /// A criterion is not met: the child must not be returned.
    NotEligible,
    /// Something is missing; until it is recorded the child must not be returned.
    Incomplete,
}

/// One answer (or fact) that drove the result, and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Driver {
    /// The question: an indicator id, a criterion id, or `child.age`.
    pub question: String,
    /// What it did to the result, in words.
    pub effect: String,
}

/// The computed result of a screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScreeningResult {
    /// What the indicator questions found.
    pub indicators: IndicatorFinding,
    /// Indicators answered yes, in the instrument's order.
    pub indicators_present: Vec<String>,
    /// Indicators not asked, unknown or declined, in the instrument's order.
    pub indicators_open: Vec<String>,
    /// Whether a contiguous-country child may be returned.
    pub contiguous_return: ReturnEligibility,
    /// The answers that drove the result.
    pub drivers: Vec<Driver>,
}

fn drive(drivers: &mut Vec<Driver>, question: &str, effect: String) {
    drivers.push(Driver { question: question.to_owned(), effect });
}

pub(super) fn evaluate(s: &Screening, instrument: &Instrument, age: Option<u32>, contiguous: bool) -> ScreeningResult {
    let mut drivers = Vec::new();
    let mut present = Vec::new();
    let mut open = Vec::new();
    for ind in &instrument.indicators {
        match s.answers.get(&ind.id) {
            Some(Answer::Yes) => {
                present.push(ind.id.clone());
                drive(&mut drivers, &ind.id, format!("answered yes: {} indicator present", ind.category));
            }
            Some(Answer::No) => {}
            Some(a) => open.push((ind.id.clone(), a.as_str())),
            None => open.push((ind.id.clone(), "not asked")),
        }
    }
    let indicators = if !present.is_empty() {
        IndicatorFinding::Present
    } else if !open.is_empty() {
        for (id, why) in &open {
            drive(&mut drivers, id, format!("{why}: the indicator screening is incomplete"));
        }
        IndicatorFinding::Incomplete
    } else {
        IndicatorFinding::None
    };

    let contiguous_return = if !contiguous {
        ReturnEligibility::NotApplicable
    } else {
        let mut not_eligible = false;
        let mut incomplete = false;
        match indicators {
            IndicatorFinding::Present => {
                not_eligible = true;
                drive(
                    &mut drivers,
                    "indicators",
                    "trafficking indicators present: the child must not be returned".into(),
                );
            }
            IndicatorFinding::Incomplete => incomplete = true,
            IndicatorFinding::None => {}
        }
        if !instrument.has_criteria() {
            incomplete = true;
            drive(&mut drivers, "criteria", "this instrument version does not ask the four criteria".into());
        }
        for kind in CriterionKind::ALL.iter().copied().filter(|_| instrument.has_criteria()) {
            let q = kind.as_str();
            match s.criteria.get(&kind) {
                None => {
                    incomplete = true;
                    drive(&mut drivers, q, "not answered".into());
                }
                Some(c) => match c.answer {
                    Answer::No => {
                        not_eligible = true;
                        drive(&mut drivers, q, "answered no: criterion not met".into());
                    }
                    Answer::Unknown | Answer::Declined => {
                        incomplete = true;
                        drive(&mut drivers, q, format!("answered {}: criterion not established", c.answer));
                    }
                    Answer::Yes if c.rationale.is_none() => {
                        incomplete = true;
                        drive(&mut drivers, q, "answered yes without a rationale: record why".into());
                    }
                    Answer::Yes => {}
                },
            }
        }
        match age {
            Some(a) if a < 14 => {
                not_eligible = true;
                drive(
                    &mut drivers,
                    "child.age",
                    format!("the child is {a}: under 14 is presumed unable to decide independently"),
                );
            }
            Some(_) => {}
            None => {
                incomplete = true;
                drive(&mut drivers, "child.age", "age not recorded: the under-14 presumption cannot be checked".into());
            }
        }
        if not_eligible {
            ReturnEligibility::NotEligible
        } else if incomplete {
            ReturnEligibility::Incomplete
        } else {
            ReturnEligibility::Eligible
        }
    };
    ScreeningResult {
        indicators,
        indicators_present: present,
        indicators_open: open.into_iter().map(|(id, _)| id).collect(),
        contiguous_return,
        drivers,
    }
}
