//! The HTTP service: its shared state, its routes, and serving them.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use waystation_protocol::paths;

use crate::clock::Clock;
use crate::error::ApiError;
use crate::extract::{device_gate, protocol_gate};
use crate::limiter::Limiter;
use crate::metrics::Metrics;
use crate::routes::{admin, console, ops, sync};
use crate::settings::Settings;
use crate::storage::Storage;

/// Per device: when its contact was last written, with the protocol and app version written.
pub type ContactLog =
    std::sync::Mutex<std::collections::HashMap<waystation_core::DeviceId, (std::time::Instant, u32, Option<String>)>>;

/// Per device: when its pull position was last written, and the cursor written.
pub type PullLog = std::sync::Mutex<std::collections::HashMap<waystation_core::DeviceId, (std::time::Instant, u64)>>;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The shared parts.
pub struct Inner {
    /// The storage backend.
    pub storage: Arc<dyn Storage>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The settings.
    pub settings: Settings,
    /// The counters.
    pub metrics: Metrics,
    /// Failed enrollment codes, per peer address.
    pub enroll_limiter: Limiter,
    /// Failed passwords, per user name.
    pub password_limiter: Limiter,
    /// Failed console sign-ins, per user name and address: after the free
    /// failures, 10 minutes.
    pub console_limiter: Limiter,
    /// The last clock of the operations the service wrote itself (settling conflicts).
    pub service_hlc: std::sync::Mutex<Option<waystation_core::Hlc>>,
    /// When each device's contact was last written, so a busy device costs one write a minute, not one per request.
    pub contacts: ContactLog,
    /// When each device's pull position was last written: a no-op sync or a
    /// page in the middle of a catch-up costs no write (at most one a minute).
    pub pulls: PullLog,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// State over a storage backend.
    pub fn new(storage: Arc<dyn Storage>, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        let lockout = chrono::Duration::seconds(settings.lockout_secs.max(1));
        let max = chrono::Duration::minutes(15);
        Self(Arc::new(Inner {
            storage,
            clock,
            enroll_limiter: Limiter::new(settings.free_failures, lockout, max),
            password_limiter: Limiter::new(settings.free_failures, lockout, max),
            console_limiter: Limiter::new(
                settings.free_failures,
                chrono::Duration::minutes(10),
                chrono::Duration::minutes(10),
            ),
            service_hlc: std::sync::Mutex::new(None),
            settings,
            metrics: Metrics::default(),
            contacts: Default::default(),
            pulls: Default::default(),
        }))
    }
}

async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let response = next.run(req).await;
    let took = start.elapsed();
    let status = response.status().as_u16();
    state.metrics.request(&method, &route, status, took);
    // The route template only: never a query string, a body or a credential.
    tracing::info!(%method, %route, status, took_ms = took.as_millis() as u64, "request");
    response
}

/// Every route of the service.
pub fn router(state: AppState) -> Router {
    let device = Router::new()
        .route(paths::ENROLL, post(sync::enroll))
        .route(paths::SIGNIN, post(sync::signin))
        .route(paths::PUSH, post(sync::push))
        .route(paths::PULL, get(sync::pull))
        .route_layer(middleware::from_fn(protocol_gate));
    let admin = Router::new()
        .route(paths::ADMIN_LOGIN, post(admin::login))
        .route(paths::ADMIN_DEVICES, get(admin::devices))
        .route(paths::ADMIN_DEVICE_REVOKE, post(admin::revoke))
        .route(paths::ADMIN_CONFLICTS, get(admin::conflicts))
        .route(paths::ADMIN_SESSION, post(console::sign_in).get(console::session))
        .route(paths::ADMIN_LOGOUT, post(console::sign_out))
        .route(paths::ADMIN_OVERVIEW, get(console::overview))
        .route(paths::ADMIN_DEVICE, get(console::device))
        .route(paths::ADMIN_CODES, get(console::codes).post(console::issue_code))
        .route(paths::ADMIN_CODE_CANCEL, post(console::cancel_code))
        .route(paths::ADMIN_USERS, get(admin::users).post(console::add_user))
        .route(paths::ADMIN_USER, axum::routing::patch(console::change_user))
        .route(paths::ADMIN_ORGS, get(admin::orgs).post(console::add_org))
        .route(paths::ADMIN_CONFLICT_SETTLE, post(console::settle))
        .route(paths::ADMIN_AUDIT, get(console::audit_list));
    let v1 = device.merge(admin).layer(middleware::from_fn_with_state(state.clone(), device_gate));
    Router::new()
        .merge(v1)
        .route(paths::HEALTHZ, get(ops::healthz))
        .route(paths::READYZ, get(ops::readyz))
        .route(paths::METRICS, get(ops::metrics))
        .route(paths::OPENAPI, get(ops::openapi))
        .route("/admin", get(crate::console_assets::to_index))
        .route(paths::CONSOLE, get(crate::console_assets::index))
        .route("/admin/{*path}", get(crate::console_assets::asset))
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                waystation_protocol::ErrorCode::MethodNotAllowed,
                "this route does not take this method",
            )
            .into_response()
        })
        .layer(middleware::from_fn_with_state(state.clone(), count))
        .with_state(state)
}

/// TLS material for `serve`.
pub type TlsConfig = axum_server::tls_rustls::RustlsConfig;

/// Load a PEM certificate chain and key.
pub async fn load_tls(cert: &std::path::Path, key: &std::path::Path) -> std::io::Result<TlsConfig> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    TlsConfig::from_pem_file(cert, key).await
}

/// Serve on an already bound listener until `shutdown` completes.
pub async fn serve(
    state: AppState,
    listener: std::net::TcpListener,
    tls: Option<TlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    listener.set_nonblocking(true)?;
    match tls {
        None => {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, app).with_graceful_shutdown(shutdown).await
        }
        Some(tls) => {
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                h.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
            });
            axum_server::from_tcp_rustls(listener, tls).handle(handle).serve(app).await
        }
    }
}
