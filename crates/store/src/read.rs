//! Reading cases: one case (an audited read), the list, search, the
//! timeline of a case and the store's status.

use rusqlite::{OptionalExtension, TransactionBehavior};
use serde::Serialize;
use waystation_core::{CaseId, CaseView, DeviceId, Hlc, Operation, OrgId, UserName};

use crate::audit::Action;
use crate::db;
use crate::error::{Result, StoreError};
use crate::materialize::{load_ops, parse_op};
use crate::store::Store;
use crate::sync::FeedPosition;

/// One line of the case list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CaseSummary {
    /// The case.
    pub id: CaseId,
    /// `open`, `referred`, `transferred`, `closed`, when set.
    pub status: Option<String>,
    /// The child's given and family names, when recorded.
    pub name: Option<String>,
    /// When the encounter happened, as recorded.
    pub encounter_at: Option<String>,
    /// Clock of the case's newest operation (sortable text).
    pub updated: Option<String>,
}

/// What `status` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StoreStatus {
    /// Cases in the store.
    pub case_count: u64,
    /// Operations waiting for the server's acknowledgement.
    pub outbox_len: u64,
    /// Newest clock made or seen on this device.
    pub last_hlc: Option<Hlc>,
    /// This device.
    pub device: DeviceId,
    /// Its organization.
    pub owner_org: OrgId,
    /// The signed-in user.
    pub user: UserName,
    /// Where the last pull stopped.
    pub pull_cursor: Option<FeedPosition>,
    /// Pulled operations refused and kept aside.
    pub rejected_ops: u64,
    /// Entries in the audit chain.
    pub audit_entries: u64,
    /// Schema version of the database.
    pub schema_version: u32,
}

/// Turn free text into an FTS5 query that cannot be a syntax error: control
/// characters (a NUL ends the query string inside SQLite) become spaces; each
/// word becomes a quoted phrase (quotes doubled) matched as a prefix; words
/// without a letter or digit are dropped. `None` when nothing is left.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let terms: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

impl Store {
    fn audit_read(&mut self, action: Action, case_id: Option<CaseId>) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut log = self.stamper.audit(&tx)?;
        log.append(&tx, action, case_id.map(|c| c.to_string()).as_deref(), None, None)?;
        log.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// One case's view, or `None`. The read is recorded in the audit chain.
    pub fn case(&mut self, id: CaseId) -> Result<Option<CaseView>> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT view FROM cases WHERE case_id = ?1", [id.to_string()], |r| r.get(0))
            .optional()?;
        let Some(json) = json else { return Ok(None) };
        let view: CaseView =
            serde_json::from_str(&json).map_err(|_| StoreError::Damaged("a stored case view does not parse".into()))?;
        self.audit_read(Action::Read, Some(id))?;
        Ok(Some(view))
    }

    /// Every case's merged view, newest change first, with ONE audit entry
    /// for the listing (the desktop list shows each case's custody clock and
    /// flags, which need the whole document).
    pub fn case_views(&mut self) -> Result<Vec<CaseView>> {
        let mut stmt = self.conn.prepare("SELECT view FROM cases ORDER BY updated_hlc DESC, num DESC")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut views = Vec::new();
        for json in rows {
            let view: CaseView = serde_json::from_str(&json?)
                .map_err(|_| StoreError::Damaged("a stored case view does not parse".into()))?;
            views.push(view);
        }
        drop(stmt);
        self.audit_read(Action::List, None)?;
        Ok(views)
    }

    /// Every case, newest change first (one audit entry for the listing).
    pub fn case_list(&mut self) -> Result<Vec<CaseSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT case_id, status, given_name, family_name, encounter_at, updated_hlc
             FROM cases ORDER BY updated_hlc DESC, num DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut list = Vec::new();
        for row in rows {
            let (id, status, given, family, encounter_at, updated) = row?;
            let id = CaseId::parse("case_id", &id).map_err(|_| StoreError::Damaged("a case id".into()))?;
            let name = match (given, family) {
                (Some(g), Some(f)) => Some(format!("{g} {f}")),
                (g, f) => g.or(f),
            };
            list.push(CaseSummary { id, status, name, encounter_at, updated });
        }
        drop(stmt);
        self.audit_read(Action::List, None)?;
        Ok(list)
    }

    /// Cases whose names, aliases, narrative or adults' names match `text`,
    /// best first (BM25, names weighted over the narrative). Any text is
    /// accepted: it is escaped, never parsed as query syntax.
    pub fn search(&mut self, text: &str) -> Result<Vec<CaseId>> {
        let Some(query) = fts_query(text) else { return Ok(Vec::new()) };
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.case_id FROM case_search JOIN cases c ON c.num = case_search.rowid
             WHERE case_search MATCH ?1
             ORDER BY bm25(case_search, 10.0, 10.0, 8.0, 1.0, 3.0), c.num",
        )?;
        let ids = stmt.query_map([query], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for id in ids {
            out.push(CaseId::parse("case_id", &id?).map_err(|_| StoreError::Damaged("a case id".into()))?);
        }
        drop(stmt);
        self.audit_read(Action::Search, None)?;
        Ok(out)
    }

    /// A case's operations in clock order: its timeline (an audited read).
    pub fn operations(&mut self, case_id: CaseId) -> Result<Vec<Operation>> {
        let mut ops = load_ops(&self.conn, case_id)?;
        if ops.is_empty() {
            return Err(StoreError::CaseNotFound(case_id));
        }
        ops.sort_by_key(|o| (o.hlc, o.id));
        self.audit_read(Action::Timeline, Some(case_id))?;
        Ok(ops)
    }

    /// Counts and positions: cases, outbox, clock, device, pull cursor.
    pub fn status(&self) -> Result<StoreStatus> {
        let count = |sql: &str| self.conn.query_row(sql, [], |r| r.get::<_, i64>(0).map(|n| n as u64));
        Ok(StoreStatus {
            case_count: count("SELECT count(*) FROM cases")?,
            outbox_len: count("SELECT count(*) FROM outbox")?,
            last_hlc: self.stamper.last_hlc,
            device: self.stamper.device,
            owner_org: self.owner_org.clone(),
            user: self.stamper.user.clone(),
            pull_cursor: self.pull_cursor()?,
            rejected_ops: count("SELECT count(*) FROM rejected_ops")?,
            audit_entries: count("SELECT audit_head_seq FROM device")?,
            schema_version: db::schema_version(&self.conn)?,
        })
    }
}

/// Parse stored operations (shared with the outbox).
pub(crate) fn parse_bodies(bodies: impl IntoIterator<Item = rusqlite::Result<String>>) -> Result<Vec<Operation>> {
    bodies.into_iter().map(|b| parse_op(&b?)).collect()
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn user_text_never_becomes_query_syntax() {
        assert_eq!(fts_query("\""), None);
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("AND("), Some("\"AND(\"*".into()));
        assert_eq!(fts_query("a\"b NEAR"), Some("\"a\"\"b\"* \"NEAR\"*".into()));
        assert_eq!(fts_query("ro\0sa"), Some("\"ro\"* \"sa\"*".into()), "a NUL does not end the query");
    }
}
