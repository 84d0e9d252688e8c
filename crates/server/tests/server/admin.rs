//! Sign-in, the admin API's role checks, and revocation everywhere.

use reqwest::{Method, StatusCode};
use serde_json::json;
use waystation_core::{CaseId, Role};
use waystation_protocol::admin::{DeviceInfo, OrgInfo};
use waystation_protocol::{ErrorCode, SignInResponse};

use crate::helpers::*;

async fn sign_in_checks_password_organization_and_role(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let signin = |u: &str, pw: &str| d.req(Method::POST, "/v1/signin").json(&json!({"user": u, "password": pw})).send();
    let r = signin("ana", PASSWORD).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let s: SignInResponse = r.json().await.unwrap();
    assert_eq!((s.user.as_str(), s.org.as_str(), s.role, s.device_id), ("ana", "border-7", Role::Agent, d.id));
    let e = error_of(signin("ana", "wrong password!").await.unwrap(), StatusCode::UNAUTHORIZED).await;
    assert_eq!(e.code, ErrorCode::BadPassword);
    let e = error_of(signin("nobody", PASSWORD).await.unwrap(), StatusCode::UNAUTHORIZED).await;
    assert_eq!(e.code, ErrorCode::BadPassword, "an unknown user looks like a wrong password");
    let e = error_of(signin("luis", PASSWORD).await.unwrap(), StatusCode::FORBIDDEN).await;
    assert_eq!(e.code, ErrorCode::Forbidden, "a user of another organization");
    let e = error_of(signin("root", PASSWORD).await.unwrap(), StatusCode::FORBIDDEN).await;
    assert!(e.message.contains("may not read"), "a sync_admin may not unlock an agent's device: {}", e.message);
    for _ in 0..2 {
        signin("sam", "wrong password!").await.unwrap();
    }
    signin("sam", "wrong password!").await.unwrap();
    let e = error_of(signin("sam", PASSWORD).await.unwrap(), StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(e.code, ErrorCode::RateLimited, "lockout after repeated wrong passwords");
}

/// Failing a user's sign-in from one device locks that user out on that
/// device only: not on another device, not at the admin login.
async fn one_device_cannot_lock_a_user_out_elsewhere(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let hostile = app.device("border-7", Role::Agent, "ana").await;
    let other = app.device("border-7", Role::Agent, "ana").await;
    let signin = |d: &TestDevice, u: &str, pw: &str| {
        d.req(Method::POST, "/v1/signin").json(&json!({"user": u, "password": pw})).send()
    };
    for _ in 0..10 {
        signin(&hostile, "sam", "wrong password!").await.unwrap();
        signin(&hostile, "root", "wrong password!").await.unwrap();
    }
    let e = error_of(signin(&hostile, "sam", PASSWORD).await.unwrap(), StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(e.code, ErrorCode::RateLimited, "the guessing device is slowed down");
    let r = signin(&other, "sam", PASSWORD).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "sam still signs in on another laptop");
    // The administrator's login (by address) is not locked by the device's failures either.
    let _ = app.admin_token("root").await;
}

async fn admin_routes_refuse_everyone_but_sync_admins(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let r = app
        .http
        .post(app.url("/v1/admin/login"))
        .json(&json!({"user": "ana", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r, StatusCode::FORBIDDEN).await.code, ErrorCode::Forbidden);
    for path in ["/v1/admin/devices", "/v1/admin/users", "/v1/admin/orgs", "/v1/admin/conflicts"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            error_of(r, StatusCode::UNAUTHORIZED).await.code,
            ErrorCode::Unauthorized,
            "{path} without a session"
        );
        let r = app.http.get(app.url(path)).bearer_auth(&d.token).send().await.unwrap();
        assert_eq!(
            error_of(r, StatusCode::UNAUTHORIZED).await.code,
            ErrorCode::Unauthorized,
            "{path} with a device credential"
        );
        let r = app.http.get(app.url(path)).bearer_auth("forged-token").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path} with a forged token");
    }
    let r = app
        .http
        .post(app.url(&format!("/v1/admin/devices/{}/revoke", d.id)))
        .bearer_auth(&d.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // An administrator sees only their own organization.
    let ngo_admin = app.admin_token("nadia").await;
    let r = app.http.get(app.url("/v1/admin/devices")).bearer_auth(&ngo_admin).send().await.unwrap();
    assert!(r.json::<Vec<DeviceInfo>>().await.unwrap().is_empty());
    let r = app
        .http
        .post(app.url(&format!("/v1/admin/devices/{}/revoke", d.id)))
        .bearer_auth(&ngo_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "another organization's device cannot be revoked");
    let root = app.admin_token("root").await;
    let users: serde_json::Value =
        app.http.get(app.url("/v1/admin/users")).bearer_auth(&root).send().await.unwrap().json().await.unwrap();
    assert_eq!(users.as_array().unwrap().len(), 3, "border-7 has three users: {users}");
    // Organizations: its own and its partners (a case shared between them), never the others.
    let orgs_of = |token: String| {
        let (http, url) = (app.http.clone(), app.url("/v1/admin/orgs"));
        async move {
            let orgs: Vec<OrgInfo> = http.get(url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
            orgs.into_iter().map(|o| o.id.to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(orgs_of(root.clone()).await, ["border-7"]);
    assert_eq!(orgs_of(ngo_admin.clone()).await, ["casa-esperanza"]);
    let case = CaseId::new();
    d.push(&[d.create(case), d.share(case, "casa-esperanza")]).await;
    assert_eq!(orgs_of(root.clone()).await, ["border-7", "casa-esperanza"]);
    assert_eq!(orgs_of(ngo_admin).await, ["border-7", "casa-esperanza"], "otra-ong is never listed");
    assert_eq!(app.storage.orgs(None).await.unwrap().len(), 3, "the operator's command line lists every one");
}

async fn a_revoked_device_is_refused_everywhere_with_the_wipe_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let case = CaseId::new();
    d.push(&[d.create(case)]).await;
    d.pull_all().await;
    let root = app.admin_token("root").await;
    let r = app.http.get(app.url("/v1/admin/devices")).bearer_auth(&root).send().await.unwrap();
    let devices: Vec<DeviceInfo> = r.json().await.unwrap();
    let info = devices.iter().find(|x| x.id == d.id).unwrap();
    assert!(info.last_contact.is_some() && info.protocol_version == Some(1) && !info.revoked);
    assert!(info.last_pushed_op.is_some());
    let r =
        app.http.post(app.url(&format!("/v1/admin/devices/{}/revoke", d.id))).bearer_auth(&root).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.json::<DeviceInfo>().await.unwrap().revoked);
    let count = app.storage.op_count().await.unwrap();
    let attempts = [
        d.req(Method::POST, "/v1/push").json(&json!({"ops": [d.set(case, "status", json!("closed"))]})),
        d.req(Method::GET, "/v1/pull?after=0"),
        d.req(Method::POST, "/v1/signin").json(&json!({"user": "ana", "password": PASSWORD})),
        d.req(Method::POST, "/v1/enroll").json(&json!({"code": "X", "device_name": "l", "app_version": "1"})),
        d.req(Method::GET, "/v1/admin/devices"),
        d.req(Method::POST, "/v1/push").body("not json"),
        d.req(Method::GET, "/v1/pull").header("x-waystation-protocol", "99"),
    ];
    for a in attempts {
        let e = error_of(a.send().await.unwrap(), StatusCode::FORBIDDEN).await;
        assert_eq!(e.code, ErrorCode::DeviceRevoked);
    }
    assert_eq!(app.storage.op_count().await.unwrap(), count);
}

async fn the_protocol_version_is_checked(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    for (version, code) in [("0", ErrorCode::ProtocolTooOld), ("2", ErrorCode::ProtocolTooNew)] {
        let r = app
            .http
            .get(app.url("/v1/pull"))
            .bearer_auth(&d.token)
            .header("x-waystation-protocol", version)
            .send()
            .await
            .unwrap();
        let e = error_of(r, StatusCode::UPGRADE_REQUIRED).await;
        assert_eq!(e.code, code);
        assert_eq!(e.supported_protocol, Some([1, 1]));
    }
    let r = app.http.get(app.url("/v1/pull")).bearer_auth(&d.token).send().await.unwrap();
    assert_eq!(error_of(r, StatusCode::BAD_REQUEST).await.code, ErrorCode::BadRequest);
}

crate::both_backends!(
    sign_in_checks_password_organization_and_role,
    one_device_cannot_lock_a_user_out_elsewhere,
    admin_routes_refuse_everyone_but_sync_admins,
    a_revoked_device_is_refused_everywhere_with_the_wipe_code,
    the_protocol_version_is_checked,
);
