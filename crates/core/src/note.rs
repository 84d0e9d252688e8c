//! Notes: free text with a sensitivity class that decides who may ever
//! receive it. Notes are added, never edited.

use serde::Serialize;
use serde_json::Value;
use std::str::FromStr;

use crate::access::{Sensitivity, UserName};
use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record, string, user};
use crate::text::{Text, Timestamp};

/// A note. Every field is required.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Note {
    /// Who may read it.
    pub sensitivity: Sensitivity,
    /// The note.
    pub text: Text,
    /// When it was written.
    pub written_at: Timestamp,
    /// Who wrote it.
    pub author: UserName,
}

pub(crate) fn sensitivity(v: &Value) -> Result<Sensitivity, FieldError> {
    Sensitivity::from_str(string(v)?).map_err(|e| FieldError::new("", e.message))
}

impl Record for Note {
    const WHAT: &'static str = "a note";
    const FIELDS: &'static [&'static str] = &["sensitivity", "text", "written_at", "author"];
    const REQUIRED: &'static [(&'static str, &'static str)] = &[
        ("sensitivity", "\"general\""),
        ("text", "\"-\""),
        ("written_at", "\"2000-01-01T00:00:00Z\""),
        ("author", "\"someone\""),
    ];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        Ok(Self {
            sensitivity: o.req("sensitivity", sensitivity)?,
            text: o.req("text", Text::long)?,
            written_at: o.req("written_at", |v| Timestamp::parse(v, ctx))?,
            author: o.req("author", user)?,
        })
    }
}
