//! Country and language codes, checked against the official lists embedded
//! as data: ISO 3166-1 alpha-2 for nationalities, ISO 639-3 for languages
//! (every living language, Indigenous languages of Mexico and Central
//! America such as K'iche' `quc`, Mam `mam`, Q'eqchi' `kek` included, plus
//! ISO 639-5 groups such as `nah` Nahuatl for when the variety is unknown).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use crate::error::FieldError;
use crate::parse::{quoted, string};

const COUNTRIES: &str = include_str!("data/iso3166_1.tsv");
const LANGUAGES: &str = include_str!("data/iso639_3.tsv");

fn table(data: &'static str) -> BTreeMap<&'static str, &'static str> {
    data.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).filter_map(|l| l.split_once('\t')).collect()
}

fn countries() -> &'static BTreeMap<&'static str, &'static str> {
    static T: OnceLock<BTreeMap<&'static str, &'static str>> = OnceLock::new();
    T.get_or_init(|| table(COUNTRIES))
}

fn languages() -> &'static BTreeMap<&'static str, &'static str> {
    static T: OnceLock<BTreeMap<&'static str, &'static str>> = OnceLock::new();
    T.get_or_init(|| table(LANGUAGES))
}

/// A country, by its ISO 3166-1 alpha-2 code (`GT`, `MX`, `HN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Mexico, a contiguous country.
    pub const MX: CountryCode = CountryCode(*b"MX");
    /// Canada, a contiguous country.
    pub const CA: CountryCode = CountryCode(*b"CA");

    /// Parse a code (upper or lower case); an unknown code is an error.
    pub fn parse_str(text: &str) -> Result<Self, FieldError> {
        let t = text.trim().to_ascii_uppercase();
        match countries().get_key_value(t.as_str()) {
            Some((k, _)) => {
                let b = k.as_bytes();
                Ok(Self([b[0], b[1]]))
            }
            None => Err(FieldError::new(
                "",
                format!("{} is not an ISO 3166-1 two-letter country code (like GT, HN, MX)", quoted(text)),
            )),
        }
    }
    /// Parse a JSON value.
    pub fn parse(v: &Value) -> Result<Self, FieldError> {
        Self::parse_str(string(v)?)
    }
    /// The code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("codes are ASCII")
    }
    /// The country's English short name.
    pub fn name(&self) -> &'static str {
        countries().get(self.as_str()).copied().unwrap_or_default()
    }
    /// Whether the country borders the United States (Mexico, Canada): its
    /// children get the contiguous-country screening within 48 hours.
    pub fn is_contiguous(&self) -> bool {
        *self == Self::MX || *self == Self::CA
    }
    /// Every known code, in order.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        countries().keys().map(|k| Self::parse_str(k).expect("listed"))
    }
}

/// A language, by its ISO 639-3 code (`spa`, `quc`, `mam`), or an ISO 639-5
/// group code (`nah`, `myn`) when only the family is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct LanguageCode([u8; 3]);

impl LanguageCode {
    /// Parse a code (lower case expected; upper case accepted); an unknown code is an error.
    pub fn parse_str(text: &str) -> Result<Self, FieldError> {
        let t = text.trim().to_ascii_lowercase();
        match languages().get_key_value(t.as_str()) {
            Some((k, _)) => {
                let b = k.as_bytes();
                Ok(Self([b[0], b[1], b[2]]))
            }
            None => Err(FieldError::new(
                "",
                format!("{} is not an ISO 639-3 language code (like spa, quc for K'iche', mam for Mam)", quoted(text)),
            )),
        }
    }
    /// Parse a JSON value.
    pub fn parse(v: &Value) -> Result<Self, FieldError> {
        Self::parse_str(string(v)?)
    }
    /// The code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("codes are ASCII")
    }
    /// The language's English name.
    pub fn name(&self) -> &'static str {
        languages().get(self.as_str()).copied().unwrap_or_default()
    }
    /// How many codes are known.
    pub fn count() -> usize {
        languages().len()
    }
}

macro_rules! code_impls {
    ($t:ident) => {
        impl TryFrom<String> for $t {
            type Error = FieldError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse_str(&s)
            }
        }
        impl From<$t> for String {
            fn from(c: $t) -> String {
                c.as_str().to_owned()
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
code_impls!(CountryCode);
code_impls!(LanguageCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_country_list_is_embedded() {
        assert_eq!(CountryCode::all().count(), 249);
        assert_eq!(CountryCode::parse_str("gt").unwrap().name(), "Guatemala");
        assert!(CountryCode::parse_str("MX").unwrap().is_contiguous());
        assert!(!CountryCode::parse_str("HN").unwrap().is_contiguous());
        assert!(CountryCode::parse_str("XX").is_err());
        assert!(CountryCode::parse_str("GTM").is_err());
    }

    #[test]
    fn indigenous_languages_are_known_and_unknown_codes_are_refused() {
        for (code, name) in [("quc", "K'iche'"), ("mam", "Mam"), ("kek", "Q'eqchi'"), ("cak", "Kaqchikel")] {
            assert_eq!(LanguageCode::parse_str(code).unwrap().name(), name);
        }
        for code in ["tzj", "poh", "ixl", "nah", "spa", "eng", "hat", "por", "yua", "tzo", "tzh", "mix", "zap", "und"] {
            assert!(LanguageCode::parse_str(code).is_ok(), "{code}");
        }
        assert!(LanguageCode::count() > 7000);
        let e = LanguageCode::parse_str("xqz").unwrap_err();
        assert!(e.message.contains("ISO 639-3"), "{e}");
        assert!(LanguageCode::parse_str("es").is_err(), "two-letter codes are ISO 639-1, not 639-3");
    }
}
