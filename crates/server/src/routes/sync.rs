//! The device routes: enroll, sign in, push, pull.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use std::net::SocketAddr;
use waystation_core::DeviceId;
use waystation_protocol::{
    DEFAULT_PULL_LIMIT, DeviceSecret, EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, MAX_PULL_LIMIT, OpStatus,
    PullRequest, PullResponse, PushRequest, PushResponse, SignInRequest, SignInResponse,
};

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{Body, DeviceAuth};
use crate::secrets;
use crate::storage::refusal::refusals_of;
use crate::storage::{NewDevice, Pusher, Redeemed};

/// A short, non-reversible reference to a user for logs (names never go to logs).
pub fn user_ref(name: &str) -> String {
    secrets::hash_secret(name)[..12].to_owned()
}

/// Enroll a device with a one-time code.
#[utoipa::path(post, path = "/v1/enroll", tag = "sync", request_body = EnrollRequest,
    params(("x-waystation-protocol" = u32, Header, description = "protocol version (1)")),
    responses((status = 200, body = EnrollResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn enroll(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Body(req): Body<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiError> {
    let now = state.clock.now();
    let key = peer.ip().to_string();
    if let Err(wait) = state.enroll_limiter.check(&key, now) {
        tracing::warn!("enrollment refused: too many wrong codes from this peer");
        return Err(ApiError::rate_limited(wait));
    }
    // Characters are counted as JSON Schema counts them (code points), and
    // white space is JSON Schema's (ECMAScript's) `\s`: the document says the same.
    let name = req.device_name.trim_matches(waystation_protocol::is_schema_space);
    if name.is_empty() || req.device_name.chars().count() > 100 {
        return Err(ApiError::bad_request("device_name: give a label of 1 to 100 characters, not only spaces"));
    }
    if req.app_version.chars().count() > 64 {
        return Err(ApiError::bad_request("app_version: at most 64 characters"));
    }
    if req.request_id.as_deref().is_some_and(|r| !(16..=64).contains(&r.chars().count())) {
        return Err(ApiError::bad_request("request_id: give 16 to 64 characters"));
    }
    let code = secrets::normalize_code(req.code.expose());
    let secret = DeviceSecret::new(secrets::random_token(32));
    let device = NewDevice {
        id: DeviceId::new(),
        name: name.to_owned(),
        secret_hash: secrets::hash_secret(secret.expose()),
        app_version: req.app_version.clone(),
        request_hash: req.request_id.as_deref().map(secrets::hash_secret),
    };
    // Only a wrong code counts as a failed attempt (or a used code tried by
    // another enrollment request): a retry of the same enrollment never does,
    // and an expired code is a real one.
    let refused = |code: ErrorCode, message: &str, counts: bool| {
        if counts {
            state.enroll_limiter.fail(&key, now);
        }
        tracing::warn!(reason = code.as_str(), "enrollment refused");
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    };
    let d = match state.storage.redeem_code(&secrets::hash_secret(&code), &device, now).await? {
        Redeemed::Enrolled(d) => {
            tracing::info!(device = %d.id, org = %d.org, role = %d.role, "device enrolled");
            d
        }
        Redeemed::Retried(d) => {
            tracing::info!(device = %d.id, org = %d.org, role = %d.role, "device enrollment retried: credential replaced");
            d
        }
        Redeemed::Unknown => {
            return Err(refused(
                ErrorCode::EnrollmentCodeInvalid,
                "this enrollment code is not valid; check it or ask for a new one",
                true,
            ));
        }
        Redeemed::Expired => {
            return Err(refused(
                ErrorCode::EnrollmentCodeExpired,
                "this enrollment code expired; ask an administrator for a new one",
                false,
            ));
        }
        Redeemed::Used => {
            return Err(refused(
                ErrorCode::EnrollmentCodeUsed,
                "this enrollment code was already used, by another device or by one that finished enrolling; ask an administrator for a new one",
                true,
            ));
        }
    };
    Ok(Json(EnrollResponse {
        device_id: d.id,
        device_secret: secret,
        org: d.org,
        role: d.role,
        server_epoch: state.storage.epoch().await?,
    }))
}

/// A user's first, online sign-in on a device.
#[utoipa::path(post, path = "/v1/signin", tag = "sync", request_body = SignInRequest,
    params(("x-waystation-protocol" = u32, Header, description = "protocol version (1)")),
    responses((status = 200, body = SignInResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn signin(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Body(req): Body<SignInRequest>,
) -> Result<Json<SignInResponse>, ApiError> {
    let now = state.clock.now();
    let from = crate::routes::admin::SignInFrom::Device(device.id);
    let user = crate::routes::admin::check_password(&state, &req.user, &req.password, from, now).await?;
    if user.org != device.org {
        return Err(ApiError::forbidden("this user belongs to another organization than this device"));
    }
    let holds_unreadable =
        waystation_core::Sensitivity::ALL.iter().any(|c| device.role.may_read(*c) && !user.role.may_read(*c));
    if holds_unreadable {
        return Err(ApiError::forbidden(format!(
            "this device syncs as {} and holds notes a {} may not read; use a device enrolled for that role",
            device.role, user.role
        )));
    }
    state.storage.record_sign_in(device.id, &user.name, now).await?;
    tracing::info!(device = %device.id, user = %user_ref(user.name.as_str()), "sign-in succeeded");
    Ok(Json(SignInResponse {
        user: user.name,
        org: user.org,
        role: user.role,
        device_id: device.id,
        verified_at: now,
        server_epoch: state.storage.epoch().await?,
    }))
}

/// Push a batch of operations.
#[utoipa::path(post, path = "/v1/push", tag = "sync", request_body = PushRequest,
    params(("x-waystation-protocol" = u32, Header, description = "protocol version (1)")),
    responses((status = 200, body = PushResponse), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Body(req): Body<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if req.ops.is_empty() {
        return Err(ApiError::bad_request("ops: the batch is empty; send at least one operation"));
    }
    let max = state.settings.max_batch_ops;
    if req.ops.len() > max {
        let mut e = ApiError::too_large(
            state.settings.max_body_bytes,
            format!("ops: at most {max} operations per push; send fewer"),
        );
        e.body.message = format!("ops: {} operations, at most {max} per push; send fewer", req.ops.len());
        return Err(e);
    }
    let now = state.clock.now();
    let results = state.storage.push(Pusher { device: &device, now }, req.ops).await?;
    // For administrators: the refusals, counted after the push committed (a
    // failure here must not turn stored operations into an error).
    if let Some((count, last)) = refusals_of(&results, now)
        && let Err(e) = state.storage.record_refusals(device.id, count, &last).await
    {
        tracing::error!(device = %device.id, error = %e, "cannot record the push's refusals");
    }
    let mut counts = [0usize; 5];
    for r in &results {
        state.metrics.op(r.status);
        counts[match r.status {
            OpStatus::Accepted => 0,
            OpStatus::Duplicate => 1,
            OpStatus::RefusedDifferentContent => 2,
            OpStatus::RefusedInvalid => 3,
            OpStatus::RefusedForbidden => 4,
        }] += 1;
    }
    tracing::info!(
        device = %device.id,
        accepted = counts[0],
        duplicate = counts[1],
        refused_different_content = counts[2],
        refused_invalid = counts[3],
        refused_forbidden = counts[4],
        "push"
    );
    Ok(Json(PushResponse { results, server_epoch: state.storage.epoch().await? }))
}

/// Pull a page of the device's organization's change feed: what its role may
/// read, without the operations it pushed itself. A page may be empty with
/// `more` set (it skipped only such operations): continue from its cursor.
#[utoipa::path(get, path = "/v1/pull", tag = "sync", params(PullRequest,
    ("x-waystation-protocol" = u32, Header, description = "protocol version (1)")),
    responses((status = 200, body = PullResponse), (status = 400, body = ErrorBody)))]
pub async fn pull(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    query: Result<Query<PullRequest>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(format!("the query is not valid: {}", e.body_text())))?;
    let after = q.after.unwrap_or_default().position()?;
    let limit = q.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if limit == 0 {
        return Err(ApiError::bad_request("limit: ask for at least one operation"));
    }
    let page = state.storage.pull(&device.org, device.role, device.id, after, limit.min(MAX_PULL_LIMIT)).await?;
    state.metrics.pull_page(page.ops.len());
    // For administrators: where this device is (a failure here must not fail the pull).
    if pull_position_due(&state.pulls, device.id, page.next, page.more)
        && let Err(e) = state.storage.record_pull(device.id, page.next, state.clock.now()).await
    {
        tracing::error!(device = %device.id, error = %e, "cannot record the pull position");
    }
    Ok(Json(PullResponse {
        ops: page.ops,
        next_cursor: waystation_protocol::PullCursor::at(page.next),
        more: page.more,
        server_epoch: state.storage.epoch().await?,
    }))
}

/// Whether a pull's position must be written: when the device reached the
/// end of its feed at a new cursor, when its cursor went back (a restore, a
/// store started again), or a minute after the last write. A sync with
/// nothing new, and the pages in the middle of a catch-up, cost no write:
/// what administrators read is at most a minute old, and exact once caught up.
fn pull_position_due(log: &crate::app::PullLog, device: waystation_core::DeviceId, next: u64, more: bool) -> bool {
    let Ok(mut written) = log.lock() else { return true };
    let due = match written.get(&device) {
        None => true,
        Some((at, cursor)) => {
            at.elapsed() >= std::time::Duration::from_secs(60) || next < *cursor || (!more && next != *cursor)
        }
    };
    if due {
        written.insert(device, (std::time::Instant::now(), next));
    }
    due
}

#[cfg(test)]
mod tests {
    use super::pull_position_due;
    use waystation_core::DeviceId;

    #[test]
    fn a_pull_position_is_written_when_it_says_something_new() {
        let log = crate::app::PullLog::default();
        let (d, other) = (DeviceId::from_u128(1), DeviceId::from_u128(2));
        assert!(pull_position_due(&log, d, 10, false), "the first pull");
        assert!(!pull_position_due(&log, d, 10, false), "a sync with nothing new");
        assert!(!pull_position_due(&log, d, 20, true), "a page in the middle of a catch-up");
        assert!(pull_position_due(&log, d, 30, false), "caught up at a new cursor");
        assert!(pull_position_due(&log, d, 5, true), "the cursor went back");
        assert!(pull_position_due(&log, other, 30, false), "each device on its own");
    }
}
