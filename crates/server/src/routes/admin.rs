//! The admin API: sync administrators (role `sync_admin`) see and act on
//! their own organization only. Every route but login takes [`AdminAuth`].

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use waystation_core::{DeviceId, Role, UserName};
use waystation_protocol::admin::{AdminLoginRequest, AdminSession, CaseConflicts, DeviceInfo, OrgInfo, UserInfo};
use waystation_protocol::{ErrorBody, ErrorCode, Password};

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AdminAuth, Body};
use crate::routes::sync::user_ref;
use crate::secrets;
use crate::storage::UserRecord;

/// Where a sign-in comes from: failures are slowed down per user *and*
/// per source, so failing a user's sign-in from one device (or address)
/// never locks that user out on another.
#[derive(Debug, Clone, Copy)]
pub enum SignInFrom {
    /// An enrolled device (its first, online sign-in).
    Device(waystation_core::DeviceId),
    /// A network address (the admin login).
    Address(std::net::IpAddr),
    /// The console's sign-in, from a network address: locked out for 10
    /// minutes after the free failures.
    Console(std::net::IpAddr),
}

/// Check a user's password, slowing down repeated failures per user name and source.
pub async fn check_password(
    state: &AppState,
    name: &UserName,
    password: &Password,
    from: SignInFrom,
    now: DateTime<Utc>,
) -> Result<UserRecord, ApiError> {
    let (key, limiter) = match from {
        SignInFrom::Device(d) => (format!("user:{name}|device:{d}"), &state.password_limiter),
        SignInFrom::Address(a) => (format!("user:{name}|address:{a}"), &state.password_limiter),
        SignInFrom::Console(a) => (format!("user:{name}|console:{a}"), &state.console_limiter),
    };
    if let Err(wait) = limiter.check(&key, now) {
        return Err(ApiError::rate_limited(wait));
    }
    let user = state.storage.user(name).await?;
    let hash =
        user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| secrets::dummy_password_hash().to_owned());
    let pw = zeroize::Zeroizing::new(password.expose().to_owned());
    let ok = tokio::task::spawn_blocking(move || secrets::verify_password(&pw, &hash)).await.unwrap_or(false);
    match user {
        Some(u) if ok && u.disabled => {
            tracing::warn!(user = %user_ref(name.as_str()), "a disabled user's sign-in was refused");
            Err(ApiError::forbidden("this user was disabled by an administrator; ask them to enable it again"))
        }
        Some(u) if ok => {
            limiter.succeed(&key);
            Ok(u)
        }
        _ => {
            limiter.fail(&key, now);
            tracing::warn!(user = %user_ref(name.as_str()), "sign-in failed");
            Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::BadPassword, "the user name or password is wrong"))
        }
    }
}

/// A sync administrator signs in.
#[utoipa::path(post, path = "/v1/admin/login", tag = "admin", request_body = AdminLoginRequest,
    responses((status = 200, body = AdminSession), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Body(req): Body<AdminLoginRequest>,
) -> Result<Json<AdminSession>, ApiError> {
    let now = state.clock.now();
    let user = check_password(&state, &req.user, &req.password, SignInFrom::Address(peer.ip()), now).await?;
    if !matches!(user.role, Role::SyncAdmin | Role::Supervisor) {
        return Err(ApiError::forbidden("only a sync administrator or a supervisor may use the admin API"));
    }
    let token = secrets::random_token(32);
    let expires_at = now + Duration::hours(state.settings.admin_session_hours.max(1));
    state.storage.add_session(&secrets::hash_secret(&token), &user.name, expires_at, now).await?;
    crate::routes::console::audit(&state, &user, "api.sign_in", "", "ok").await?;
    tracing::info!(user = %user_ref(user.name.as_str()), "admin signed in");
    Ok(Json(AdminSession { token, expires_at, user: user.name, org: user.org }))
}

/// Devices of the administrator's organization, each with its state.
#[utoipa::path(get, path = "/v1/admin/devices", tag = "admin", security(("admin_session" = []), ("console_session" = [])),
    responses((status = 200, body = [DeviceInfo]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn devices(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    Ok(Json(crate::routes::console::with_states(&state, state.storage.devices(Some(&admin.org)).await?)))
}

/// Revoke a device of the administrator's organization.
#[utoipa::path(post, path = "/v1/admin/devices/{id}/revoke", tag = "admin", security(("admin_session" = []), ("console_session" = [])),
    params(("id" = String, Path, format = Uuid, description = "device id")),
    responses((status = 200, body = DeviceInfo), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<DeviceInfo>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let id = DeviceId::parse("id", &id).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let not_found = || ApiError::not_found("no device with this id in your organization");
    let device = state.storage.device(id).await?.ok_or_else(not_found)?;
    if device.org != admin.org {
        return Err(not_found());
    }
    state.storage.revoke_device(id, state.clock.now()).await?;
    tracing::warn!(device = %id, admin = %user_ref(admin.name.as_str()), "device revoked");
    crate::routes::console::audit(&state, &admin, "device.revoke", &id.to_string(), "ok").await?;
    let info = state.storage.devices(Some(&admin.org)).await?.into_iter().find(|d| d.id == id).ok_or_else(not_found)?;
    Ok(Json(crate::routes::console::with_states(&state, vec![info]).remove(0)))
}

/// Users of the administrator's organization.
#[utoipa::path(get, path = "/v1/admin/users", tag = "admin", security(("admin_session" = []), ("console_session" = [])),
    responses((status = 200, body = [UserInfo]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn users(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
) -> Result<Json<Vec<UserInfo>>, ApiError> {
    Ok(Json(state.storage.users(Some(&admin.org)).await?))
}

/// The administrator's organization and its partners (the organizations it
/// shares a case with, either way); never the others the service knows.
#[utoipa::path(get, path = "/v1/admin/orgs", tag = "admin", security(("admin_session" = []), ("console_session" = [])),
    responses((status = 200, body = [OrgInfo]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn orgs(State(state): State<AppState>, AdminAuth(admin): AdminAuth) -> Result<Json<Vec<OrgInfo>>, ApiError> {
    Ok(Json(state.storage.orgs(Some(&admin.org)).await?))
}

/// Recorded conflicts of the cases the administrator's organization sees.
#[utoipa::path(get, path = "/v1/admin/conflicts", tag = "admin", security(("admin_session" = []), ("console_session" = [])),
    responses((status = 200, body = [CaseConflicts]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn conflicts(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
) -> Result<Json<Vec<CaseConflicts>>, ApiError> {
    Ok(Json(state.storage.conflicts(&admin.org).await?))
}
