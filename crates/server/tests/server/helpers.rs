//! `spawn_app`, test devices and operation builders.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Map, Value, json};
use std::sync::{Arc, OnceLock};
use waystation_core::{
    CaseId, Change, DeviceId, FieldPath, HlcClock, ItemId, ListKind, OpId, Operation, OrgId, Role, Sensitivity,
    UserName,
};
use waystation_protocol::{EnrollResponse, ErrorBody, PROTOCOL_HEADER, PullResponse, PushResponse};
use waystation_server::clock::ShiftedClock;
use waystation_server::storage::{NewCode, UserRecord};
use waystation_server::{AppState, Postgres, Settings, Sqlite, Storage, secrets};

pub use waystation_system_tests::Backend;
pub use waystation_system_tests::backend::{postgres_url, with_database};

pub const PASSWORD: &str = "correct horse battery staple";

/// A URL for a fresh, empty database on the test server.
pub async fn fresh_postgres_database() -> Option<String> {
    waystation_system_tests::backend::fresh_postgres_database().await.expect("a fresh test database")
}

/// A fresh storage of the backend; `None` when PostgreSQL is skipped.
pub async fn fresh_storage(backend: Backend) -> Option<(Arc<dyn Storage>, Option<tempfile::TempDir>, Option<String>)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let s = Sqlite::open(dir.path(), &waystation_system_tests::backend::test_database_key()).unwrap();
            Some((Arc::new(s), Some(dir), None))
        }
        Backend::Postgres => {
            let url = fresh_postgres_database().await?;
            let s = Postgres::open(&url, 12, &waystation_system_tests::backend::test_database_key()).await.unwrap();
            Some((Arc::new(s), None, Some(url)))
        }
    }
}

/// A running service.
pub struct TestApp {
    pub base: String,
    pub storage: Arc<dyn Storage>,
    pub clock: Arc<ShiftedClock>,
    pub http: reqwest::Client,
    /// The database itself, for a test that must write what the service no
    /// longer accepts (data from before a rule).
    sql: SqlDb,
    _dir: Option<tempfile::TempDir>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

enum SqlDb {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

pub fn test_settings() -> Settings {
    Settings { max_body_bytes: 256 * 1024, max_batch_ops: 500, free_failures: 3, ..Default::default() }
}

fn password_hash() -> String {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| secrets::hash_password(PASSWORD).unwrap()).clone()
}

pub fn org(s: &str) -> OrgId {
    OrgId::parse("org", s).unwrap()
}

pub fn user(s: &str) -> UserName {
    UserName::parse("user", s).unwrap()
}

/// Start the service with a fresh database, seeded with organizations
/// `border-7` (agents), `casa-esperanza` and `otra-ong` (NGOs) and a user per role.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, test_settings()).await
}

pub async fn spawn_app_with(backend: Backend, settings: Settings) -> Option<TestApp> {
    let (storage, dir, url) = fresh_storage(backend).await?;
    let sql = match (&dir, url) {
        (_, Some(url)) => SqlDb::Postgres(url),
        (Some(d), None) => SqlDb::Sqlite(d.path().join("waystation-server.sqlite3")),
        (None, None) => unreachable!("a backend has a file or a URL"),
    };
    let clock = Arc::new(ShiftedClock::default());
    let now = chrono::Utc::now();
    for o in ["border-7", "casa-esperanza", "otra-ong"] {
        storage.add_org(&org(o), now).await.unwrap();
    }
    for (name, o, role) in [
        ("ana", "border-7", Role::Agent),
        ("sam", "border-7", Role::Supervisor),
        ("root", "border-7", Role::SyncAdmin),
        ("luis", "casa-esperanza", Role::NgoStaff),
        ("nadia", "casa-esperanza", Role::SyncAdmin),
        ("olga", "otra-ong", Role::NgoStaff),
    ] {
        storage
            .add_user(&UserRecord {
                name: user(name),
                org: org(o),
                role,
                password_hash: password_hash(),
                created_at: now,
                disabled: false,
            })
            .await
            .unwrap();
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(storage.clone(), clock.clone(), settings);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        waystation_server::serve(state, listener, None, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    Some(TestApp {
        base: format!("http://{addr}"),
        storage,
        clock,
        http: reqwest::Client::new(),
        sql,
        _dir: dir,
        _stop: stop,
    })
}

impl TestApp {
    /// Run SQL on the service's database directly, beside the running service.
    /// The PostgreSQL database's URL, for a PostgreSQL app.
    pub fn postgres_url(&self) -> Option<String> {
        match &self.sql {
            SqlDb::Postgres(url) => Some(url.clone()),
            SqlDb::Sqlite(_) => None,
        }
    }

    pub async fn execute_sql(&self, sql: &str) {
        match &self.sql {
            SqlDb::Sqlite(path) => {
                let c = rusqlite::Connection::open(path).unwrap();
                c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
                c.execute_batch(sql).unwrap();
            }
            SqlDb::Postgres(url) => {
                let client = waystation_server::storage::postgres_tls::connect(url).await.unwrap();
                client.batch_execute(sql).await.unwrap();
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A fresh one-time code.
    pub async fn code(&self, o: &str, role: Role, ttl: Duration) -> String {
        let code = secrets::enrollment_code();
        let now = self.clock_now();
        self.storage
            .add_code(&NewCode {
                code_hash: secrets::hash_secret(&secrets::normalize_code(&code)),
                org: org(o),
                role,
                created_at: now,
                expires_at: now + ttl,
                id: waystation_server::secrets::random_token(9),
                created_by: None,
            })
            .await
            .unwrap();
        code.to_string()
    }

    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use waystation_server::clock::Clock;
        self.clock.now()
    }

    pub async fn enroll_raw(&self, code: &str) -> reqwest::Response {
        self.http
            .post(self.url("/v1/enroll"))
            .header(PROTOCOL_HEADER, "1")
            .json(&json!({"code": code, "device_name": "laptop", "app_version": "0.1.0"}))
            .send()
            .await
            .unwrap()
    }

    /// `POST /v1/enroll` with an enrollment request id.
    pub async fn enroll_as(&self, code: &str, request_id: &str) -> reqwest::Response {
        self.http
            .post(self.url("/v1/enroll"))
            .header(PROTOCOL_HEADER, "1")
            .json(&json!({"code": code, "device_name": "laptop", "app_version": "0.1.0", "request_id": request_id}))
            .send()
            .await
            .unwrap()
    }

    /// Enroll a device of `o` with `role`, acting as user `u`, and sign `u`
    /// in on it when `u` may (completing the enrollment).
    pub async fn device(&self, o: &str, role: Role, u: &str) -> TestDevice {
        let d = self.pending_device(o, role, u).await;
        let _ = d.req(reqwest::Method::POST, "/v1/signin").json(&json!({"user": u, "password": PASSWORD})).send().await;
        d
    }

    /// Enroll a device of `o` with `role` for user `u`, without signing in:
    /// its enrollment is not completed.
    pub async fn pending_device(&self, o: &str, role: Role, u: &str) -> TestDevice {
        let code = self.code(o, role, Duration::hours(24)).await;
        let r = self.enroll_raw(&code).await;
        assert_eq!(r.status(), StatusCode::OK);
        self.device_from(r.json().await.unwrap(), u)
    }

    /// The device of an enrollment answer, acting as user `u`.
    pub fn device_from(&self, e: EnrollResponse, u: &str) -> TestDevice {
        TestDevice {
            http: self.http.clone(),
            base: self.base.clone(),
            token: format!("{}.{}", e.device_id, e.device_secret.expose()),
            id: e.device_id,
            org: e.org,
            user: user(u),
            clock: std::sync::Mutex::new(HlcClock::new(e.device_id)),
        }
    }

    /// The arguments naming this app's database for the `waystation-server`
    /// command line: `--data <folder>` or `--database-url <url>`.
    pub fn database_args(&self) -> Vec<String> {
        match &self.sql {
            SqlDb::Sqlite(path) => {
                vec!["--data".into(), path.parent().expect("the database's folder").display().to_string()]
            }
            SqlDb::Postgres(url) => vec!["--database-url".into(), url.clone()],
        }
    }

    /// Enroll a device of `o` named `name` for user `u`, its first sign-in
    /// recorded in the storage directly (no password check: fast).
    pub async fn named_device(&self, o: &str, role: Role, u: &str, name: &str) -> TestDevice {
        let code = self.code(o, role, Duration::hours(24)).await;
        let r = self
            .http
            .post(self.url("/v1/enroll"))
            .header(PROTOCOL_HEADER, "1")
            .json(&json!({"code": code, "device_name": name, "app_version": "0.1.0"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let d = self.device_from(r.json().await.unwrap(), u);
        self.storage.record_sign_in(d.id, &user(u), self.clock_now()).await.unwrap();
        d
    }

    /// An admin session token for `u`.
    pub async fn admin_token(&self, u: &str) -> String {
        let r = self
            .http
            .post(self.url("/v1/admin/login"))
            .json(&json!({"user": u, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "admin login");
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }
}

/// An enrolled device speaking the protocol.
pub struct TestDevice {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub id: DeviceId,
    pub org: OrgId,
    pub user: UserName,
    clock: std::sync::Mutex<HlcClock>,
}

impl TestDevice {
    pub fn op(&self, case: CaseId, change: Change) -> Operation {
        let class = change.inherent_class().unwrap_or(Sensitivity::General);
        let ms = chrono::Utc::now().timestamp_millis() as u64;
        let hlc = self.clock.lock().unwrap().tick(ms);
        Operation { id: OpId::new(), case_id: case, hlc, device: self.id, user: self.user.clone(), class, change }
    }

    pub fn create(&self, case: CaseId) -> Operation {
        self.op(case, Change::create_case(self.org.clone()))
    }

    pub fn set(&self, case: CaseId, field: &str, value: Value) -> Operation {
        self.op(case, Change::Set { field: FieldPath::parse(field).unwrap(), value, supersedes: vec![] })
    }

    pub fn share(&self, case: CaseId, with: &str) -> Operation {
        self.op(case, Change::Share { org: org(with) })
    }

    pub fn note(&self, case: CaseId, class: Sensitivity, text: &str) -> Operation {
        let mut value = Map::new();
        value.insert("sensitivity".into(), json!(class.as_str()));
        value.insert("text".into(), json!(text));
        self.op(case, Change::AddItem { list: ListKind::Notes, item: ItemId::new(), value })
    }

    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).header(PROTOCOL_HEADER, "1").bearer_auth(&self.token)
    }

    pub async fn push_raw(&self, ops: &[Operation]) -> reqwest::Response {
        self.req(reqwest::Method::POST, "/v1/push").json(&json!({ "ops": ops })).send().await.unwrap()
    }

    pub async fn push(&self, ops: &[Operation]) -> PushResponse {
        let r = self.push_raw(ops).await;
        assert_eq!(r.status(), StatusCode::OK, "push: {}", r.text().await.unwrap_or_default());
        r.json().await.unwrap()
    }

    pub async fn pull_page(&self, after: &str, limit: u32) -> PullResponse {
        let r = self.req(reqwest::Method::GET, &format!("/v1/pull?after={after}&limit={limit}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "pull: {}", r.text().await.unwrap_or_default());
        r.json().await.unwrap()
    }

    /// Pull everything from the start, following pages.
    pub async fn pull_all(&self) -> Vec<Operation> {
        let mut cursor = "0".to_owned();
        let mut all = Vec::new();
        loop {
            let page = self.pull_page(&cursor, 200).await;
            all.extend(page.ops);
            cursor = page.next_cursor.as_str().to_owned();
            if !page.more {
                return all;
            }
        }
    }
}

/// The error body of a response, checking its status.
pub async fn error_of(r: reqwest::Response, status: StatusCode) -> ErrorBody {
    assert_eq!(r.status(), status);
    let text = r.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an error body ({e}): {text}"))
}

impl TestDevice {
    /// A device from an enrollment answer, against any base URL.
    pub fn for_tests(http: reqwest::Client, base: &str, e: &EnrollResponse, u: &str) -> Self {
        TestDevice {
            http,
            base: base.to_owned(),
            token: format!("{}.{}", e.device_id, e.device_secret.expose()),
            id: e.device_id,
            org: e.org.clone(),
            user: user(u),
            clock: std::sync::Mutex::new(HlcClock::new(e.device_id)),
        }
    }
}
