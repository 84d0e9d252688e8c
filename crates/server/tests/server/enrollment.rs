//! Enrollment codes: one-time, short-lived, hashed, rate-limited.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;
use waystation_core::Role;
use waystation_protocol::admin::DeviceStanding;
use waystation_protocol::{EnrollResponse, ErrorCode};

use crate::helpers::*;

async fn a_code_works_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let code = app.code("border-7", Role::Agent, Duration::hours(24)).await;
    // Typed in lower case with spaces: still the same code.
    let typed = code.to_lowercase().replace('-', " ");
    assert_eq!(app.enroll_raw(&typed).await.status(), StatusCode::OK);
    let e = error_of(app.enroll_raw(&code).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e.code, ErrorCode::EnrollmentCodeUsed);
    assert_eq!(app.storage.devices(None).await.unwrap().len(), 1);
}

async fn expired_and_wrong_codes_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let code = app.code("border-7", Role::Agent, Duration::hours(24)).await;
    app.clock.advance(Duration::hours(25));
    let e = error_of(app.enroll_raw(&code).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e.code, ErrorCode::EnrollmentCodeExpired);
    let e = error_of(app.enroll_raw("AAAAA-BBBBB-CCCCC-DDDDD").await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e.code, ErrorCode::EnrollmentCodeInvalid);
    assert!(app.storage.devices(None).await.unwrap().is_empty());
}

async fn repeated_wrong_codes_are_slowed_down(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let good = app.code("border-7", Role::Agent, Duration::hours(24)).await;
    for _ in 0..3 {
        let e = error_of(app.enroll_raw("WRONG-WRONG-WRONG").await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(e.code, ErrorCode::EnrollmentCodeInvalid);
    }
    // Locked out now: even the right code is refused, with a time to wait.
    let r = app.enroll_raw(&good).await;
    assert!(r.headers().contains_key("retry-after"));
    let e = error_of(r, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(e.code, ErrorCode::RateLimited);
    assert!(e.retry_after_secs.unwrap() >= 1);
    app.clock.advance(Duration::minutes(16));
    assert_eq!(app.enroll_raw(&good).await.status(), StatusCode::OK);
}

const REQUEST: &str = "0190f5a1-7c2e-7000-8000-00000000a001";
const OTHER_REQUEST: &str = "0190f5a1-7c2e-7000-8000-00000000b002";

async fn standing(app: &TestApp) -> Vec<DeviceStanding> {
    let now = app.clock_now();
    app.storage.devices(None).await.unwrap().iter().map(|d| d.standing(now)).collect()
}

/// A cut answer lost the credential: the same code with the same request id
/// finishes the same enrollment, whose new credential replaces the lost one.
async fn a_retry_with_the_same_request_id_finishes_the_same_enrollment(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let code = app.code("border-7", Role::Agent, Duration::hours(24)).await;
    let first: EnrollResponse = app.enroll_as(&code, REQUEST).await.json().await.unwrap();
    // Many retries (more than the free failures): none counts as a failure.
    let mut last = None;
    for _ in 0..8 {
        let r = app.enroll_as(&code, REQUEST).await;
        assert_eq!(r.status(), StatusCode::OK);
        let again: EnrollResponse = r.json().await.unwrap();
        assert_eq!((again.device_id, &again.org, again.role), (first.device_id, &first.org, first.role));
        assert_ne!(again.device_secret.expose(), first.device_secret.expose(), "a new credential each time");
        last = Some(again);
    }
    let last = last.unwrap();
    assert_eq!(standing(&app).await, vec![DeviceStanding::NeverCompleted], "one device, not nine");
    // Only the newest credential opens anything.
    let stale = app.device_from(first, "ana");
    let e = error_of(
        stale.req(Method::POST, "/v1/signin").json(&json!({"user": "ana", "password": PASSWORD})).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(e.code, ErrorCode::Unauthorized);
    let d = app.device_from(last, "ana");
    let r = d.req(Method::POST, "/v1/signin").json(&json!({"user": "ana", "password": PASSWORD})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(standing(&app).await, vec![DeviceStanding::Active]);
    // Another request id with the used code is refused, and says so.
    let e = error_of(app.enroll_as(&code, OTHER_REQUEST).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e.code, ErrorCode::EnrollmentCodeUsed);
    assert!(e.message.contains("another device"), "{}", e.message);
    // So is a request without an id, and the same id once the code's life is over.
    let e = error_of(app.enroll_raw(&code).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e.code, ErrorCode::EnrollmentCodeUsed);
    app.clock.advance(Duration::hours(25));
    let e = error_of(app.enroll_as(&code, REQUEST).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e.code, ErrorCode::EnrollmentCodeUsed);
    // The completed device is not touched by its code's end.
    assert_eq!(d.push(&[d.create(waystation_core::CaseId::new())]).await.results.len(), 1);
    assert_eq!(standing(&app).await, vec![DeviceStanding::Active]);
}

/// Once the device has signed in its enrollment is over: whoever still holds
/// the code and the request id cannot take the device's credential with a
/// "retry", even within the code's life.
async fn a_retry_after_the_first_sign_in_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let code = app.code("border-7", Role::Agent, Duration::hours(24)).await;
    let answer: EnrollResponse = app.enroll_as(&code, REQUEST).await.json().await.unwrap();
    let d = app.device_from(answer, "ana");
    let r = d.req(Method::POST, "/v1/signin").json(&json!({"user": "ana", "password": PASSWORD})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.clock.advance(Duration::minutes(5));
    let e = error_of(app.enroll_as(&code, REQUEST).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e.code, ErrorCode::EnrollmentCodeUsed);
    assert!(e.message.contains("finished enrolling"), "{}", e.message);
    // The device keeps its credential and syncs; nothing else was enrolled.
    assert_eq!(d.push(&[d.create(waystation_core::CaseId::new())]).await.results.len(), 1);
    let r = d.req(Method::POST, "/v1/signin").json(&json!({"user": "ana", "password": PASSWORD})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the old credential still signs in");
    assert_eq!(standing(&app).await, vec![DeviceStanding::Active]);
}

/// Enrolled, never signed in: shown as never completed, kept from syncing,
/// and expired with its code — its credential then opens nothing.
async fn a_device_that_never_signs_in_expires_with_its_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let orphan = app.pending_device("border-7", Role::Agent, "ana").await;
    let done = app.device("border-7", Role::Agent, "ana").await;
    assert_eq!(standing(&app).await, vec![DeviceStanding::NeverCompleted, DeviceStanding::Active]);
    let e =
        error_of(orphan.push_raw(&[orphan.create(waystation_core::CaseId::new())]).await, StatusCode::FORBIDDEN).await;
    assert!(e.message.contains("sign in first"), "{}", e.message);
    let e = error_of(orphan.req(Method::GET, "/v1/pull").send().await.unwrap(), StatusCode::FORBIDDEN).await;
    assert_eq!(e.code, ErrorCode::Forbidden);
    app.clock.advance(Duration::hours(24) + Duration::seconds(1));
    assert_eq!(standing(&app).await, vec![DeviceStanding::Expired, DeviceStanding::Active]);
    let e = error_of(
        orphan
            .req(Method::POST, "/v1/signin")
            .json(&json!({"user": "ana", "password": PASSWORD}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(e.code, ErrorCode::EnrollmentCodeExpired);
    assert!(e.message.contains("never completed"), "{}", e.message);
    assert_eq!(done.push(&[done.create(waystation_core::CaseId::new())]).await.results.len(), 1);
}

/// Guessing is still slowed and refused: 1,000 wrong codes from one
/// address, while a retried enrollment from elsewhere is never counted.
async fn a_thousand_wrong_codes_are_slowed_and_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let good = app.code("border-7", Role::Agent, Duration::hours(24)).await;
    let (mut refused_wrong, mut slowed) = (0, 0);
    for i in 0..1000 {
        let r = app.enroll_raw(&format!("WRONG-{i:05}-GUESS")).await;
        match r.status() {
            StatusCode::UNAUTHORIZED => refused_wrong += 1,
            StatusCode::TOO_MANY_REQUESTS => slowed += 1,
            other => panic!("a wrong code answered {other}"),
        }
        if i % 100 == 99 {
            app.clock.advance(Duration::seconds(30));
        }
    }
    assert_eq!(refused_wrong + slowed, 1000);
    assert!(refused_wrong <= 20, "only a few guesses get an answer at all: {refused_wrong}");
    assert!(app.storage.devices(None).await.unwrap().is_empty());
    // Locked out: the right code waits too, and then works.
    let e = error_of(app.enroll_as(&good, REQUEST).await, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(e.code, ErrorCode::RateLimited);
    app.clock.advance(Duration::hours(2));
    assert_eq!(app.enroll_as(&good, REQUEST).await.status(), StatusCode::OK);
}

crate::both_backends!(
    a_code_works_once,
    expired_and_wrong_codes_are_refused,
    repeated_wrong_codes_are_slowed_down,
    a_retry_with_the_same_request_id_finishes_the_same_enrollment,
    a_retry_after_the_first_sign_in_is_refused,
    a_device_that_never_signs_in_expires_with_its_code,
    a_thousand_wrong_codes_are_slowed_and_refused
);
