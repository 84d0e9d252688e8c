//! Referrals: to child placement, child welfare, the trafficking hotline,
//! investigators, legal, medical and victim services, with their status and
//! the time of each step.

use serde::Serialize;
use std::collections::BTreeSet;

use crate::access::OrgId;
use crate::error::FieldError;
use crate::parse::{Ctx, Obj, Record, org, word_enum};
use crate::text::{Text, Timestamp};

word_enum!(
    /// Where a referral goes.
    ReferralTo, "a referral destination" {
        /// The federal child-placement office.
        ChildPlacement = "child_placement",
        /// State or local child welfare.
        ChildWelfare = "child_welfare",
        /// The National Human Trafficking Hotline.
        TraffickingHotline = "trafficking_hotline",
        /// An investigative unit.
        InvestigativeUnit = "investigative_unit",
        /// Legal services.
        LegalServices = "legal_services",
        /// Medical care.
        Medical = "medical",
        /// Victim services (including the request for an interim assistance or eligibility letter).
        VictimServices = "victim_services",
    }
);

word_enum!(
    /// Where a referral stands.
    ReferralStatus, "a referral status" {
        /// Written, not sent.
        Drafted = "drafted",
        /// Sent.
        Sent = "sent",
        /// The receiver confirmed receipt.
        Acknowledged = "acknowledged",
        /// The receiver took it on.
        Accepted = "accepted",
        /// The receiver declined it.
        Declined = "declined",
        /// The service was delivered.
        Completed = "completed",
    }
);

impl ReferralStatus {
    /// The statuses in which a referral entered by mistake may be removed:
    /// only drafted (one that was sent stays as the record of it).
    pub const REMOVABLE: &'static [ReferralStatus] = &[ReferralStatus::Drafted];

    /// Whether a referral in this status is still waiting on someone (not
    /// yet accepted or declined).
    pub fn is_pending(self) -> bool {
        matches!(self, ReferralStatus::Drafted | ReferralStatus::Sent | ReferralStatus::Acknowledged)
    }

    /// The statuses a referral may move to from this one: drafted → sent →
    /// acknowledged → accepted or declined (straight from sent too) →
    /// completed (after accepted). Declined and completed are final.
    pub fn next(self) -> &'static [ReferralStatus] {
        use ReferralStatus as S;
        match self {
            S::Drafted => &[S::Sent],
            S::Sent => &[S::Acknowledged, S::Accepted, S::Declined],
            S::Acknowledged => &[S::Accepted, S::Declined],
            S::Accepted => &[S::Completed],
            S::Declined | S::Completed => &[],
        }
    }

    /// Whether no status may follow this one.
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }

    /// The referral field that dates this status (`sent_at`; `drafted_at` for drafted).
    pub fn time_field(self) -> &'static str {
        match self {
            ReferralStatus::Drafted => "drafted_at",
            ReferralStatus::Sent => "sent_at",
            ReferralStatus::Acknowledged => "acknowledged_at",
            ReferralStatus::Accepted => "accepted_at",
            ReferralStatus::Declined => "declined_at",
            ReferralStatus::Completed => "completed_at",
        }
    }
}

/// A referral. `to`, `status` and `drafted_at` are required.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Referral {
    /// Where it goes.
    pub to: ReferralTo,
    /// The receiving organization, when it uses Waystation: the case is shared with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub org: Option<OrgId>,
    /// Where it stands.
    pub status: ReferralStatus,
    /// When it was written.
    pub drafted_at: Timestamp,
    /// When it was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sent_at: Option<Timestamp>,
    /// When receipt was confirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub acknowledged_at: Option<Timestamp>,
    /// When it was accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub accepted_at: Option<Timestamp>,
    /// When it was declined.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub declined_at: Option<Timestamp>,
    /// When it was completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub completed_at: Option<Timestamp>,
    /// Why, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<Text>,
    /// The receiver's reference number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reference: Option<Text>,
}

impl Referral {
    /// When it was sent, or when a later step shows it must have been.
    pub fn sent_or_later_at(&self) -> Option<Timestamp> {
        [self.sent_at, self.acknowledged_at, self.accepted_at, self.declined_at, self.completed_at]
            .into_iter()
            .flatten()
            .min()
    }
}

impl Record for Referral {
    const WHAT: &'static str = "a referral";
    const FIELDS: &'static [&'static str] = &[
        "to",
        "org",
        "status",
        "drafted_at",
        "sent_at",
        "acknowledged_at",
        "accepted_at",
        "declined_at",
        "completed_at",
        "reason",
        "reference",
    ];
    const REQUIRED: &'static [(&'static str, &'static str)] =
        &[("to", "\"medical\""), ("status", "\"drafted\""), ("drafted_at", "\"2000-01-01T00:00:00Z\"")];

    fn read(o: &Obj<'_>, ctx: &Ctx) -> Result<Self, FieldError> {
        let ts = |key: &str| o.opt(key, |v| Timestamp::parse(v, ctx));
        let r = Self {
            to: o.req("to", ReferralTo::parse)?,
            org: o.opt("org", org)?,
            status: o.req("status", ReferralStatus::parse)?,
            drafted_at: o.req("drafted_at", |v| Timestamp::parse(v, ctx))?,
            sent_at: ts("sent_at")?,
            acknowledged_at: ts("acknowledged_at")?,
            accepted_at: ts("accepted_at")?,
            declined_at: ts("declined_at")?,
            completed_at: ts("completed_at")?,
            reason: o.opt("reason", Text::long)?,
            reference: o.opt("reference", Text::short)?,
        };
        if ctx.whole {
            let steps = [
                ("sent_at", r.sent_at),
                ("acknowledged_at", r.acknowledged_at),
                ("accepted_at", r.accepted_at),
                ("declined_at", r.declined_at),
                ("completed_at", r.completed_at),
            ];
            if let Some((key, _)) = steps.iter().find(|(_, t)| t.is_some_and(|t| t < r.drafted_at)) {
                return Err(FieldError::new(
                    *key,
                    "is before drafted_at; a referral cannot move before it was written",
                ));
            }
            if r.accepted_at.is_some() && r.declined_at.is_some() {
                return Err(FieldError::new("declined_at", "a referral cannot be both accepted and declined"));
            }
        }
        Ok(r)
    }
}

/// Whether a referral to `org` needs a `Share` with it so the receiver can
/// see the case: not when `org` owns the case (`owner`) or a referral saved
/// in the same save shared it already (`shared_in_save`). Every referral
/// saved later carries its own share (the desktop's follow-up passes an
/// empty set), so a device that ends the sharing of another referral to the
/// same organization without having seen this one ends only the shares it
/// saw ([`Change::Unshare`](crate::Change::Unshare)). The one rule for a
/// referral written at intake ([`NewCase::into_changes`](crate::NewCase::into_changes))
/// and one added later. An unknown owner (the case's creation not yet seen)
/// is no reason to skip the share.
pub fn referral_needs_share(owner: Option<&OrgId>, shared_in_save: &BTreeSet<OrgId>, org: &OrgId) -> bool {
    owner != Some(org) && !shared_in_save.contains(org)
}

#[cfg(test)]
mod tests {
    use super::ReferralStatus as S;
    use super::referral_needs_share;
    use crate::access::OrgId;
    use std::collections::BTreeSet;

    #[test]
    fn a_referral_moves_forward_one_step_at_a_time_and_stops_at_a_final_status() {
        assert_eq!(S::Drafted.next(), [S::Sent]);
        assert_eq!(S::Sent.next(), [S::Acknowledged, S::Accepted, S::Declined]);
        assert_eq!(S::Acknowledged.next(), [S::Accepted, S::Declined]);
        assert_eq!(S::Accepted.next(), [S::Completed]);
        assert!(S::Declined.is_final() && S::Completed.is_final());
        // No status leads back to itself or to drafted: a referral never moves back.
        for s in S::ALL {
            assert!(!s.next().contains(s), "{s} leads to itself");
            assert!(!s.next().contains(&S::Drafted), "{s} leads back to drafted");
        }
        // Every status but drafted is reachable from drafted.
        let mut reached = vec![S::Drafted];
        let mut i = 0;
        while i < reached.len() {
            for n in reached[i].next() {
                if !reached.contains(n) {
                    reached.push(*n);
                }
            }
            i += 1;
        }
        assert_eq!(reached.len(), S::ALL.len());
    }

    #[test]
    fn each_status_is_dated_by_its_own_field() {
        let fields: Vec<&str> = S::ALL.iter().map(|s| s.time_field()).collect();
        assert_eq!(fields, ["drafted_at", "sent_at", "acknowledged_at", "accepted_at", "declined_at", "completed_at"]);
        for f in fields {
            assert!(<super::Referral as crate::parse::Record>::FIELDS.contains(&f), "{f} is a referral field");
        }
    }

    #[test]
    fn a_referral_shares_the_case_only_with_an_organization_that_cannot_see_it_yet() {
        let org = |s: &str| OrgId::parse("org", s).unwrap();
        let (owner, shelter, clinic) = (org("border-ngo"), org("shelter"), org("clinic"));
        let shared: BTreeSet<OrgId> = [shelter.clone()].into();
        // The owner sees its own case; an organization already shared with sees it too.
        assert!(!referral_needs_share(Some(&owner), &shared, &owner));
        assert!(!referral_needs_share(Some(&owner), &shared, &shelter));
        // Anyone else needs a share.
        assert!(referral_needs_share(Some(&owner), &shared, &clinic));
        assert!(referral_needs_share(Some(&owner), &BTreeSet::new(), &shelter));
        // A case whose creation is not seen yet has no known owner: share rather than assume.
        assert!(referral_needs_share(None, &BTreeSet::new(), &owner));
        assert!(!referral_needs_share(None, &shared, &shelter));
    }
}
