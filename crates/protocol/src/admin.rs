//! The admin API's bodies, for the sync administrators' console.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use waystation_core::{CaseId, Conflict, DeviceId, OpId, OrgId, Role, UserName};

use crate::credential::Password;

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
