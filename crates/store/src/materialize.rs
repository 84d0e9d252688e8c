//! Keeping the derived tables of a case — `cases`, the search index and
//! `conflicts` — in step with its operations, inside the caller's transaction.

use rusqlite::{Connection, params};
use serde_json::Value;
use waystation_core::{CaseId, CaseState, CaseView, Operation};

use crate::error::{Result, StoreError};

/// Keys tried, in order, for the time of the encounter shown in a case list.
const ENCOUNTER_TIME_KEYS: &[&str] = &["occurred_at", "when", "at"];

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(|i| text(Some(i))).collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
        Value::Object(m) => text(m.get("name").or_else(|| m.get("text"))),
        other => Some(other.to_string()),
    }
}

/// The summary columns and search text of a case document.
pub(crate) struct Summary {
    pub status: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub encounter_at: Option<String>,
    pub aliases: Option<String>,
    pub narrative: Option<String>,
    pub adults: Option<String>,
}

pub(crate) fn summarize(doc: &Value) -> Summary {
    let child = doc.get("child");
    let encounter = doc.get("encounter");
    let adults = doc
        .get("adults")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(|a| text(a.get("name"))).collect::<Vec<_>>().join(" "));
    Summary {
        status: text(doc.get("status")),
        given_name: text(child.and_then(|c| c.get("given_name"))),
        family_name: text(child.and_then(|c| c.get("family_name"))),
        encounter_at: encounter.and_then(|e| ENCOUNTER_TIME_KEYS.iter().find_map(|k| text(e.get(*k)))),
        aliases: text(child.and_then(|c| c.get("aliases"))),
        narrative: text(encounter.and_then(|e| e.get("narrative"))),
        adults: adults.filter(|a| !a.is_empty()),
    }
}

/// Write a case's view, search row and conflicts. `is_new` skips the
/// deletes a brand-new case does not need (bulk import speed).
pub(crate) fn write_case(conn: &Connection, view: &CaseView, is_new: bool) -> Result<()> {
    let s = summarize(&view.document);
    let view_json = serde_json::to_string(view).map_err(|e| StoreError::Damaged(e.to_string()))?;
    let case_id = view.id.to_string();
    let updated = view.last_hlc.map(|h| h.to_string());
    let num: i64 = conn
        .prepare_cached(
            "INSERT INTO cases (case_id, status, given_name, family_name, encounter_at, updated_hlc, view)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (case_id) DO UPDATE SET status = excluded.status, given_name = excluded.given_name,
               family_name = excluded.family_name, encounter_at = excluded.encounter_at,
               updated_hlc = excluded.updated_hlc, view = excluded.view
             RETURNING num",
        )?
        .query_row(
            params![case_id, s.status, s.given_name, s.family_name, s.encounter_at, updated, view_json],
            |r| r.get(0),
        )?;
    if !is_new {
        conn.prepare_cached("DELETE FROM case_search WHERE rowid = ?1")?.execute([num])?;
        conn.prepare_cached("DELETE FROM conflicts WHERE case_id = ?1")?.execute([&case_id])?;
    }
    conn.prepare_cached(
        "INSERT INTO case_search (rowid, given_name, family_name, aliases, narrative, adults)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![num, s.given_name, s.family_name, s.aliases, s.narrative, s.adults])?;
    for conflict in &view.conflicts {
        let json = serde_json::to_string(conflict).map_err(|e| StoreError::Damaged(e.to_string()))?;
        conn.prepare_cached("INSERT OR REPLACE INTO conflicts (case_id, field, conflict) VALUES (?1, ?2, ?3)")?
            .execute(params![case_id, conflict.key.path(), json])?;
    }
    Ok(())
}

/// Every stored operation of a case.
pub(crate) fn load_ops(conn: &Connection, case_id: CaseId) -> Result<Vec<Operation>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM ops WHERE case_id = ?1 ORDER BY hlc, op_id")?;
    let bodies = stmt.query_map([case_id.to_string()], |r| r.get::<_, String>(0))?;
    let mut ops = Vec::new();
    for body in bodies {
        ops.push(parse_op(&body?)?);
    }
    Ok(ops)
}

pub(crate) fn parse_op(body: &str) -> Result<Operation> {
    serde_json::from_str(body).map_err(|_| StoreError::Damaged("a stored operation does not parse".into()))
}

/// The merged state of a case from its stored operations.
pub(crate) fn load_state(conn: &Connection, case_id: CaseId) -> Result<Option<CaseState>> {
    let ops = load_ops(conn, case_id)?;
    if ops.is_empty() {
        return Ok(None);
    }
    let mut state = CaseState::new(case_id);
    for op in ops {
        state.apply(op).map_err(|e| StoreError::Damaged(e.to_string()))?;
    }
    Ok(Some(state))
}

/// Insert one operation into the log, with its canonical JSON `body`.
pub(crate) fn insert_op(conn: &Connection, op: &Operation, body: &str, local: bool) -> Result<()> {
    conn.prepare_cached("INSERT INTO ops (op_id, case_id, hlc, local, body) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![op.id.to_string(), op.case_id.to_string(), op.hlc.to_string(), local, body])?;
    Ok(())
}

/// Store the newest clock made or seen.
pub(crate) fn save_last_hlc(conn: &Connection, hlc: Option<waystation_core::Hlc>) -> Result<()> {
    if let Some(hlc) = hlc {
        let json = serde_json::to_string(&hlc).map_err(|e| StoreError::Damaged(e.to_string()))?;
        conn.prepare_cached("UPDATE device SET last_hlc = ?1")?.execute([json])?;
    }
    Ok(())
}
