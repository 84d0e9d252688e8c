//! What the sync client remembers between runs: the service, this device's
//! credential, the epoch it last saw, the last success and error, and the
//! operations the service refused. It is kept inside the store's encrypted
//! database (one row, JSON), so it is readable by every local user who can
//! unlock the store, by nobody else, and wiped with the store.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use waystation_core::{DeviceId, OpId, OrgId, Role};
use waystation_protocol::{DeviceCredential, DeviceSecret, OpStatus};
use waystation_store::Store;
use zeroize::Zeroizing;

use crate::error::{Result, SyncError};
use crate::refusal::RefusalKind;

/// An operation the service refused: kept in the outbox but out of its
/// pending order, and shown to the user. One whose refusal can stop being
/// true ([`RefusalKind::may_settle`]) is offered again on a later sync (see
/// [`crate::SyncOptions::reoffer_after`]); the others only when the
/// service's epoch changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedOp {
    /// What the service said became of it.
    pub status: OpStatus,
    /// The service's words.
    pub message: Option<String>,
    /// When it was last refused.
    pub at: DateTime<Utc>,
    /// The organization the refused operation shares its case with, if it is a share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgId>,
}

impl RefusedOp {
    /// Why, as far as the client can act on it.
    pub fn kind(&self) -> RefusalKind {
        RefusalKind::of(self.status, self.message.as_deref())
    }

    /// What happened and what can be done, in plain words (English).
    pub fn words(&self) -> String {
        self.kind().words(self.org.as_ref())
    }
}

/// The sync client's memory for one store.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct SyncState {
    /// The service's address.
    pub server: Option<String>,
    /// This device's id, as the service enrolled it.
    pub device_id: Option<DeviceId>,
    secret: Option<DeviceSecret>,
    /// The organization the device belongs to.
    pub org: Option<OrgId>,
    /// The role the device syncs as.
    pub role: Option<Role>,
    /// The service epoch the outbox's acknowledgements belong to.
    pub epoch: Option<String>,
    /// When a sync last finished (push and pull).
    pub last_success: Option<DateTime<Utc>>,
    /// The last error, in plain words, and when (cleared by a success).
    pub last_error: Option<String>,
    /// When the last error happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// Operations the service refused, by id.
    pub refused: BTreeMap<OpId, RefusedOp>,
}

impl fmt::Debug for SyncState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncState")
            .field("server", &self.server)
            .field("device_id", &self.device_id)
            .field("secret", &self.secret)
            .field("epoch", &self.epoch)
            .field("last_success", &self.last_success)
            .field("last_error", &self.last_error)
            .field("refused", &self.refused.len())
            .finish_non_exhaustive()
    }
}

impl SyncState {
    /// The state right after enrolling `credential` with the service at `server`.
    pub fn enrolled(server: &str, credential: DeviceCredential, org: OrgId, role: Role, epoch: String) -> Self {
        Self {
            server: Some(server.to_owned()),
            device_id: Some(credential.device_id),
            secret: Some(credential.secret.clone()),
            org: Some(org),
            role: Some(role),
            epoch: Some(epoch),
            ..Self::default()
        }
    }

    /// The device credential, when enrolled.
    pub fn credential(&self) -> Option<DeviceCredential> {
        Some(DeviceCredential { device_id: self.device_id?, secret: self.secret.clone()? })
    }
}

/// Read the sync state kept in `store`'s encrypted database; `None` when the store was never enrolled.
pub fn load(store: &Store) -> Result<Option<SyncState>> {
    match store.sync_state()? {
        None => Ok(None),
        Some(text) => {
            let text = Zeroizing::new(text);
            serde_json::from_str(&text)
                .map(Some)
                .map_err(|_| SyncError::State("the stored sync state does not parse (damaged)".into()))
        }
    }
}

/// Write the sync state into `store`'s encrypted database (one transaction).
pub fn save(store: &mut Store, state: &SyncState) -> Result<()> {
    let text = Zeroizing::new(serde_json::to_string(state).map_err(|e| SyncError::State(e.to_string()))?);
    store.set_sync_state(&text)?;
    Ok(())
}
