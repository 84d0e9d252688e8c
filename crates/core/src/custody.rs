//! The `custody` section of a case: when custody started and the steps
//! that end it or that the custody clock waits for.

use serde::Serialize;

use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record};
use crate::text::{Text, Timestamp};

/// Custody of the child. Every field is optional: custody starts at the
/// encounter unless `started_at` says otherwise.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Custody {
    /// When custody started, if not at the encounter.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub started_at: Option<Timestamp>,
    /// Where the child is held.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub facility: Option<Text>,
    /// When the federal child-placement office was notified.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub placement_notified_at: Option<Timestamp>,
    /// When the child was transferred to the placement office's care.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub transferred_at: Option<Timestamp>,
    /// When a contiguous-country child was returned home.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub returned_at: Option<Timestamp>,
    /// When the child was released otherwise (to a parent or guardian).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub released_at: Option<Timestamp>,
    /// Why the transfer could not happen in time, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub exceptional_circumstances: Option<Text>,
}

impl Custody {
    /// The section's times, in the order they happen.
    pub const TIMES: &'static [&'static str] =
        &["started_at", "placement_notified_at", "transferred_at", "returned_at", "released_at"];

    /// When custody ended (transfer, return or release), if it did.
    pub fn ended_at(&self) -> Option<Timestamp> {
        [self.transferred_at, self.returned_at, self.released_at].into_iter().flatten().min()
    }
}

impl Record for Custody {
    const WHAT: &'static str = "custody";
    const FIELDS: &'static [&'static str] = &[
        "started_at",
        "facility",
        "placement_notified_at",
        "transferred_at",
        "returned_at",
        "released_at",
        "exceptional_circumstances",
    ];
    const REQUIRED: &'static [(&'static str, &'static str)] = &[];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        debug_assert!(Self::TIMES.iter().all(|t| Self::FIELDS.contains(t)));
        let ts = |key: &str| o.opt(key, |v| Timestamp::parse(v, ctx));
        let c = Self {
            started_at: ts("started_at")?,
            facility: o.opt("facility", Text::short)?,
            placement_notified_at: ts("placement_notified_at")?,
            transferred_at: ts("transferred_at")?,
            returned_at: ts("returned_at")?,
            released_at: ts("released_at")?,
            exceptional_circumstances: o.opt("exceptional_circumstances", Text::long)?,
        };
        if let (true, Some(start)) = (ctx.whole, c.started_at) {
            let steps = [
                ("placement_notified_at", c.placement_notified_at),
                ("transferred_at", c.transferred_at),
                ("returned_at", c.returned_at),
                ("released_at", c.released_at),
            ];
            if let Some((key, _)) = steps.iter().find(|(_, t)| t.is_some_and(|t| t < start)) {
                return Err(FieldError::new(*key, "is before custody started (started_at)"));
            }
        }
        Ok(c)
    }
}
