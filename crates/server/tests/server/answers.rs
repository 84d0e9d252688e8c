//! Issue 24, item 2: every answer the service gives is in its OpenAPI
//! document — each error provoked here, on every route it applies to, must
//! be documented for that route with the `ErrorBody` schema (and a 429 with
//! `Retry-After`); and the constraints the parsers enforce are in the schemas.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waystation_core::Role;

use crate::helpers::*;

/// Every (method, route) of the `/v1` API, with a body that passes its parser where it takes one.
fn routes(device_id: &str) -> Vec<(Method, String, &'static str, Option<Value>)> {
    let login = json!({"user": "ana", "password": "not the password"});
    vec![
        (
            Method::POST,
            "/v1/enroll".into(),
            "/v1/enroll",
            Some(json!({"code": "ABCDE", "device_name": "x", "app_version": "1"})),
        ),
        (Method::POST, "/v1/signin".into(), "/v1/signin", Some(login.clone())),
        (Method::POST, "/v1/push".into(), "/v1/push", Some(json!({"ops": []}))),
        (Method::GET, "/v1/pull".into(), "/v1/pull", None),
        (Method::POST, "/v1/admin/login".into(), "/v1/admin/login", Some(login)),
        (Method::GET, "/v1/admin/devices".into(), "/v1/admin/devices", None),
        (Method::POST, format!("/v1/admin/devices/{device_id}/revoke"), "/v1/admin/devices/{id}/revoke", None),
        (Method::GET, "/v1/admin/users".into(), "/v1/admin/users", None),
        (Method::GET, "/v1/admin/orgs".into(), "/v1/admin/orgs", None),
        (Method::GET, "/v1/admin/conflicts".into(), "/v1/admin/conflicts", None),
    ]
}

const DEVICE_ROUTES: [&str; 4] = ["/v1/enroll", "/v1/signin", "/v1/push", "/v1/pull"];
const BODY_ROUTES: [&str; 4] = ["/v1/enroll", "/v1/signin", "/v1/push", "/v1/admin/login"];

/// Whether `doc` documents `status` for `method` on `template`, as an `ErrorBody` when it is an error.
fn check_documented(doc: &Value, method: &Method, template: &str, status: StatusCode, what: &str) {
    let op = &doc["paths"][template][method.as_str().to_lowercase()];
    assert!(op.is_object(), "{what}: {method} {template} is not in the document");
    let answer = &op["responses"][status.as_str()];
    assert!(answer.is_object(), "{what}: {method} {template} answered {status}, which the document does not list");
    if !status.is_success() {
        assert_eq!(
            answer["content"]["application/json"]["schema"]["$ref"],
            json!("#/components/schemas/ErrorBody"),
            "{what}: {method} {template} {status} is not an ErrorBody"
        );
    }
}

async fn every_answer_the_service_gives_is_documented(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let doc: Value = app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let d = app.device("border-7", Role::Agent, "ana").await;
    let revoked = app.device("border-7", Role::Agent, "ana").await;
    let admin = app.admin_token("root").await;
    let r = app
        .http
        .post(app.url(&format!("/v1/admin/devices/{}/revoke", revoked.id)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut seen = 0;
    let mut send = async |what: &str, method: &Method, path: &str, template: &str, req: reqwest::RequestBuilder| {
        let r = req.send().await.unwrap();
        let status = r.status();
        assert!(!status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE, "{what}: {status}");
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().get("retry-after").is_some(), "{what}: a 429 without Retry-After");
            let h = &doc["paths"][template][method.as_str().to_lowercase()]["responses"]["429"]["headers"];
            assert!(h["Retry-After"].is_object(), "{what}: {template}'s 429 does not document Retry-After");
        }
        check_documented(&doc, method, template, status, &format!("{what} ({path})"));
        seen += 1;
        status
    };
    let other_device = waystation_core::DeviceId::new().to_string();
    for (method, path, template, body) in routes(&other_device) {
        let url = app.url(&path);
        let base = |auth: Option<&str>, protocol: Option<&str>, body: Option<&Value>| {
            let mut req = app.http.request(method.clone(), &url);
            if let Some(t) = auth {
                req = req.bearer_auth(t);
            }
            if let Some(p) = protocol {
                req = req.header("x-waystation-protocol", p);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            req
        };
        let auth = if template.starts_with("/v1/admin/") { Some(admin.as_str()) } else { Some(d.token.as_str()) };
        // As it should be sent (the answer may be an error: a wrong code, an empty batch, an unknown device).
        send("a plain request", &method, &path, template, base(auth, Some("1"), body.as_ref())).await;
        // A revoked device's credential: refused on every /v1 route.
        let s =
            send("a revoked device", &method, &path, template, base(Some(&revoked.token), Some("1"), body.as_ref()))
                .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{template}: a revoked device");
        // No credential.
        send("no credential", &method, &path, template, base(None, Some("1"), body.as_ref())).await;
        if DEVICE_ROUTES.contains(&template) {
            let s = send("no protocol header", &method, &path, template, base(auth, None, body.as_ref())).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{template}");
            let s = send("protocol 99", &method, &path, template, base(auth, Some("99"), body.as_ref())).await;
            assert_eq!(s, StatusCode::UPGRADE_REQUIRED, "{template}");
        }
        if BODY_ROUTES.contains(&template) {
            let s = send("no body", &method, &path, template, base(auth, Some("1"), None)).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{template}");
            let big = json!({"ops": ["x".repeat(300 * 1024)]});
            let s = send("a body over the limit", &method, &path, template, base(auth, Some("1"), Some(&big))).await;
            assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{template}");
        }
        if template.starts_with("/v1/admin/") && template != "/v1/admin/login" {
            // A device's credential is no session.
            let s = send("a device credential", &method, &path, template, base(Some(&d.token), None, None)).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{template}");
        }
    }
    // The handlers' own answers.
    let revoke = |id: &str| app.http.post(app.url(&format!("/v1/admin/devices/{id}/revoke"))).bearer_auth(&admin);
    let t = "/v1/admin/devices/{id}/revoke";
    assert_eq!(send("a bad id", &Method::POST, "revoke", t, revoke("not-a-uuid")).await, StatusCode::BAD_REQUEST);
    assert_eq!(send("no such device", &Method::POST, "revoke", t, revoke(&other_device)).await, StatusCode::NOT_FOUND);
    let login = |u: &str, pw: &str| app.http.post(app.url("/v1/admin/login")).json(&json!({"user": u, "password": pw}));
    let s =
        send("an agent at the admin login", &Method::POST, "login", "/v1/admin/login", login("ana", PASSWORD)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let pull = |q: &str| d.req(Method::GET, &format!("/v1/pull?{q}"));
    assert_eq!(send("limit 0", &Method::GET, "pull", "/v1/pull", pull("limit=0")).await, StatusCode::BAD_REQUEST);
    let mut last = StatusCode::OK;
    for _ in 0..8 {
        last = send("failed logins", &Method::POST, "login", "/v1/admin/login", login("root", "wrong password!")).await;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "repeated failures are slowed down");
    let signin = || d.req(Method::POST, "/v1/signin").json(&json!({"user": "ana", "password": "wrong password!"}));
    for _ in 0..8 {
        last = send("failed sign-ins", &Method::POST, "signin", "/v1/signin", signin()).await;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let enroll = || {
        app.http
            .post(app.url("/v1/enroll"))
            .header("x-waystation-protocol", "1")
            .json(&json!({"code": "AAAAA-BBBBB", "device_name": "x", "app_version": "1"}))
    };
    for _ in 0..8 {
        last = send("wrong codes", &Method::POST, "enroll", "/v1/enroll", enroll()).await;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert!(seen > 60, "only {seen} answers checked");
}

/// The rules of the parsers, in the schemas; every error answer an ErrorBody whose code is an enum.
async fn the_schemas_say_what_the_parsers_refuse(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let doc: Value = app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let s = &doc["components"]["schemas"];
    for schema in ["SignInRequest", "AdminLoginRequest"] {
        assert_eq!(s[schema]["properties"]["user"]["pattern"], json!(waystation_core::UserName::PATTERN), "{schema}");
    }
    assert_eq!(s["PushRequest"]["properties"]["ops"]["minItems"], json!(1));
    assert_eq!(s["EnrollRequest"]["properties"]["device_name"]["maxLength"], json!(100));
    assert_eq!(s["EnrollRequest"]["properties"]["request_id"]["minLength"], json!(16));
    let limit = doc["paths"]["/v1/pull"]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "limit");
    assert_eq!(limit.unwrap()["schema"]["minimum"], json!(1));
    let id = &doc["paths"]["/v1/admin/devices/{id}/revoke"]["post"]["parameters"][0];
    assert_eq!(id["schema"]["format"], json!("uuid"));
    for path in DEVICE_ROUTES {
        let op = doc["paths"][path].as_object().unwrap().values().next().unwrap().clone();
        let h = op["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "x-waystation-protocol").cloned();
        let h = h.unwrap_or_else(|| panic!("{path} documents no protocol header"));
        assert_eq!(h["required"], json!(true), "{path}");
        assert_eq!(
            (h["schema"]["minimum"].clone(), h["schema"]["maximum"].clone()),
            (json!(waystation_protocol::MIN_PROTOCOL_VERSION), json!(waystation_protocol::PROTOCOL_VERSION)),
            "{path}"
        );
    }
    // The operation, whole: its parts' patterns are core's own.
    assert_eq!(s["OrgId"]["pattern"], json!(waystation_core::OrgId::PATTERN));
    assert_eq!(s["UserName"]["pattern"], json!(waystation_core::UserName::PATTERN));
    assert_eq!(s["Operation"]["additionalProperties"], json!(false));
    let kinds: Vec<&Value> =
        s["Change"]["oneOf"].as_array().unwrap().iter().map(|v| &v["properties"]["kind"]["enum"][0]).collect();
    for kind in ["create_case", "share", "unshare", "set", "add_item", "set_item_field", "remove_item"] {
        assert!(kinds.contains(&&json!(kind)), "the change {kind} is not in the document: {kinds:?}");
    }
    assert!(s["Change"]["oneOf"].as_array().unwrap().iter().all(|v| v["additionalProperties"] == json!(false)));
    let codes = s["ErrorCode"]["enum"].as_array().expect("the error codes are an enum");
    assert!(codes.contains(&json!("device_revoked")) && codes.contains(&json!("rate_limited")), "{codes:?}");
    // Every route Answers describes is in the document, and every error answer of the document is an ErrorBody.
    for (path, method) in waystation_server::routes::answers::described() {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, answer) in op["responses"].as_object().into_iter().flatten() {
                if !status.starts_with('2') {
                    assert_eq!(
                        answer["content"]["application/json"]["schema"]["$ref"],
                        json!("#/components/schemas/ErrorBody"),
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

crate::both_backends!(every_answer_the_service_gives_is_documented, the_schemas_say_what_the_parsers_refuse);
