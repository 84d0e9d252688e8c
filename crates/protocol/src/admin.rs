//! The admin API's bodies, for the sync administrators' console.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use waystation_core::{CaseId, Conflict, DeviceId, FieldKey, OpId, OrgId, Role, UserName};

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
    /// Where it stands, in one word (set by the admin routes; see [`DeviceInfo::state_at`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<DeviceState>,
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
    /// Its one-word state at `now`, silent after `silent_after` without contact.
    pub fn state_at(&self, now: DateTime<Utc>, silent_after: chrono::Duration) -> DeviceState {
        match self.standing(now) {
            DeviceStanding::Revoked => DeviceState::Revoked,
            DeviceStanding::Expired => DeviceState::Expired,
            DeviceStanding::NeverCompleted => DeviceState::NeverCompleted,
            DeviceStanding::Active => {
                if self.last_contact.is_none_or(|at| now - at > silent_after) {
                    DeviceState::Silent
                } else if self.refused_ops > 0 {
                    DeviceState::Refused
                } else if self.behind > 0 {
                    DeviceState::Behind
                } else {
                    DeviceState::Syncing
                }
            }
        }
    }

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
    /// Whether it was disabled: its sign-ins are refused, on the console and on every device.
    #[serde(default)]
    pub disabled: bool,
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
    /// What it is to the administrator who asks: their own organization, a
    /// partner (a case is shared between them), or one their organization
    /// added as a partner cases can be referred to. `None` in the service's
    /// own listing of every organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<OrgRelation>,
}

/// What an organization is to an administrator's organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrgRelation {
    /// The administrator's own.
    Own,
    /// A case is shared between the two, either way.
    Partner,
    /// Added by an administrator of this organization (cases may be referred to it).
    Added,
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
    /// The case's short reference, as the screens show it (the end of its id): never a child's name.
    #[serde(default)]
    pub reference: String,
    /// Its conflicting fields.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub conflicts: Vec<Conflict>,
}

/// The short reference of a case, as the screens show it.
pub fn case_reference(id: CaseId) -> String {
    let s = id.to_string();
    s[s.len().saturating_sub(8)..].to_owned()
}

/// Where a device stands, one word per device, for the console's filters
/// and counts (the first that applies, in this order: revoked, expired,
/// never completed, silent, refused, behind, syncing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeviceState {
    /// Recent contact, nothing waiting, nothing refused.
    Syncing,
    /// No contact for more than the silence threshold (or none since enrolling).
    Silent,
    /// In contact, but its last pull left entries of its feed to receive.
    Behind,
    /// Operations it pushed were refused.
    Refused,
    /// Enrolled, its first sign-in not done yet.
    NeverCompleted,
    /// Enrolled, never signed in before its code's life ended.
    Expired,
    /// Revoked.
    Revoked,
}

/// `POST /v1/admin/session`: an administrator signs in to the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsoleSignIn {
    /// The user.
    pub user: String,
    /// The password.
    pub password: Password,
}

/// A console session (the token itself is only in the `HttpOnly` cookie).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsoleSession {
    /// The administrator.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub user: UserName,
    /// Their organization: all the console shows.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org: OrgId,
    /// Their role (`sync_admin` or `supervisor`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// Send as `X-CSRF-Token` on every request that changes something.
    pub csrf_token: String,
    /// The session ends after this many seconds without a request.
    pub idle_timeout_secs: u64,
    /// The session ends at this time, whatever happens.
    pub expires_at: DateTime<Utc>,
}

/// How many devices are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceCounts {
    /// Every device.
    pub total: u64,
    /// Syncing.
    pub syncing: u64,
    /// Silent.
    pub silent: u64,
    /// Behind.
    pub behind: u64,
    /// With refused operations.
    pub refused: u64,
    /// Never completed.
    pub never_completed: u64,
    /// Expired.
    pub expired: u64,
    /// Revoked.
    pub revoked: u64,
}

/// Something an administrator should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// The device's state.
    pub kind: DeviceState,
    /// The device.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub device: DeviceId,
    /// Its label.
    pub device_name: String,
    /// Since when (its last contact, or its enrollment).
    pub since: Option<DateTime<Utc>>,
    /// In plain words.
    pub detail: String,
}

/// `GET /v1/admin/overview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overview {
    /// When it was counted.
    pub now: DateTime<Utc>,
    /// A device with no contact for longer is silent.
    pub silent_after_days: u32,
    /// Devices by state.
    pub devices: DeviceCounts,
    /// Operations received in the last 24 hours, of the cases the organization sees.
    pub ops_last_day: u64,
    /// Conflicting fields of the cases the organization sees.
    pub open_conflicts: u64,
    /// The live device whose last contact is oldest.
    pub oldest_unsynced: Option<DeviceInfo>,
    /// Problems, the most urgent first.
    pub problems: Vec<Problem>,
}

/// One entry of the service's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Its place in the chain.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who: a user name, `device:<id>`, or `service`.
    pub actor: String,
    /// What, as a fixed word (`console.sign_in`, `device.revoke`, …).
    pub action: String,
    /// On what (a device id, a user name, a code id, a case id), or empty.
    pub target: String,
    /// `ok`, or why it was refused.
    pub outcome: String,
}

/// `GET /v1/admin/devices/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceDetail {
    /// The device.
    pub device: DeviceInfo,
    /// What the audit trail holds about it, newest first.
    pub history: Vec<AuditEntry>,
}

/// An unused enrollment code (never the code itself: only its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeInfo {
    /// Its id.
    pub id: String,
    /// The organization a device enrolled with it belongs to.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org: OrgId,
    /// The role that device syncs as.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Who issued it (empty when it was issued on the service's command line).
    pub created_by: Option<String>,
}

/// `POST /v1/admin/codes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCodeRequest {
    /// The role a device enrolled with it syncs as.
    pub role: String,
    /// Its life in hours (1 to 720; 72 when absent). A whole number, which
    /// JSON may write with a zero fraction (`24.0`).
    #[serde(default, deserialize_with = "whole_hours")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 1, maximum = 720))]
    pub ttl_hours: Option<i64>,
}

/// A whole number of hours, also written with a zero fraction; `null` is none.
fn whole_hours<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(f as i64)),
            _ => Err(D::Error::custom(format!("ttl_hours: {n} is not a whole number of hours"))),
        },
    }
}

/// A code just issued: the only time the code is shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedCode {
    /// Its id (to cancel it).
    pub id: String,
    /// The one-time code a laptop enrolls with.
    pub code: String,
    /// Its organization.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub org: OrgId,
    /// Its role.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCode").field("id", &self.id).field("code", &"(redacted)").finish_non_exhaustive()
    }
}

/// `POST /v1/admin/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUserRequest {
    /// Sign-in name.
    pub name: String,
    /// Role.
    pub role: String,
    /// First password (at least 12 characters).
    pub password: Password,
}

/// `PATCH /v1/admin/users/{name}`: what to change (at least one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserChange {
    /// A new role.
    #[serde(default)]
    pub role: Option<String>,
    /// Disable (`true`) or enable (`false`).
    #[serde(default)]
    pub disabled: Option<bool>,
    /// A new password (at least 12 characters).
    #[serde(default)]
    pub password: Option<Password>,
}

/// `POST /v1/admin/orgs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewOrgRequest {
    /// Its short id (lower-case letters, digits, `-`).
    pub id: String,
}

/// `POST /v1/admin/conflicts/{case_id}/settle`: keep one of a conflict's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettleRequest {
    /// The conflicting field (as the conflict names it).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub key: FieldKey,
    /// The write whose value to keep.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub keep: OpId,
}

/// What settling wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettleResult {
    /// The settling operation, which every device holding the case pulls.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub op: OpId,
    /// The case's conflicts left.
    pub case: CaseConflicts,
}
