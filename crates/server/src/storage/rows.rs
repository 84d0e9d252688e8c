//! Rows to protocol types, shared by both backends.

use std::collections::BTreeMap;
use waystation_core::{CaseId, OrgId};
use waystation_protocol::admin::CaseConflicts;

use super::{PullPage, Result, StorageError};

/// Turn feed rows (one more than the limit, to know whether more follow) into a page.
pub(crate) fn page(mut rows: Vec<(i64, String)>, after: u64, limit: u32) -> Result<PullPage> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = rows.last().map(|(s, _)| *s as u64).unwrap_or(after);
    let ops = rows
        .into_iter()
        .map(|(_, text)| {
            serde_json::from_str(&text).map_err(|e| StorageError::Corrupt(format!("stored operation: {e}")))
        })
        .collect::<Result<_>>()?;
    Ok(PullPage { ops, next, more })
}

/// Turn stored conflict rows into the admin API's shape.
pub(crate) fn conflict_rows(rows: Vec<(String, Option<String>, String)>) -> Result<Vec<CaseConflicts>> {
    let corrupt = |e: String| StorageError::Corrupt(e);
    let mut out = BTreeMap::new();
    for (case, owner, conflicts) in rows {
        let case_id: CaseId = case.parse().map_err(|e: waystation_core::FieldError| corrupt(e.to_string()))?;
        let owner = owner.map(|o| o.parse::<OrgId>()).transpose().map_err(|e| corrupt(e.to_string()))?;
        let conflicts = serde_json::from_str(&conflicts).map_err(|e| corrupt(e.to_string()))?;
        out.insert(case_id, CaseConflicts { case_id, owner, conflicts });
    }
    Ok(out.into_values().collect())
}
