//! Waystation's sync wire protocol, version 1: the JSON bodies a field laptop
//! and the central service exchange, shared by the sync client and the
//! service so that both sides serialize exactly the same types.
//!
//! Every request carries the [`PROTOCOL_HEADER`] with [`PROTOCOL_VERSION`];
//! a service that cannot speak it answers with [`ErrorCode::ProtocolTooOld`]
//! or [`ErrorCode::ProtocolTooNew`]. Devices authenticate with
//! `Authorization: Bearer <device_id>.<secret>` (see [`DeviceCredential`]).
//! Operations travel as [`waystation_core::Operation`], unchanged. Every sync
//! answer carries the [`ServerEpoch`]: when it changes, the service's data was
//! restored from a backup and acknowledged operations may be gone, so the
//! client re-sends its whole op log and pulls from the start.
//!
//! No HTTP framework here: only serde types, constants and their checks.
//!
//! The design this crate is part of is in the repository's `docs/` (docs/sync.md).

pub mod admin;
mod credential;
mod error;
mod messages;
pub mod paths;

pub use credential::{DeviceCredential, DeviceSecret, EnrollmentCode, Password};
pub use error::{ErrorBody, ErrorCode, ProtocolError};
pub use messages::{
    EnrollRequest, EnrollResponse, OpResult, OpStatus, PullCursor, PullRequest, PullResponse, PushRequest,
    PushResponse, ServerEpoch, SignInRequest, SignInResponse,
};

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The oldest protocol version the service still accepts.
pub const MIN_PROTOCOL_VERSION: u32 = 1;

/// The request header that carries the client's protocol version.
pub const PROTOCOL_HEADER: &str = "x-waystation-protocol";

/// The request header that carries the client application's version (shown to administrators).
pub const APP_VERSION_HEADER: &str = "x-waystation-app-version";

/// Default number of operations in one pull page.
pub const DEFAULT_PULL_LIMIT: u32 = 500;

/// Largest number of operations in one pull page.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// Check a client's protocol version against what this side speaks.
pub fn check_version(client: u32) -> Result<(), ProtocolError> {
    if client < MIN_PROTOCOL_VERSION {
        Err(ProtocolError::TooOld { client, min: MIN_PROTOCOL_VERSION })
    } else if client > PROTOCOL_VERSION {
        Err(ProtocolError::TooNew { client, max: PROTOCOL_VERSION })
    } else {
        Ok(())
    }
}

/// Parse the [`PROTOCOL_HEADER`]'s value and check it.
pub fn check_version_header(value: Option<&str>) -> Result<u32, ProtocolError> {
    let text = value.ok_or(ProtocolError::Missing)?;
    let v: u32 = text.trim().parse().map_err(|_| ProtocolError::Malformed)?;
    check_version(v)?;
    Ok(v)
}

#[cfg(test)]
mod tests;

/// A pattern a string matches when it holds a character that is not
/// [`is_schema_space`]: spelled out, as regex engines disagree on `\S`.
pub const NOT_ONLY_SPACE_PATTERN: &str =
    "[^\\t\\n\\u000b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

/// White space as JSON Schema patterns see it (ECMAScript's `\s`: its
/// WhiteSpace and LineTerminator characters), so that a rule the service
/// checks and the pattern its OpenAPI document gives agree on every string.
pub fn is_schema_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}
