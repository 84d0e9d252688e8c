//! Waystation's domain, pure: the case model of one child (encounter,
//! screening, custody clock, referrals, notes), the screening instruments as
//! data, and the operations whose deterministic merge is a case's state.
//! No IO, no async, no framework: everything here runs the same on a field
//! laptop, in the central service and in a test.
//!
//! The design this crate is part of is in the repository's `docs/` (docs/domain.md).

pub mod access;
pub mod adult;
pub mod case;
pub mod child;
pub mod codes;
pub mod custody;
pub mod custody_clock;
pub mod edit;
pub mod encounter;
pub mod error;
pub mod hlc;
pub mod ids;
pub mod merge;
pub mod note;
pub mod op;
pub mod outcome;
mod parse;
pub mod referral;
pub mod relief;
pub mod screening;
pub mod service;
pub mod text;
pub mod validate;

pub use access::{OrgId, Role, Sensitivity, UserName};
pub use adult::{Adult, Relationship, VerificationMethod};
pub use case::{CaseFlag, CaseStatus, Item, NewCase};
pub use child::{AgeMethod, Child, DocumentKind, IdentityDocument, Photo, Sex};
pub use codes::{CountryCode, LanguageCode};
pub use custody::Custody;
pub use custody_clock::{CustodyClock, CustodyFacts, CustodyRules, Deadline, DeadlineKind, DeadlineState};
pub use encounter::{Accompaniment, Encounter, EncounterType, StationCode};
pub use error::FieldError;
pub use hlc::{Hlc, HlcClock};
pub use ids::{CaseId, DeviceId, ItemId, OpId};
pub use merge::{CaseState, CaseView, Conflict, ConflictValue, FieldKey, MergeError};
pub use note::Note;
pub use op::{Change, FieldPath, ListKind, Operation};
pub use outcome::{Outcome, OutcomeKind};
pub use referral::{Referral, ReferralStatus, ReferralTo, referral_needs_share};
pub use relief::{ReliefApplication, ReliefKind};
pub use screening::{Answer, Catalog, CriterionAnswer, Instrument, Screening, ScreeningResult};
pub use service::{Service, ServiceKind};
pub use text::{Text, TimeZoneName, Timestamp};
pub use validate::{validate_change, validate_field, validate_item, validate_item_field, validate_operation};
