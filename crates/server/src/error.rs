//! Every HTTP error goes through [`ApiError`]: a status, a stable code and a
//! plain message, as [`ErrorBody`] JSON. Storage failures become a 500 or
//! 503 whose body says nothing about SQL, paths or secrets.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use waystation_protocol::{ErrorBody, ErrorCode, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, ProtocolError};

use crate::storage::StorageError;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorBody,
}

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, body: ErrorBody::new(code, message) }
    }
    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }
    /// 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }
    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }
    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }
    /// 403 `device_revoked`: the device must wipe its key material.
    pub fn revoked() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::DeviceRevoked,
            "this device was revoked by an administrator; its data must be wiped",
        )
    }
    /// 413 `payload_too_large`, with the limit.
    pub fn too_large(limit: usize, message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, message);
        e.body.limit_bytes = Some(limit as u64);
        e
    }
    /// 429 `rate_limited`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("too many failed attempts; wait {retry_after_secs} seconds"),
        );
        e.body.retry_after_secs = Some(retry_after_secs);
        e
    }
}

impl ApiError {
    /// The same, naming the request field at fault.
    pub fn on_field(mut self, field: &str) -> Self {
        self.body.field = Some(field.to_owned());
        self
    }
}

impl From<ProtocolError> for ApiError {
    fn from(e: ProtocolError) -> Self {
        let status = match e.code() {
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::ProtocolTooOld | ErrorCode::ProtocolTooNew => StatusCode::UPGRADE_REQUIRED,
            _ => StatusCode::BAD_REQUEST,
        };
        let mut err = Self::new(status, e.code(), e.to_string());
        if matches!(e, ProtocolError::TooOld { .. } | ProtocolError::TooNew { .. } | ProtocolError::Missing) {
            err.body.supported_protocol = Some([MIN_PROTOCOL_VERSION, PROTOCOL_VERSION]);
        }
        err
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::AlreadyExists(what) => {
                Self::new(StatusCode::CONFLICT, ErrorCode::BadRequest, format!("{what} already exists"))
            }
            StorageError::Missing(what) => Self::not_found(format!("{what} does not exist")),
            other => {
                tracing::error!(error = %other, "storage failed");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "the service could not reach its database; nothing was written, retry later",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = self.body.retry_after_secs;
        let status = self.status;
        let mut response = (status, Json(self.body)).into_response();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body was not read: the connection cannot carry another request.
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(secs) = retry
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
