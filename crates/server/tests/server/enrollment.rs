//! Enrollment codes: one-time, short-lived, hashed, rate-limited.

use chrono::Duration;
use reqwest::StatusCode;
use waystation_core::Role;
use waystation_protocol::ErrorCode;

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

crate::both_backends!(a_code_works_once, expired_and_wrong_codes_are_refused, repeated_wrong_codes_are_slowed_down);
