//! The service's routes, so the client and the service name them once.

/// `POST`: a device presents a one-time enrollment code ([`crate::EnrollRequest`]).
pub const ENROLL: &str = "/v1/enroll";
/// `POST`: a user's first, online sign-in on a device ([`crate::SignInRequest`]).
pub const SIGNIN: &str = "/v1/signin";
/// `POST`: a batch of operations ([`crate::PushRequest`]).
pub const PUSH: &str = "/v1/push";
/// `GET ?after=CURSOR&limit=N`: operations after a cursor ([`crate::PullResponse`]).
pub const PULL: &str = "/v1/pull";
/// `POST`: a sync administrator signs in to the admin API ([`crate::admin::AdminLoginRequest`]).
pub const ADMIN_LOGIN: &str = "/v1/admin/login";
/// `GET`: enrolled devices of the administrator's organization.
pub const ADMIN_DEVICES: &str = "/v1/admin/devices";
/// `POST /v1/admin/devices/{id}/revoke`: revoke a device.
pub const ADMIN_DEVICE_REVOKE: &str = "/v1/admin/devices/{id}/revoke";
/// `GET`: users of the administrator's organization.
pub const ADMIN_USERS: &str = "/v1/admin/users";
/// `GET`: organizations.
pub const ADMIN_ORGS: &str = "/v1/admin/orgs";
/// `GET`: recorded conflicts of the cases the administrator's organization sees.
pub const ADMIN_CONFLICTS: &str = "/v1/admin/conflicts";
/// `POST`: console sign-in (sets the session cookie); `GET`: the session.
pub const ADMIN_SESSION: &str = "/v1/admin/session";
/// `POST`: console sign-out.
pub const ADMIN_LOGOUT: &str = "/v1/admin/logout";
/// `GET`: the console's overview.
pub const ADMIN_OVERVIEW: &str = "/v1/admin/overview";
/// `GET`: one device and its history.
pub const ADMIN_DEVICE: &str = "/v1/admin/devices/{id}";
/// `GET`: unused enrollment codes; `POST`: issue one.
pub const ADMIN_CODES: &str = "/v1/admin/codes";
/// `POST`: cancel an unused code.
pub const ADMIN_CODE_CANCEL: &str = "/v1/admin/codes/{id}/cancel";
/// `PATCH`: change a user.
pub const ADMIN_USER: &str = "/v1/admin/users/{name}";
/// `POST`: settle a conflict of a case.
pub const ADMIN_CONFLICT_SETTLE: &str = "/v1/admin/conflicts/{case_id}/settle";
/// `GET`: the latest entries of the audit trail.
pub const ADMIN_AUDIT: &str = "/v1/admin/audit";
/// The console's pages.
pub const CONSOLE: &str = "/admin/";
/// `GET`: liveness.
pub const HEALTHZ: &str = "/healthz";
/// `GET`: readiness (the database answers).
pub const READYZ: &str = "/readyz";
/// `GET`: Prometheus metrics.
pub const METRICS: &str = "/metrics";
/// `GET`: the OpenAPI document.
pub const OPENAPI: &str = "/openapi.json";
