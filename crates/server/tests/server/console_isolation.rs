//! Every admin route, for every kind of caller that must be refused: no
//! credential, a forged one, a session ended by idleness or age, a cookie
//! without its CSRF token, field roles, a supervisor changing what it may
//! not, and a sync administrator of another organization — refused with the
//! right code, and nothing written; and the other organization's answers
//! never hold a device id or name, user name, code id, case id or conflict
//! value of the first.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waystation_core::{CaseId, OpId, Role};
use waystation_protocol::ErrorCode;
use waystation_protocol::admin::{
    CaseConflicts, CodeInfo, ConsoleSession, DeviceDetail, DeviceInfo, IssuedCode, SettleResult, UserInfo,
};
use waystation_server::secrets;
use waystation_server::storage::{NewCode, UserRecord};

use crate::console::*;
use crate::helpers::*;

/// What the first organization (`border-7`) holds: two named devices, a
/// case whose `child.given_name` they edited concurrently, a user, an
/// unused code; and a device of `casa-esperanza`.
struct Fixture {
    a: TestDevice,
    b: TestDevice,
    case: CaseId,
    wa: OpId,
    code_id: String,
    casa: TestDevice,
}

const MARKER_USER: &str = "border.marker.user";

async fn fixture(app: &TestApp) -> Fixture {
    let a = app.named_device("border-7", Role::Agent, "ana", "Border-Laptop-Marker-A").await;
    let b = app.named_device("border-7", Role::Agent, "ana", "Border-Laptop-Marker-B").await;
    let case = CaseId::new();
    let base = a.set(case, "child.given_name", json!("Name-Zero-Marker"));
    a.push(&[a.create(case), base.clone()]).await;
    let (wa, _) = concurrent_edits(&a, &b, case, "child.given_name", base.id, ("Name-A-Marker", "Name-B-Marker")).await;
    let hash = app.storage.user(&user("ana")).await.unwrap().unwrap().password_hash;
    app.storage
        .add_user(&UserRecord {
            name: user(MARKER_USER),
            org: org("border-7"),
            role: Role::Agent,
            password_hash: hash,
            created_at: app.clock_now(),
            disabled: false,
        })
        .await
        .unwrap();
    let code_id = secrets::random_token(9);
    let now = app.clock_now();
    app.storage
        .add_code(&NewCode {
            code_hash: secrets::hash_secret(&secrets::normalize_code(&secrets::enrollment_code())),
            org: org("border-7"),
            role: Role::Agent,
            created_at: now,
            expires_at: now + Duration::hours(48),
            id: code_id.clone(),
            created_by: Some(user("root")),
        })
        .await
        .unwrap();
    let casa = app.named_device("casa-esperanza", Role::NgoStaff, "luis", "Casa-Laptop").await;
    assert_eq!(app.storage.conflicts(&org("border-7")).await.unwrap().len(), 1, "the fixture's conflict");
    Fixture { a, b, case, wa: wa.id, code_id, casa }
}

impl Fixture {
    /// What no answer to another organization's administrator may contain.
    fn markers(&self) -> Vec<String> {
        let mut m = vec![
            self.a.id.to_string(),
            self.b.id.to_string(),
            "Border-Laptop-Marker".into(),
            MARKER_USER.into(),
            "\"ana\"".into(),
            "\"sam\"".into(),
            "\"root\"".into(),
            self.code_id.clone(),
            self.case.to_string(),
            waystation_protocol::admin::case_reference(self.case),
            self.wa.to_string(),
            "Name-Zero-Marker".into(),
            "Name-A-Marker".into(),
            "Name-B-Marker".into(),
            "border-7".into(),
        ];
        m.sort();
        m
    }
}

/// One admin route, with a body it would accept from a sync administrator of `border-7`.
struct Route {
    method: Method,
    path: String,
    body: Option<Value>,
}

impl Route {
    fn changes(&self) -> bool {
        self.method != Method::GET
    }

    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every route the console uses (but its sign-in), acting on `border-7`'s
/// things; the changes in an order in which each still succeeds after the
/// ones before it, sign-out last.
fn routes(f: &Fixture) -> Vec<Route> {
    let r = |method: Method, path: String, body: Option<Value>| Route { method, path, body };
    vec![
        r(Method::GET, "/v1/admin/devices".into(), None),
        r(Method::GET, format!("/v1/admin/devices/{}", f.a.id), None),
        r(Method::GET, "/v1/admin/users".into(), None),
        r(Method::GET, "/v1/admin/orgs".into(), None),
        r(Method::GET, "/v1/admin/codes".into(), None),
        r(Method::GET, "/v1/admin/conflicts".into(), None),
        r(Method::GET, "/v1/admin/overview".into(), None),
        r(Method::GET, "/v1/admin/audit".into(), None),
        r(Method::GET, "/v1/admin/session".into(), None),
        r(Method::POST, format!("/v1/admin/devices/{}/revoke", f.b.id), None),
        r(
            Method::POST,
            "/v1/admin/users".into(),
            Some(json!({"name": "fresh.user", "role": "agent", "password": LONG_PASSWORD})),
        ),
        r(Method::PATCH, format!("/v1/admin/users/{MARKER_USER}"), Some(json!({"role": "supervisor"}))),
        r(Method::POST, "/v1/admin/orgs".into(), Some(json!({"id": "partner-new"}))),
        r(Method::POST, "/v1/admin/codes".into(), Some(json!({"role": "agent", "ttl_hours": 24}))),
        r(Method::POST, format!("/v1/admin/codes/{}/cancel", f.code_id), None),
        r(
            Method::POST,
            format!("/v1/admin/conflicts/{}/settle", f.case),
            Some(json!({"key": case_key("child.given_name"), "keep": f.wa})),
        ),
        r(Method::POST, "/v1/admin/logout".into(), None),
    ]
}

async fn send(app: &TestApp, cred: Cred<'_>, route: &Route) -> Answer {
    call(app, cred, route.method.clone(), &route.path, route.body.as_ref()).await
}

// ---------------------------------------------------------------------------

async fn every_admin_route_refuses_a_missing_forged_or_ended_session(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let f = fixture(&app).await;
    let routes = routes(&f);
    assert_eq!(routes.len(), 17);
    let before = snapshot(&app).await;
    let device_credential = f.a.token.clone();
    for route in &routes {
        for cred in [
            Cred::Nothing,
            Cred::Bearer("forged-token"),
            Cred::Bearer(&device_credential),
            Cred::RawCookie("waystation_admin=forged-token"),
            Cred::RawCookie("waystation_admin="),
            Cred::RawCookie("another_cookie=1"),
        ] {
            let e = send(&app, cred, route).await.error(StatusCode::UNAUTHORIZED);
            assert_eq!(e.code, ErrorCode::Unauthorized, "{} with {cred:?}", route.name());
        }
    }
    assert_eq!(snapshot(&app).await, before, "nothing was written");

    // Ended by idleness: one session per route (the first request to an
    // ended session removes it), all untouched for 16 minutes; one more in
    // use every 14 minutes lives on.
    let idle: Vec<Console> = {
        let mut v = Vec::new();
        for _ in &routes {
            v.push(mint(&app, "root").await);
        }
        v
    };
    let idle_bearer = mint(&app, "root").await;
    let busy = mint(&app, "root").await;
    app.clock.advance(Duration::minutes(14));
    let _: ConsoleSession = get(&app, &busy, "/v1/admin/session").await.ok();
    app.clock.advance(Duration::minutes(2));
    for (route, s) in routes.iter().zip(&idle) {
        let e = send(&app, Cred::Cookie(s), route).await.error(StatusCode::UNAUTHORIZED);
        assert_eq!(e.code, ErrorCode::SessionExpired, "{}: {}", route.name(), e.message);
        assert!(e.message.contains("sign in again"), "{}", e.message);
    }
    let e = send(&app, Cred::Bearer(&idle_bearer.token), &routes[0]).await.error(StatusCode::UNAUTHORIZED);
    assert_eq!(e.code, ErrorCode::SessionExpired, "a bearer session ends when idle too");
    let e = send(&app, Cred::Cookie(&idle[0]), &routes[0]).await.error(StatusCode::UNAUTHORIZED);
    assert_eq!(e.code, ErrorCode::Unauthorized, "an ended session is gone");
    let _: ConsoleSession = get(&app, &busy, "/v1/admin/session").await.ok();
    app.clock.advance(Duration::minutes(14));
    let _: Vec<DeviceInfo> = get(&app, &busy, "/v1/admin/devices").await.ok();

    // Ended by age, however busy: a session living 20 minutes, used every 10.
    let short = mint_for(&app, "root", Duration::minutes(20)).await;
    app.clock.advance(Duration::minutes(10));
    let _: ConsoleSession = get(&app, &short, "/v1/admin/session").await.ok();
    app.clock.advance(Duration::minutes(11));
    let e = get(&app, &short, "/v1/admin/session").await.error(StatusCode::UNAUTHORIZED);
    assert_eq!(e.code, ErrorCode::SessionExpired);
    assert_eq!(snapshot(&app).await, before, "nothing was written");
}

async fn a_cookie_session_changes_nothing_without_its_csrf_token(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let f = fixture(&app).await;
    let routes = routes(&f);
    let root = mint(&app, "root").await;
    let other = mint(&app, "root").await;
    let nadia = mint(&app, "nadia").await;
    let before = snapshot(&app).await;
    for route in routes.iter().filter(|r| r.changes()) {
        for cred in [
            Cred::CookieOnly(&root),
            Cred::CookieWith(&root, ""),
            Cred::CookieWith(&root, "forged"),
            Cred::CookieWith(&root, &other.csrf),
            Cred::CookieWith(&root, &nadia.csrf),
            Cred::CookieWith(&root, &root.token),
            Cred::CookieWith(&root, &root.csrf[..root.csrf.len() - 1]),
        ] {
            let e = send(&app, cred, route).await.error(StatusCode::FORBIDDEN);
            assert_eq!(e.code, ErrorCode::Csrf, "{} with {cred:?}: {}", route.name(), e.message);
            assert!(e.message.contains("nothing was changed"), "{}", e.message);
        }
        assert_eq!(snapshot(&app).await, before, "{} wrote without its CSRF token", route.name());
    }
    // Reads need none.
    for route in routes.iter().filter(|r| !r.changes()) {
        let a = send(&app, Cred::CookieOnly(&root), route).await;
        assert_eq!(a.status, StatusCode::OK, "{}: {}", route.name(), a.text);
    }
    // With the token each change does what it says: the refusals above were the CSRF check's.
    for route in routes.iter().filter(|r| r.changes()) {
        let a = send(&app, Cred::Cookie(&root), route).await;
        assert!(a.status.is_success(), "{}: {} {}", route.name(), a.status, a.text);
    }
    let users: Vec<UserInfo> = get(&app, &other, "/v1/admin/users").await.ok();
    assert!(users.iter().any(|u| u.name.as_str() == "fresh.user"));
    assert!(users.iter().any(|u| u.name.as_str() == MARKER_USER && u.role == Role::Supervisor));
    let devices: Vec<DeviceInfo> = get(&app, &other, "/v1/admin/devices").await.ok();
    assert!(devices.iter().any(|d| d.id == f.b.id && d.revoked));
    let codes: Vec<CodeInfo> = get(&app, &other, "/v1/admin/codes").await.ok();
    assert!(codes.iter().all(|c| c.id != f.code_id) && codes.len() == 1, "{codes:?}");
    let conflicts: Vec<CaseConflicts> = get(&app, &other, "/v1/admin/conflicts").await.ok();
    assert!(conflicts.is_empty(), "{conflicts:?}");
    assert_eq!(get(&app, &root, "/v1/admin/session").await.status, StatusCode::UNAUTHORIZED, "signed out");
    // A bearer session (the admin API's, which no page can be made to send) needs no CSRF token.
    let api = mint(&app, "root").await;
    let a =
        call(&app, Cred::Bearer(&api.token), Method::POST, "/v1/admin/codes", Some(&json!({"role": "agent"}))).await;
    let _: IssuedCode = a.ok();
}

async fn field_roles_cannot_sign_in_and_a_supervisor_only_reads_and_settles(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let f = fixture(&app).await;
    let routes = routes(&f);
    // An agent and an NGO's staff member, with the right password: refused, no session.
    for u in ["ana", "luis"] {
        let r = sign_in(&app, u, PASSWORD).await;
        let e = r.error(StatusCode::FORBIDDEN);
        assert_eq!(e.code, ErrorCode::Forbidden, "{u}");
        assert!(e.message.contains("field staff use the app"), "{}", e.message);
        assert!(r.set_cookie.is_empty(), "{u}: {:?}", r.set_cookie);
    }
    let refused = app.storage.audit(None, None, 10).await.unwrap();
    assert_eq!(refused.iter().filter(|e| e.outcome == "role may not use the console").count(), 2);
    // Even a session of theirs (which no sign-in gives) is refused on every route.
    let before = snapshot(&app).await;
    for u in ["ana", "luis"] {
        let s = mint(&app, u).await;
        for route in &routes {
            let e = send(&app, Cred::Cookie(&s), route).await.error(StatusCode::FORBIDDEN);
            assert_eq!(e.code, ErrorCode::Forbidden, "{u}: {}", route.name());
        }
    }
    assert_eq!(snapshot(&app).await, before, "nothing was written");

    // A supervisor signs in, reads every page of its organization...
    let r = sign_in(&app, "sam", PASSWORD).await;
    let s: ConsoleSession = r.ok();
    assert_eq!((s.role, s.org.as_str()), (Role::Supervisor, "border-7"));
    let sam = session_of(&r);
    for route in routes.iter().filter(|r| !r.changes()) {
        let a = send(&app, Cred::Cookie(&sam), route).await;
        assert_eq!(a.status, StatusCode::OK, "{}: {}", route.name(), a.text);
    }
    let devices: Vec<DeviceInfo> = get(&app, &sam, "/v1/admin/devices").await.ok();
    assert!(devices.iter().any(|d| d.id == f.a.id) && devices.iter().any(|d| d.id == f.b.id));
    let detail: DeviceDetail = get(&app, &sam, &format!("/v1/admin/devices/{}", f.a.id)).await.ok();
    assert_eq!(detail.device.name, "Border-Laptop-Marker-A");
    // ...changes nothing but conflicts...
    let before = snapshot(&app).await;
    for route in routes.iter().filter(|r| r.changes() && !r.path.ends_with("/settle") && !r.path.ends_with("/logout")) {
        let e = send(&app, Cred::Cookie(&sam), route).await.error(StatusCode::FORBIDDEN);
        assert_eq!(e.code, ErrorCode::Forbidden, "{}", route.name());
        assert!(e.message.contains("a supervisor may read"), "{}", e.message);
        assert_eq!(snapshot(&app).await, before, "{} wrote for a supervisor", route.name());
    }
    // ...settles one, and signs out.
    let settle = routes.iter().find(|r| r.path.ends_with("/settle")).unwrap();
    let result: SettleResult = send(&app, Cred::Cookie(&sam), settle).await.ok();
    assert!(result.case.conflicts.is_empty(), "{:?}", result.case);
    let logout = routes.iter().find(|r| r.path.ends_with("/logout")).unwrap();
    assert_eq!(send(&app, Cred::Cookie(&sam), logout).await.status, StatusCode::NO_CONTENT);
    assert_eq!(get(&app, &sam, "/v1/admin/session").await.status, StatusCode::UNAUTHORIZED);
}

async fn an_admin_of_another_organization_never_sees_or_touches_the_first(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let f = fixture(&app).await;
    let markers = f.markers();
    let nadia = mint(&app, "nadia").await;
    // Its own organization has a code and an audit entry of its own.
    let own: IssuedCode = post(&app, &nadia, "/v1/admin/codes", json!({"role": "ngo_staff"})).await.ok();
    let reads = [
        "/v1/admin/devices".to_owned(),
        format!("/v1/admin/devices/{}", f.casa.id),
        "/v1/admin/users".to_owned(),
        "/v1/admin/orgs".to_owned(),
        "/v1/admin/codes".to_owned(),
        "/v1/admin/conflicts".to_owned(),
        "/v1/admin/overview".to_owned(),
        "/v1/admin/audit?limit=500".to_owned(),
        "/v1/admin/session".to_owned(),
    ];
    let clean = |what: &str, text: &str| {
        for m in &markers {
            assert!(!text.contains(m.as_str()), "{what} shows {m:?} of another organization: {text}");
        }
    };
    let read_all = async || {
        for path in &reads {
            let a = get(&app, &nadia, path).await;
            assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.text);
            clean(path, &a.text);
        }
    };
    read_all().await;
    // The answers are its organization's, not empty.
    let devices: Vec<DeviceInfo> = get(&app, &nadia, "/v1/admin/devices").await.ok();
    assert_eq!(devices.iter().map(|d| d.id).collect::<Vec<_>>(), [f.casa.id]);
    let users: Vec<UserInfo> = get(&app, &nadia, "/v1/admin/users").await.ok();
    let mut names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["luis", "nadia"]);
    let codes: Vec<CodeInfo> = get(&app, &nadia, "/v1/admin/codes").await.ok();
    assert_eq!(codes.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [own.id.as_str()]);

    // Acting on the first organization's device, users, code and case: 404, nothing changes.
    let before = snapshot(&app).await;
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/v1/admin/devices/{}", f.a.id), None),
        (Method::POST, format!("/v1/admin/devices/{}/revoke", f.a.id), None),
        (Method::POST, format!("/v1/admin/devices/{}/revoke", f.b.id), None),
        (Method::PATCH, "/v1/admin/users/ana".into(), Some(json!({"disabled": true}))),
        (Method::PATCH, format!("/v1/admin/users/{MARKER_USER}"), Some(json!({"role": "sync_admin"}))),
        (Method::PATCH, "/v1/admin/users/root".into(), Some(json!({"password": LONG_PASSWORD}))),
        (Method::POST, format!("/v1/admin/codes/{}/cancel", f.code_id), None),
        (
            Method::POST,
            format!("/v1/admin/conflicts/{}/settle", f.case),
            Some(json!({"key": case_key("child.given_name"), "keep": f.wa})),
        ),
    ];
    for (method, path, body) in &attempts {
        for cred in [Cred::Cookie(&nadia), Cred::Bearer(&nadia.token)] {
            let a = call(&app, cred, method.clone(), path, body.as_ref()).await;
            let e = a.error(StatusCode::NOT_FOUND);
            assert_eq!(e.code, ErrorCode::NotFound, "{method} {path}");
            let echoed: Vec<&String> = markers.iter().filter(|m| a.text.contains(m.as_str())).collect();
            assert!(echoed.is_empty(), "{method} {path} answered with {echoed:?}: {}", a.text);
            assert_eq!(snapshot(&app).await, before, "{method} {path} changed something");
        }
    }
    read_all().await;

    // The first organization's administrator still has all of it, unchanged.
    let root = mint(&app, "root").await;
    let devices: Vec<DeviceInfo> = get(&app, &root, "/v1/admin/devices").await.ok();
    assert!([f.a.id, f.b.id].iter().all(|id| devices.iter().any(|d| d.id == *id && !d.revoked)), "{devices:?}");
    assert!(devices.iter().all(|d| d.id != f.casa.id));
    let codes: Vec<CodeInfo> = get(&app, &root, "/v1/admin/codes").await.ok();
    assert_eq!(codes.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [f.code_id.as_str()]);
    let conflicts: Vec<CaseConflicts> = get(&app, &root, "/v1/admin/conflicts").await.ok();
    assert_eq!(conflicts.iter().map(|c| c.case_id).collect::<Vec<_>>(), [f.case]);
    let users: Vec<UserInfo> = get(&app, &root, "/v1/admin/users").await.ok();
    assert!(users.iter().all(|u| !u.disabled && u.org.as_str() == "border-7"), "{users:?}");
    let text = get(&app, &root, "/v1/admin/audit?limit=500").await.text;
    assert!(!text.contains(&own.id) && !text.contains("nadia"), "{text}");
}

crate::both_backends!(
    every_admin_route_refuses_a_missing_forged_or_ended_session,
    a_cookie_session_changes_nothing_without_its_csrf_token,
    field_roles_cannot_sign_in_and_a_supervisor_only_reads_and_settles,
    an_admin_of_another_organization_never_sees_or_touches_the_first,
);
