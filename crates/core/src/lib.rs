//! Waystation's domain, pure: the case model of one child (encounter,
//! screening, custody clock, referrals, notes), the screening instruments as
//! data, and the operations whose deterministic merge is a case's state.
//! No IO, no async, no framework: everything here runs the same on a field
//! laptop, in the central service and in a test.

pub mod access;
pub mod error;
pub mod hlc;
pub mod ids;
pub mod merge;
pub mod op;

pub use access::{OrgId, Role, Sensitivity, UserName};
pub use error::FieldError;
pub use hlc::{Hlc, HlcClock};
pub use ids::{CaseId, DeviceId, ItemId, OpId};
pub use merge::{CaseState, CaseView, Conflict, ConflictValue, FieldKey, MergeError};
pub use op::{Change, FieldPath, ListKind, Operation};
