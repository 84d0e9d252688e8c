//! Where the service keeps its state: one trait, two backends (an embedded
//! SQLite file by default, PostgreSQL at scale), one test suite for both.
//! Every method is one transaction.

pub mod audit;
pub mod plan;
mod postgres;
pub mod refusal;
mod rows;
pub mod rules;
pub mod sealed;
mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use waystation_core::{CaseId, DeviceId, OpId, Operation, OrgId, Role, Sensitivity, UserName};
use waystation_protocol::admin::{AuditEntry, CaseConflicts, CodeInfo, DeviceInfo, OrgInfo, Refusal, UserInfo};
use waystation_protocol::{OpResult, ServerEpoch};

pub use postgres::Postgres;
pub use postgres::tls as postgres_tls;
pub use sqlite::Sqlite;
pub use sqlite::{backup as backup_sqlite, restore as restore_sqlite};

/// A storage failure. Never carries SQL, paths or secrets in its `Display`
/// beyond what an operator needs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// A thing with this key exists already.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// A thing this one refers to does not exist.
    #[error("{0} does not exist")]
    Missing(String),
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(String),
    /// A stored value could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Opening the data folder failed.
    #[error("cannot open the data folder: {0}")]
    Io(String),
    /// The database key given is not the one this database's data key is wrapped with.
    #[error(
        "the database key does not open this database: it is not the key the database was made or last rotated \
         with (nothing was changed)"
    )]
    WrongKey,
}

/// Result of storage calls.
pub type Result<T> = std::result::Result<T, StorageError>;

/// A user as stored.
#[derive(Clone)]
pub struct UserRecord {
    /// Sign-in name.
    pub name: UserName,
    /// Organization.
    pub org: OrgId,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// When added.
    pub created_at: DateTime<Utc>,
    /// Whether an administrator disabled it: every sign-in is refused.
    pub disabled: bool,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord").field("org", &self.org).field("role", &self.role).finish_non_exhaustive()
    }
}

/// A device as stored.
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    /// Its id.
    pub id: DeviceId,
    /// Its organization.
    pub org: OrgId,
    /// The role it syncs as.
    pub role: Role,
    /// SHA-256 of its secret, hex.
    pub secret_hash: String,
    /// Whether it was revoked.
    pub revoked: bool,
    /// Set while the device has not completed its first sign-in: when its
    /// enrollment expires (the code's end of life). After that its
    /// credential is refused.
    pub complete_by: Option<DateTime<Utc>>,
    /// Whether its operations' users must have signed in on it (false only
    /// for devices enrolled before sign-ins were recorded).
    pub checks_authorship: bool,
}

impl DeviceRecord {
    /// Whether the device was enrolled but never completed its first
    /// sign-in, and the code's life is over: its credential opens nothing.
    pub fn enrollment_expired(&self, now: DateTime<Utc>) -> bool {
        self.complete_by.is_some_and(|by| by <= now)
    }
}

/// A stored operation whose class the device that wrote it may not read
/// (written before the service refused that): for an administrator to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnwritableOp {
    /// The operation.
    pub op: OpId,
    /// Its case.
    pub case: CaseId,
    /// The device that wrote it.
    pub device: DeviceId,
    /// That device's role.
    pub role: Role,
    /// The operation's class.
    pub class: Sensitivity,
}

impl UnwritableOp {
    /// The row as stored (op id, case id, device id, role, class), if its
    /// class is one the device's role may not write; `None` otherwise.
    pub fn of_row(op: &str, case: &str, device: &str, role: &str, class: &str) -> Result<Option<Self>> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| StorageError::Corrupt(format!("stored {what}: {e}"));
        let role: Role = role.parse().map_err(|e| corrupt("role", &e))?;
        let class = rules::parse_class(class).ok_or_else(|| corrupt("class", &class))?;
        if role.may_write(class) {
            return Ok(None);
        }
        Ok(Some(Self {
            op: op.parse().map_err(|e| corrupt("operation id", &e))?,
            case: case.parse().map_err(|e| corrupt("case id", &e))?,
            device: device.parse().map_err(|e| corrupt("device id", &e))?,
            role,
            class,
        }))
    }
}

/// A device to be created by redeeming a code.
#[derive(Debug, Clone)]
pub struct NewDevice {
    /// Its id.
    pub id: DeviceId,
    /// Its label.
    pub name: String,
    /// SHA-256 of its secret, hex.
    pub secret_hash: String,
    /// The app version it reported.
    pub app_version: String,
    /// SHA-256 of the device's enrollment request id, hex, when it sent one.
    pub request_hash: Option<String>,
}

/// A one-time enrollment code to store (its hash only).
#[derive(Debug, Clone)]
pub struct NewCode {
    /// SHA-256 of the code, hex.
    pub code_hash: String,
    /// The organization the device will belong to.
    pub org: OrgId,
    /// The role it will sync as.
    pub role: Role,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Its id, to list and cancel it by (never the code).
    pub id: String,
    /// The administrator who issued it (`None` from the command line).
    pub created_by: Option<UserName>,
}

/// A change to a user (`None`: unchanged).
#[derive(Clone, Default)]
pub struct UserUpdate {
    /// A new role.
    pub role: Option<Role>,
    /// Disable or enable.
    pub disabled: Option<bool>,
    /// A new Argon2id hash.
    pub password_hash: Option<String>,
}

/// What a console session token opened.
#[derive(Debug, Clone)]
pub enum SessionLookup {
    /// A live session: its user (the session's idle clock restarted now) and its end.
    Live(UserRecord, DateTime<Utc>),
    /// The session ended (idle too long, past its life, or its user disabled); it was removed.
    Ended,
    /// No such session.
    Missing,
}

/// What redeeming an enrollment code gave.
#[derive(Debug, Clone)]
pub enum Redeemed {
    /// The device was created.
    Enrolled(DeviceRecord),
    /// The same enrollment (same code, same request id, within the code's
    /// life) was retried: the same device, its secret replaced.
    Retried(DeviceRecord),
    /// No such code.
    Unknown,
    /// The code expired.
    Expired,
    /// The code was used before by another enrollment request (or its
    /// device was revoked since, or has signed in since, or a retry came
    /// after the code's life).
    Used,
}

/// One page of an organization's change feed.
#[derive(Debug, Clone)]
pub struct PullPage {
    /// The operations, in feed order.
    pub ops: Vec<Operation>,
    /// The feed position to continue after (past skipped operations too).
    pub next: u64,
    /// Whether more follow (a page may be empty and still have more).
    pub more: bool,
}

/// Who pushes: the authenticated device.
#[derive(Debug, Clone)]
pub struct Pusher<'a> {
    /// The device.
    pub device: &'a DeviceRecord,
    /// When.
    pub now: DateTime<Utc>,
}

/// What organization `id` is to an administrator of `scope`.
pub(crate) fn org_relation(
    scope: Option<&str>,
    id: &str,
    added_by: Option<&str>,
    partner: bool,
) -> Option<waystation_protocol::admin::OrgRelation> {
    use waystation_protocol::admin::OrgRelation;
    let scope = scope?;
    Some(if id == scope {
        OrgRelation::Own
    } else if partner || added_by != Some(scope) {
        OrgRelation::Partner
    } else {
        OrgRelation::Added
    })
}

/// The service's storage.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// The service epoch (changes when the data is restored from a backup).
    async fn epoch(&self) -> Result<ServerEpoch>;
    /// Whether the database answers.
    async fn ping(&self) -> Result<()>;
    /// Add an organization.
    async fn add_org(&self, org: &OrgId, now: DateTime<Utc>) -> Result<()>;
    /// Every organization (`None`), or those an administrator of `org` may
    /// see: itself and its partners — the organizations it shares a case
    /// with, either way (it refers to them, or they referred to it).
    async fn orgs(&self, scope: Option<&OrgId>) -> Result<Vec<OrgInfo>>;
    /// Add a user (its organization must exist).
    async fn add_user(&self, user: &UserRecord) -> Result<()>;
    /// One user.
    async fn user(&self, name: &UserName) -> Result<Option<UserRecord>>;
    /// Users, of one organization or all.
    async fn users(&self, org: Option<&OrgId>) -> Result<Vec<UserInfo>>;
    /// Store a new enrollment code (its organization must exist).
    async fn add_code(&self, code: &NewCode) -> Result<()>;
    /// Redeem a code: mark it used and create the device, atomically.
    async fn redeem_code(&self, code_hash: &str, device: &NewDevice, now: DateTime<Utc>) -> Result<Redeemed>;
    /// `user` signed in on the device: its enrollment is complete, and
    /// operations by `user` from it are accepted.
    async fn record_sign_in(&self, id: DeviceId, user: &UserName, now: DateTime<Utc>) -> Result<()>;
    /// One device.
    async fn device(&self, id: DeviceId) -> Result<Option<DeviceRecord>>;
    /// Devices, of one organization or all, each with how far behind its
    /// organization's feed it is (counted now, from its last pull's cursor).
    async fn devices(&self, org: Option<&OrgId>) -> Result<Vec<DeviceInfo>>;
    /// Record the pull page a device was served: its cursor (`next`) and when.
    async fn record_pull(&self, id: DeviceId, next: u64, now: DateTime<Utc>) -> Result<()>;
    /// Record a push's refusals: add `count` to the device's refused
    /// operations and keep `last` as its last refusal (its message must be
    /// one [`refusal::kept_message`] keeps; see [`refusal::refusals_of`]).
    async fn record_refusals(&self, id: DeviceId, count: u64, last: &Refusal) -> Result<()>;
    /// Record a device's contact.
    async fn touch_device(
        &self,
        id: DeviceId,
        now: DateTime<Utc>,
        app_version: Option<&str>,
        protocol: u32,
    ) -> Result<()>;
    /// Revoke a device; false when there is no such device.
    async fn revoke_device(&self, id: DeviceId, now: DateTime<Utc>) -> Result<bool>;
    /// Store an admin session (hash of its token), its idle clock started at `now`.
    async fn add_session(
        &self,
        token_hash: &str,
        user: &UserName,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// The session of a token hash at `now`: live (its idle clock restarted),
    /// or ended (more than `idle` since its last request, past its life, or
    /// its user disabled: then it is removed), or missing.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>, idle: chrono::Duration) -> Result<SessionLookup>;
    /// End a session (sign-out).
    async fn end_session(&self, token_hash: &str) -> Result<()>;
    /// Change a user; false when there is no such user. Disabling ends its sessions.
    async fn update_user(&self, name: &UserName, change: &UserUpdate) -> Result<bool>;
    /// Add an organization as a partner added by an administrator of `by`.
    async fn add_partner_org(&self, org: &OrgId, by: &OrgId, now: DateTime<Utc>) -> Result<()>;
    /// The unused, uncancelled, unexpired enrollment codes of `org`.
    async fn codes(&self, org: &OrgId, now: DateTime<Utc>) -> Result<Vec<CodeInfo>>;
    /// Cancel an unused code of `org`; false when there is none with this id.
    async fn cancel_code(&self, org: &OrgId, id: &str, now: DateTime<Utc>) -> Result<bool>;
    /// Append an entry to the audit trail (hash-chained); its seq.
    async fn append_audit(&self, entry: &audit::NewAudit) -> Result<u64>;
    /// The latest audit entries, newest first: of `org` (`None`: all), about `target` (`None`: any).
    async fn audit(&self, org: Option<&OrgId>, target: Option<&str>, limit: u32) -> Result<Vec<AuditEntry>>;
    /// Walk the whole audit trail and check its chain.
    async fn verify_audit(&self) -> Result<audit::AuditCheck>;
    /// How many operations of the cases `org` sees (its feed) arrived since `since`.
    async fn ops_since(&self, org: &OrgId, since: DateTime<Utc>) -> Result<u64>;
    /// The service's own device id: the author of the operations it writes (settling a conflict).
    async fn service_device(&self) -> Result<DeviceId>;
    /// Store a batch of operations: idempotent by id, checked, merged into
    /// each case's state, appended to the change feeds — one transaction.
    async fn push(&self, pusher: Pusher<'_>, ops: Vec<Operation>) -> Result<Vec<OpResult>>;
    /// A page of the feed of `org`, after `after`, of what `role` may read,
    /// without the operations `device` pushed itself (it holds them: a device
    /// never loses its own operations while enrolled, and after a restore it
    /// re-sends them). The page's cursor moves past skipped operations too.
    async fn pull(&self, org: &OrgId, role: Role, device: DeviceId, after: u64, limit: u32) -> Result<PullPage>;
    /// Recorded conflicts of the cases `org` sees (never of notes).
    async fn conflicts(&self, org: &OrgId) -> Result<Vec<CaseConflicts>>;
    /// How many operations are stored (tests and metrics).
    async fn op_count(&self) -> Result<u64>;
    /// Stored operations whose class the device that wrote them may not read, oldest first.
    async fn unwritable_ops(&self) -> Result<Vec<UnwritableOp>>;
    /// The last accepted operation a device pushed.
    async fn last_pushed(&self, id: DeviceId) -> Result<Option<OpId>>;
}
