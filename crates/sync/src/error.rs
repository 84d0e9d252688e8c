//! What can go wrong while syncing, in words a field agent can act on.

use waystation_protocol::ErrorCode;

/// Result with [`SyncError`].
pub type Result<T, E = SyncError> = std::result::Result<T, E>;

/// Why a sync (or an enrollment) did not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The service could not be reached, or the connection broke: retry later.
    #[error("the sync service cannot be reached ({0}); changes stay queued and are sent when it answers")]
    Unreachable(String),
    /// The service answered with an error it says is worth retrying (busy, unavailable, rate limited).
    #[error("the sync service is not answering normally ({code}): {message}")]
    Busy {
        /// The service's code.
        code: ErrorCode,
        /// The service's words.
        message: String,
    },
    /// The service refused the request for good (bad credential, protocol version, bad request).
    #[error("the sync service refused the request ({code}): {message}")]
    Refused {
        /// The service's code.
        code: ErrorCode,
        /// The service's words.
        message: String,
    },
    /// An administrator revoked this device: its store and keys were wiped.
    #[error("this device was revoked by an administrator; its store and keys were wiped from this computer")]
    Revoked,
    /// The service sent something that is not protocol version 1.
    #[error("the sync service sent an answer this app does not understand: {0}")]
    BadAnswer(String),
    /// This store was never enrolled with a sync service.
    #[error("this store is not enrolled with a sync service; run `waystation-cli enroll --server URL --code CODE`")]
    NotEnrolled,
    /// An enrollment stopped short; `standing` says what became of it.
    #[error("{}", standing.words(detail))]
    EnrollmentStopped {
        /// What became of the enrollment and its code.
        standing: EnrollStanding,
        /// The service's words, or what failed.
        detail: String,
        /// Whether trying again later may succeed by itself.
        transient: bool,
    },
    /// Enrolling into a folder that already holds a store.
    #[error("a store already exists in this folder; enroll into an empty folder")]
    StoreExists,
    /// The sync state beside the store cannot be read or written.
    #[error("the sync state of this store cannot be used: {0}")]
    State(String),
    /// A server URL that is not http(s).
    #[error("the server address is not valid: {0}")]
    BadServerUrl(String),
    /// Moving to another service address was refused: nothing changed.
    #[error("the service address was not changed to {server}: {reason}")]
    MoveRefused {
        /// The address asked for.
        server: String,
        /// Why, for a screen to say in its own words.
        kind: MoveRefusal,
        /// Why, in plain words (English).
        reason: String,
    },
    /// The push or the pull stopped short of its end without another error:
    /// some changes queued when the sync started were neither acknowledged
    /// nor refused. Nothing is lost; the next sync picks them up.
    #[error(
        "the sync did not finish: {left} changes queued when it started are still waiting \
         ({acknowledged} sent and acknowledged, {refused} refused so far); they stay queued for the next sync"
    )]
    Unfinished {
        /// Changes queued at the start, still waiting.
        left: u64,
        /// Changes the service acknowledged in this sync.
        acknowledged: u64,
        /// Changes the service refused in this sync.
        refused: u64,
    },
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] waystation_store::StoreError),
}

/// What became of an enrollment that stopped short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnrollStanding {
    /// Not enrolled yet, and the code is still good for this device: try again.
    CodeStillGood,
    /// The service refused the sign-in (a wrong name or password, another
    /// organization): not enrolled yet, the code still good while it lasts.
    SignInRefused,
    /// The code was used by another device.
    CodeUsedElsewhere,
    /// The code's life is over (before this device finished).
    CodeExpired,
    /// No such code.
    CodeInvalid,
    /// The device this enrollment made was revoked.
    Revoked,
}

impl EnrollStanding {
    /// What became of the enrollment, with `detail`, in plain words (English).
    pub fn words(self, detail: &str) -> String {
        match self {
            EnrollStanding::CodeStillGood => {
                format!("not enrolled yet: {detail}; the code is still good for this device; try again")
            }
            EnrollStanding::SignInRefused => format!(
                "not enrolled yet: the service refused the sign-in ({detail}); the code is still good for this \
                 device while it lasts; try again"
            ),
            EnrollStanding::CodeUsedElsewhere => {
                "not enrolled: the code was used by another device; ask an administrator for a new one".into()
            }
            EnrollStanding::CodeExpired => {
                format!("not enrolled: the code expired ({detail}); ask an administrator for a new one")
            }
            EnrollStanding::CodeInvalid => {
                "not enrolled: the code is not valid; check it, or ask an administrator for a new one".into()
            }
            EnrollStanding::Revoked => {
                "not enrolled: an administrator revoked the device this code enrolled; ask for a new code".into()
            }
        }
    }
}

/// Why a move to another service address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MoveRefusal {
    /// Nothing answers at that address.
    Unreachable,
    /// The service there does not know this device.
    UnknownDevice,
    /// What answers there is not a Waystation sync service.
    NotTheService,
    /// The service there refused for another reason (its words are in the reason).
    Other,
}

impl SyncError {
    /// Whether trying again later may succeed (connectivity, a busy or restarting service).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SyncError::Unreachable(_)
                | SyncError::Busy { .. }
                | SyncError::BadAnswer(_)
                | SyncError::Unfinished { .. }
                | SyncError::EnrollmentStopped { transient: true, .. }
        )
    }

    /// The service's error code, when the service answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            SyncError::Busy { code, .. } | SyncError::Refused { code, .. } => Some(*code),
            SyncError::Revoked => Some(ErrorCode::DeviceRevoked),
            _ => None,
        }
    }
}
