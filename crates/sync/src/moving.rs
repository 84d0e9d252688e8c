//! Moving a device's sync to another address of the same service: the
//! service moved, or is reached through another name or a proxy. Nothing is
//! enrolled again and nothing local changes but the address: the credential,
//! the outbox, the pull cursor and the epoch stay. The new address must
//! answer as a service that knows this device (it accepts its credential),
//! or nothing changes.

use waystation_protocol::ErrorCode;

use crate::client::{Client, parse_server_url};
use crate::engine::Syncer;
use crate::error::{MoveRefusal, Result, SyncError};

/// What [`Syncer::move_service`] found at the new address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceMoved {
    /// The address syncs go to from now on.
    pub server: String,
    /// The service there has another epoch than the one this device last
    /// saw (a copy restored from a backup): the next sync sends again what
    /// it may have lost, as after any restore.
    pub new_epoch: bool,
}

impl Syncer {
    /// Send this device's syncs to `server` from now on, once the service
    /// there has accepted this device's credential (one pull request, whose
    /// page is not applied). Refused, changing nothing: an address that is
    /// not one, a service that does not answer, one that does not know this
    /// device. A service that answers that this device was revoked knows it:
    /// the address is kept, and the next sync wipes the store as it would
    /// at the old address.
    pub async fn move_service(&mut self, server: &str) -> Result<ServiceMoved> {
        let url = parse_server_url(server)?;
        let credential = self.state.credential().ok_or(SyncError::NotEnrolled)?;
        let client = Client::new(url.clone())?.with_credential(credential);
        let (_, after) = self.pull_after().await?;
        let new_epoch = match client.pull(&after, 1).await {
            Ok(page) => self.state.epoch.as_deref() != Some(page.server_epoch.0.as_str()),
            Err(SyncError::Revoked) => false,
            Err(e) => {
                let (kind, reason) = why_not(e);
                return Err(SyncError::MoveRefused { server: url.to_string(), kind, reason });
            }
        };
        let server = url.to_string();
        self.state.server = Some(server.clone());
        self.save_state().await?;
        self.client = client;
        Ok(ServiceMoved { server, new_epoch })
    }
}

/// Why an address cannot be moved to, from what its answer was.
fn why_not(e: SyncError) -> (MoveRefusal, String) {
    match e {
        SyncError::Refused { code: ErrorCode::Unauthorized, message } => {
            (MoveRefusal::UnknownDevice, format!("the service there does not know this device ({message})"))
        }
        SyncError::BadAnswer(detail) => {
            (MoveRefusal::NotTheService, format!("what answers there is not a Waystation sync service ({detail})"))
        }
        SyncError::Unreachable(detail) => (MoveRefusal::Unreachable, format!("it cannot be reached ({detail})")),
        other => (MoveRefusal::Other, other.to_string()),
    }
}
