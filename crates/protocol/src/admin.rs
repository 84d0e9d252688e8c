//! The admin API's bodies, for the sync administrators' console.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use waystation_core::{CaseId, Conflict, DeviceId, OpId, OrgId, Role, UserName};

use crate::credential::Password;
use crate::messages::{OpStatus, PullCursor};

/// `POST /v1/admin/login`: a `sync_admin` user signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminLoginRequest {
    /// The user.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub user: UserName,
    /// The password.
    pub password: Password,
}

/// An admin session: send `Authorization: Bearer <token>` on admin routes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSession {
    /// The session token (the service keeps only its hash).
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The administrator.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub user: UserName,
    /// The administrator's organization: what the session sees.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org: OrgId,
}

impl std::fmt::Debug for AdminSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminSession")
            .field("token", &"(redacted)")
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .field("org", &self.org)
            .finish()
    }
}

/// One enrolled device, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInfo {
    /// The device.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: DeviceId,
    /// Its label.
    pub name: String,
    /// Its organization.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org: OrgId,
    /// The role it syncs as.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// When it enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// Its last request.
    pub last_contact: Option<DateTime<Utc>>,
    /// The app version it last reported.
    pub app_version: Option<String>,
    /// The protocol version it last spoke.
    pub protocol_version: Option<u32>,
    /// The last operation it pushed that was accepted.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub last_pushed_op: Option<OpId>,
    /// Whether it was revoked.
    pub revoked: bool,
    /// The cursor of the last pull page it was served (that page's
    /// `next_cursor`); `None` when it never pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulled_through: Option<PullCursor>,
    /// When it was served that page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_pull_at: Option<DateTime<Utc>>,
    /// How many entries of its organization's change feed follow
    /// `pulled_through` (all of them when it never pulled), counted when the
    /// list is asked for. An upper bound of what it still has to receive: the
    /// feed holds its own operations too, and notes its role may not read,
    /// which a pull passes over without sending.
    #[serde(default)]
    pub behind: u64,
    /// How many operations it pushed were refused (each refusal answered
    /// counts, so an operation sent again and refused again counts twice).
    #[serde(default)]
    pub refused_ops: u64,
    /// The last refusal it was answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_refusal: Option<Refusal>,
    /// Set while the device was enrolled but never completed its first
    /// sign-in: the end of its code's life. Until then it shows as "never
    /// completed"; after it, its credential is refused and it shows as
    /// expired (see [`DeviceInfo::standing`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_by: Option<DateTime<Utc>>,
}

/// Where a device stands, for administrators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceStanding {
    /// Enrolled and signed in: it syncs.
    Active,
    /// Enrolled, never signed in, its code still alive: a laptop may yet finish.
    NeverCompleted,
    /// Enrolled, never signed in before its code's life ended: its credential is refused.
    Expired,
    /// Revoked by an administrator.
    Revoked,
}

impl DeviceStanding {
    /// The word `device list` and the console show.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceStanding::Active => "active",
            DeviceStanding::NeverCompleted => "never completed",
            DeviceStanding::Expired => "expired (never completed)",
            DeviceStanding::Revoked => "revoked",
        }
    }
}

impl DeviceInfo {
    /// Where the device stands at `now`.
    pub fn standing(&self, now: DateTime<Utc>) -> DeviceStanding {
        match (self.revoked, self.complete_by) {
            (true, _) => DeviceStanding::Revoked,
            (false, None) => DeviceStanding::Active,
            (false, Some(by)) if by > now => DeviceStanding::NeverCompleted,
            (false, Some(_)) => DeviceStanding::Expired,
        }
    }
}

/// A refusal of a pushed operation, as administrators see it: never a case's
/// content (the message is kept only when it is one of the service's fixed
/// rule texts, which carry no value of the operation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refusal {
    /// What became of the operation (one of the `refused_*` statuses).
    pub status: OpStatus,
    /// The rule it broke, when that text names no value of the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When it was refused.
    pub at: DateTime<Utc>,
}

/// One user, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    /// Sign-in name.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub name: UserName,
    /// Organization.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org: OrgId,
    /// Role.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// One organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgInfo {
    /// Its short id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: OrgId,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// The recorded conflicts of one case (never of notes: sync administrators read only general content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseConflicts {
    /// The case.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub case_id: CaseId,
    /// Its owner.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner: Option<OrgId>,
    /// Its conflicting fields.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub conflicts: Vec<Conflict>,
}
