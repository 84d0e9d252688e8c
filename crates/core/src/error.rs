//! The error every parse in `core` returns: which field, and what is wrong
//! with it, in plain words.

use std::fmt;

/// A value that was refused at the boundary. `field` is the path of the field
/// in the case document (`child.date_of_birth`, `referrals[2].to`), `message`
/// says what is wrong in words a field agent understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct FieldError {
    /// Path of the offending field.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A new error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// The same error, placed under a parent path (`child` + `name` → `child.name`).
    pub fn under(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_owned()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// One refused field as a list of them (edits refuse every field at once).
impl From<FieldError> for Vec<FieldError> {
    fn from(e: FieldError) -> Self {
        vec![e]
    }
}
