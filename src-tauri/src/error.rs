//! The one error every command answers with: `{code, message}` plus, where it
//! helps the screen, which fields were refused or how long a lockout lasts.
//! The UI branches on `code`, never on `message`; messages are plain words and
//! never carry case data, SQL, paths or secrets.

use chrono::Utc;
use serde::Serialize;
use waystation_core::FieldError;
use waystation_store::StoreError;

/// Stable codes the UI branches on (`ui/src/bindings/ErrorCode.ts`, generated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Input refused; `fields` says where.
    Invalid,
    /// The passphrase does not unlock this user's key.
    WrongPassphrase,
    /// Too many wrong passphrases; `retry_after_secs` says how long.
    LockedOut,
    /// The store is locked: unlock first.
    Locked,
    /// No store on this device yet.
    NoStore,
    /// A store already exists on this device.
    StoreExists,
    /// No such case or user.
    NotFound,
    /// A new passphrase is refused by policy.
    WeakPassphrase,
    /// The sync service cannot be reached.
    Offline,
    /// The last sync failed; `message` says why in plain words.
    SyncFailed,
    /// An administrator revoked this device; its store was wiped.
    Revoked,
    /// Not available in this build.
    Unavailable,
    /// Anything else.
    Internal,
}

/// One refused field, named by its path in the case document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FieldProblem {
    /// The field's path (`child.date_of_birth`, `adults[0].name`).
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
}

/// A command's failure, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{code:?}: {message}")]
pub struct CommandError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// Plain words.
    pub message: String,
    /// The fields refused, for `invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<_>", optional)]
    pub fields: Vec<FieldProblem>,
    /// Seconds until a lockout ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub retry_after_secs: Option<u64>,
    /// Wrong passphrases left before a lockout.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub attempts_left: Option<u32>,
}

/// What every command returns.
pub type CommandResult<T> = Result<T, CommandError>;

impl CommandError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: Vec::new(), retry_after_secs: None, attempts_left: None }
    }

    /// The store is locked.
    pub fn locked() -> Self {
        Self::new(ErrorCode::Locked, "the store is locked")
    }

    /// One field refused.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let problem = FieldProblem { field: field.into(), message: message.into() };
        Self {
            fields: vec![problem.clone()],
            ..Self::new(ErrorCode::Invalid, format!("{}: {}", problem.field, problem.message))
        }
    }
}

impl CommandError {
    /// Several fields refused at once (a form's every problem).
    pub fn fields(problems: Vec<FieldProblem>) -> Self {
        let message = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; ");
        Self { fields: problems, ..Self::new(ErrorCode::Invalid, message) }
    }
}

impl From<Vec<FieldError>> for CommandError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::fields(errors.into_iter().map(|e| FieldProblem { field: e.field, message: e.message }).collect())
    }
}

impl From<FieldError> for CommandError {
    fn from(e: FieldError) -> Self {
        Self::field(e.field, e.message)
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        use ErrorCode as C;
        match e {
            StoreError::WrongPassphrase { attempts_left } => {
                Self { attempts_left: Some(attempts_left), ..Self::new(C::WrongPassphrase, "wrong passphrase") }
            }
            StoreError::LockedOut { until } => {
                let secs = (until - Utc::now()).num_seconds().max(1);
                Self {
                    retry_after_secs: Some(u64::try_from(secs).unwrap_or(1)),
                    ..Self::new(C::LockedOut, "too many wrong passphrases")
                }
            }
            e @ StoreError::PassphrasePolicy { .. } => Self::new(C::WeakPassphrase, e.to_string()),
            StoreError::UnknownUser(_) => Self::new(C::NotFound, "no such user on this device"),
            StoreError::NotAStore => Self::new(C::NoStore, "there is no store on this device"),
            StoreError::AlreadyExists => Self::new(C::StoreExists, "a store already exists on this device"),
            e @ StoreError::CaseNotFound(_) => Self::new(C::NotFound, e.to_string()),
            StoreError::InvalidChange { field, message, .. } => Self::field(field, message),
            e @ (StoreError::UserExists(_) | StoreError::CaseExists(_) | StoreError::LastUser) => {
                Self::new(C::Invalid, e.to_string())
            }
            e @ (StoreError::NewerSchema { .. } | StoreError::DatabaseKeyMismatch | StoreError::Damaged(_)) => {
                Self::new(C::Internal, e.to_string())
            }
            // Database and file errors can name SQL or paths: say only what failed.
            _ => Self::new(C::Internal, "the local store could not be read or written"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_lockout_says_how_long_in_seconds() {
        let until = Utc::now() + chrono::TimeDelta::seconds(540);
        let e = CommandError::from(StoreError::LockedOut { until });
        assert_eq!(e.code, ErrorCode::LockedOut);
        let secs = e.retry_after_secs.unwrap();
        assert!((530..=540).contains(&secs), "{secs}");
    }

    #[test]
    fn a_refused_change_names_its_field_and_serializes_for_the_ui() {
        let e = CommandError::from(FieldError::new("child.date_of_birth", "is in the future"));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "invalid",
                "message": "child.date_of_birth: is in the future",
                "fields": [{"field": "child.date_of_birth", "message": "is in the future"}]
            })
        );
    }

    #[test]
    fn io_errors_do_not_leak_paths() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "/home/agent/.local/share/store/db");
        let e = CommandError::from(StoreError::Io(io));
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(!e.message.contains('/'), "{}", e.message);
    }
}
