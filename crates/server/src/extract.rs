//! Request guards: the protocol version, the device credential (and
//! revocation, checked on every `/v1` route), admin sessions, and JSON bodies
//! whose every failure is a 4xx with a clear message.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use waystation_protocol::{APP_VERSION_HEADER, DeviceCredential, PROTOCOL_HEADER, check_version_header};

use crate::app::AppState;
use crate::error::ApiError;
use crate::secrets;
use crate::storage::{DeviceRecord, SessionLookup, UserRecord};

/// The protocol version a device request declared (set by [`protocol_gate`]).
#[derive(Debug, Clone, Copy)]
pub struct ClientProtocol(pub u32);

fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Refuse a request whose protocol version this service does not speak.
pub async fn protocol_gate(mut req: Request, next: Next) -> Response {
    let header = req.headers().get(PROTOCOL_HEADER).map(|v| v.to_str().unwrap_or("?"));
    match check_version_header(header) {
        Ok(v) => {
            req.extensions_mut().insert(ClientProtocol(v));
            next.run(req).await
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// On every `/v1` route: a request bearing the credential of a revoked
/// device is refused with `device_revoked`, whatever it asks. A valid
/// credential of a live device is kept for [`DeviceAuth`].
pub async fn device_gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    if let Some(cred) = bearer(&parts).and_then(|t| t.parse::<DeviceCredential>().ok()) {
        match state.storage.device(cred.device_id).await {
            Ok(Some(device))
                if secrets::same_hash(&device.secret_hash, &secrets::hash_secret(cred.secret.expose())) =>
            {
                if device.revoked {
                    tracing::warn!(device = %device.id, "a revoked device was refused");
                    return ApiError::revoked().into_response();
                }
                if device.enrollment_expired(state.clock.now()) {
                    tracing::warn!(device = %device.id, "a device whose enrollment expired was refused");
                    return ApiError::new(
                        axum::http::StatusCode::UNAUTHORIZED,
                        waystation_protocol::ErrorCode::EnrollmentCodeExpired,
                        "this device's enrollment was never completed (no sign-in before its code expired); \
                         ask an administrator for a new enrollment code",
                    )
                    .into_response();
                }
                parts.extensions.insert(device);
            }
            Ok(_) => {}
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

/// An authenticated, live device.
#[derive(Debug, Clone)]
pub struct DeviceAuth(pub DeviceRecord);

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(device) = parts.extensions.get::<DeviceRecord>().cloned() else {
            return Err(if bearer(parts).is_some() {
                ApiError::unauthorized("the device credential is not valid; enroll the device again")
            } else {
                ApiError::unauthorized(
                    "this route needs a device credential: Authorization: Bearer <device id>.<secret>",
                )
            });
        };
        // Until its first sign-in, a device may only sign in: it holds no store yet.
        if device.complete_by.is_some() && parts.uri.path() != waystation_protocol::paths::SIGNIN {
            return Err(ApiError::forbidden(
                "this device has not completed its enrollment: sign in first (run enroll again with the same code)",
            ));
        }
        let protocol = parts.extensions.get::<ClientProtocol>().map(|p| p.0).unwrap_or_default();
        let app = parts
            .headers
            .get(APP_VERSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(64).collect::<String>());
        let due = state.contacts.lock().map_or(true, |mut seen| {
            let fresh = seen.get(&device.id).is_some_and(|(at, p, a)| {
                at.elapsed() < std::time::Duration::from_secs(60) && *p == protocol && (app.is_none() || *a == app)
            });
            if !fresh {
                seen.insert(device.id, (std::time::Instant::now(), protocol, app.clone()));
            }
            !fresh
        });
        if due {
            state.storage.touch_device(device.id, state.clock.now(), app.as_deref(), protocol).await?;
        }
        Ok(Self(device))
    }
}

/// The console's session cookie.
pub const SESSION_COOKIE: &str = "waystation_admin";
/// The header a console request that changes something carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The CSRF token of a session: derived from its token (which only the
/// `HttpOnly` cookie holds), so the page learns it from the session's answer
/// and another site's page, which can make the browser send the cookie but
/// cannot read it, cannot know it.
pub fn csrf_of(token: &str) -> String {
    secrets::hash_secret(&format!("waystation console csrf v1:{token}"))
}

/// The session token a request carries, and whether it came in the cookie.
fn session_token(parts: &Parts) -> Option<(String, bool)> {
    if let Some(t) = bearer(parts) {
        return Some((t.to_owned(), false));
    }
    cookie_token(parts).map(|t| (t, true))
}

/// The console's cookie, when the request carries one.
fn cookie_token(parts: &Parts) -> Option<String> {
    let cookies = parts.headers.get_all(axum::http::header::COOKIE);
    cookies
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// What a role may do on the admin routes: a sync administrator everything
/// (in its own organization), a supervisor reads and settles conflicts.
fn role_may(role: waystation_core::Role, method: &axum::http::Method, path: &str) -> bool {
    use waystation_core::Role;
    match role {
        Role::SyncAdmin => true,
        Role::Supervisor => {
            method == axum::http::Method::GET
                || path == waystation_protocol::paths::ADMIN_LOGOUT
                || (path.starts_with("/v1/admin/conflicts/") && path.ends_with("/settle"))
        }
        Role::Agent | Role::NgoStaff => false,
    }
}

/// An authenticated administrator (role `sync_admin`, or `supervisor` for
/// what [`role_may`] lets it), checked on every admin route: by the
/// `Authorization: Bearer` token of `POST /v1/admin/login`, or by the
/// console's cookie — then every request that changes something must carry
/// the session's CSRF token. A session ends when idle
/// (`admin_idle_minutes`) or past its life.
#[derive(Debug, Clone)]
pub struct AdminAuth(pub UserRecord);

/// The session behind an [`AdminAuth`]: its token's hash, when it ends, and
/// whether it came in the cookie.
#[derive(Debug, Clone)]
pub struct AdminSessionRef {
    /// SHA-256 of the token.
    pub token_hash: String,
    /// The token's CSRF token.
    pub csrf: String,
    /// When it ends.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// Whether it came in the cookie (the console) rather than a bearer header.
    pub cookie: bool,
}

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<(AdminAuth, AdminSessionRef)>() {
            return Ok(a.0.clone());
        }
        let (token, cookie) = session_token(parts).ok_or_else(|| {
            ApiError::unauthorized(
                "admin routes need a session: sign in to the console, or POST /v1/admin/login and send \
                 Authorization: Bearer <token>",
            )
        })?;
        let hash = secrets::hash_secret(&token);
        let idle = chrono::Duration::minutes(state.settings.admin_idle_minutes.clamp(1, 30));
        let now = state.clock.now();
        let (user, expires_at) = match state.storage.session(&hash, now, idle).await? {
            SessionLookup::Live(user, expires_at) => (user, expires_at),
            SessionLookup::Ended => {
                return Err(ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    waystation_protocol::ErrorCode::SessionExpired,
                    format!(
                        "the session ended (after {} minutes without activity, or at the end of its life); sign in \
                         again",
                        idle.num_minutes()
                    ),
                ));
            }
            SessionLookup::Missing => {
                return Err(ApiError::unauthorized("the admin session is not valid or expired; sign in again"));
            }
        };
        // A request with both a bearer token and the console's cookie is
        // taken only when the cookie is a live session of the same user: no
        // credential it carries is ignored.
        if !cookie && let Some(other) = cookie_token(parts) {
            let same = match state.storage.session(&secrets::hash_secret(&other), now, idle).await? {
                SessionLookup::Live(u, _) => u.name == user.name,
                SessionLookup::Ended | SessionLookup::Missing => false,
            };
            if !same {
                return Err(ApiError::unauthorized(
                    "the request carries a console cookie that is not a live session of the same user; send one \
                     session only",
                ));
            }
        }
        let csrf = csrf_of(&token);
        let changes = !matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD);
        if cookie && changes {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !secrets::same_hash(sent, &csrf) {
                return Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    waystation_protocol::ErrorCode::Csrf,
                    "this request changes something and came without the session's CSRF token; nothing was \
                     changed (reload the console)",
                ));
            }
        }
        if !role_may(user.role, &parts.method, parts.uri.path()) {
            return Err(ApiError::forbidden(match user.role {
                waystation_core::Role::Supervisor => {
                    "a supervisor may read the console and settle conflicts, not change devices, codes, users or \
                     organizations"
                }
                _ => "only a sync administrator or a supervisor may use the admin API",
            }));
        }
        let auth = AdminAuth(user);
        let session = AdminSessionRef { token_hash: hash, csrf, expires_at, cookie };
        parts.extensions.insert((auth.clone(), session));
        Ok(auth)
    }
}

impl FromRequestParts<AppState> for AdminSessionRef {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        AdminAuth::from_request_parts(parts, state).await?;
        parts
            .extensions
            .get::<(AdminAuth, AdminSessionRef)>()
            .map(|a| a.1.clone())
            .ok_or_else(|| ApiError::unauthorized("the admin session is not valid or expired; sign in again"))
    }
}

/// A JSON body: over the size limit → 413 `payload_too_large` with the
/// limit; anything unreadable → 400 `bad_request` saying what is wrong.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.settings.max_body_bytes;
        let too_large = || {
            ApiError::too_large(
                limit,
                format!("the body is larger than {limit} bytes; send fewer operations per request"),
            )
        };
        let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let bytes = match axum::body::to_bytes(req.into_body(), limit).await {
            Ok(b) => b,
            Err(e) => {
                let is_limit = std::error::Error::source(&e)
                    .is_some_and(|s| s.downcast_ref::<http_body_util::LengthLimitError>().is_some())
                    || e.into_inner().downcast_ref::<http_body_util::LengthLimitError>().is_some();
                return Err(if is_limit {
                    too_large()
                } else {
                    ApiError::bad_request("the request body could not be read")
                });
            }
        };
        if bytes.is_empty() {
            return Err(ApiError::bad_request("the request needs a JSON body"));
        }
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| ApiError::bad_request(format!("the JSON body is not valid: {e}")))
    }
}
