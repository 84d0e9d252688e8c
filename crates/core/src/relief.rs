//! Immigration relief applications and their milestones: T visa (I-914),
//! U visa (I-918), Special Immigrant Juvenile Status (state court findings,
//! then I-360), asylum (I-589).
//!
//! Milestones are separate dated fields, so two people recording different
//! milestones at once never conflict.

use chrono::NaiveDate;
use serde::Serialize;

use crate::access::OrgId;
use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record, org, past_date, quoted, string, word_enum};
use crate::text::Text;

word_enum!(
    /// Kinds of relief.
    ReliefKind, "a kind of relief" {
        /// T nonimmigrant status (trafficking victims), form I-914.
        TVisa = "t_visa",
        /// U nonimmigrant status (crime victims), form I-918; needs a Supplement B certification.
        UVisa = "u_visa",
        /// Special Immigrant Juvenile Status: state juvenile-court findings, then form I-360.
        Sijs = "sijs",
        /// Asylum, form I-589.
        Asylum = "asylum",
        /// Anything else (say what in the description).
        Other = "other",
    }
);

impl ReliefKind {
    /// Whether milestone `milestone` (one of [`MILESTONES`]) applies to this
    /// kind: a law-enforcement certification to T and U visas only,
    /// juvenile-court findings to SIJS only, the others to every kind.
    pub fn has_milestone(self, milestone: &str) -> bool {
        match milestone {
            "certification_requested_on" | "certification_obtained_on" => {
                matches!(self, ReliefKind::TVisa | ReliefKind::UVisa)
            }
            "court_findings_on" => self == ReliefKind::Sijs,
            m => MILESTONES.contains(&m),
        }
    }

    /// The milestones that apply to this kind, in the order they usually happen.
    pub fn milestones(self) -> Vec<&'static str> {
        MILESTONES.iter().copied().filter(|m| self.has_milestone(m)).collect()
    }

    /// The USCIS form that applies, if any.
    pub fn form(self) -> Option<&'static str> {
        match self {
            ReliefKind::TVisa => Some("I-914"),
            ReliefKind::UVisa => Some("I-918"),
            ReliefKind::Sijs => Some("I-360"),
            ReliefKind::Asylum => Some("I-589"),
            _ => None,
        }
    }
}

/// The milestone fields, in the order they usually happen; a relief
/// application's fields are its kind, description, attorney, receipt number
/// and these.
macro_rules! milestones {
    ($($m:literal),* $(,)?) => {
        /// The milestone fields, in the order they usually happen.
        pub const MILESTONES: &[&str] = &[$($m),*];
        const FIELDS: &[&str] = &["kind", "description", "attorney_org", "receipt_number", $($m),*];
    };
}

milestones!(
    "screened_eligible_on",
    "certification_requested_on",
    "certification_obtained_on",
    "court_findings_on",
    "filed_on",
    "receipt_on",
    "bona_fide_on",
    "approved_on",
    "denied_on",
);

/// A relief application. Only `kind` is required; each milestone is a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReliefApplication {
    /// What relief.
    pub kind: ReliefKind,
    /// For `other`: what it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description: Option<Text>,
    /// The legal services organization handling it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub attorney_org: Option<OrgId>,
    /// The USCIS receipt number (three letters, ten digits).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub receipt_number: Option<String>,
    /// Screened as likely eligible.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub screened_eligible_on: Option<NaiveDate>,
    /// Law-enforcement certification (Supplement B) requested; T and U visas only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub certification_requested_on: Option<NaiveDate>,
    /// Certification obtained; T and U visas only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub certification_obtained_on: Option<NaiveDate>,
    /// State juvenile-court findings obtained; SIJS only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub court_findings_on: Option<NaiveDate>,
    /// Filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub filed_on: Option<NaiveDate>,
    /// Receipt notice issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub receipt_on: Option<NaiveDate>,
    /// Bona fide determination or deferred action granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub bona_fide_on: Option<NaiveDate>,
    /// Approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub approved_on: Option<NaiveDate>,
    /// Denied.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub denied_on: Option<NaiveDate>,
}

fn receipt_number(v: &serde_json::Value) -> Result<String, FieldError> {
    let s = string(v)?.trim().to_ascii_uppercase();
    let ok =
        s.len() == 13 && s[..3].chars().all(|c| c.is_ascii_uppercase()) && s[3..].chars().all(|c| c.is_ascii_digit());
    if !ok {
        return Err(FieldError::new(
            "",
            format!("{} is not a receipt number (three letters and ten digits, like EAC2690012345)", quoted(&s)),
        ));
    }
    Ok(s)
}

impl Record for ReliefApplication {
    const WHAT: &'static str = "a relief application";
    const FIELDS: &'static [&'static str] = FIELDS;
    const REQUIRED: &'static [(&'static str, &'static str)] = &[("kind", "\"other\"")];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        let day = |key: &str| o.opt(key, |v| past_date(v, ctx));
        let r = Self {
            kind: o.req("kind", ReliefKind::parse)?,
            description: o.opt("description", Text::long)?,
            attorney_org: o.opt("attorney_org", org)?,
            receipt_number: o.opt("receipt_number", receipt_number)?,
            screened_eligible_on: day("screened_eligible_on")?,
            certification_requested_on: day("certification_requested_on")?,
            certification_obtained_on: day("certification_obtained_on")?,
            court_findings_on: day("court_findings_on")?,
            filed_on: day("filed_on")?,
            receipt_on: day("receipt_on")?,
            bona_fide_on: day("bona_fide_on")?,
            approved_on: day("approved_on")?,
            denied_on: day("denied_on")?,
        };
        if ctx.whole {
            for (key, d) in [
                ("certification_requested_on", r.certification_requested_on),
                ("certification_obtained_on", r.certification_obtained_on),
                ("court_findings_on", r.court_findings_on),
            ] {
                if d.is_some() && !r.kind.has_milestone(key) {
                    let why = if key == "court_findings_on" {
                        "juvenile-court findings apply to SIJS only"
                    } else {
                        "a law-enforcement certification applies to T and U visas only"
                    };
                    return Err(FieldError::new(key, why));
                }
            }
            if r.approved_on.is_some() && r.denied_on.is_some() {
                return Err(FieldError::new("denied_on", "an application cannot be both approved and denied"));
            }
            if r.kind == ReliefKind::Other && r.description.is_none() {
                return Err(FieldError::new("description", "is required for relief of kind other; say what it is"));
            }
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validate::validate_item;

    #[test]
    fn each_kind_has_its_milestones_and_an_application_is_held_to_them() {
        assert_eq!(ReliefKind::Sijs.milestones().len(), MILESTONES.len() - 2);
        assert!(ReliefKind::Sijs.milestones().contains(&"court_findings_on"));
        assert!(!ReliefKind::Asylum.has_milestone("certification_requested_on"));
        assert!(ReliefKind::UVisa.has_milestone("certification_obtained_on"));
        assert!(!ReliefKind::TVisa.has_milestone("kind"), "a field that is not a milestone");
        for kind in ReliefKind::ALL {
            assert_eq!(
                kind.milestones(),
                MILESTONES.iter().copied().filter(|m| kind.has_milestone(m)).collect::<Vec<_>>()
            );
            for m in MILESTONES {
                let mut item = serde_json::Map::new();
                item.insert("kind".into(), json!(kind.as_str()));
                item.insert("description".into(), json!("Something else"));
                item.insert((*m).into(), json!("2026-01-05"));
                let whole =
                    validate_item(crate::ListKind::Relief, &item, chrono::NaiveDate::from_ymd_opt(2026, 1, 6).unwrap());
                assert_eq!(whole.is_ok(), kind.has_milestone(m), "{kind} {m}: {whole:?}");
            }
        }
    }
}
