//! The child: names, age, nationality, languages, documents.
//!
//! Age: a date of birth, or an estimated age in whole years, and how it was
//! established (`age_method`). A date of birth in the future or not on the
//! calendar is refused. A person who turns out to be 18 or older is *accepted*
//! (the record must still be kept) and flagged: see [`Child::is_minor_on`] and
//! `NewCase::flags`. An estimated age above 25 is refused as a typing error.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::Value;

use crate::codes::{CountryCode, LanguageCode};
use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record, boolean, past_date, quoted, string, whole_number, word_enum};
use crate::text::Text;

word_enum!(
    /// How the child's age was established.
    AgeMethod, "an age method" {
        /// From an identity document.
        Document = "document",
        /// The child said so.
        SelfReport = "self_report",
        /// An age assessment.
        Assessment = "assessment",
    }
);

word_enum!(
    /// The child's sex as recorded.
    Sex, "a sex" {
        /// Female.
        Female = "female",
        /// Male.
        Male = "male",
        /// Other.
        Other = "other",
        /// Not known or not asked.
        Unknown = "unknown",
    }
);

word_enum!(
    /// Kinds of identity documents.
    DocumentKind, "a kind of identity document" {
        /// Birth certificate.
        BirthCertificate = "birth_certificate",
        /// Passport.
        Passport = "passport",
        /// National identity card.
        NationalId = "national_id",
        /// Consular identity card.
        ConsularId = "consular_id",
        /// School record.
        SchoolRecord = "school_record",
        /// Anything else.
        Other = "other",
    }
);

/// An identity document the child carried or that was obtained later.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IdentityDocument {
    /// What kind of document.
    pub kind: DocumentKind,
    /// Its number, as printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub number: Option<Text>,
    /// The country that issued it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub issuing_country: Option<CountryCode>,
    /// Whether it was checked as genuine.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub verified: Option<bool>,
    /// Who holds the original, if not the child (a warning sign when an adult does).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub held_by: Option<Text>,
}

impl IdentityDocument {
    fn parse(v: &Value) -> Result<Self, FieldError> {
        let o = Obj::new(v, "an identity document", &["kind", "number", "issuing_country", "verified", "held_by"])?;
        Ok(Self {
            kind: o.req("kind", DocumentKind::parse)?,
            number: o.opt("number", Text::short)?,
            issuing_country: o.opt("issuing_country", CountryCode::parse)?,
            verified: o.opt("verified", boolean)?,
            held_by: o.opt("held_by", Text::short)?,
        })
    }
}

/// A photo of the child: an encrypted, content-addressed attachment, named by
/// the SHA-256 of its content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Photo {
    /// Lowercase hex SHA-256 of the attachment's plaintext.
    pub sha256: String,
    /// `image/jpeg`, `image/png` or `image/heic`.
    pub media_type: String,
}

impl Photo {
    fn parse(v: &Value) -> Result<Self, FieldError> {
        let o = Obj::new(v, "a photo attachment", &["sha256", "media_type"])?;
        let sha256 = o.req("sha256", |v| {
            let s = string(v)?;
            if s.len() == 64 && s.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) {
                Ok(s.to_owned())
            } else {
                Err(FieldError::new("", "must be 64 lowercase hexadecimal characters (a SHA-256)"))
            }
        })?;
        let media_type = o.req("media_type", |v| {
            let s = string(v)?;
            if matches!(s, "image/jpeg" | "image/png" | "image/heic") {
                Ok(s.to_owned())
            } else {
                Err(FieldError::new("", format!("{} is not image/jpeg, image/png or image/heic", quoted(s))))
            }
        })?;
        Ok(Self { sha256, media_type })
    }
}

/// The child a case is about.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Child {
    /// Given name(s) as the child gave them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub given_name: Option<Text>,
    /// Family name(s).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub family_name: Option<Text>,
    /// Other names the child is known by (nicknames, names on documents).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub aliases: Vec<Text>,
    /// Date of birth.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub date_of_birth: Option<NaiveDate>,
    /// Estimated age in whole years, when the date of birth is not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub estimated_age_years: Option<u32>,
    /// How the age or date of birth was established.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub age_method: Option<AgeMethod>,
    /// Sex.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sex: Option<Sex>,
    /// Nationalities.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub nationalities: Vec<CountryCode>,
    /// Languages the child speaks, the preferred first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub languages: Vec<LanguageCode>,
    /// Whether an interpreter was used to speak with the child.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub interpreter_used: Option<bool>,
    /// Identity documents.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub identity_documents: Vec<IdentityDocument>,
    /// Photo attachment.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub photo: Option<Photo>,
}

/// At most this many aliases, nationalities, languages or documents.
const MAX_SMALL_LIST: usize = 20;

fn unique<T: PartialEq + std::fmt::Display>(key: &str, items: &[T]) -> Result<(), FieldError> {
    for (i, x) in items.iter().enumerate() {
        if items[..i].contains(x) {
            return Err(FieldError::new(format!("{key}[{i}]"), format!("{x} is listed twice")));
        }
    }
    Ok(())
}

impl Record for Child {
    const WHAT: &'static str = "the child";
    const FIELDS: &'static [&'static str] = &[
        "given_name",
        "family_name",
        "aliases",
        "date_of_birth",
        "estimated_age_years",
        "age_method",
        "sex",
        "nationalities",
        "languages",
        "interpreter_used",
        "identity_documents",
        "photo",
    ];
    const REQUIRED: &'static [(&'static str, &'static str)] = &[];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        let child = Self {
            given_name: o.opt("given_name", Text::short)?,
            family_name: o.opt("family_name", Text::short)?,
            aliases: o.list("aliases", MAX_SMALL_LIST, Text::short)?,
            date_of_birth: o.opt("date_of_birth", |v| {
                let d = past_date(v, ctx)?;
                if d.year() < 1900 {
                    return Err(FieldError::new("", "is before 1900; check the year"));
                }
                Ok(d)
            })?,
            estimated_age_years: o.opt("estimated_age_years", |v| whole_number(v, 0, 25))?,
            age_method: o.opt("age_method", AgeMethod::parse)?,
            sex: o.opt("sex", Sex::parse)?,
            nationalities: o.list("nationalities", MAX_SMALL_LIST, CountryCode::parse)?,
            languages: o.list("languages", MAX_SMALL_LIST, LanguageCode::parse)?,
            interpreter_used: o.opt("interpreter_used", boolean)?,
            identity_documents: o.list("identity_documents", MAX_SMALL_LIST, IdentityDocument::parse)?,
            photo: o.opt("photo", Photo::parse)?,
        };
        unique("aliases", &child.aliases)?;
        unique("nationalities", &child.nationalities)?;
        unique("languages", &child.languages)?;
        if ctx.whole && child.date_of_birth.is_some() && child.estimated_age_years.is_some() {
            return Err(FieldError::new(
                "estimated_age_years",
                "give either a date of birth or an estimated age, not both",
            ));
        }
        Ok(child)
    }
}

impl Child {
    /// Age in whole years on `day`: from the date of birth, else the
    /// estimate (which is taken as the age at the encounter). `None` when
    /// neither is recorded.
    pub fn age_on(&self, day: NaiveDate) -> Option<u32> {
        match (self.date_of_birth, self.estimated_age_years) {
            (Some(dob), _) => Some(day.years_since(dob).unwrap_or(0)),
            (None, Some(years)) => Some(years),
            (None, None) => None,
        }
    }

    /// Whether the child is under 18 on `day`; `None` when the age is unknown.
    pub fn is_minor_on(&self, day: NaiveDate) -> Option<bool> {
        self.age_on(day).map(|a| a < 18)
    }

    /// Whether any nationality is of a contiguous country (Mexico, Canada).
    pub fn is_from_contiguous_country(&self) -> bool {
        self.nationalities.iter().any(CountryCode::is_contiguous)
    }

    /// The name to show: given and family name, else the first alias.
    pub fn display_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.given_name, &self.family_name].into_iter().flatten().map(Text::as_str).collect();
        if parts.is_empty() { self.aliases.first().map(|a| a.as_str().to_owned()) } else { Some(parts.join(" ")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{check_record_field, parse_record};
    use serde_json::json;

    fn ctx() -> Ctx {
        Ctx { today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), whole: true }
    }

    #[test]
    fn a_date_of_birth_in_the_future_or_off_the_calendar_is_refused() {
        let e = parse_record::<Child>(&json!({"date_of_birth": "2027-01-01"}), &ctx()).unwrap_err();
        assert_eq!((e.field.as_str(), e.message.contains("future")), ("date_of_birth", true));
        let e = parse_record::<Child>(&json!({"date_of_birth": "2011-02-29"}), &ctx()).unwrap_err();
        assert!(e.message.contains("not a date on the calendar"), "{e}");
    }

    #[test]
    fn an_adult_is_accepted_but_is_not_a_minor() {
        let c: Child = parse_record(&json!({"date_of_birth": "2005-01-01"}), &ctx()).unwrap();
        assert_eq!(c.is_minor_on(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()), Some(false));
        let c: Child = parse_record(&json!({"estimated_age_years": 15}), &ctx()).unwrap();
        assert_eq!(c.is_minor_on(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()), Some(true));
    }

    #[test]
    fn errors_name_nested_fields() {
        let e = parse_record::<Child>(&json!({"nationalities": ["GT", "ZZ"]}), &ctx()).unwrap_err();
        assert_eq!(e.field, "nationalities[1]");
        let e = parse_record::<Child>(&json!({"identity_documents": [{"kind": "visa"}]}), &ctx()).unwrap_err();
        assert_eq!(e.field, "identity_documents[0].kind");
        let e = parse_record::<Child>(&json!({"nickname": "x"}), &ctx()).unwrap_err();
        assert_eq!(e.field, "nickname");
        let e = check_record_field::<Child>("languages", &json!(["quc", "quc"]), &ctx()).unwrap_err();
        assert_eq!(e.field, "languages[1]");
    }
}
