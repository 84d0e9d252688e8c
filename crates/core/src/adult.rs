//! Adults found with the child, and what they say and what was verified
//! about their relationship to the child.

use chrono::NaiveDate;
use serde::Serialize;

use crate::codes::CountryCode;
use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record, boolean, past_date, word_enum};
use crate::text::Text;

word_enum!(
    /// An adult's relationship to the child.
    Relationship, "a relationship" {
        /// Mother or father.
        Parent = "parent",
        /// Legal guardian.
        LegalGuardian = "legal_guardian",
        /// Brother or sister.
        Sibling = "sibling",
        /// Grandparent.
        Grandparent = "grandparent",
        /// Aunt or uncle.
        AuntOrUncle = "aunt_or_uncle",
        /// Cousin.
        Cousin = "cousin",
        /// Another relative.
        OtherRelative = "other_relative",
        /// A friend of the family.
        FamilyFriend = "family_friend",
        /// The child's partner.
        Partner = "partner",
        /// An employer.
        Employer = "employer",
        /// A guide or smuggler.
        GuideOrSmuggler = "guide_or_smuggler",
        /// No relationship.
        Unrelated = "unrelated",
        /// Not known.
        Unknown = "unknown",
    }
);

impl Relationship {
    /// Whether this adult may provide care and custody (a parent or legal guardian).
    pub fn is_parent_or_guardian(self) -> bool {
        matches!(self, Relationship::Parent | Relationship::LegalGuardian)
    }
}

word_enum!(
    /// How a relationship was verified.
    VerificationMethod, "a verification method" {
        /// Documents (birth certificate, guardianship order).
        Document = "document",
        /// A records check.
        RecordsCheck = "records_check",
        /// Separate interviews of the child and the adult.
        Interview = "interview",
        /// A DNA test.
        Dna = "dna",
        /// Another way (say which in the description).
        Other = "other",
    }
);

/// An adult found with the child. Everything is optional (an adult may give
/// nothing), but a verified relationship must say how it was verified.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Adult {
    /// Name as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<Text>,
    /// The relationship the adult (or the child) claimed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub claimed_relationship: Option<Relationship>,
    /// The relationship as verified; absent while not verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub verified_relationship: Option<Relationship>,
    /// How it was verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub verification_method: Option<VerificationMethod>,
    /// Date of birth.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub date_of_birth: Option<NaiveDate>,
    /// Nationality.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub nationality: Option<CountryCode>,
    /// Whether the adult was with the child at the encounter.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub present_at_encounter: Option<bool>,
    /// Phone or address given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub contact: Option<Text>,
    /// Anything else observed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description: Option<Text>,
}

impl Record for Adult {
    const WHAT: &'static str = "an adult";
    const FIELDS: &'static [&'static str] = &[
        "name",
        "claimed_relationship",
        "verified_relationship",
        "verification_method",
        "date_of_birth",
        "nationality",
        "present_at_encounter",
        "contact",
        "description",
    ];
    const REQUIRED: &'static [(&'static str, &'static str)] = &[];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        let a = Self {
            name: o.opt("name", Text::short)?,
            claimed_relationship: o.opt("claimed_relationship", Relationship::parse)?,
            verified_relationship: o.opt("verified_relationship", Relationship::parse)?,
            verification_method: o.opt("verification_method", VerificationMethod::parse)?,
            date_of_birth: o.opt("date_of_birth", |v| past_date(v, ctx))?,
            nationality: o.opt("nationality", CountryCode::parse)?,
            present_at_encounter: o.opt("present_at_encounter", boolean)?,
            contact: o.opt("contact", Text::short)?,
            description: o.opt("description", Text::long)?,
        };
        if ctx.whole && a.verified_relationship.is_some() && a.verification_method.is_none() {
            return Err(FieldError::new("verification_method", "is required when a relationship is verified"));
        }
        Ok(a)
    }
}
