//! Small value types of the case document: checked free text, times with
//! their UTC offset, and time-zone names.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

use crate::error::FieldError;
use crate::parse::{Ctx, quoted, string};

/// Longest single-line text (a name, a place, a facility): 200 characters.
pub const SHORT_TEXT_MAX: usize = 200;
/// Longest multi-line text (a narrative, a note, a rationale): 20,000 characters.
pub const LONG_TEXT_MAX: usize = 20_000;

/// Free text that is not empty, has no surrounding spaces, and fits its
/// limit. Single-line text holds no control characters; multi-line text
/// may hold line breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Text(String);

impl Text {
    fn check(v: &Value, max: usize, multiline: bool) -> Result<Self, FieldError> {
        let t = string(v)?.trim();
        if t.is_empty() {
            return Err(FieldError::new("", "is empty; leave it out or write something"));
        }
        let n = t.chars().count();
        if n > max {
            return Err(FieldError::new("", format!("is {n} characters long; at most {max} are allowed")));
        }
        if t.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
            let what = if multiline {
                "control characters other than line breaks and tabs"
            } else {
                "line breaks or control characters"
            };
            return Err(FieldError::new("", format!("holds {what}")));
        }
        Ok(Self(t.to_owned()))
    }
    /// A single line of at most [`SHORT_TEXT_MAX`] characters.
    pub fn short(v: &Value) -> Result<Self, FieldError> {
        Self::check(v, SHORT_TEXT_MAX, false)
    }
    /// Several lines, at most [`LONG_TEXT_MAX`] characters.
    pub fn long(v: &Value) -> Result<Self, FieldError> {
        Self::check(v, LONG_TEXT_MAX, true)
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A moment with the UTC offset it was recorded in
/// (`2026-11-20T03:40:00-07:00`). Two timestamps are equal when they name
/// the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Timestamp(DateTime<FixedOffset>);

impl Timestamp {
    /// Parse RFC 3339 text with an offset. Times more than a day ahead of
    /// `ctx.today` are refused as being in the future.
    pub(crate) fn parse(v: &Value, ctx: &Ctx) -> Result<Self, FieldError> {
        let t = Self::parse_any(v)?;
        let limit = ctx.today.succ_opt().and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0));
        if limit.is_some_and(|limit| t.0.naive_utc() >= limit) {
            return Err(FieldError::new("", "is in the future"));
        }
        Ok(t)
    }
    /// Parse RFC 3339 text with an offset, any date.
    pub fn parse_any(v: &Value) -> Result<Self, FieldError> {
        let s = string(v)?.trim();
        DateTime::parse_from_rfc3339(s).map(Self).map_err(|_| {
            FieldError::new("", "is not a date and time with its UTC offset (like 2026-11-20T03:40:00-07:00)")
        })
    }
    /// The moment as recorded.
    pub fn get(&self) -> DateTime<FixedOffset> {
        self.0
    }
    /// The moment in UTC.
    pub fn utc(&self) -> DateTime<Utc> {
        self.0.with_timezone(&Utc)
    }
}

impl From<DateTime<FixedOffset>> for Timestamp {
    fn from(t: DateTime<FixedOffset>) -> Self {
        Self(t)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_any(&Value::String(s)).map_err(serde::de::Error::custom)
    }
}

/// An IANA time-zone name (`America/Phoenix`, `America/Guatemala`, `UTC`).
/// Checked for shape only: the zone database is not embedded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// Parse a zone name.
    pub fn parse(v: &Value) -> Result<Self, FieldError> {
        let s = string(v)?.trim();
        let part_ok = |p: &str| {
            !p.is_empty()
                && p.len() <= 40
                && p.starts_with(|c: char| c.is_ascii_alphabetic())
                && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        };
        let parts: Vec<&str> = s.split('/').collect();
        let ok = matches!(s, "UTC" | "Etc/UTC")
            || (parts.len() >= 2 && parts.len() <= 3 && parts.iter().all(|p| part_ok(p)));
        if !ok {
            return Err(FieldError::new("", format!("{} is not a time-zone name (like America/Phoenix)", quoted(s))));
        }
        Ok(Self(s.to_owned()))
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::json;

    fn ctx() -> Ctx {
        Ctx { today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), whole: true }
    }

    #[test]
    fn timestamps_need_an_offset_and_keep_it() {
        let t = Timestamp::parse(&json!("2026-11-20T03:40:00-07:00"), &ctx()).unwrap();
        assert_eq!(t.to_string(), "2026-11-20T03:40:00-07:00");
        assert!(Timestamp::parse(&json!("2026-11-20T03:40:00"), &ctx()).unwrap_err().message.contains("offset"));
        assert!(Timestamp::parse(&json!("2026-12-20T03:40:00Z"), &ctx()).unwrap_err().message.contains("future"));
        assert!(Timestamp::parse(&json!("2026-11-26T20:00:00Z"), &ctx()).is_ok(), "a day of slack");
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::short(&json!("  Ana ")).unwrap().as_str(), "Ana");
        assert!(Text::short(&json!("  ")).is_err());
        assert!(Text::short(&json!("a\nb")).is_err());
        assert!(Text::long(&json!("a\nb")).is_ok());
        assert!(Text::short(&json!("x".repeat(201))).is_err());
    }

    #[test]
    fn zone_names_are_checked_for_shape() {
        assert!(TimeZoneName::parse(&json!("America/Argentina/Buenos_Aires")).is_ok());
        assert!(TimeZoneName::parse(&json!("UTC")).is_ok());
        assert!(TimeZoneName::parse(&json!("-07:00")).is_err());
    }
}
