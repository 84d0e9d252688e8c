//! Who may see what: organizations, roles, and the sensitivity classes of notes.
//! The service enforces these on every route and every sync page; they live
//! here so that the rule is written once.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::FieldError;

/// An organization's short id: lowercase letters, digits and hyphens, 1 to 64
/// characters (`border-station-7`, `casa-esperanza`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[a-z0-9-]{1,64}$"))]
pub struct OrgId(String);

/// A user's sign-in name: lowercase letters, digits, `.`, `_` and `-`, 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[a-z0-9._-]{1,64}$"))]
pub struct UserName(String);

fn parse_slug(field: &str, text: &str, extra: &[char], what: &str) -> Result<String, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, format!("is empty; give {what}")));
    }
    if t.len() > 64 {
        return Err(FieldError::new(field, format!("is longer than 64 characters; shorten {what}")));
    }
    if !t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || extra.contains(&c)) {
        let allowed = if extra.is_empty() { "" } else { ", dots and underscores" };
        return Err(FieldError::new(
            field,
            format!("may hold only lowercase letters, digits, hyphens{allowed} (got {t:?})"),
        ));
    }
    Ok(t.to_owned())
}

impl OrgId {
    /// The shape [`OrgId::parse`] accepts, once trimmed, as a regular
    /// expression (for forms; a test holds it to `parse`).
    pub const PATTERN: &'static str = "^[a-z0-9-]{1,64}$";

    /// Parse an organization id, naming `field` in the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        parse_slug(field, text, &[], "the organization's short id").map(Self)
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl UserName {
    /// The shape [`UserName::parse`] accepts, once trimmed, as a regular
    /// expression (for forms; a test holds it to `parse`).
    pub const PATTERN: &'static str = "^[a-z0-9._-]{1,64}$";

    /// Parse a user name, naming `field` in the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        parse_slug(field, text, &['.', '_'], "the user's sign-in name").map(Self)
    }
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_newtype_impls {
    ($t:ident, $field:literal) => {
        impl TryFrom<String> for $t {
            type Error = FieldError;
            /// From the wire (JSON): exactly its `PATTERN`, no spaces around it
            /// (`parse`, for what people type, trims them).
            fn try_from(s: String) -> Result<Self, Self::Error> {
                if s.trim() != s {
                    return Err(FieldError::new($field, "has spaces around it"));
                }
                Self::parse($field, &s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
        impl FromStr for $t {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse($field, s)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
text_newtype_impls!(OrgId, "organization");
text_newtype_impls!(UserName, "user");

/// What a user does, which decides what they may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A border agent at a station.
    Agent,
    /// NGO field staff: shelters, legal services, case management.
    NgoStaff,
    /// A supervisor of agents.
    Supervisor,
    /// Enrolls and revokes devices and watches sync; reads no restricted note.
    SyncAdmin,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 4] = [Role::Agent, Role::NgoStaff, Role::Supervisor, Role::SyncAdmin];

    /// The role's name on the wire and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::NgoStaff => "ngo_staff",
            Role::Supervisor => "supervisor",
            Role::SyncAdmin => "sync_admin",
        }
    }

    /// Whether this role may read content of the given class. Law-enforcement
    /// sensitive notes never reach NGO staff; legal-privileged notes never
    /// reach agents or their supervisors; sync administrators read only
    /// general content.
    pub fn may_read(self, class: Sensitivity) -> bool {
        self.readable().contains(&class)
    }

    /// Whether a device of this role may write an operation of `class`:
    /// exactly when it may read it (write rules match read rules), so a
    /// device never holds, even as its author, a note its role may not see.
    pub fn may_write(self, class: Sensitivity) -> bool {
        self.may_read(class)
    }

    /// The classes this role may read, in [`Sensitivity::ALL`]'s order.
    pub fn readable(self) -> &'static [Sensitivity] {
        use Sensitivity::*;
        match self {
            Role::Agent | Role::Supervisor => &[General, LawEnforcementSensitive, Medical],
            Role::NgoStaff => &[General, LegalPrivileged, Medical],
            Role::SyncAdmin => &[General],
        }
    }
}

impl FromStr for Role {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| {
            FieldError::new("role", format!("{s:?} is not a role; use agent, ngo_staff, supervisor or sync_admin"))
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sensitive a piece of a case is. Everything but notes is `General`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sensitivity {
    /// Readable by everyone the case is shared with.
    #[default]
    General,
    /// Investigative detail; never reaches NGO staff.
    LawEnforcementSensitive,
    /// Attorney–client material; never reaches agents.
    LegalPrivileged,
    /// Health information.
    Medical,
}

impl Sensitivity {
    /// Every class, in a stable order.
    pub const ALL: [Sensitivity; 4] = [
        Sensitivity::General,
        Sensitivity::LawEnforcementSensitive,
        Sensitivity::LegalPrivileged,
        Sensitivity::Medical,
    ];
    /// The class's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::General => "general",
            Sensitivity::LawEnforcementSensitive => "law_enforcement_sensitive",
            Sensitivity::LegalPrivileged => "legal_privileged",
            Sensitivity::Medical => "medical",
        }
    }
}

impl FromStr for Sensitivity {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sensitivity::ALL.into_iter().find(|c| c.as_str() == s.trim()).ok_or_else(|| {
            FieldError::new(
                "sensitivity",
                format!("{s:?} is not a sensitivity class; use general, law_enforcement_sensitive, legal_privileged or medical"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_on_the_wire_are_exact_while_typed_ones_are_trimmed() {
        assert!(serde_json::from_str::<OrgId>("\" border-7\"").is_err());
        assert!(serde_json::from_str::<UserName>("\"ana \"").is_err());
        assert_eq!(serde_json::from_str::<OrgId>("\"border-7\"").unwrap().as_str(), "border-7");
        assert_eq!(OrgId::parse("org", " border-7 ").unwrap().as_str(), "border-7");
    }

    use super::*;

    #[test]
    fn ngo_staff_never_reads_law_enforcement_notes_and_agents_never_read_legal_notes() {
        assert!(!Role::NgoStaff.may_read(Sensitivity::LawEnforcementSensitive));
        assert!(Role::NgoStaff.may_read(Sensitivity::LegalPrivileged));
        assert!(!Role::Agent.may_read(Sensitivity::LegalPrivileged));
        assert!(Role::Agent.may_read(Sensitivity::LawEnforcementSensitive));
        assert!(!Role::SyncAdmin.may_read(Sensitivity::Medical));
    }

    #[test]
    fn slugs_are_checked() {
        assert!(OrgId::parse("org", "casa-esperanza").is_ok());
        let e = OrgId::parse("org", "Casa Esperanza").unwrap_err();
        assert_eq!(e.field, "org");
        assert!(UserName::parse("user", "ana.lopez").is_ok());
        assert!(UserName::parse("user", "").is_err());
    }
}
