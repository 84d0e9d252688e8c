//! The sync administrators' console (issue 11): its cookie session (the
//! cookie's attributes, the CSRF token, sign-out, the lockout, disabled
//! users), the form routes' answers to bad input, the audit trail and its
//! tamper checks, settling a conflict, and the overview. Sessions are
//! minted in the storage where the test is not about signing in: every
//! real sign-in costs an Argon2 check.

use chrono::Duration;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use waystation_core::{CaseId, Change, FieldPath, OpId, Operation, OrgId, Role};
use waystation_protocol::admin::{
    AuditEntry, CaseConflicts, CodeInfo, ConsoleSession, DeviceDetail, DeviceInfo, DeviceState, IssuedCode, OrgInfo,
    Overview, SettleResult, UserInfo, case_reference,
};
use waystation_protocol::{ErrorBody, ErrorCode, OpStatus};
use waystation_server::secrets;
use waystation_server::storage::audit::AuditCheck;

use crate::helpers::*;

// ---------------------------------------------------------------------------
// Support shared with `console_isolation.rs`.

/// A console session: its token (which only the cookie carries) and its CSRF token.
#[derive(Debug, Clone)]
pub struct Console {
    pub token: String,
    pub csrf: String,
}

impl Console {
    pub fn cookie(&self) -> String {
        format!("waystation_admin={}", self.token)
    }
}

/// A console session of `name`, written in the storage as a sign-in writes
/// it (no password check: fast), living `life`.
pub async fn mint_for(app: &TestApp, name: &str, life: Duration) -> Console {
    let token = secrets::random_token(32);
    let now = app.clock_now();
    app.storage.add_session(&secrets::hash_secret(&token), &user(name), now + life, now).await.unwrap();
    Console { csrf: waystation_server::extract::csrf_of(&token), token }
}

/// A console session of `name` living the default 8 hours.
pub async fn mint(app: &TestApp, name: &str) -> Console {
    mint_for(app, name, Duration::hours(8)).await
}

/// How a request says who sends it.
#[derive(Debug, Clone, Copy)]
pub enum Cred<'a> {
    /// Nothing at all.
    Nothing,
    /// The cookie and its CSRF token, as the console sends them.
    Cookie(&'a Console),
    /// The cookie without any CSRF header.
    CookieOnly(&'a Console),
    /// The cookie with this CSRF header.
    CookieWith(&'a Console, &'a str),
    /// This `Cookie` header.
    RawCookie(&'a str),
    /// `Authorization: Bearer` this.
    Bearer(&'a str),
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub text: String,
    pub set_cookie: Vec<String>,
    pub retry_after: Option<String>,
}

impl Answer {
    /// The body as `T`, the status being a success.
    pub fn ok<T: DeserializeOwned>(&self) -> T {
        assert!(self.status.is_success(), "expected a success, got {}: {}", self.status, self.text);
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not the expected body ({e}): {}", self.text))
    }

    /// The error body, checking the status.
    pub fn error(&self, status: StatusCode) -> ErrorBody {
        assert_eq!(self.status, status, "{}", self.text);
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not an error body ({e}): {}", self.text))
    }
}

pub async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status();
    let set_cookie = r.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let retry_after = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    Answer { status, text: r.text().await.unwrap(), set_cookie, retry_after }
}

/// `method path` with `cred` and a JSON `body`.
pub async fn call(app: &TestApp, cred: Cred<'_>, method: Method, path: &str, body: Option<&Value>) -> Answer {
    let mut req = app.http.request(method, app.url(path));
    req = match cred {
        Cred::Nothing => req,
        Cred::Cookie(c) => req.header(COOKIE, c.cookie()).header("x-csrf-token", &c.csrf),
        Cred::CookieOnly(c) => req.header(COOKIE, c.cookie()),
        Cred::CookieWith(c, t) => req.header(COOKIE, c.cookie()).header("x-csrf-token", t),
        Cred::RawCookie(s) => req.header(COOKIE, s),
        Cred::Bearer(t) => req.bearer_auth(t),
    };
    if let Some(b) = body {
        req = req.json(b);
    }
    answer(req.send().await.unwrap()).await
}

pub async fn get(app: &TestApp, c: &Console, path: &str) -> Answer {
    call(app, Cred::Cookie(c), Method::GET, path, None).await
}

pub async fn post(app: &TestApp, c: &Console, path: &str, body: Value) -> Answer {
    call(app, Cred::Cookie(c), Method::POST, path, Some(&body)).await
}

/// The console's sign-in.
pub async fn sign_in(app: &TestApp, u: &str, password: &str) -> Answer {
    call(app, Cred::Nothing, Method::POST, "/v1/admin/session", Some(&json!({"user": u, "password": password}))).await
}

/// The session a successful sign-in set: the cookie's token and the body's CSRF token.
pub fn session_of(a: &Answer) -> Console {
    let s: ConsoleSession = a.ok();
    assert_eq!(a.set_cookie.len(), 1, "{:?}", a.set_cookie);
    let token = a.set_cookie[0]
        .split(';')
        .next()
        .and_then(|kv| kv.trim().strip_prefix("waystation_admin="))
        .unwrap_or_else(|| panic!("not the session cookie: {}", a.set_cookie[0]))
        .to_owned();
    Console { token, csrf: s.csrf_token }
}

/// Everything an admin route could change, as text: users (with their
/// password hashes), devices, organizations, unused codes and conflicts of
/// every organization, the audit trail and the number of operations.
pub async fn snapshot(app: &TestApp) -> String {
    let s = &app.storage;
    let now = app.clock_now();
    let users = s.users(None).await.unwrap();
    let mut hashes = Vec::new();
    for u in &users {
        hashes.push(s.user(&u.name).await.unwrap().map(|r| r.password_hash));
    }
    let orgs = s.orgs(None).await.unwrap();
    let (mut codes, mut conflicts) = (Vec::new(), Vec::new());
    for o in &orgs {
        codes.push(s.codes(&o.id, now).await.unwrap());
        conflicts.push(s.conflicts(&o.id).await.unwrap());
    }
    serde_json::to_string_pretty(&json!({
        "users": users,
        "password_hashes": hashes,
        "devices": s.devices(None).await.unwrap(),
        "orgs": orgs,
        "codes": codes,
        "conflicts": conflicts,
        "audit": s.audit(None, None, 10_000).await.unwrap(),
        "ops": s.op_count().await.unwrap(),
    }))
    .unwrap()
}

/// A write of `field` by `d` that supersedes `over`.
pub fn set_over(d: &TestDevice, case: CaseId, field: &str, value: &str, over: OpId) -> Operation {
    d.op(case, Change::Set { field: FieldPath::parse(field).unwrap(), value: json!(value), supersedes: vec![over] })
}

/// `a` and `b` (one organization) edit `field` of `case` concurrently: both
/// supersede `base`, with different values. Their two writes.
pub async fn concurrent_edits(
    a: &TestDevice,
    b: &TestDevice,
    case: CaseId,
    field: &str,
    base: OpId,
    values: (&str, &str),
) -> (Operation, Operation) {
    let (wa, wb) = (set_over(a, case, field, values.0, base), set_over(b, case, field, values.1, base));
    for (d, w) in [(a, &wa), (b, &wb)] {
        let r = d.push(std::slice::from_ref(w)).await;
        assert_eq!(r.results[0].status, OpStatus::Accepted, "{:?}", r.results);
    }
    (wa, wb)
}

pub fn case_key(field: &str) -> Value {
    json!({"in": "case", "field": field})
}

pub const LONG_PASSWORD: &str = "a long enough password";

// ---------------------------------------------------------------------------
// 2. The console session.

fn attributes(cookie: &str) -> Vec<String> {
    cookie.split(';').map(|a| a.trim().to_owned()).collect()
}

async fn sign_in_sets_a_strict_cookie_and_sign_out_ends_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let r = sign_in(&app, "root", PASSWORD).await;
    let s: ConsoleSession = r.ok();
    assert_eq!((s.user.as_str(), s.org.as_str(), s.role), ("root", "border-7", Role::SyncAdmin));
    assert_eq!(s.idle_timeout_secs, 15 * 60, "15 idle minutes by default");
    let life = s.expires_at - app.clock_now();
    assert!(life > Duration::hours(8) - Duration::minutes(1) && life <= Duration::hours(8), "{life}");
    let c = session_of(&r);
    let attrs = attributes(&r.set_cookie[0]);
    for a in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
        assert!(attrs.iter().any(|x| x == a), "the cookie lacks {a}: {attrs:?}");
    }
    assert!(!attrs.iter().any(|x| x == "Secure"), "plain HTTP on loopback: no Secure attribute: {attrs:?}");
    assert!(c.token.len() >= 32, "{}", c.token);
    assert!(!r.text.contains(&c.token), "the token is in the cookie only, never in the body: {}", r.text);
    assert!(!c.csrf.is_empty() && c.csrf != c.token);

    // The session's answer: the same CSRF token, every time.
    for _ in 0..2 {
        let again: ConsoleSession = get(&app, &c, "/v1/admin/session").await.ok();
        assert_eq!((again.csrf_token.as_str(), again.user.as_str()), (c.csrf.as_str(), "root"));
        assert_eq!(again.expires_at.timestamp_micros(), s.expires_at.timestamp_micros());
    }
    let users: Vec<UserInfo> = get(&app, &c, "/v1/admin/users").await.ok();
    assert_eq!(users.len(), 3, "{users:?}");

    // Sign-out is a change: without the CSRF token it is refused, and the session lives on.
    let e = call(&app, Cred::CookieOnly(&c), Method::POST, "/v1/admin/logout", None).await.error(StatusCode::FORBIDDEN);
    assert_eq!(e.code, ErrorCode::Csrf);
    assert_eq!(get(&app, &c, "/v1/admin/session").await.status, StatusCode::OK);
    let out = call(&app, Cred::Cookie(&c), Method::POST, "/v1/admin/logout", None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text);
    assert_eq!(out.set_cookie.len(), 1, "the cookie is cleared: {:?}", out.set_cookie);
    let cleared = attributes(&out.set_cookie[0]);
    assert_eq!(cleared[0], "waystation_admin=", "{cleared:?}");
    for a in ["Max-Age=0", "Path=/", "HttpOnly", "SameSite=Strict"] {
        assert!(cleared.iter().any(|x| x == a), "the clearing cookie lacks {a}: {cleared:?}");
    }
    // The old cookie, sent again, is nobody's.
    for path in ["/v1/admin/session", "/v1/admin/users"] {
        let e = get(&app, &c, path).await.error(StatusCode::UNAUTHORIZED);
        assert_eq!(e.code, ErrorCode::Unauthorized, "{path}");
    }
    let e = call(&app, Cred::Cookie(&c), Method::POST, "/v1/admin/logout", None).await.error(StatusCode::UNAUTHORIZED);
    assert_eq!(e.code, ErrorCode::Unauthorized);
    let trail: Vec<(String, String, String)> = app
        .storage
        .audit(None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| (e.actor, e.action, e.outcome))
        .collect();
    let expected = [("root", "console.sign_in", "ok"), ("root", "console.sign_out", "ok")];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(trail, expected);
}

async fn five_wrong_passwords_lock_the_console_sign_in_for_ten_minutes(backend: Backend) {
    // The service's default: 5 free failures (the other tests run with 3).
    let settings = waystation_server::Settings { free_failures: 5, ..test_settings() };
    let Some(app) = spawn_app_with(backend, settings).await else { return };
    for i in 0..5 {
        let r = sign_in(&app, "root", "not the password at all").await;
        let e = r.error(StatusCode::UNAUTHORIZED);
        assert_eq!(e.code, ErrorCode::BadPassword, "attempt {i}");
        assert_eq!(e.message, "the user name or password is wrong");
        assert!(r.set_cookie.is_empty());
    }
    let r = sign_in(&app, "root", PASSWORD).await;
    let e = r.error(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(e.code, ErrorCode::RateLimited, "the right password, after 5 wrong ones");
    let wait = e.retry_after_secs.expect("retry_after_secs");
    assert!((590..=600).contains(&wait), "about 10 minutes: {wait}");
    assert!(r.retry_after.is_some(), "a Retry-After header too");
    assert!(r.set_cookie.is_empty(), "no session: {:?}", r.set_cookie);
    // Still locked a little before the 10 minutes are over.
    app.clock.advance(Duration::minutes(9));
    let e = sign_in(&app, "root", PASSWORD).await.error(StatusCode::TOO_MANY_REQUESTS);
    assert!(e.retry_after_secs.unwrap() <= 60, "{e:?}");
    app.clock.advance(Duration::minutes(1) + Duration::seconds(1));
    let s: ConsoleSession = sign_in(&app, "root", PASSWORD).await.ok();
    assert_eq!(s.user.as_str(), "root");
    let outcomes: Vec<String> =
        app.storage.audit(None, None, 100).await.unwrap().into_iter().rev().map(|e| e.outcome).collect();
    let mut expected = vec!["wrong user name or password"; 5];
    expected.extend(["locked out", "locked out", "ok"]);
    assert_eq!(outcomes, expected);
}

async fn a_disabled_user_is_refused_everywhere_and_their_sessions_end(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let root = mint(&app, "root").await;
    let sam = mint(&app, "sam").await;
    let laptop = app.pending_device("border-7", Role::Supervisor, "sam").await;
    assert_eq!(get(&app, &sam, "/v1/admin/session").await.status, StatusCode::OK);

    let changed: UserInfo =
        call(&app, Cred::Cookie(&root), Method::PATCH, "/v1/admin/users/sam", Some(&json!({"disabled": true})))
            .await
            .ok();
    assert_eq!((changed.name.as_str(), changed.role, changed.disabled), ("sam", Role::Supervisor, true));
    // The live console session ended with it.
    let e = get(&app, &sam, "/v1/admin/session").await.error(StatusCode::UNAUTHORIZED);
    assert!(matches!(e.code, ErrorCode::Unauthorized | ErrorCode::SessionExpired), "{e:?}");
    assert_eq!(get(&app, &sam, "/v1/admin/devices").await.status, StatusCode::UNAUTHORIZED);
    // The console's sign-in, the admin API's and a device's online sign-in: refused, with the right password.
    let r = sign_in(&app, "sam", PASSWORD).await;
    let e = r.error(StatusCode::FORBIDDEN);
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(e.message.contains("disabled"), "{}", e.message);
    assert!(r.set_cookie.is_empty());
    let r = laptop
        .req(Method::POST, "/v1/signin")
        .json(&json!({"user": "sam", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let e = error_of(r, StatusCode::FORBIDDEN).await;
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(e.message.contains("disabled"), "{}", e.message);
    let r = app
        .http
        .post(app.url("/v1/admin/login"))
        .json(&json!({"user": "sam", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r, StatusCode::FORBIDDEN).await.code, ErrorCode::Forbidden);
    let listed: Vec<UserInfo> = get(&app, &root, "/v1/admin/users").await.ok();
    assert!(listed.iter().any(|u| u.name.as_str() == "sam" && u.disabled), "{listed:?}");
    // The refusals are in the trail.
    let trail = app.storage.audit(None, None, 100).await.unwrap();
    assert!(trail.iter().any(|e| e.actor == "sam" && e.action == "console.sign_in" && e.outcome == "user disabled"));
    assert!(trail.iter().any(|e| e.actor == "root" && e.target == "sam" && e.outcome == "ok: disabled"));

    // An administrator cannot disable itself nor change its own role (nothing is written).
    let before = snapshot(&app).await;
    for change in [json!({"disabled": true}), json!({"role": "supervisor"})] {
        let e = call(&app, Cred::Cookie(&root), Method::PATCH, "/v1/admin/users/root", Some(&change))
            .await
            .error(StatusCode::FORBIDDEN);
        assert_eq!(e.code, ErrorCode::Forbidden, "{change}");
        assert_eq!(snapshot(&app).await, before, "{change}");
    }
}

async fn bad_input_on_every_form_is_a_400_naming_the_field_and_writes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let root = mint(&app, "root").await;
    let (bad, taken) = (StatusCode::BAD_REQUEST, StatusCode::CONFLICT);
    let user_form = |name: &str, role: &str, password: &str| json!({"name": name, "role": role, "password": password});
    let cases: Vec<(Method, &str, Value, StatusCode, Option<&str>)> = vec![
        (Method::POST, "/v1/admin/users", user_form("newbie", "agent", "short"), bad, Some("password")),
        (Method::POST, "/v1/admin/users", user_form("newbie", "agent", "elevenchars"), bad, Some("password")),
        (Method::POST, "/v1/admin/users", user_form("newbie", "boss", LONG_PASSWORD), bad, Some("role")),
        (Method::POST, "/v1/admin/users", user_form("newbie", "", LONG_PASSWORD), bad, Some("role")),
        (Method::POST, "/v1/admin/users", user_form("Not A Name", "agent", LONG_PASSWORD), bad, Some("name")),
        (Method::POST, "/v1/admin/users", user_form("", "agent", LONG_PASSWORD), bad, Some("name")),
        (Method::POST, "/v1/admin/users", user_form("ana", "agent", LONG_PASSWORD), taken, Some("name")),
        (Method::PATCH, "/v1/admin/users/ana", json!({"password": "short"}), bad, Some("password")),
        (Method::PATCH, "/v1/admin/users/ana", json!({"role": "boss"}), bad, Some("role")),
        (Method::POST, "/v1/admin/codes", json!({"role": "agent", "ttl_hours": 0}), bad, Some("ttl_hours")),
        (Method::POST, "/v1/admin/codes", json!({"role": "agent", "ttl_hours": 721}), bad, Some("ttl_hours")),
        (Method::POST, "/v1/admin/codes", json!({"role": "agent", "ttl_hours": -1}), bad, Some("ttl_hours")),
        (Method::POST, "/v1/admin/codes", json!({"role": "boss"}), bad, Some("role")),
        (Method::POST, "/v1/admin/orgs", json!({"id": "Not An Id"}), bad, Some("id")),
        (Method::POST, "/v1/admin/orgs", json!({"id": ""}), bad, Some("id")),
        (Method::POST, "/v1/admin/orgs", json!({"id": "border-7"}), taken, Some("id")),
    ];
    for (method, path, body, status, field) in cases {
        let before = snapshot(&app).await;
        let e = call(&app, Cred::Cookie(&root), method.clone(), path, Some(&body)).await.error(status);
        let code = if status == taken { ErrorCode::AlreadyExists } else { ErrorCode::BadRequest };
        assert_eq!((e.code, e.field.as_deref()), (code, field), "{method} {path} {body}: {}", e.message);
        assert_eq!(snapshot(&app).await, before, "{method} {path} {body} wrote something");
    }
    // The sign-in form: a user name that cannot be one, before any check.
    for name in ["", "Not A Name"] {
        let before = snapshot(&app).await;
        let body = json!({"user": name, "password": PASSWORD});
        let r = call(&app, Cred::Nothing, Method::POST, "/v1/admin/session", Some(&body)).await;
        let e = r.error(bad);
        assert_eq!(e.field.as_deref(), Some("user"), "{body}");
        assert!(r.set_cookie.is_empty());
        assert_eq!(snapshot(&app).await, before);
    }
    // A change that changes nothing is the user as it is.
    let before = snapshot(&app).await;
    let same: UserInfo =
        call(&app, Cred::Cookie(&root), Method::PATCH, "/v1/admin/users/ana", Some(&json!({}))).await.ok();
    assert_eq!((same.name.as_str(), same.role, same.disabled), ("ana", Role::Agent, false));
    assert_eq!(snapshot(&app).await, before);
    // The limits themselves are accepted: 1 and 720 hours, 12 characters.
    for hours in [1, 720] {
        let r = post(&app, &root, "/v1/admin/codes", json!({"role": "agent", "ttl_hours": hours})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let code: IssuedCode = r.ok();
        let ttl = code.expires_at - app.clock_now();
        assert!(ttl <= Duration::hours(hours) && ttl > Duration::hours(hours) - Duration::minutes(1), "{ttl}");
    }
    let r = post(&app, &root, "/v1/admin/users", user_form("newbie", "agent", "twelve chars")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let u: UserInfo = r.ok();
    assert_eq!((u.name.as_str(), u.org.as_str(), u.role, u.disabled), ("newbie", "border-7", Role::Agent, false));
}

async fn a_malformed_body_or_path_is_a_4xx_never_a_500(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let root = mint(&app, "root").await;
    let case = CaseId::new();
    let body_routes = [
        "/v1/admin/session".to_owned(),
        "/v1/admin/users".to_owned(),
        "/v1/admin/orgs".to_owned(),
        "/v1/admin/codes".to_owned(),
        format!("/v1/admin/conflicts/{case}/settle"),
        "/v1/admin/users/ana".to_owned(),
    ];
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let huge = format!("{{\"id\": \"{}\"}}", "x".repeat(300 * 1024));
    let bodies: Vec<Vec<u8>> = [
        "",
        "not json",
        "{",
        "[]",
        "null",
        "42",
        "\"text\"",
        "{\"unknown\": 1}",
        "{\"role\": 5, \"ttl_hours\": \"many\"}",
        "{\"name\": null, \"role\": null, \"password\": null}",
        "{\"user\": [\"root\"], \"password\": {}}",
        "{\"key\": {\"in\": \"nowhere\"}, \"keep\": \"not an op id\"}",
        "{\"key\": {\"in\": \"case\", \"field\": \"\"}, \"keep\": \"0190b6c2-7c1e-7000-8000-000000000000\"}",
        "{\"ttl_hours\": 1e400, \"role\": \"agent\"}",
        "{\"disabled\": \"yes\"}",
        deep.as_str(),
        huge.as_str(),
    ]
    .iter()
    .map(|b| b.as_bytes().to_vec())
    .chain([vec![0xff, 0xfe, b'{', 0x80]])
    .collect();
    let before = snapshot(&app).await;
    for path in &body_routes {
        let method = if path.ends_with("/ana") { Method::PATCH } else { Method::POST };
        for body in &bodies {
            for content_type in ["application/json", "text/plain"] {
                let r = app
                    .http
                    .request(method.clone(), app.url(path))
                    .header(COOKIE, root.cookie())
                    .header("x-csrf-token", &root.csrf)
                    .header("content-type", content_type)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                let a = answer(r).await;
                let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
                if method == Method::PATCH && a.status == StatusCode::OK {
                    // A JSON value serde reads as a change of nothing (`[]`, all nulls): the user as it is.
                    let same: UserInfo = a.ok();
                    assert_eq!(
                        (same.name.as_str(), same.role, same.disabled),
                        ("ana", Role::Agent, false),
                        "{shown:?}"
                    );
                    continue;
                }
                assert!(a.status.is_client_error(), "{method} {path} {shown:?}: {} {}", a.status, a.text);
                let e: ErrorBody = serde_json::from_str(&a.text).unwrap_or_else(|_| panic!("{path}: {}", a.text));
                assert!(!e.message.is_empty());
            }
        }
    }
    // Paths and queries that do not parse.
    let junk: [(Method, &str); 9] = [
        (Method::GET, "/v1/admin/devices/not-a-uuid"),
        (Method::POST, "/v1/admin/devices/not-a-uuid/revoke"),
        (Method::PATCH, "/v1/admin/users/Not%20A%20Name"),
        (Method::POST, "/v1/admin/conflicts/not-a-case/settle"),
        (Method::GET, "/v1/admin/audit?limit=abc"),
        (Method::GET, "/v1/admin/audit?limit=0"),
        (Method::GET, "/v1/admin/audit?limit=501"),
        (Method::GET, "/v1/admin/audit?limit=-1&other=1"),
        (Method::GET, "/v1/admin/devices/%FF%FE"),
    ];
    for (method, path) in junk {
        let body = json!({"role": "agent", "key": case_key("encounter.place"), "keep": OpId::new()});
        let a = call(&app, Cred::Cookie(&root), method.clone(), path, Some(&body)).await;
        assert!(a.status.is_client_error(), "{method} {path}: {} {}", a.status, a.text);
        let _: ErrorBody = serde_json::from_str(&a.text).unwrap_or_else(|_| panic!("{path}: {}", a.text));
    }
    let long_code_id = format!("/v1/admin/codes/{}/cancel", "c".repeat(65));
    let e = post(&app, &root, &long_code_id, json!({})).await.error(StatusCode::NOT_FOUND);
    assert_eq!(e.code, ErrorCode::NotFound, "no code has such an id");
    let e = get(&app, &root, "/v1/admin/audit?limit=0").await.error(StatusCode::BAD_REQUEST);
    assert_eq!(e.field.as_deref(), Some("limit"));
    assert_eq!(snapshot(&app).await, before, "nothing was written");
}

/// Under TLS the cookie is also `Secure`: the real binary, serving HTTPS
/// with a certificate made here (as `tls.rs` does), on SQLite.
#[tokio::test]
async fn under_tls_the_session_cookie_is_secure() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    const BIN: &str = env!("CARGO_BIN_EXE_waystation-server");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cli = |args: &[&str]| {
        let out = Command::new(BIN)
            .env("WAYSTATION_KEY", waystation_system_tests::backend::TEST_DATABASE_KEY)
            .env("WAYSTATION_PASSWORD", PASSWORD)
            .arg("--data")
            .arg(&data)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    cli(&["migrate"]);
    cli(&["org", "add", "border-7"]);
    cli(&["user", "add", "--org", "border-7", "--role", "sync_admin", "root"]);
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let mut child = Command::new(BIN)
        .env("WAYSTATION_KEY", waystation_system_tests::backend::TEST_DATABASE_KEY)
        .arg("--data")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert_path)
        .arg("--tls-key")
        .arg(&key_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let pem = cert.cert.pem();
    let outcome = tokio::spawn(async move {
        assert!(line.starts_with("listening on https://"), "{line}");
        let port = line.trim().rsplit(':').next().unwrap().to_owned();
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
            .build()
            .unwrap();
        let r = client
            .post(format!("https://localhost:{port}/v1/admin/session"))
            .json(&json!({"user": "root", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let a = answer(r).await;
        let s: ConsoleSession = a.ok();
        assert_eq!(s.user.as_str(), "root");
        assert_eq!(a.set_cookie.len(), 1, "{:?}", a.set_cookie);
        let attrs = attributes(&a.set_cookie[0]);
        for want in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(attrs.iter().any(|x| x == want), "the cookie lacks {want}: {attrs:?}");
        }
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    outcome.unwrap();
}

// ---------------------------------------------------------------------------
// 3. The audit trail.

fn cli_verify(app: &TestApp) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_waystation-server"))
        .args(app.database_args())
        .args(["audit", "verify"])
        .env("WAYSTATION_KEY", waystation_system_tests::backend::TEST_DATABASE_KEY)
        .env("WAYSTATION_LOG_FORMAT", "json")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

async fn every_sign_in_and_change_is_in_an_audit_trail_that_shows_tampering(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let a = app.named_device("border-7", Role::Agent, "ana", "Audit-Laptop-A").await;
    let b = app.named_device("border-7", Role::Agent, "ana", "Audit-Laptop-B").await;
    let case = CaseId::new();
    let base = a.set(case, "encounter.place", json!("gate 1"));
    a.push(&[a.create(case), base.clone()]).await;
    let (wa, _) = concurrent_edits(&a, &b, case, "encounter.place", base.id, ("gate 2", "gate 3")).await;

    // A failed sign-in, a good one, then one of each change.
    sign_in(&app, "root", "not the password at all").await.error(StatusCode::UNAUTHORIZED);
    let root = session_of(&sign_in(&app, "root", PASSWORD).await);
    let issued: IssuedCode = post(&app, &root, "/v1/admin/codes", json!({"role": "agent"})).await.ok();
    let r = post(&app, &root, &format!("/v1/admin/codes/{}/cancel", issued.id), json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = post(&app, &root, "/v1/admin/users", json!({"name": "clerk", "role": "agent", "password": LONG_PASSWORD}));
    let _: UserInfo = r.await.ok();
    let _: UserInfo =
        call(&app, Cred::Cookie(&root), Method::PATCH, "/v1/admin/users/clerk", Some(&json!({"role": "supervisor"})))
            .await
            .ok();
    let _: OrgInfo = post(&app, &root, "/v1/admin/orgs", json!({"id": "partner-org"})).await.ok();
    let _: DeviceInfo = post(&app, &root, &format!("/v1/admin/devices/{}/revoke", b.id), json!({})).await.ok();
    let settle = json!({"key": case_key("encounter.place"), "keep": wa.id});
    let _: SettleResult = post(&app, &root, &format!("/v1/admin/conflicts/{case}/settle"), settle).await.ok();

    let all = app.storage.audit(None, None, 500).await.unwrap();
    let trail: Vec<[String; 4]> =
        all.iter().rev().map(|e| [e.actor.clone(), e.action.clone(), e.target.clone(), e.outcome.clone()]).collect();
    let expected: Vec<[String; 4]> = [
        ["root", "console.sign_in", "", "wrong user name or password"],
        ["root", "console.sign_in", "", "ok"],
        ["root", "code.issue", issued.id.as_str(), "ok"],
        ["root", "code.cancel", issued.id.as_str(), "ok"],
        ["root", "user.add", "clerk", "ok"],
        ["root", "user.change", "clerk", "ok: role supervisor"],
        ["root", "org.add", "partner-org", "ok"],
        ["root", "device.revoke", &b.id.to_string(), "ok"],
        ["root", "conflict.settle", &case.to_string(), "ok: encounter.place"],
    ]
    .iter()
    .map(|e| e.map(str::to_owned))
    .collect();
    assert_eq!(trail, expected);
    let seqs: Vec<u64> = all.iter().rev().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=9).collect::<Vec<_>>(), "one seq each, in order");

    // The console's list: its organization's entries, newest first; a failed
    // sign-in names no organization (the name typed does not tell it).
    let listed: Vec<AuditEntry> = get(&app, &root, "/v1/admin/audit").await.ok();
    assert_eq!(listed.iter().map(|e| e.seq).collect::<Vec<_>>(), (2..=9).rev().collect::<Vec<_>>());
    let two: Vec<AuditEntry> = get(&app, &root, "/v1/admin/audit?limit=2").await.ok();
    assert_eq!(two.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["conflict.settle", "device.revoke"]);
    let detail: DeviceDetail = get(&app, &root, &format!("/v1/admin/devices/{}", b.id)).await.ok();
    let history: Vec<&str> = detail.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(history, ["device.revoke", "device.enroll"], "the device's history, newest first");
    assert_eq!(detail.device.state, Some(DeviceState::Revoked));

    assert_eq!(app.storage.verify_audit().await.unwrap(), AuditCheck::Intact { entries: 9 });
    let out = cli_verify(&app);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact: 9 entries"), "{out:?}");

    // An entry changed: broken at it. Put back: intact again.
    app.execute_sql("UPDATE audit_log SET outcome = 'ok' WHERE seq = 1").await;
    match app.storage.verify_audit().await.unwrap() {
        AuditCheck::Broken { seq, why } => assert_eq!(seq, 1, "{why}"),
        intact => panic!("a changed outcome went unnoticed: {intact:?}"),
    }
    app.execute_sql("UPDATE audit_log SET outcome = 'wrong user name or password' WHERE seq = 1").await;
    assert_eq!(app.storage.verify_audit().await.unwrap(), AuditCheck::Intact { entries: 9 });
    app.execute_sql("UPDATE audit_log SET actor = 'nadia' WHERE seq = 5").await;
    assert!(matches!(app.storage.verify_audit().await.unwrap(), AuditCheck::Broken { seq: 5, .. }));
    app.execute_sql("UPDATE audit_log SET actor = 'root' WHERE seq = 5").await;

    // An entry deleted in the middle: broken at its seq, "missing"; the command line says so and exits 1.
    let cut = |seq: u64| {
        format!(
            "CREATE TABLE audit_kept AS SELECT * FROM audit_log WHERE seq = {seq}; \
             DELETE FROM audit_log WHERE seq = {seq};"
        )
    };
    let restore = "INSERT INTO audit_log SELECT * FROM audit_kept; DROP TABLE audit_kept;";
    app.execute_sql(&cut(4)).await;
    match app.storage.verify_audit().await.unwrap() {
        AuditCheck::Broken { seq, why } => {
            assert_eq!(seq, 4, "{why}");
            assert!(why.contains("missing"), "{why}");
        }
        intact => panic!("a deleted entry went unnoticed: {intact:?}"),
    }
    let out = cli_verify(&app);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("broken at entry 4") && err.contains("missing"), "{err}");
    app.execute_sql(restore).await;
    assert_eq!(app.storage.verify_audit().await.unwrap(), AuditCheck::Intact { entries: 9 });

    // The last entry deleted: the head still names it.
    app.execute_sql(&cut(9)).await;
    match app.storage.verify_audit().await.unwrap() {
        AuditCheck::Broken { seq, why } => {
            assert_eq!(seq, 9, "{why}");
            assert!(why.contains("missing"), "{why}");
        }
        intact => panic!("a deleted last entry went unnoticed: {intact:?}"),
    }
    app.execute_sql(restore).await;
    assert_eq!(app.storage.verify_audit().await.unwrap(), AuditCheck::Intact { entries: 9 });

    // The chain goes on from there.
    let out = call(&app, Cred::Cookie(&root), Method::POST, "/v1/admin/logout", None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(app.storage.verify_audit().await.unwrap(), AuditCheck::Intact { entries: 10 });
}

// ---------------------------------------------------------------------------
// 4. Settling a conflict.

async fn settling_a_conflict_writes_one_operation_every_device_pulls(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let a = app.named_device("border-7", Role::Agent, "ana", "Settle-Laptop-A").await;
    let b = app.named_device("border-7", Role::Agent, "ana", "Settle-Laptop-B").await;
    let case = CaseId::new();
    let place0 = a.set(case, "encounter.place", json!("gate 1"));
    let family0 = a.set(case, "child.family_name", json!("Family-Zero"));
    a.push(&[a.create(case), place0.clone(), family0.clone()]).await;
    assert_eq!(b.pull_all().await.len(), 3, "the second device holds the case");
    let (pa, pb) = concurrent_edits(&a, &b, case, "encounter.place", place0.id, ("Gate-A", "Gate-B")).await;
    let (fa, fb) = concurrent_edits(&a, &b, case, "child.family_name", family0.id, ("Family-A", "Family-B")).await;

    let root = mint(&app, "root").await;
    let listed: Vec<CaseConflicts> = get(&app, &root, "/v1/admin/conflicts").await.ok();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let c = &listed[0];
    assert_eq!((c.case_id, c.owner.as_ref().map(OrgId::as_str)), (case, Some("border-7")));
    assert_eq!(c.reference, case_reference(case));
    assert_eq!(c.conflicts.len(), 2, "{c:?}");
    let place = c.conflicts.iter().find(|k| k.key.path() == "encounter.place").expect("the place's conflict");
    let mut values: Vec<(OpId, String, String, Value)> = place
        .values
        .iter()
        .map(|v| (v.op, v.device.to_string(), v.user.as_str().to_owned(), v.value.clone()))
        .collect();
    values.sort_by_key(|v| v.3.to_string());
    assert_eq!(
        values,
        [
            (pa.id, a.id.to_string(), "ana".to_owned(), json!("Gate-A")),
            (pb.id, b.id.to_string(), "ana".to_owned(), json!("Gate-B"))
        ]
    );
    let overview: Overview = get(&app, &root, "/v1/admin/overview").await.ok();
    assert_eq!(overview.open_conflicts, 2);

    let settle_path = format!("/v1/admin/conflicts/{case}/settle");
    let settle = |key: Value, keep: OpId| json!({"key": key, "keep": keep});
    // Refusals, each writing nothing.
    let before = snapshot(&app).await;
    for keep in [place0.id, OpId::new(), fa.id] {
        let e = post(&app, &root, &settle_path, settle(case_key("encounter.place"), keep)).await;
        // The service answers 404 (no such value of this conflict), naming the field.
        let e = e.error(StatusCode::NOT_FOUND);
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::NotFound, Some("keep")), "{}", e.message);
    }
    let e = post(&app, &root, &settle_path, settle(case_key("status"), pa.id)).await.error(StatusCode::NOT_FOUND);
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::NotFound, Some("key")));
    let elsewhere = format!("/v1/admin/conflicts/{}/settle", CaseId::new());
    let e = post(&app, &root, &elsewhere, settle(case_key("encounter.place"), pa.id)).await;
    assert_eq!(e.error(StatusCode::NOT_FOUND).code, ErrorCode::NotFound);
    let nadia = mint(&app, "nadia").await;
    let e = post(&app, &nadia, &settle_path, settle(case_key("encounter.place"), pa.id)).await;
    assert_eq!(e.error(StatusCode::NOT_FOUND).code, ErrorCode::NotFound, "another organization's admin");
    assert!(!e.text.contains("Gate-"), "{}", e.text);
    assert_eq!(snapshot(&app).await, before, "nothing was written");

    // Keep the first device's write.
    let result: SettleResult = post(&app, &root, &settle_path, settle(case_key("encounter.place"), pa.id)).await.ok();
    assert_eq!(result.case.case_id, case);
    let left: Vec<String> = result.case.conflicts.iter().map(|k| k.key.path()).collect();
    assert_eq!(left, ["child.family_name"], "the settled field is gone from the answer");
    let service = app.storage.service_device().await.unwrap();
    assert!(service != a.id && service != b.id);
    for d in [&a, &b] {
        let pulled = d.pull_all().await;
        let op = pulled.iter().find(|o| o.id == result.op).expect("the device pulls the settling operation");
        assert_eq!((op.case_id, op.device, op.user.as_str()), (case, service, "root"));
        match &op.change {
            Change::Set { field, value, supersedes } => {
                assert_eq!(field.as_str(), "encounter.place");
                assert_eq!(value, &json!("Gate-A"));
                let mut s = supersedes.clone();
                s.sort();
                let mut both = vec![pa.id, pb.id];
                both.sort();
                assert_eq!(s, both, "it supersedes both writes");
            }
            other => panic!("not a field write: {other:?}"),
        }
    }
    let listed: Vec<CaseConflicts> = get(&app, &root, "/v1/admin/conflicts").await.ok();
    let left: Vec<String> = listed.iter().flat_map(|c| c.conflicts.iter().map(|k| k.key.path())).collect();
    assert_eq!(left, ["child.family_name"]);
    let overview: Overview = get(&app, &root, "/v1/admin/overview").await.ok();
    assert_eq!(overview.open_conflicts, 1);
    // Settled already.
    let before = snapshot(&app).await;
    let e = post(&app, &root, &settle_path, settle(case_key("encounter.place"), pa.id)).await;
    assert_eq!(e.error(StatusCode::NOT_FOUND).code, ErrorCode::NotFound);
    assert_eq!(snapshot(&app).await, before);

    // A supervisor may settle too.
    let sam = mint(&app, "sam").await;
    let result: SettleResult = post(&app, &sam, &settle_path, settle(case_key("child.family_name"), fb.id)).await.ok();
    assert!(result.case.conflicts.is_empty(), "{:?}", result.case);
    let op = a.pull_all().await.into_iter().find(|o| o.id == result.op).expect("pulled");
    assert_eq!((op.user.as_str(), op.device), ("sam", service));
    let listed: Vec<CaseConflicts> = get(&app, &root, "/v1/admin/conflicts").await.ok();
    assert!(listed.is_empty(), "{listed:?}");
    let overview: Overview = get(&app, &root, "/v1/admin/overview").await.ok();
    assert_eq!(overview.open_conflicts, 0);
    let settles: Vec<(String, String)> = app
        .storage
        .audit(None, None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "conflict.settle")
        .map(|e| (e.actor, e.outcome))
        .collect();
    assert_eq!(
        settles,
        [("sam".to_owned(), "ok: child.family_name".to_owned()), ("root".to_owned(), "ok: encounter.place".to_owned())]
    );
}

// ---------------------------------------------------------------------------
// 5. The overview.

async fn the_overview_counts_devices_by_state_and_lists_problems_most_urgent_first(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    // Four days ago: one device synced, then fell silent; one enrolled and never finished.
    let quiet = app.named_device("border-7", Role::Agent, "ana", "Quiet-Laptop").await;
    let old_case = CaseId::new();
    quiet.push(&[quiet.create(old_case), quiet.set(old_case, "encounter.place", json!("gate 1"))]).await;
    quiet.pull_all().await;
    let lapsed = app.pending_device("border-7", Role::Agent, "ana").await;
    app.clock.advance(Duration::days(4));

    // Now.
    let never_seen = app.named_device("border-7", Role::Agent, "ana", "Never-Seen-Laptop").await;
    let pending = app.pending_device("border-7", Role::Agent, "ana").await;
    let refuser = app.named_device("border-7", Role::Agent, "ana", "Refusing-Laptop").await;
    let r = refuser.push(&[refuser.set(CaseId::new(), "encounter.place", json!("gate 9"))]).await;
    assert_eq!(r.results[0].status, OpStatus::RefusedForbidden);
    let behind = app.named_device("border-7", Role::Agent, "ana", "Behind-Laptop").await;
    behind.pull_all().await;
    let revoked = app.named_device("border-7", Role::Agent, "ana", "Revoked-Laptop").await;
    let syncing = app.named_device("border-7", Role::Agent, "ana", "Syncing-Laptop").await;
    let case = CaseId::new();
    syncing
        .push(&[
            syncing.create(case),
            syncing.set(case, "encounter.place", json!("gate 2")),
            syncing.set(case, "status", json!("referred")),
        ])
        .await;
    syncing.pull_all().await;
    // Another organization's device and operations count for it, not here.
    let theirs = app.named_device("casa-esperanza", Role::NgoStaff, "luis", "Casa-Laptop").await;
    theirs.push(&[theirs.create(CaseId::new())]).await;

    let root = mint(&app, "root").await;
    let _: DeviceInfo = post(&app, &root, &format!("/v1/admin/devices/{}/revoke", revoked.id), json!({})).await.ok();
    let o: Overview = get(&app, &root, "/v1/admin/overview").await.ok();
    assert!((o.now - app.clock_now()).num_seconds().abs() < 60, "the service's clock: {}", o.now);
    assert_eq!(o.silent_after_days, 3);
    let c = &o.devices;
    assert_eq!(
        (c.total, c.syncing, c.silent, c.behind, c.refused, c.never_completed, c.expired, c.revoked),
        (8, 1, 2, 1, 1, 1, 1, 1),
        "{c:?}"
    );
    assert_eq!(o.ops_last_day, 3, "the three operations of the last day, not the two of four days ago");
    assert_eq!(o.open_conflicts, 0);
    let problems: Vec<(DeviceState, String)> = o.problems.iter().map(|p| (p.kind, p.device.to_string())).collect();
    let expected: Vec<(DeviceState, String)> = [
        (DeviceState::Silent, quiet.id),
        (DeviceState::Silent, never_seen.id),
        (DeviceState::Refused, refuser.id),
        (DeviceState::Expired, lapsed.id),
        (DeviceState::Behind, behind.id),
        (DeviceState::NeverCompleted, pending.id),
    ]
    .into_iter()
    .map(|(s, id)| (s, id.to_string()))
    .collect();
    assert_eq!(problems, expected, "the most urgent first, the longest-standing first within a kind");
    for p in &o.problems {
        assert!(!p.detail.is_empty() && p.since.is_some(), "{p:?}");
    }
    let by_id = |id| o.problems.iter().find(|p| p.device == id).unwrap();
    assert_eq!(by_id(quiet.id).device_name, "Quiet-Laptop");
    assert_eq!(by_id(quiet.id).detail, "no contact for more than 3 days");
    assert_eq!(by_id(never_seen.id).detail, "never in contact since it enrolled");
    assert!(by_id(refuser.id).detail.starts_with("1 operation(s) refused"), "{}", by_id(refuser.id).detail);
    assert_eq!(by_id(behind.id).detail, "3 change(s) of its organization not yet pulled");
    let oldest = o.oldest_unsynced.as_ref().expect("an oldest unsynced device");
    assert!(oldest.last_contact.is_none() && [never_seen.id, pending.id].contains(&oldest.id), "{oldest:?}");
    let text = serde_json::to_string(&o).unwrap();
    assert!(!text.contains(&theirs.id.to_string()) && !text.contains("Casa-Laptop"), "{text}");

    // The device list says the same, one state each.
    let devices: Vec<DeviceInfo> = get(&app, &root, "/v1/admin/devices").await.ok();
    let state = |id| devices.iter().find(|d| d.id == id).and_then(|d| d.state);
    for (id, s) in [
        (quiet.id, DeviceState::Silent),
        (never_seen.id, DeviceState::Silent),
        (lapsed.id, DeviceState::Expired),
        (pending.id, DeviceState::NeverCompleted),
        (refuser.id, DeviceState::Refused),
        (behind.id, DeviceState::Behind),
        (revoked.id, DeviceState::Revoked),
        (syncing.id, DeviceState::Syncing),
    ] {
        assert_eq!(state(id), Some(s), "{id}");
    }
    let detail: DeviceDetail = get(&app, &root, &format!("/v1/admin/devices/{}", syncing.id)).await.ok();
    assert_eq!(detail.device.state, Some(DeviceState::Syncing));
    let codes: Vec<CodeInfo> = get(&app, &root, "/v1/admin/codes").await.ok();
    assert!(codes.iter().all(|c| c.org.as_str() == "border-7"), "{codes:?}");
}

crate::both_backends!(
    sign_in_sets_a_strict_cookie_and_sign_out_ends_it,
    five_wrong_passwords_lock_the_console_sign_in_for_ten_minutes,
    a_disabled_user_is_refused_everywhere_and_their_sessions_end,
    bad_input_on_every_form_is_a_400_naming_the_field_and_writes_nothing,
    a_malformed_body_or_path_is_a_4xx_never_a_500,
    every_sign_in_and_change_is_in_an_audit_trail_that_shows_tampering,
    settling_a_conflict_writes_one_operation_every_device_pulls,
    the_overview_counts_devices_by_state_and_lists_problems_most_urgent_first,
);
