//! The encounter: when and where the child was met, how, and with whom.

use serde::Serialize;
use serde_json::Value;
use std::fmt;

use crate::access::UserName;
use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record, describe, quoted, string, user, word_enum};
use crate::text::{Text, TimeZoneName, Timestamp};

word_enum!(
    /// How the child came to the agency's attention.
    EncounterType, "an encounter type" {
        /// Between ports of entry (apprehended in the field).
        BetweenPorts = "between_ports",
        /// At a port of entry.
        PortOfEntry = "port_of_entry",
        /// From a tip (hotline, public, another agency).
        Tip = "tip",
        /// NGO outreach.
        NgoOutreach = "ngo_outreach",
        /// Transferred in from another agency or station.
        TransferIn = "transfer_in",
    }
);

word_enum!(
    /// Whom the child was with. A child alone or with an adult who is not a
    /// verified parent or legal guardian is unaccompanied.
    Accompaniment, "an accompaniment" {
        /// Alone.
        Alone = "alone",
        /// With a parent or legal guardian.
        ParentOrGuardian = "parent_or_guardian",
        /// With an adult who is unrelated, or whose relationship is not verified.
        UnrelatedOrUnverifiedAdult = "unrelated_or_unverified_adult",
    }
);

impl Accompaniment {
    /// Whether the child counts as unaccompanied (no parent or legal
    /// guardian present to provide care and custody).
    pub fn is_unaccompanied(self) -> bool {
        !matches!(self, Accompaniment::ParentOrGuardian)
    }
}

/// A station's code: 2 to 16 uppercase letters, digits and hyphens (`TCA-AJO`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StationCode(String);

impl StationCode {
    /// The shape [`StationCode::parse`] accepts, once trimmed and raised to
    /// upper case, as a regular expression (for forms that check before
    /// saving; a test holds it to `parse`).
    pub const PATTERN: &'static str = "^[A-Z0-9][A-Z0-9-]{1,15}$";

    /// Parse a station code (lower case is raised).
    pub fn parse(v: &Value) -> Result<Self, FieldError> {
        let s = string(v)?.trim().to_ascii_uppercase();
        let ok = (2..=16).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(FieldError::new(
                "",
                format!("{} is not a station code (2 to 16 letters, digits or hyphens, like TCA-AJO)", quoted(&s)),
            ));
        }
        Ok(Self(s))
    }
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn degrees(v: &Value, limit: f64, what: &str) -> Result<f64, FieldError> {
    let x =
        v.as_f64().ok_or_else(|| FieldError::new("", format!("must be a number of degrees, not {}", describe(v))))?;
    if !x.is_finite() || x < -limit || x > limit {
        return Err(FieldError::new("", format!("{x} is not a {what} (from -{limit} to {limit} degrees)")));
    }
    Ok(x)
}

/// A latitude in decimal degrees, -90 to 90.
pub fn latitude(v: &Value) -> Result<f64, FieldError> {
    degrees(v, 90.0, "latitude")
}

/// A longitude in decimal degrees, -180 to 180.
pub fn longitude(v: &Value) -> Result<f64, FieldError> {
    degrees(v, 180.0, "longitude")
}

/// Where and how the child was met. `occurred_at` (which starts the custody
/// clock), `type` and `accompaniment` (which decides the 72-hour transfer)
/// are required; everything else may follow later.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Encounter {
    /// When, with the local UTC offset.
    pub occurred_at: Timestamp,
    /// The local time zone's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub time_zone: Option<TimeZoneName>,
    /// The station that recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub station: Option<StationCode>,
    /// Latitude, decimal degrees.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub latitude: Option<f64>,
    /// Longitude, decimal degrees.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub longitude: Option<f64>,
    /// The place in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub place: Option<Text>,
    /// How the child came to attention.
    #[serde(rename = "type")]
    pub kind: EncounterType,
    /// Whom the child was with.
    pub accompaniment: Accompaniment,
    /// What happened, in the recorder's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub narrative: Option<Text>,
    /// Who recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub recorded_by: Option<UserName>,
}

impl Record for Encounter {
    const WHAT: &'static str = "the encounter";
    const FIELDS: &'static [&'static str] = &[
        "occurred_at",
        "time_zone",
        "station",
        "latitude",
        "longitude",
        "place",
        "type",
        "accompaniment",
        "narrative",
        "recorded_by",
    ];
    const REQUIRED: &'static [(&'static str, &'static str)] =
        &[("occurred_at", "\"2000-01-01T00:00:00Z\""), ("type", "\"tip\""), ("accompaniment", "\"alone\"")];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        let e = Self {
            occurred_at: o.req("occurred_at", |v| Timestamp::parse(v, ctx))?,
            time_zone: o.opt("time_zone", TimeZoneName::parse)?,
            station: o.opt("station", StationCode::parse)?,
            latitude: o.opt("latitude", latitude)?,
            longitude: o.opt("longitude", longitude)?,
            place: o.opt("place", Text::short)?,
            kind: o.req("type", EncounterType::parse)?,
            accompaniment: o.req("accompaniment", Accompaniment::parse)?,
            narrative: o.opt("narrative", Text::long)?,
            recorded_by: o.opt("recorded_by", user)?,
        };
        if ctx.whole && e.latitude.is_some() != e.longitude.is_some() {
            let missing = if e.latitude.is_none() { "latitude" } else { "longitude" };
            return Err(FieldError::new(missing, "is missing; give both latitude and longitude, or neither"));
        }
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{check_record_field, parse_record};
    use chrono::NaiveDate;
    use serde_json::json;

    fn ctx() -> Ctx {
        Ctx { today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), whole: true }
    }

    #[test]
    fn required_fields_and_ranges() {
        let e = parse_record::<Encounter>(&json!({"type": "tip", "accompaniment": "alone"}), &ctx()).unwrap_err();
        assert_eq!((e.field.as_str(), e.message.as_str()), ("occurred_at", "is required"));
        let v = json!({"occurred_at": "2026-11-20T03:40:00-07:00", "type": "tip", "accompaniment": "alone", "latitude": 91.0, "longitude": 0});
        assert_eq!(parse_record::<Encounter>(&v, &ctx()).unwrap_err().field, "latitude");
        let e = check_record_field::<Encounter>("type", &json!("boat"), &ctx()).unwrap_err();
        assert!(e.message.contains("between_ports"), "{e}");
        assert!(check_record_field::<Encounter>("occurred_at", &Value::Null, &ctx()).is_err(), "cannot clear");
        assert!(check_record_field::<Encounter>("latitude", &json!(31.9), &ctx()).is_ok(), "one at a time");
    }
}
