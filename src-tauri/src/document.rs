//! The case document as the window reads and writes it, for the generated
//! bindings only. In Rust the document stays a JSON value that core parses
//! whole (`NewCase::from_value`) and merges per field (`CaseView::document`);
//! these types name its parts with core's own types so the TypeScript side
//! follows them. Never built: they exist for their `TS` declarations.

use ts_rs::TS;
use waystation_core::{
    Adult, CaseId, CaseStatus, Child, Custody, Encounter, ItemId, Note, Outcome, Referral, ReliefApplication,
    Screening, Service,
};

/// Declares an item of a case list: the item's fields and its id.
macro_rules! listed {
    ($($(#[$meta:meta])* $name:ident($item:ty);)*) => {$(
        $(#[$meta])*
        #[derive(TS)]
        #[allow(dead_code)]
        pub struct $name {
            /// The item's id (a saved item always has one; a new one may not yet).
            #[ts(optional)]
            id: Option<ItemId>,
            #[ts(flatten)]
            item: $item,
        }
    )*};
}

listed! {
    /// An adult found with the child, in a case list.
    AdultItem(Adult);
    /// A referral, in a case list.
    ReferralItem(Referral);
    /// A note, in a case list.
    NoteItem(Note);
    /// A service delivered, in a case list.
    ServiceItem(Service);
    /// A relief application, in a case list.
    ReliefItem(ReliefApplication);
    /// An outcome, in a case list.
    OutcomeItem(Outcome);
}

/// A case document (`examples/case.json`) as the merged view renders it.
/// Any part may be missing: a case synced in part, or parts a role may not read.
#[derive(TS)]
#[ts(optional_fields)]
#[allow(dead_code)]
pub struct CaseDocument {
    id: Option<CaseId>,
    status: Option<CaseStatus>,
    child: Option<Child>,
    encounter: Option<Encounter>,
    screening: Option<Screening>,
    custody: Option<Custody>,
    adults: Option<Vec<AdultItem>>,
    referrals: Option<Vec<ReferralItem>>,
    notes: Option<Vec<NoteItem>>,
    services: Option<Vec<ServiceItem>>,
    relief: Option<Vec<ReliefItem>>,
    outcomes: Option<Vec<OutcomeItem>>,
}

/// What the intake sends to be saved or screened: a case document with its
/// encounter, and no id (the shell makes one).
#[derive(TS)]
#[ts(optional_fields)]
#[allow(dead_code)]
pub struct NewCaseDocument {
    status: Option<CaseStatus>,
    child: Option<Child>,
    encounter: Encounter,
    screening: Option<Screening>,
    custody: Option<Custody>,
    adults: Option<Vec<AdultItem>>,
    referrals: Option<Vec<ReferralItem>>,
    notes: Option<Vec<NoteItem>>,
    services: Option<Vec<ServiceItem>>,
    relief: Option<Vec<ReliefItem>>,
    outcomes: Option<Vec<OutcomeItem>>,
}
