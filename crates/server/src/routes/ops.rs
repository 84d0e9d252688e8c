//! Operating the service: health, readiness, metrics, the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::app::AppState;
use crate::error::ApiError;
use crate::routes::answers::{Answers, Constraints, add_links};

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.storage.ping().await?;
    Ok("ready")
}

/// Prometheus metrics.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = || SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        components.add_security_scheme("device", bearer());
        components.add_security_scheme("admin_session", bearer());
        components.add_security_scheme(
            "console_session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::new(crate::extract::SESSION_COOKIE),
            )),
        );
    }
}

/// The service's OpenAPI document, generated from the handlers and the protocol types.
#[derive(OpenApi)]
#[openapi(
    info(title = "Waystation sync service", description = "Sync protocol version 1 and the admin API."),
    paths(
        crate::routes::sync::enroll,
        crate::routes::sync::signin,
        crate::routes::sync::push,
        crate::routes::sync::pull,
        crate::routes::admin::login,
        crate::routes::admin::devices,
        crate::routes::admin::revoke,
        crate::routes::admin::users,
        crate::routes::admin::orgs,
        crate::routes::admin::conflicts,
        crate::routes::console::sign_in,
        crate::routes::console::session,
        crate::routes::console::sign_out,
        crate::routes::console::overview,
        crate::routes::console::device,
        crate::routes::console::codes,
        crate::routes::console::issue_code,
        crate::routes::console::cancel_code,
        crate::routes::console::add_user,
        crate::routes::console::change_user,
        crate::routes::console::add_org,
        crate::routes::console::settle,
        crate::routes::console::audit_list,
    ),
    modifiers(&Security, &Answers, &Constraints)
)]
pub struct ApiDoc;

/// The service's OpenAPI document, as served: built once (it depends on nothing but the code).
pub fn document() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        add_links(&mut doc);
        doc
    })
}

/// The OpenAPI document as JSON.
pub async fn openapi() -> impl IntoResponse {
    Json(document())
}
