//! What a refusal of the service means for the agent: whether it can stop
//! being true (an organization the service learns, a user or a share added
//! later), so the change is offered again on a later sync, or never (the
//! same id with other content), and what to say about it in plain words.

use serde::Serialize;
use waystation_core::OrgId;
use waystation_protocol::OpStatus;

/// Why the service refused an operation, as far as the client can act on it.
///
/// Read from the status and from the rule the service's fixed words name
/// first (`"org: …"`, `"case: …"`, `"user: …"`): the service words each
/// refusal as `rule: explanation`, and the rule is what a client may rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefusalKind {
    /// The case is shared with an organization the service does not know yet.
    UnknownOrganization,
    /// This device's organization may not change the case (yet): it is not shared with it.
    CaseNotVisible,
    /// The change's user is not (yet) a user of this device's organization on the service.
    UserNotInOrganization,
    /// The change's user never signed in on this device on the service (first sign-in is online).
    UserNotSignedInHere,
    /// The service holds another operation with this id and other content: never accepted.
    DifferentContent,
    /// Refused for good for another reason (invalid, made on another device, another owner).
    Other,
}

impl RefusalKind {
    /// The kind of a refusal with `status` and the service's `message`.
    pub fn of(status: OpStatus, message: Option<&str>) -> Self {
        let rule = message.and_then(|m| m.split_once(':')).map(|(rule, _)| rule.trim());
        // An invalid organization id is worded "org: …" by validation too: only the unknown one settles.
        let unknown_org = message.is_some_and(|m| m.starts_with("org: no organization"));
        match (status, rule) {
            (OpStatus::RefusedDifferentContent, _) => RefusalKind::DifferentContent,
            (OpStatus::RefusedInvalid, Some("org")) if unknown_org => RefusalKind::UnknownOrganization,
            (OpStatus::RefusedForbidden, Some("case")) => RefusalKind::CaseNotVisible,
            (OpStatus::RefusedForbidden, Some("user")) if message.is_some_and(|m| m.contains("never signed in")) => {
                RefusalKind::UserNotSignedInHere
            }
            (OpStatus::RefusedForbidden, Some("user")) => RefusalKind::UserNotInOrganization,
            _ => RefusalKind::Other,
        }
    }

    /// Whether the refusal can stop being true once someone acts on the
    /// service: such an operation is offered again on a later sync.
    pub fn may_settle(self) -> bool {
        matches!(
            self,
            RefusalKind::UnknownOrganization
                | RefusalKind::CaseNotVisible
                | RefusalKind::UserNotInOrganization
                | RefusalKind::UserNotSignedInHere
        )
    }

    /// What happened and what can be done, in plain words (English), for
    /// the agent; `org` is the organization a refused share names.
    pub fn words(self, org: Option<&OrgId>) -> String {
        match self {
            RefusalKind::UnknownOrganization => format!(
                "{} is not known to the service yet; the referral will be sent when an administrator adds it",
                org.map(|o| org_words(o.as_str())).unwrap_or_else(|| "An organization this case is shared with".into())
            ),
            RefusalKind::CaseNotVisible => "This case is not shared with your organization on the service yet; \
                 the change will be sent when it is"
                .into(),
            RefusalKind::UserNotInOrganization => "The user who made this change is not a user of your organization \
                 on the service yet; the change will be sent when an administrator adds them"
                .into(),
            RefusalKind::UserNotSignedInHere => "The user who made this change never signed in online on this \
                 laptop; the change will be sent once they do"
                .into(),
            RefusalKind::DifferentContent => "The service already holds a different change with the same id; \
                 this one can never be accepted. It is kept here: ask a sync administrator"
                .into(),
            RefusalKind::Other => {
                "The service refused this change for good; it is kept here: ask a sync administrator".into()
            }
        }
    }
}

/// An organization's id said as words: `placement-office` is "Placement office".
fn org_words(id: &str) -> String {
    let spaced = id.replace(['-', '_', '.'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_that_can_settle_are_told_from_those_that_cannot() {
        let unknown = RefusalKind::of(
            OpStatus::RefusedInvalid,
            Some("org: no organization with this id is known to the service"),
        );
        assert_eq!(unknown, RefusalKind::UnknownOrganization);
        assert!(unknown.may_settle());
        let org = OrgId::parse("org", "placement-office").unwrap();
        assert_eq!(
            unknown.words(Some(&org)),
            "Placement office is not known to the service yet; the referral will be sent when an administrator adds it"
        );
        let different = RefusalKind::of(OpStatus::RefusedDifferentContent, Some("an operation with this id was…"));
        assert_eq!(different, RefusalKind::DifferentContent);
        assert!(!different.may_settle());
        assert!(different.words(None).contains("can never be accepted"));
        assert!(RefusalKind::of(OpStatus::RefusedForbidden, Some("case: not shared")).may_settle());
        assert!(RefusalKind::of(OpStatus::RefusedForbidden, Some("user: not a user")).may_settle());
        assert!(!RefusalKind::of(OpStatus::RefusedForbidden, Some("device: another device")).may_settle());
        assert!(!RefusalKind::of(OpStatus::RefusedInvalid, Some("child.age: out of range")).may_settle());
        assert!(!RefusalKind::of(OpStatus::RefusedInvalid, None).may_settle());
        assert!(!RefusalKind::of(OpStatus::RefusedInvalid, Some("org: not a valid id")).may_settle());
    }
}
