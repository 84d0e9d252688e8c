//! Bad input: every malformed request gets a 4xx with a clear message, none
//! a 5xx, and none writes anything.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waystation_core::{CaseId, Role};
use waystation_protocol::ErrorBody;

use crate::helpers::*;

async fn malformed_requests_get_a_clear_4xx_and_change_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let case = CaseId::new();
    d.push(&[d.create(case)]).await;
    let valid = serde_json::to_value(d.set(case, "status", json!("open"))).unwrap();
    let with = |key: &str, v: Value| {
        let mut op = valid.clone();
        op[key] = v;
        json!({ "ops": [op] })
    };
    let huge: Vec<Value> = (0..501).map(|_| serde_json::to_value(d.set(case, "status", json!("x"))).unwrap()).collect();
    let oversized = "x".repeat(300 * 1024);
    let cases: Vec<(&str, Method, &str, Option<String>, StatusCode)> = vec![
        ("malformed JSON", Method::POST, "/v1/push", Some("{\"ops\": [".into()), StatusCode::BAD_REQUEST),
        ("not an object", Method::POST, "/v1/push", Some("[1,2]".into()), StatusCode::BAD_REQUEST),
        ("wrong type", Method::POST, "/v1/push", Some(json!({"ops": "many"}).to_string()), StatusCode::BAD_REQUEST),
        (
            "unknown field",
            Method::POST,
            "/v1/push",
            Some(json!({"ops": [], "extra": 1}).to_string()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "unknown op field",
            Method::POST,
            "/v1/push",
            Some(with("colour", json!("red")).to_string()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "invalid uuid",
            Method::POST,
            "/v1/push",
            Some(with("id", json!("not-a-uuid")).to_string()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "bad class",
            Method::POST,
            "/v1/push",
            Some(with("class", json!("secret")).to_string()),
            StatusCode::BAD_REQUEST,
        ),
        ("empty batch", Method::POST, "/v1/push", Some(json!({"ops": []}).to_string()), StatusCode::BAD_REQUEST),
        ("no body", Method::POST, "/v1/push", None, StatusCode::BAD_REQUEST),
        ("huge batch", Method::POST, "/v1/push", Some(json!({"ops": huge}).to_string()), StatusCode::PAYLOAD_TOO_LARGE),
        (
            "oversized body",
            Method::POST,
            "/v1/push",
            Some(format!("{{\"ops\": [\"{oversized}\"]}}")),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        ("bad cursor", Method::GET, "/v1/pull?after=abc", None, StatusCode::BAD_REQUEST),
        ("negative limit", Method::GET, "/v1/pull?limit=-1", None, StatusCode::BAD_REQUEST),
        ("zero limit", Method::GET, "/v1/pull?limit=0", None, StatusCode::BAD_REQUEST),
        ("unknown query", Method::GET, "/v1/pull?colour=red", None, StatusCode::BAD_REQUEST),
        (
            "signin wrong type",
            Method::POST,
            "/v1/signin",
            Some(json!({"user": 5, "password": "x"}).to_string()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "signin bad name",
            Method::POST,
            "/v1/signin",
            Some(json!({"user": "Ana Lopez", "password": "x"}).to_string()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "enroll missing field",
            Method::POST,
            "/v1/enroll",
            Some(json!({"code": "x"}).to_string()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "enroll empty name",
            Method::POST,
            "/v1/enroll",
            Some(json!({"code": "x", "device_name": " ", "app_version": "1"}).to_string()),
            StatusCode::BAD_REQUEST,
        ),
        ("wrong method", Method::DELETE, "/v1/push", None, StatusCode::METHOD_NOT_ALLOWED),
        ("no such route", Method::GET, "/v1/nothing", None, StatusCode::NOT_FOUND),
    ];
    let before = app.storage.op_count().await.unwrap();
    for (what, method, path, body, status) in cases {
        let mut req = d.req(method, path).header("content-type", "application/json");
        if let Some(b) = body {
            req = req.body(b);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), status, "{what}");
        let e: ErrorBody = r.json().await.unwrap_or_else(|e| panic!("{what}: not an error body: {e}"));
        assert!(!e.message.is_empty(), "{what}");
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            assert_eq!(e.limit_bytes, Some(256 * 1024), "{what}: the limit is in the body");
        }
    }
    // Missing, malformed and forged credentials.
    let no_auth = app.http.get(app.url("/v1/pull")).header("x-waystation-protocol", "1").send().await.unwrap();
    assert_eq!(no_auth.status(), StatusCode::UNAUTHORIZED);
    for token in ["garbage", &format!("{}.forged-secret", d.id), &format!("{}.x", waystation_core::DeviceId::new())] {
        let r = app
            .http
            .get(app.url("/v1/pull"))
            .header("x-waystation-protocol", "1")
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{token}");
    }
    assert_eq!(app.storage.op_count().await.unwrap(), before, "nothing was written");
    assert_eq!(app.storage.devices(None).await.unwrap().len(), 1, "no device was enrolled");
}

/// Random bodies thrown at push: never a 5xx; a refused body writes nothing.
async fn random_bodies_at_push_never_give_a_5xx(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let case = CaseId::new();
    d.push(&[d.create(case)]).await;
    let valid = serde_json::to_string(&json!({"ops": [d.set(case, "status", json!("open"))]})).unwrap();
    let strategy = proptest::prop_oneof![
        proptest::string::string_regex(".{0,200}").unwrap(),
        proptest::collection::vec(proptest::num::u8::ANY, 0..200)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        // A valid body with one byte range replaced by noise.
        (0..valid.len(), 0usize..20, ".{0,10}").prop_map(move |(at, len, noise)| {
            let mut s = valid.clone();
            let end = (at + len).min(s.len());
            if s.is_char_boundary(at) && s.is_char_boundary(end) {
                s.replace_range(at..end, &noise);
            }
            s
        }),
    ];
    let mut runner = TestRunner::deterministic();
    for _ in 0..150 {
        let body = strategy.new_tree(&mut runner).unwrap().current();
        let before = app.storage.op_count().await.unwrap();
        let r = d
            .req(Method::POST, "/v1/push")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert!(!status.is_server_error(), "5xx for body {body:?}");
        if status != StatusCode::OK {
            assert!(status.is_client_error());
            let e: ErrorBody = r.json().await.unwrap();
            assert!(!e.message.is_empty());
            assert_eq!(app.storage.op_count().await.unwrap(), before, "a refused body wrote something: {body:?}");
        }
    }
}

crate::both_backends!(malformed_requests_get_a_clear_4xx_and_change_nothing, random_bodies_at_push_never_give_a_5xx);
