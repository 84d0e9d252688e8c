//! The service's sync routes over HTTP(S): one typed call per route, every
//! error answer mapped to a [`SyncError`] by its stable code.

use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use waystation_protocol::{
    DeviceCredential, EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, PROTOCOL_HEADER, PROTOCOL_VERSION,
    PullCursor, PullResponse, PushRequest, PushResponse, SignInRequest, SignInResponse, paths,
};

use crate::error::{Result, SyncError};

/// How long one request may take before it counts as lost (a pushed batch
/// of a thousand operations on a slow link stays well under it).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection to one sync service, as one device.
#[derive(Clone)]
pub struct Client {
    base: Url,
    http: reqwest::Client,
    credential: Option<DeviceCredential>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base.as_str()).field("credential", &self.credential).finish()
    }
}

/// Parse and check a service address (`http://` or `https://`, nothing after the host but a path).
pub fn parse_server_url(text: &str) -> Result<Url> {
    let url = Url::parse(text.trim()).map_err(|e| SyncError::BadServerUrl(format!("{text}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SyncError::BadServerUrl(format!("{text}: use an http:// or https:// address")));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(SyncError::BadServerUrl(format!("{text}: give only the scheme, host, port and path")));
    }
    Ok(url)
}

impl Client {
    /// A client of the service at `base`, without a device credential yet (enrollment).
    pub fn new(base: Url) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("waystation-sync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Unreachable(e.to_string()))?;
        Ok(Self { base, http, credential: None })
    }

    /// The same client, acting as the enrolled device `credential`.
    pub fn with_credential(mut self, credential: DeviceCredential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// The service's address.
    pub fn base(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> Result<Url> {
        let mut base = self.base.clone();
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        base.join(path.trim_start_matches('/')).map_err(|e| SyncError::BadServerUrl(e.to_string()))
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        authorized: bool,
    ) -> Result<T> {
        let body = match body {
            Some(b) => Some(serde_json::to_vec(b).map_err(|e| SyncError::BadAnswer(e.to_string()))?),
            None => None,
        };
        self.send(method, url, body, authorized).await
    }

    /// One request with its JSON body already encoded (`authorized`: on behalf of this device).
    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        authorized: bool,
    ) -> Result<T> {
        let mut req = self
            .http
            .request(method, url)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(waystation_protocol::APP_VERSION_HEADER, env!("CARGO_PKG_VERSION"));
        if authorized {
            let cred = self.credential.as_ref().ok_or(SyncError::NotEnrolled)?;
            req = req.bearer_auth(cred.bearer_token());
        }
        if let Some(b) = body {
            req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(b);
        }
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transport)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| SyncError::BadAnswer(e.to_string()));
        }
        Err(error_answer(status, &bytes))
    }

    /// `POST /v1/enroll`: trade a one-time code for this device's credential.
    pub async fn enroll(&self, req: &EnrollRequest) -> Result<EnrollResponse> {
        self.call(Method::POST, self.url(paths::ENROLL)?, Some(req), false).await
    }

    /// `POST /v1/signin`: check a user's password online (first sign-in on this device).
    pub async fn sign_in(&self, req: &SignInRequest) -> Result<SignInResponse> {
        self.call(Method::POST, self.url(paths::SIGNIN)?, Some(req), true).await
    }

    /// `POST /v1/push`: one batch of operations.
    pub async fn push(&self, req: &PushRequest) -> Result<PushResponse> {
        self.call(Method::POST, self.url(paths::PUSH)?, Some(req), true).await
    }

    /// Push operations given as their stored canonical JSON: the request is
    /// the same `PushRequest` document, put together from the bodies
    /// without parsing and encoding each again.
    pub async fn push_canonical<'a>(&self, bodies: impl ExactSizeIterator<Item = &'a str>) -> Result<PushResponse> {
        self.send(Method::POST, self.url(paths::PUSH)?, Some(push_document(bodies)), true).await
    }

    /// `GET /v1/pull`: the page after `after`.
    pub async fn pull(&self, after: &PullCursor, limit: u32) -> Result<PullResponse> {
        let mut url = self.url(paths::PULL)?;
        url.query_pairs_mut().append_pair("after", after.as_str()).append_pair("limit", &limit.to_string());
        self.call::<(), _>(Method::GET, url, None, true).await
    }

    /// `GET /healthz`: whether the service answers at all.
    pub async fn healthy(&self) -> bool {
        let Ok(url) = self.url(paths::HEALTHZ) else { return false };
        matches!(self.http.get(url).timeout(Duration::from_secs(5)).send().await, Ok(r) if r.status().is_success())
    }
}

/// `{"ops":[…]}` from operations' canonical JSON, each already a complete
/// JSON object: the document a [`PushRequest`] of them encodes to, up to key order.
fn push_document<'a>(bodies: impl ExactSizeIterator<Item = &'a str>) -> Vec<u8> {
    let mut doc = Vec::with_capacity(bodies.len() * 1024 + 16);
    doc.extend_from_slice(b"{\"ops\":[");
    for (i, body) in bodies.enumerate() {
        if i > 0 {
            doc.push(b',');
        }
        doc.extend_from_slice(body.as_bytes());
    }
    doc.extend_from_slice(b"]}");
    doc
}

fn transport(e: reqwest::Error) -> SyncError {
    // Plain words for the user; the details (never a body or a header) for the log.
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    tracing::info!(%detail, "sync request failed");
    let words = if e.is_timeout() {
        "the service did not answer in time"
    } else if e.is_connect() {
        "no connection to the service"
    } else if e.is_body() || e.is_decode() {
        "the connection broke while the answer arrived"
    } else {
        "the connection broke"
    };
    SyncError::Unreachable(words.into())
}

fn error_answer(status: StatusCode, bytes: &[u8]) -> SyncError {
    let Ok(body) = serde_json::from_slice::<ErrorBody>(bytes) else {
        // A proxy or a half-sent answer: not the service's words.
        return if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            SyncError::Busy { code: ErrorCode::Unavailable, message: format!("HTTP {status}") }
        } else {
            SyncError::BadAnswer(format!("HTTP {status} without an error body"))
        };
    };
    match body.code {
        ErrorCode::DeviceRevoked => SyncError::Revoked,
        ErrorCode::RateLimited | ErrorCode::Unavailable | ErrorCode::Internal => {
            SyncError::Busy { code: body.code, message: body.message }
        }
        code => SyncError::Refused { code, message: body.message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waystation_core::{CaseId, Change, DeviceId, HlcClock, OpId, Operation, OrgId, UserName};

    #[test]
    fn the_push_document_of_stored_bodies_is_the_push_request_of_the_operations() {
        let device = DeviceId::new();
        let mut clock = HlcClock::new(device);
        let ops: Vec<Operation> = (0..3)
            .map(|i| Operation {
                id: OpId::new(),
                case_id: CaseId::new(),
                hlc: clock.tick(i),
                device,
                user: UserName::parse("u", "ana").unwrap(),
                class: Default::default(),
                change: Change::create_case(OrgId::parse("o", "border-7").unwrap()),
            })
            .collect();
        let bodies: Vec<String> = ops.iter().map(Operation::canonical_json).collect();
        let doc = push_document(bodies.iter().map(String::as_str));
        let parsed: PushRequest = serde_json::from_slice(&doc).unwrap();
        assert_eq!(parsed, PushRequest { ops });
        let empty: PushRequest = serde_json::from_slice(&push_document(std::iter::empty())).unwrap();
        assert!(empty.ops.is_empty());
    }
}
