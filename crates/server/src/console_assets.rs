//! The console's pages and assets, embedded at build time (see `build.rs`),
//! served at `/admin/` with the console's security headers.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use crate::routes::console::console_headers;

include!(concat!(env!("OUT_DIR"), "/console_files.rs"));

fn file(path: &str) -> Option<(&'static str, &'static [u8])> {
    CONSOLE_FILES.iter().find(|(p, _, _)| *p == path).map(|(_, t, b)| (*t, *b))
}

fn answer(path: &str) -> Response {
    let Some((kind, bytes)) = file(path) else {
        let (status, text) = if CONSOLE_FILES.is_empty() {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the console was not built into this service: run scripts/build-ui.sh, then build the service again",
            )
        } else {
            (StatusCode::NOT_FOUND, "no such page of the console")
        };
        let mut r = (status, text).into_response();
        console_headers(r.headers_mut());
        return r;
    };
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    // Hashed asset names never change; the page itself is always asked again.
    let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-store" };
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    console_headers(h);
    r
}

/// `GET /admin/`: the console's page.
pub async fn index() -> Response {
    answer("index.html")
}

/// `GET /admin`: to `/admin/`.
pub async fn to_index() -> Redirect {
    Redirect::permanent("/admin/")
}

/// `GET /admin/{*path}`: an asset, or the page for any other path (routes are in the fragment).
pub async fn asset(Path(path): Path<String>) -> Response {
    if path.split('/').any(|s| s == ".." || s.is_empty()) {
        return answer("");
    }
    if file(&path).is_some() || path.starts_with("assets/") { answer(&path) } else { answer("index.html") }
}

/// Whether the console's pages were built into this binary.
pub fn built() -> bool {
    !CONSOLE_FILES.is_empty()
}
