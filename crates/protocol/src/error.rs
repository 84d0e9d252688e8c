//! Errors on the wire: a stable code the client branches on, and a message
//! in plain words it can show.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, as a stable code. Clients branch on the code, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request is malformed: bad JSON, wrong types, unknown fields, bad ids.
    BadRequest,
    /// No credential, or one the service does not know.
    Unauthorized,
    /// Authenticated, but this device or user may not do this.
    Forbidden,
    /// The device was revoked: wipe its key material now.
    DeviceRevoked,
    /// No such route or thing.
    NotFound,
    /// The body is over the limit in `limit_bytes`: halve the batch and retry.
    PayloadTooLarge,
    /// The client's protocol is older than the service accepts: update the app.
    ProtocolTooOld,
    /// The client's protocol is newer than the service speaks: update the service.
    ProtocolTooNew,
    /// Too many attempts: wait `retry_after_secs`.
    RateLimited,
    /// The enrollment code is not known (or was mistyped).
    EnrollmentCodeInvalid,
    /// The enrollment code expired: ask an administrator for a new one.
    EnrollmentCodeExpired,
    /// The enrollment code was already used.
    EnrollmentCodeUsed,
    /// The user name or password is wrong.
    BadPassword,
    /// The request method is not allowed on this route.
    MethodNotAllowed,
    /// The service cannot answer now (its database is unreachable): retry later.
    Unavailable,
    /// The service failed; nothing was written. Retry later.
    Internal,
    /// A console request that changes something came without its session's CSRF token.
    Csrf,
    /// The console session ended (idle too long, or past its life): sign in again.
    SessionExpired,
    /// The thing to create exists already.
    AlreadyExists,
}

impl ErrorCode {
    /// The code's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::DeviceRevoked => "device_revoked",
            ErrorCode::NotFound => "not_found",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::ProtocolTooOld => "protocol_too_old",
            ErrorCode::ProtocolTooNew => "protocol_too_new",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::EnrollmentCodeInvalid => "enrollment_code_invalid",
            ErrorCode::EnrollmentCodeExpired => "enrollment_code_expired",
            ErrorCode::EnrollmentCodeUsed => "enrollment_code_used",
            ErrorCode::BadPassword => "bad_password",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Csrf => "csrf",
            ErrorCode::SessionExpired => "session_expired",
            ErrorCode::AlreadyExists => "already_exists",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong.
    pub code: ErrorCode,
    /// The same in plain words.
    pub message: String,
    /// With `payload_too_large`: the largest body accepted, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_bytes: Option<u64>,
    /// With `rate_limited`: seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// With `protocol_*`: the versions the service accepts, oldest and newest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_protocol: Option<[u32; 2]>,
    /// The request field at fault, when one is (a form shows the message beside it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    /// An error with only a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            limit_bytes: None,
            retry_after_secs: None,
            supported_protocol: None,
            field: None,
        }
    }
}

/// A protocol-level check that failed on either side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// No protocol version was sent.
    #[error("the request does not say its protocol version (header x-waystation-protocol)")]
    Missing,
    /// The version is not a number.
    #[error("the protocol version is not a number")]
    Malformed,
    /// The client is older than the service accepts.
    #[error("this app speaks sync protocol {client}, the service needs at least {min}: update the app")]
    TooOld {
        /// The client's version.
        client: u32,
        /// The oldest accepted.
        min: u32,
    },
    /// The client is newer than the service speaks.
    #[error("this app speaks sync protocol {client}, the service at most {max}: the service must be updated")]
    TooNew {
        /// The client's version.
        client: u32,
        /// The newest spoken.
        max: u32,
    },
    /// A device credential that is not `<device_id>.<secret>`.
    #[error("the device credential is not of the form <device id>.<secret>")]
    BadCredential,
    /// A pull cursor that this service did not make.
    #[error("the pull cursor is not one this service made")]
    BadCursor,
}

impl ProtocolError {
    /// The wire code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ProtocolError::TooOld { .. } => ErrorCode::ProtocolTooOld,
            ProtocolError::TooNew { .. } => ErrorCode::ProtocolTooNew,
            ProtocolError::BadCredential => ErrorCode::Unauthorized,
            ProtocolError::Missing | ProtocolError::Malformed | ProtocolError::BadCursor => ErrorCode::BadRequest,
        }
    }
}
