//! Outcomes: where the child went, and the visits that followed.

use chrono::NaiveDate;
use serde::Serialize;

use crate::access::OrgId;
use crate::adult::Relationship;
use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record, org, past_date, word_enum};
use crate::text::Text;

word_enum!(
    /// Kinds of outcomes.
    OutcomeKind, "a kind of outcome" {
        /// Placed in a shelter or foster care.
        Placement = "placement",
        /// Released to a sponsor.
        SponsorRelease = "sponsor_release",
        /// Reunified with family.
        Reunification = "reunification",
        /// A follow-up visit after release.
        FollowUpVisit = "follow_up_visit",
        /// Returned to the home country.
        Repatriation = "repatriation",
        /// Anything else (say what in the description).
        Other = "other",
    }
);

/// An outcome. `kind` and `occurred_on` are required.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Outcome {
    /// What happened.
    pub kind: OutcomeKind,
    /// On which day.
    pub occurred_on: NaiveDate,
    /// The sponsor's relationship to the child, for a release or reunification.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sponsor_relationship: Option<Relationship>,
    /// The organization responsible (shelter, follow-up provider).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub org: Option<OrgId>,
    /// Where, in words (a city, a facility; not a street address).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub location: Option<Text>,
    /// What was found or decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description: Option<Text>,
}

impl Record for Outcome {
    const WHAT: &'static str = "an outcome";
    const FIELDS: &'static [&'static str] =
        &["kind", "occurred_on", "sponsor_relationship", "org", "location", "description"];
    const REQUIRED: &'static [(&'static str, &'static str)] =
        &[("kind", "\"follow_up_visit\""), ("occurred_on", "\"2000-01-01\"")];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        let out = Self {
            kind: o.req("kind", OutcomeKind::parse)?,
            occurred_on: o.req("occurred_on", |v| past_date(v, ctx))?,
            sponsor_relationship: o.opt("sponsor_relationship", Relationship::parse)?,
            org: o.opt("org", org)?,
            location: o.opt("location", Text::short)?,
            description: o.opt("description", Text::long)?,
        };
        if ctx.whole && out.kind == OutcomeKind::Other && out.description.is_none() {
            return Err(FieldError::new("description", "is required for an outcome of kind other; say what it was"));
        }
        Ok(out)
    }
}
