//! Reading the case document at the boundary: every value is checked where
//! it enters, and every refusal names its field. Parsers of one value return
//! an error with an empty field; the caller places it under the key it read
//! (`FieldError::under`), so the final error says `referrals[1].to`.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::access::{OrgId, UserName};
use crate::error::FieldError;

/// What the value is, in words, for "must be text, not a number".
pub(crate) fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty (null)",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// What parsing a record needs to know besides the value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    /// Today's date (UTC): dates after tomorrow are refused as "in the future".
    pub today: NaiveDate,
    /// `true` when a whole record is parsed (cross-field rules apply);
    /// `false` when one field is checked on its own (an edit).
    pub whole: bool,
}

/// An object being read: unknown keys are refused up front, null counts as absent.
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    /// Read `v` as an object of `what` ("the child") with these known keys.
    pub fn new(v: &'a Value, what: &str, known: &[&str]) -> Result<Self, FieldError> {
        let Value::Object(map) = v else {
            return Err(FieldError::new("", format!("must be an object holding {what}, not {}", describe(v))));
        };
        if let Some(key) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(FieldError::new(
                key.as_str(),
                format!("is not a field of {what}; the fields are: {}", known.join(", ")),
            ));
        }
        Ok(Self { map })
    }

    /// The value of `key`, `None` when missing or null.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// An optional field, parsed by `f`.
    pub fn opt<T>(&self, key: &str, f: impl FnOnce(&Value) -> Result<T, FieldError>) -> Result<Option<T>, FieldError> {
        self.get(key).map(|v| f(v).map_err(|e| e.under(key))).transpose()
    }

    /// A required field, parsed by `f`.
    pub fn req<T>(&self, key: &str, f: impl FnOnce(&Value) -> Result<T, FieldError>) -> Result<T, FieldError> {
        let v = self.get(key).ok_or_else(|| FieldError::new(key, "is required"))?;
        f(v).map_err(|e| e.under(key))
    }

    /// An optional list field (missing or null is an empty list), each element parsed by `f`.
    pub fn list<T>(
        &self,
        key: &str,
        max: usize,
        mut f: impl FnMut(&Value) -> Result<T, FieldError>,
    ) -> Result<Vec<T>, FieldError> {
        let Some(v) = self.get(key) else { return Ok(Vec::new()) };
        let Value::Array(items) = v else {
            return Err(FieldError::new(key, format!("must be a list, not {}", describe(v))));
        };
        if items.len() > max {
            return Err(FieldError::new(key, format!("holds {} entries; at most {max} are allowed", items.len())));
        }
        items.iter().enumerate().map(|(i, item)| f(item).map_err(|e| e.under(&format!("[{i}]")).under(key))).collect()
    }
}

/// A value quoted for an error message when it is short enough to be a
/// code or a word; longer input may be case text and is never repeated.
pub(crate) fn quoted(s: &str) -> String {
    if s.chars().count() <= 24 && !s.chars().any(char::is_control) { format!("{s:?}") } else { "this value".to_owned() }
}

/// The value as a string slice.
pub(crate) fn string(v: &Value) -> Result<&str, FieldError> {
    v.as_str().ok_or_else(|| FieldError::new("", format!("must be text, not {}", describe(v))))
}

/// A user's sign-in name.
pub(crate) fn user(v: &Value) -> Result<UserName, FieldError> {
    UserName::parse("", string(v)?)
}

/// An organization's short id.
pub(crate) fn org(v: &Value) -> Result<OrgId, FieldError> {
    OrgId::parse("", string(v)?)
}

/// The value as true/false.
pub(crate) fn boolean(v: &Value) -> Result<bool, FieldError> {
    v.as_bool().ok_or_else(|| FieldError::new("", format!("must be true or false, not {}", describe(v))))
}

/// The value as a whole number in `range`.
pub(crate) fn whole_number(v: &Value, min: u64, max: u64) -> Result<u32, FieldError> {
    let n = v.as_u64().ok_or_else(|| match v {
        Value::Number(_) => FieldError::new("", format!("must be a whole number from {min} to {max}")),
        _ => FieldError::new("", format!("must be a whole number, not {}", describe(v))),
    })?;
    if n < min || n > max {
        return Err(FieldError::new("", format!("must be from {min} to {max} (got {n})")));
    }
    Ok(n as u32)
}

/// A calendar date, `YYYY-MM-DD`.
pub(crate) fn date(v: &Value) -> Result<NaiveDate, FieldError> {
    let s = string(v)?.trim();
    let shape =
        s.len() == 10 && s.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
    if !shape {
        return Err(FieldError::new("", "is not a date written as YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| FieldError::new("", "is not a date on the calendar"))
}

/// A date that is not in the future (one day of slack for time zones).
pub(crate) fn past_date(v: &Value, ctx: &Ctx) -> Result<NaiveDate, FieldError> {
    let d = date(v)?;
    if ctx.today.succ_opt().is_some_and(|tomorrow| d > tomorrow) {
        return Err(FieldError::new("", "is in the future"));
    }
    Ok(d)
}

/// Declares an enum whose values are fixed words on the wire.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant,)+
        }

        impl $name {
            /// Every value, in a stable order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The value's word on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word,)+ }
            }
            /// Parse the word, naming the accepted words in the error.
            pub fn parse(v: &serde_json::Value) -> Result<Self, $crate::error::FieldError> {
                let s = $crate::parse::string(v)?;
                Self::ALL.iter().copied().find(|x| x.as_str() == s.trim()).ok_or_else(|| {
                    let words: Vec<&str> = Self::ALL.iter().map(|x| x.as_str()).collect();
                    $crate::error::FieldError::new("", format!(concat!("{} is not ", $what, "; use one of: {}"), $crate::parse::quoted(s), words.join(", ")))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

/// A record of the case document (a section such as `child`, or a list item
/// such as a referral), so that a whole record and a single-field edit are
/// checked by the same rules.
pub(crate) trait Record: Sized {
    /// The record in words: "the child".
    const WHAT: &'static str;
    /// Its fields.
    const FIELDS: &'static [&'static str];
    /// Its required fields, each with a valid stand-in value (JSON) used when
    /// another field is checked on its own.
    const REQUIRED: &'static [(&'static str, &'static str)];
    /// Read the record from its fields.
    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError>;
}

/// Parse a whole record (cross-field rules apply when `ctx.whole`).
pub(crate) fn parse_record<R: Record>(v: &Value, ctx: &Ctx) -> Result<R, FieldError> {
    let o = Obj::new(v, R::WHAT, R::FIELDS)?;
    R::read(&o, ctx)
}

/// Check one field of a record on its own, by the record's own rules.
pub(crate) fn check_record_field<R: Record>(key: &str, value: &Value, ctx: &Ctx) -> Result<(), FieldError> {
    if !R::FIELDS.contains(&key) || key == "id" {
        return Err(FieldError::new(
            key,
            format!("is not a field of {}; the fields are: {}", R::WHAT, R::FIELDS.join(", ")),
        ));
    }
    let mut map = Map::new();
    for (k, stand_in) in R::REQUIRED {
        if *k != key {
            map.insert((*k).to_owned(), serde_json::from_str(stand_in).expect("stand-ins are valid JSON"));
        }
    }
    map.insert(key.to_owned(), value.clone());
    let v = Value::Object(map);
    let o = Obj::new(&v, R::WHAT, R::FIELDS)?;
    R::read(&o, &Ctx { whole: false, ..*ctx }).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_are_checked_for_shape_and_calendar() {
        assert!(date(&json!("2011-02-28")).is_ok());
        assert!(date(&json!("2011-02-30")).unwrap_err().message.contains("not a date on the calendar"));
        assert!(date(&json!("28/02/2011")).unwrap_err().message.contains("YYYY-MM-DD"));
        assert!(date(&json!(2011)).unwrap_err().message.contains("must be text, not a number"));
    }

    #[test]
    fn list_errors_name_the_element() {
        let v = json!({"xs": ["a", 3]});
        let o = Obj::new(&v, "a test", &["xs"]).unwrap();
        let e = o.list("xs", 5, |v| string(v).map(str::to_owned)).unwrap_err();
        assert_eq!(e.field, "xs[1]");
    }
}
