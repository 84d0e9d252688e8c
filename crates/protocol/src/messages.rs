//! The sync messages: enroll, sign in, push, pull.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use waystation_core::{DeviceId, OpId, Operation, OrgId, Role, UserName};

use crate::credential::{DeviceSecret, EnrollmentCode, Password};
use crate::error::ProtocolError;

/// The service's epoch: an id that changes when the service's data is
/// restored from a backup. A client that sees it change re-sends every
/// operation it has (the service acknowledges the ones it kept as
/// duplicates) and pulls again from [`PullCursor::start`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct ServerEpoch(pub String);

impl fmt::Display for ServerEpoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a device is in the service's change feed. Opaque to the client:
/// store it as given, in the same transaction as the operations it applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct PullCursor(String);

impl PullCursor {
    /// The cursor before everything: a device that has pulled nothing.
    pub fn start() -> Self {
        Self("0".into())
    }
    /// A cursor at a feed position (the service's side).
    pub fn at(position: u64) -> Self {
        Self(position.to_string())
    }
    /// The feed position (the service's side).
    pub fn position(&self) -> Result<u64, ProtocolError> {
        if self.0.is_empty() {
            return Ok(0);
        }
        // Exactly `PullCursor::PATTERN` (`u64`'s parser would also take a `+`).
        if self.0.len() > 19 || !self.0.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ProtocolError::BadCursor);
        }
        self.0.parse().map_err(|_| ProtocolError::BadCursor)
    }

    /// What a cursor looks like (the OpenAPI document says it): at most 19 digits.
    pub const PATTERN: &'static str = "^[0-9]{0,19}$";
    /// The cursor as text, for a query string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// A cursor from stored text (the client's side).
    pub fn from_stored(text: impl Into<String>) -> Self {
        Self(text.into())
    }
}

impl Default for PullCursor {
    fn default() -> Self {
        Self::start()
    }
}

/// `POST /v1/enroll`: a new device presents a one-time code. No device credential yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollRequest {
    /// The code an administrator printed with `waystation-server device code`.
    pub code: EnrollmentCode,
    /// A label for administrators (`station-7 laptop 3`); kept out of logs.
    pub device_name: String,
    /// The app's version, shown to administrators.
    pub app_version: String,
    /// The device's enrollment request id, made before its first try and kept
    /// beside the store's folder. Not secret: without the code it opens
    /// nothing. The service binds the code to it on first use; a retry with
    /// the same code and id, within the code's life, finishes the same
    /// enrollment (same device, a new credential replacing the earlier one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The answer to an enrollment: the device's credentials, given once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollResponse {
    /// The new device's id.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub device_id: DeviceId,
    /// Its secret; the service keeps only a hash. Send `Bearer <device_id>.<secret>`.
    pub device_secret: DeviceSecret,
    /// The organization the device belongs to.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org: OrgId,
    /// The role the device syncs as: it receives only what this role may read.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// The service's epoch.
    pub server_epoch: ServerEpoch,
}

/// `POST /v1/signin` (device credential required): a user's first sign-in on a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    /// The user's sign-in name.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub user: UserName,
    /// The password.
    pub password: Password,
}

/// The answer to a sign-in: what the device needs to create the local user,
/// whose passphrase then unlocks the store offline (the device derives its
/// own key-wrapping key from the passphrase; nothing secret comes back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInResponse {
    /// The user.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub user: UserName,
    /// The user's organization (always the device's).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org: OrgId,
    /// The user's role.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// The device signed in on.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub device_id: DeviceId,
    /// When the service checked the password.
    pub verified_at: DateTime<Utc>,
    /// The service's epoch.
    pub server_epoch: ServerEpoch,
}

/// `POST /v1/push`: a batch of operations from the device's outbox, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    /// The operations (1 to a few thousand; halve on `payload_too_large`).
    pub ops: Vec<Operation>,
}

/// What became of one pushed operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OpStatus {
    /// Stored now.
    Accepted,
    /// Stored before, with identical content: acknowledged again.
    Duplicate,
    /// An operation with this id was stored before with different content;
    /// the stored one is kept (the 409 of other sync systems).
    RefusedDifferentContent,
    /// The operation is not valid (see the message); nothing was stored.
    RefusedInvalid,
    /// This device may not change this case (or act as this user).
    RefusedForbidden,
}

impl OpStatus {
    /// Whether the service holds the operation: the client may drop it from its outbox.
    pub fn is_acknowledged(self) -> bool {
        matches!(self, OpStatus::Accepted | OpStatus::Duplicate)
    }
}

/// The result for one operation of a push, in the order they were sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpResult {
    /// The operation.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: OpId,
    /// What became of it.
    pub status: OpStatus,
    /// Why, for a refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The answer to a push: one result per operation, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One per pushed operation.
    pub results: Vec<OpResult>,
    /// The service's epoch.
    pub server_epoch: ServerEpoch,
}

/// `GET /v1/pull?after=CURSOR&limit=N`: the query of a pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct PullRequest {
    /// The cursor the last page returned; absent or `0` from the start.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub after: Option<PullCursor>,
    /// Page size: default 500, at most 1000.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Operations the device may see, in feed order. An operation may come
    /// again (for instance when a case is shared with the device's
    /// organization later): apply by id, at most once. The operations the
    /// pulling device pushed itself are left out (it holds them).
    pub ops: Vec<Operation>,
    /// Where to continue: store it with the applied operations. It moves past
    /// the operations left out too.
    pub next_cursor: PullCursor,
    /// Whether more pages follow now. A page may be empty with `more` set
    /// (everything in it was left out): continue from `next_cursor`.
    pub more: bool,
    /// The service's epoch.
    pub server_epoch: ServerEpoch,
}
