//! Services an NGO delivered to the child.

use chrono::NaiveDate;
use serde::Serialize;

use crate::access::OrgId;
use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record, org, past_date, word_enum};
use crate::text::Text;

word_enum!(
    /// Kinds of services.
    ServiceKind, "a kind of service" {
        /// Shelter or housing.
        Shelter = "shelter",
        /// Food and clothing.
        FoodAndClothing = "food_and_clothing",
        /// Medical care.
        MedicalCare = "medical_care",
        /// Mental health care.
        MentalHealth = "mental_health",
        /// A legal consultation or know-your-rights presentation.
        LegalConsultation = "legal_consultation",
        /// Legal representation.
        LegalRepresentation = "legal_representation",
        /// Schooling.
        Education = "education",
        /// Tracing family.
        FamilyTracing = "family_tracing",
        /// Interpretation.
        Interpretation = "interpretation",
        /// Case management.
        CaseManagement = "case_management",
        /// Transport.
        Transport = "transport",
        /// Anything else (say what in the description).
        Other = "other",
    }
);

impl ServiceKind {
    /// The services an intake offers to record as given at once, at the
    /// station: the rest are an NGO's, logged on the case afterwards.
    pub const AT_INTAKE: &'static [ServiceKind] = &[
        ServiceKind::FoodAndClothing,
        ServiceKind::MedicalCare,
        ServiceKind::Shelter,
        ServiceKind::Interpretation,
        ServiceKind::MentalHealth,
        ServiceKind::FamilyTracing,
        ServiceKind::LegalConsultation,
    ];
}

/// A service delivered. `kind` and `provided_on` are required.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Service {
    /// What kind.
    pub kind: ServiceKind,
    /// On which day (the first day, for a service that lasts).
    pub provided_on: NaiveDate,
    /// The providing organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub provider: Option<OrgId>,
    /// What was done.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description: Option<Text>,
}

impl Record for Service {
    const WHAT: &'static str = "a service";
    const FIELDS: &'static [&'static str] = &["kind", "provided_on", "provider", "description"];
    const REQUIRED: &'static [(&'static str, &'static str)] =
        &[("kind", "\"shelter\""), ("provided_on", "\"2000-01-01\"")];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        let s = Self {
            kind: o.req("kind", ServiceKind::parse)?,
            provided_on: o.req("provided_on", |v| past_date(v, ctx))?,
            provider: o.opt("provider", org)?,
            description: o.opt("description", Text::long)?,
        };
        if ctx.whole && s.kind == ServiceKind::Other && s.description.is_none() {
            return Err(FieldError::new("description", "is required for a service of kind other; say what it was"));
        }
        Ok(s)
    }
}
