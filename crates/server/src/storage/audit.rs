//! The service's audit trail: every console sign-in, failure and
//! administrative action, one row each, chained. Each entry's `mac` is
//! HMAC-SHA256 (a key derived from the database's data key) of the previous
//! entry's mac and this entry's fields; `meta.audit_head` holds the last seq
//! and mac. A changed entry breaks its own mac, a deleted one leaves a gap in
//! the seqs (or the head names an entry that is gone), and rebuilding the
//! chain needs the key. `waystation-server audit verify` walks it.

use chrono::{DateTime, Utc};
use waystation_core::OrgId;
use waystation_protocol::admin::AuditEntry;

use super::sealed::Sealer;

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewAudit {
    /// When.
    pub at: DateTime<Utc>,
    /// The organization it belongs to (what an administrator of it may read), if any.
    pub org: Option<OrgId>,
    /// Who: a user name, `device:<id>`, `address:<ip>` or `service`.
    pub actor: String,
    /// What, as a fixed word.
    pub action: String,
    /// On what.
    pub target: String,
    /// `ok`, or the refusal in fixed words.
    pub outcome: String,
}

impl NewAudit {
    /// An entry at `at`.
    pub fn new(at: DateTime<Utc>, org: Option<&OrgId>, actor: impl Into<String>, action: &str) -> Self {
        Self {
            at,
            org: org.cloned(),
            actor: actor.into(),
            action: action.to_owned(),
            target: String::new(),
            outcome: "ok".to_owned(),
        }
    }

    /// On `target`.
    pub fn on(mut self, target: impl std::fmt::Display) -> Self {
        self.target = target.to_string();
        self
    }

    /// Refused, for `why`.
    pub fn refused(mut self, why: impl Into<String>) -> Self {
        self.outcome = why.into();
        self
    }
}

/// An entry as stored.
#[derive(Debug, Clone)]
pub struct StoredAudit {
    /// The entry.
    pub entry: AuditEntry,
    /// Its organization.
    pub org: Option<String>,
    /// Its mac.
    pub mac: String,
}

/// The mac of entry `seq` after the entry whose mac is `prev`. Times count
/// in microseconds, which both backends keep exactly.
#[allow(clippy::too_many_arguments)] // one argument per field the mac covers, in its order
pub fn mac_of(
    sealer: &Sealer,
    prev: &str,
    seq: u64,
    at: DateTime<Utc>,
    org: Option<&str>,
    actor: &str,
    action: &str,
    target: &str,
    outcome: &str,
) -> String {
    let (seq, micros) = (seq.to_be_bytes(), at.timestamp_micros().to_be_bytes());
    let org = org.unwrap_or("");
    sealer.audit_mac(
        prev,
        &[&seq, &micros, org.as_bytes(), actor.as_bytes(), action.as_bytes(), target.as_bytes(), outcome.as_bytes()],
    )
}

/// The time as both backends keep it (microseconds).
pub fn stored_time(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// The head as kept in `meta.audit_head`: `<seq>:<mac>`.
pub fn head_text(seq: u64, mac: &str) -> String {
    format!("{seq}:{mac}")
}

/// Read `meta.audit_head` (absent: an empty trail).
pub fn parse_head(text: Option<&str>) -> Option<(u64, String)> {
    let (seq, mac) = text?.split_once(':')?;
    Some((seq.parse().ok()?, mac.to_owned()))
}

/// What walking the trail found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCheck {
    /// Every entry is as written, none missing.
    Intact {
        /// How many entries.
        entries: u64,
    },
    /// The first place the chain breaks.
    Broken {
        /// The seq of the entry at fault (or missing).
        seq: u64,
        /// What is wrong, in plain words.
        why: String,
    },
}

/// Walk `rows` (in seq order) against the head.
pub fn verify(sealer: &Sealer, rows: &[StoredAudit], head: Option<&str>) -> AuditCheck {
    let mut prev = String::new();
    let mut expected = 1u64;
    for row in rows {
        let e = &row.entry;
        if e.seq != expected {
            return AuditCheck::Broken {
                seq: expected,
                why: if e.seq > expected {
                    format!("entry {expected} is missing (deleted): the next entry kept is {}", e.seq)
                } else {
                    format!("entry {} appears out of order", e.seq)
                },
            };
        }
        let mac = mac_of(sealer, &prev, e.seq, e.at, row.org.as_deref(), &e.actor, &e.action, &e.target, &e.outcome);
        if mac != row.mac {
            return AuditCheck::Broken {
                seq: e.seq,
                why: format!("entry {} was changed after it was written (its mac does not match)", e.seq),
            };
        }
        prev = mac;
        expected += 1;
    }
    let last = expected - 1;
    match parse_head(head) {
        None if last == 0 => AuditCheck::Intact { entries: 0 },
        None => AuditCheck::Broken { seq: last, why: "the trail's head record is missing".into() },
        Some((seq, mac)) if seq == last && mac == prev => AuditCheck::Intact { entries: last },
        Some((seq, _)) if seq > last => AuditCheck::Broken {
            seq: last + 1,
            why: format!("entries {} to {seq} are missing (deleted from the end)", last + 1),
        },
        Some(_) => AuditCheck::Broken { seq: last, why: "the trail's head does not match its last entry".into() },
    }
}
