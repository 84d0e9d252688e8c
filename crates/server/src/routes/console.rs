//! The sync administrators' console: its cookie session (sign-in, the
//! session, sign-out) and the admin routes its pages use beyond the first
//! admin API (overview, a device's history, enrollment codes, user and
//! organization changes, settling conflicts, the audit trail). Every route
//! takes [`AdminAuth`] (role and CSRF checks there) and answers within the
//! administrator's own organization only; every change is written to the
//! audit trail.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use waystation_core::{
    CaseId, Change, DeviceId, FieldKey, FieldPath, HlcClock, OpId, Operation, OrgId, Role, Sensitivity, UserName,
};
use waystation_protocol::admin::{
    AuditEntry, CaseConflicts, CodeInfo, ConsoleSession, ConsoleSignIn, DeviceCounts, DeviceDetail, DeviceInfo,
    DeviceState, IssuedCode, NewCodeRequest, NewOrgRequest, NewUserRequest, OrgInfo, Overview, Problem, SettleRequest,
    SettleResult, UserChange, UserInfo,
};
use waystation_protocol::{ErrorBody, ErrorCode, OpStatus, Password};

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AdminAuth, AdminSessionRef, Body, SESSION_COOKIE, csrf_of};
use crate::routes::admin::{SignInFrom, check_password};
use crate::routes::sync::user_ref;
use crate::secrets;
use crate::storage::audit::NewAudit;
use crate::storage::{DeviceRecord, NewCode, Pusher, UserRecord, UserUpdate};

/// The shortest password the console accepts for a user.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Write an entry to the audit trail for `user` in their organization.
pub async fn audit(
    state: &AppState,
    user: &UserRecord,
    action: &str,
    target: &str,
    outcome: &str,
) -> Result<(), ApiError> {
    let entry =
        NewAudit::new(state.clock.now(), Some(&user.org), user.name.as_str(), action).on(target).refused(outcome);
    state.storage.append_audit(&entry).await?;
    Ok(())
}

/// Each device with its one-word state, now.
pub fn with_states(state: &AppState, mut devices: Vec<DeviceInfo>) -> Vec<DeviceInfo> {
    let now = state.clock.now();
    let silent = Duration::days(i64::from(state.settings.silent_after_days.max(1)));
    for d in &mut devices {
        d.state = Some(d.state_at(now, silent));
    }
    devices
}

fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.settings.tls_cert.is_some() { "; Secure" } else { "" };
    let text = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("waystation_admin=; Max-Age=0"))
}

fn console_session(
    state: &AppState,
    user: &UserRecord,
    token_csrf: String,
    expires_at: chrono::DateTime<Utc>,
) -> ConsoleSession {
    ConsoleSession {
        user: user.name.clone(),
        org: user.org.clone(),
        role: user.role,
        csrf_token: token_csrf,
        idle_timeout_secs: (state.settings.admin_idle_minutes.clamp(1, 30) * 60) as u64,
        expires_at,
    }
}

/// The console's sign-in: sets the `HttpOnly` session cookie.
#[utoipa::path(post, path = "/v1/admin/session", tag = "console", request_body = ConsoleSignIn,
    responses((status = 200, body = ConsoleSession), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Body(req): Body<ConsoleSignIn>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let name = UserName::parse("user", req.user.trim())
        .map_err(|_| ApiError::bad_request("type your user name").on_field("user"))?;
    let actor = format!("{name}");
    let failed = |why: &str| NewAudit::new(now, None, actor.clone(), "console.sign_in").refused(why);
    let user = match check_password(&state, &name, &req.password, SignInFrom::Console(peer.ip()), now).await {
        Ok(u) => u,
        Err(e) => {
            let why = match e.body.code {
                ErrorCode::RateLimited => "locked out",
                ErrorCode::Forbidden => "user disabled",
                _ => "wrong user name or password",
            };
            // The organization of a failed sign-in is not told by the name typed.
            state.storage.append_audit(&failed(why)).await?;
            return Err(e);
        }
    };
    if !matches!(user.role, Role::SyncAdmin | Role::Supervisor) {
        state.storage.append_audit(&failed("role may not use the console").on(user.role.as_str())).await?;
        return Err(ApiError::forbidden(
            "only sync administrators and supervisors may sign in to the console; field staff use the app",
        ));
    }
    let token = secrets::random_token(32);
    let life = Duration::hours(state.settings.admin_session_hours.max(1));
    let expires_at = now + life;
    state.storage.add_session(&secrets::hash_secret(&token), &user.name, expires_at, now).await?;
    audit(&state, &user, "console.sign_in", "", "ok").await?;
    tracing::info!(user = %user_ref(user.name.as_str()), "console sign-in");
    let body = console_session(&state, &user, csrf_of(&token), expires_at);
    let mut response = Json(body).into_response();
    response.headers_mut().insert(SET_COOKIE, session_cookie(&state, &token, life.num_seconds()));
    Ok(response)
}

/// The console's session: who is signed in, and the CSRF token to send.
#[utoipa::path(get, path = "/v1/admin/session", tag = "console", security(("console_session" = []), ("admin_session" = [])),
    responses((status = 200, body = ConsoleSession), (status = 401, body = ErrorBody)))]
pub async fn session(
    State(state): State<AppState>,
    AdminAuth(user): AdminAuth,
    s: AdminSessionRef,
) -> Result<Json<ConsoleSession>, ApiError> {
    Ok(Json(console_session(&state, &user, s.csrf, s.expires_at)))
}

/// Sign out: the session ends and the cookie is cleared.
#[utoipa::path(post, path = "/v1/admin/logout", tag = "console", security(("console_session" = []), ("admin_session" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn sign_out(
    State(state): State<AppState>,
    AdminAuth(user): AdminAuth,
    s: AdminSessionRef,
) -> Result<Response, ApiError> {
    state.storage.end_session(&s.token_hash).await?;
    audit(&state, &user, "console.sign_out", "", "ok").await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(SET_COOKIE, session_cookie(&state, "", 0));
    Ok(response)
}

fn problem_detail(d: &DeviceInfo, state: DeviceState, silent_days: u32) -> String {
    match state {
        DeviceState::Silent => match d.last_contact {
            Some(_) => format!("no contact for more than {silent_days} days"),
            None => "never in contact since it enrolled".into(),
        },
        DeviceState::Refused => match &d.last_refusal {
            Some(r) => format!(
                "{} operation(s) refused; the last: {}",
                d.refused_ops,
                r.message.as_deref().unwrap_or("a rule of the service")
            ),
            None => format!("{} operation(s) refused", d.refused_ops),
        },
        DeviceState::Behind => format!("{} change(s) of its organization not yet pulled", d.behind),
        DeviceState::NeverCompleted => "enrolled, but nobody has signed in on it yet".into(),
        DeviceState::Expired => "enrolled, never signed in before its code expired: enroll it again".into(),
        DeviceState::Syncing | DeviceState::Revoked => String::new(),
    }
}

fn urgency(s: DeviceState) -> u8 {
    match s {
        DeviceState::Silent => 0,
        DeviceState::Refused => 1,
        DeviceState::Expired => 2,
        DeviceState::Behind => 3,
        DeviceState::NeverCompleted => 4,
        DeviceState::Syncing | DeviceState::Revoked => 5,
    }
}

/// The overview: devices by state, what came in the last day, problems first.
#[utoipa::path(get, path = "/v1/admin/overview", tag = "console", security(("console_session" = []), ("admin_session" = [])),
    responses((status = 200, body = Overview), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn overview(State(state): State<AppState>, AdminAuth(admin): AdminAuth) -> Result<Json<Overview>, ApiError> {
    let now = state.clock.now();
    let devices = with_states(&state, state.storage.devices(Some(&admin.org)).await?);
    let silent_after_days = state.settings.silent_after_days.max(1);
    let mut counts = DeviceCounts { total: devices.len() as u64, ..Default::default() };
    let mut problems = Vec::new();
    for d in &devices {
        let s = d.state.unwrap_or(DeviceState::Syncing);
        *match s {
            DeviceState::Syncing => &mut counts.syncing,
            DeviceState::Silent => &mut counts.silent,
            DeviceState::Behind => &mut counts.behind,
            DeviceState::Refused => &mut counts.refused,
            DeviceState::NeverCompleted => &mut counts.never_completed,
            DeviceState::Expired => &mut counts.expired,
            DeviceState::Revoked => &mut counts.revoked,
        } += 1;
        if !matches!(s, DeviceState::Syncing | DeviceState::Revoked) {
            problems.push(Problem {
                kind: s,
                device: d.id,
                device_name: d.name.clone(),
                since: d.last_contact.or(Some(d.enrolled_at)),
                detail: problem_detail(d, s, silent_after_days),
            });
        }
    }
    problems.sort_by_key(|p| (urgency(p.kind), p.since));
    let oldest_unsynced = devices
        .iter()
        .filter(|d| matches!(d.state, Some(s) if s != DeviceState::Revoked && s != DeviceState::Expired))
        .min_by_key(|d| d.last_contact.unwrap_or(chrono::DateTime::<Utc>::MIN_UTC))
        .cloned();
    let ops_last_day = state.storage.ops_since(&admin.org, now - Duration::days(1)).await?;
    let open_conflicts = state.storage.conflicts(&admin.org).await?.iter().map(|c| c.conflicts.len() as u64).sum();
    Ok(Json(Overview {
        now,
        silent_after_days,
        devices: counts,
        ops_last_day,
        open_conflicts,
        oldest_unsynced,
        problems,
    }))
}

fn path_id<T>(
    p: Result<Path<String>, PathRejection>,
    parse: impl FnOnce(&str) -> Option<T>,
    what: &str,
) -> Result<T, ApiError> {
    let Path(text) = p.map_err(|e| ApiError::bad_request(e.body_text()))?;
    parse(&text).ok_or_else(|| ApiError::bad_request(format!("{what}: {text:?} is not valid")))
}

/// One device of the administrator's organization, with its history.
#[utoipa::path(get, path = "/v1/admin/devices/{id}", tag = "console", security(("console_session" = []), ("admin_session" = [])),
    params(("id" = String, Path, format = Uuid, description = "device id")),
    responses((status = 200, body = DeviceDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn device(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<DeviceDetail>, ApiError> {
    let id: DeviceId = path_id(id, |s| DeviceId::parse("id", s).ok(), "id")?;
    let not_found = || ApiError::not_found("no device with this id in your organization");
    let device =
        state.storage.devices(Some(&admin.org)).await?.into_iter().find(|d| d.id == id).ok_or_else(not_found)?;
    let device = with_states(&state, vec![device]).remove(0);
    let target = id.to_string();
    let mut history = state.storage.audit(Some(&admin.org), Some(&target), 100).await?;
    history.push(AuditEntry {
        seq: 0,
        at: device.enrolled_at,
        actor: format!("device:{id}"),
        action: "device.enroll".into(),
        target,
        outcome: "ok".into(),
    });
    Ok(Json(DeviceDetail { device, history }))
}

/// Unused enrollment codes of the administrator's organization.
#[utoipa::path(get, path = "/v1/admin/codes", tag = "console", security(("console_session" = []), ("admin_session" = [])),
    responses((status = 200, body = [CodeInfo]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn codes(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
) -> Result<Json<Vec<CodeInfo>>, ApiError> {
    Ok(Json(state.storage.codes(&admin.org, state.clock.now()).await?))
}

fn role_of(text: &str, field: &str) -> Result<Role, ApiError> {
    text.parse::<Role>().map_err(|_| {
        ApiError::bad_request(format!("{text:?} is not a role: agent, ngo_staff, supervisor or sync_admin"))
            .on_field(field)
    })
}

/// Issue a one-time enrollment code for the administrator's organization.
#[utoipa::path(post, path = "/v1/admin/codes", tag = "console", request_body = NewCodeRequest,
    security(("console_session" = []), ("admin_session" = [])),
    responses((status = 201, body = IssuedCode), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn issue_code(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    Body(req): Body<NewCodeRequest>,
) -> Result<(StatusCode, Json<IssuedCode>), ApiError> {
    let role = role_of(&req.role, "role")?;
    let hours = req.ttl_hours.unwrap_or(72);
    if !(1..=720).contains(&hours) {
        return Err(ApiError::bad_request("a code lives 1 to 720 hours (30 days)").on_field("ttl_hours"));
    }
    let code = secrets::enrollment_code();
    let now = state.clock.now();
    let id = secrets::random_token(9);
    let expires_at = now + Duration::hours(hours);
    state
        .storage
        .add_code(&NewCode {
            code_hash: secrets::hash_secret(&secrets::normalize_code(&code)),
            org: admin.org.clone(),
            role,
            created_at: now,
            expires_at,
            id: id.clone(),
            created_by: Some(admin.name.clone()),
        })
        .await?;
    audit(&state, &admin, "code.issue", &id, "ok").await?;
    Ok((StatusCode::CREATED, Json(IssuedCode { id, code: code.as_str().to_owned(), org: admin.org, role, expires_at })))
}

/// Cancel an unused enrollment code.
#[utoipa::path(post, path = "/v1/admin/codes/{id}/cancel", tag = "console", security(("console_session" = []), ("admin_session" = [])),
    params(("id" = String, Path, description = "code id")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn cancel_code(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if id.len() > 64 || !state.storage.cancel_code(&admin.org, &id, state.clock.now()).await? {
        return Err(ApiError::not_found("no unused code with this id in your organization"));
    }
    audit(&state, &admin, "code.cancel", &id, "ok").await?;
    Ok(StatusCode::NO_CONTENT)
}

fn password_of(pw: &Password) -> Result<(), ApiError> {
    let n = pw.expose().chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_request(format!("a password has at least {MIN_PASSWORD_CHARS} characters"))
            .on_field("password"));
    }
    Ok(())
}

async fn hash(pw: &Password) -> Result<String, ApiError> {
    let pw = zeroize::Zeroizing::new(pw.expose().to_owned());
    tokio::task::spawn_blocking(move || secrets::hash_password(&pw))
        .await
        .map_err(|_| ApiError::bad_request("the password could not be hashed"))?
        .map_err(|_| ApiError::bad_request("the password could not be hashed").on_field("password"))
}

async fn user_info(state: &AppState, org: &OrgId, name: &UserName) -> Result<UserInfo, ApiError> {
    state
        .storage
        .users(Some(org))
        .await?
        .into_iter()
        .find(|u| &u.name == name)
        .ok_or_else(|| ApiError::not_found("no user with this name in your organization"))
}

/// Add a user to the administrator's organization.
#[utoipa::path(post, path = "/v1/admin/users", tag = "console", request_body = NewUserRequest,
    security(("console_session" = []), ("admin_session" = [])),
    responses((status = 201, body = UserInfo), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_user(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    Body(req): Body<NewUserRequest>,
) -> Result<(StatusCode, Json<UserInfo>), ApiError> {
    let name = UserName::parse("name", &req.name)
        .map_err(|e| ApiError::bad_request(format!("the user name is not valid: {e}")).on_field("name"))?;
    let role = role_of(&req.role, "role")?;
    password_of(&req.password)?;
    if state.storage.user(&name).await?.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::AlreadyExists,
            "a user with this name exists already",
        )
        .on_field("name"));
    }
    let user = UserRecord {
        name: name.clone(),
        org: admin.org.clone(),
        role,
        password_hash: hash(&req.password).await?,
        created_at: state.clock.now(),
        disabled: false,
    };
    state.storage.add_user(&user).await.map_err(|e| match e {
        crate::storage::StorageError::AlreadyExists(_) => {
            ApiError::new(StatusCode::CONFLICT, ErrorCode::AlreadyExists, "a user with this name exists already")
                .on_field("name")
        }
        other => other.into(),
    })?;
    audit(&state, &admin, "user.add", name.as_str(), "ok").await?;
    Ok((StatusCode::CREATED, Json(user_info(&state, &admin.org, &name).await?)))
}

/// Change a user of the administrator's organization: role, disabled, password.
#[utoipa::path(patch, path = "/v1/admin/users/{name}", tag = "console", request_body = UserChange,
    security(("console_session" = []), ("admin_session" = [])),
    params(("name" = String, Path, description = "user name")),
    responses((status = 200, body = UserInfo), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn change_user(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    name: Result<Path<String>, PathRejection>,
    Body(req): Body<UserChange>,
) -> Result<Json<UserInfo>, ApiError> {
    let Path(name) = name.map_err(|e| ApiError::bad_request(e.body_text()))?;
    // A name that cannot be a user's is no user of the organization.
    let Ok(name) = UserName::parse("name", &name) else {
        return Err(ApiError::not_found("no user with this name in your organization"));
    };
    let target = state.storage.user(&name).await?.filter(|u| u.org == admin.org);
    let Some(target) = target else { return Err(ApiError::not_found("no user with this name in your organization")) };
    let role = req.role.as_deref().map(|r| role_of(r, "role")).transpose()?;
    if let Some(pw) = &req.password {
        password_of(pw)?;
    }
    if role.is_none() && req.disabled.is_none() && req.password.is_none() {
        // Nothing to change: the user as it is.
        return Ok(Json(user_info(&state, &admin.org, &name).await?));
    }
    if target.name == admin.name && (req.disabled == Some(true) || role.is_some_and(|r| r != admin.role)) {
        return Err(ApiError::forbidden(
            "you cannot disable yourself or change your own role: ask another administrator",
        ));
    }
    let password_hash = match &req.password {
        Some(pw) => Some(hash(pw).await?),
        None => None,
    };
    let change = UserUpdate { role, disabled: req.disabled, password_hash };
    state.storage.update_user(&name, &change).await?;
    let mut what = Vec::new();
    if let Some(r) = role {
        what.push(format!("role {}", r.as_str()));
    }
    match req.disabled {
        Some(true) => what.push("disabled".into()),
        Some(false) => what.push("enabled".into()),
        None => {}
    }
    if req.password.is_some() {
        what.push("new password".into());
    }
    audit(&state, &admin, "user.change", name.as_str(), &format!("ok: {}", what.join(", "))).await?;
    Ok(Json(user_info(&state, &admin.org, &name).await?))
}

/// Add an organization as a partner cases can be referred to.
#[utoipa::path(post, path = "/v1/admin/orgs", tag = "console", request_body = NewOrgRequest,
    security(("console_session" = []), ("admin_session" = [])),
    responses((status = 201, body = OrgInfo), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_org(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    Body(req): Body<NewOrgRequest>,
) -> Result<(StatusCode, Json<OrgInfo>), ApiError> {
    let org = OrgId::parse("id", &req.id)
        .map_err(|e| ApiError::bad_request(format!("the organization id is not valid: {e}")).on_field("id"))?;
    let now = state.clock.now();
    state.storage.add_partner_org(&org, &admin.org, now).await.map_err(|e| match e {
        crate::storage::StorageError::AlreadyExists(_) => ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::AlreadyExists,
            "an organization with this id is known to the service already",
        )
        .on_field("id"),
        other => other.into(),
    })?;
    audit(&state, &admin, "org.add", org.as_str(), "ok").await?;
    let info = state.storage.orgs(Some(&admin.org)).await?.into_iter().find(|o| o.id == org);
    Ok((StatusCode::CREATED, Json(info.ok_or_else(|| ApiError::not_found("the organization was not kept"))?)))
}

fn service_record(id: DeviceId, admin: &UserRecord) -> DeviceRecord {
    DeviceRecord {
        id,
        org: admin.org.clone(),
        role: admin.role,
        secret_hash: String::new(),
        revoked: false,
        complete_by: None,
        checks_authorship: false,
    }
}

/// Settle a conflict: the service writes the settling operation, authored by
/// the administrator on the service's own device id, superseding every
/// conflicting write; every device holding the case pulls it and merges it
/// as any other, so the conflict ends everywhere.
#[utoipa::path(post, path = "/v1/admin/conflicts/{case_id}/settle", tag = "console", request_body = SettleRequest,
    security(("console_session" = []), ("admin_session" = [])),
    params(("case_id" = String, Path, format = Uuid, description = "case id")),
    responses((status = 200, body = SettleResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn settle(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    case_id: Result<Path<String>, PathRejection>,
    Body(req): Body<SettleRequest>,
) -> Result<Json<SettleResult>, ApiError> {
    let case_id: CaseId = path_id(case_id, |s| CaseId::parse("case_id", s).ok(), "case_id")?;
    let find = |all: Vec<CaseConflicts>| all.into_iter().find(|c| c.case_id == case_id);
    let case = find(state.storage.conflicts(&admin.org).await?)
        .ok_or_else(|| ApiError::not_found("no case with open conflicts and this id in your organization"))?;
    let conflict = case.conflicts.iter().find(|c| c.key == req.key).ok_or_else(|| {
        ApiError::not_found("this field of the case has no open conflict (it may have been settled already)")
            .on_field("key")
    })?;
    let kept = conflict.values.iter().find(|v| v.op == req.keep).ok_or_else(|| {
        ApiError::not_found("keep: no value of this conflict was written by this operation").on_field("keep")
    })?;
    let supersedes: Vec<OpId> = conflict.values.iter().map(|v| v.op).collect();
    let change = match &req.key {
        FieldKey::Case { field } => Change::Set {
            field: FieldPath::parse(field).map_err(|e| ApiError::bad_request(e.to_string()).on_field("key"))?,
            value: kept.value.clone(),
            supersedes,
        },
        FieldKey::Item { list, item, field } => Change::SetItemField {
            list: *list,
            item: *item,
            field: field.clone(),
            value: kept.value.clone(),
            supersedes,
        },
        FieldKey::Removal { .. } => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::BadRequest,
                "an item removed on one device and edited on another is settled on a device that holds the case \
                 (the console settles field values only)",
            )
            .on_field("key"));
        }
    };
    let device = state.storage.service_device().await?;
    let hlc = {
        let mut last = state.service_hlc.lock().map_err(|_| ApiError::bad_request("the service clock is busy"))?;
        let mut clock = HlcClock::resume(device, *last);
        for v in &conflict.values {
            clock.observe(v.hlc);
        }
        let hlc = clock.tick(state.clock.now().timestamp_millis().max(0) as u64);
        *last = Some(hlc);
        hlc
    };
    let op = Operation {
        id: OpId::new(),
        case_id,
        hlc,
        device,
        user: admin.name.clone(),
        class: Sensitivity::General,
        change,
    };
    let op_id = op.id;
    let record = service_record(device, &admin);
    let results = state.storage.push(Pusher { device: &record, now: state.clock.now() }, vec![op]).await?;
    match results.first() {
        Some(r) if r.status == OpStatus::Accepted => {}
        Some(r) => {
            let why = r.message.clone().unwrap_or_else(|| format!("{:?}", r.status));
            audit(&state, &admin, "conflict.settle", &case_id.to_string(), &format!("refused: {why}")).await?;
            return Err(ApiError::bad_request(format!("the settling write was refused: {why}")));
        }
        None => return Err(ApiError::bad_request("the settling write was not stored")),
    }
    audit(&state, &admin, "conflict.settle", &case_id.to_string(), &format!("ok: {}", req.key.path())).await?;
    tracing::info!(case = %case_id, admin = %user_ref(admin.name.as_str()), "conflict settled from the console");
    let left = find(state.storage.conflicts(&admin.org).await?).unwrap_or(CaseConflicts {
        case_id,
        owner: case.owner.clone(),
        reference: case.reference.clone(),
        conflicts: Vec::new(),
    });
    Ok(Json(SettleResult { op: op_id, case: left }))
}

/// `?limit=N` of the audit list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// How many entries, newest first (1 to 500; 100 when absent).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The latest entries of the audit trail of the administrator's organization.
#[utoipa::path(get, path = "/v1/admin/audit", tag = "console", params(AuditQuery),
    security(("console_session" = []), ("admin_session" = [])),
    responses((status = 200, body = [AuditEntry]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn audit_list(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request("limit: between 1 and 500").on_field("limit"));
    }
    Ok(Json(state.storage.audit(Some(&admin.org), None, limit).await?))
}

/// Headers of every console page and asset: a strict content security
/// policy, no framing, no sniffing, no referrer, no caching of the pages.
pub fn console_headers(headers: &mut HeaderMap) {
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    set(headers, "x-frame-options", "DENY");
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(headers, "cross-origin-resource-policy", "same-origin");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_say_what_is_wrong_in_plain_words() {
        let d = DeviceInfo {
            id: DeviceId::new(),
            name: "station 4".into(),
            org: "cbp".parse().unwrap(),
            role: Role::Agent,
            enrolled_at: Utc::now(),
            last_contact: None,
            app_version: None,
            protocol_version: None,
            last_pushed_op: None,
            revoked: false,
            pulled_through: None,
            last_pull_at: None,
            behind: 3,
            refused_ops: 0,
            last_refusal: None,
            complete_by: None,
            state: None,
        };
        assert_eq!(problem_detail(&d, DeviceState::Silent, 3), "never in contact since it enrolled");
        assert_eq!(problem_detail(&d, DeviceState::Behind, 3), "3 change(s) of its organization not yet pulled");
        assert!(urgency(DeviceState::Silent) < urgency(DeviceState::Behind));
    }
}
