//! The SQLite side of the admin device list: each device with its sync
//! state (last pull, how far behind, refusals), and the writes that keep it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use waystation_core::DeviceId;
use waystation_protocol::PullCursor;
use waystation_protocol::admin::{DeviceInfo, Refusal};

use super::{db, parse, parse_ts, ts};
use crate::storage::{Result, refusal};

/// Devices, of one organization or all. How far behind each is: the entries
/// of its organization's feed after its last pull's cursor, in both places
/// the feed lives (the organization's own operation rows, and its `feed`
/// rows; see `Sqlite::pull`), each counted on its index.
pub(super) fn list(c: &Connection, org: Option<&str>) -> Result<Vec<DeviceInfo>> {
    let mut s = c
        .prepare(
            "SELECT d.id, d.name, d.org, d.role, d.enrolled_at, d.last_contact, d.app_version, d.protocol_version, \
             d.last_pushed_op, d.revoked_at, d.pulled_through, d.last_pull_at, d.refused_ops, \
             d.last_refusal_status, d.last_refusal_message, d.last_refusal_at, \
             (SELECT COUNT(*) FROM ops o WHERE o.feed_org = d.org AND o.arrival > COALESCE(d.pulled_through, 0)) \
             + (SELECT COUNT(*) FROM feed f WHERE f.org = d.org AND f.seq > COALESCE(d.pulled_through, 0)), \
             CASE WHEN d.completed_at IS NULL THEN d.complete_by END \
             FROM devices d WHERE ?1 IS NULL OR d.org = ?1 ORDER BY d.enrolled_at, d.id",
        )
        .map_err(db)?;
    let rows = s
        .query_map(params![org], |r| {
            let info = DeviceInfo {
                id: parse(&r.get::<_, String>(0)?)?,
                name: r.get(1)?,
                org: parse(&r.get::<_, String>(2)?)?,
                role: parse(&r.get::<_, String>(3)?)?,
                enrolled_at: parse_ts(&r.get::<_, String>(4)?)?,
                last_contact: r.get::<_, Option<String>>(5)?.map(|s| parse_ts(&s)).transpose()?,
                app_version: r.get(6)?,
                protocol_version: r.get(7)?,
                last_pushed_op: r.get::<_, Option<String>>(8)?.map(|s| parse(&s)).transpose()?,
                revoked: r.get::<_, Option<String>>(9)?.is_some(),
                pulled_through: r.get::<_, Option<i64>>(10)?.map(|n| PullCursor::at(n as u64)),
                last_pull_at: r.get::<_, Option<String>>(11)?.map(|s| parse_ts(&s)).transpose()?,
                refused_ops: r.get::<_, i64>(12)? as u64,
                behind: r.get::<_, i64>(16)? as u64,
                last_refusal: None,
                complete_by: r.get::<_, Option<String>>(17)?.map(|s| parse_ts(&s)).transpose()?,
                state: None,
            };
            let at = r.get::<_, Option<String>>(15)?.map(|s| parse_ts(&s)).transpose()?;
            Ok((info, r.get::<_, Option<String>>(13)?, r.get::<_, Option<String>>(14)?, at))
        })
        .map_err(db)?;
    rows.map(|row| {
        let (mut info, status, message, at) = row.map_err(db)?;
        info.last_refusal = refusal::stored(status, message, at)?;
        Ok(info)
    })
    .collect()
}

/// Record the pull page a device was served: its cursor and when.
pub(super) fn record_pull(c: &Connection, id: DeviceId, next: u64, now: DateTime<Utc>) -> Result<()> {
    let next = i64::try_from(next).unwrap_or(i64::MAX);
    c.prepare_cached("UPDATE devices SET pulled_through = ?1, last_pull_at = ?2 WHERE id = ?3")
        .map_err(db)?
        .execute(params![next, ts(now), id.to_string()])
        .map_err(db)
        .map(|_| ())
}

/// Add a push's refusals to a device's count and keep the last (its message
/// is already one [`refusal::kept_message`] keeps: see [`refusal::refusals_of`]).
pub(super) fn record_refusals(c: &Connection, id: DeviceId, count: u64, last: &Refusal) -> Result<()> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    c.execute(
        "UPDATE devices SET refused_ops = refused_ops + ?1, last_refusal_status = ?2, \
         last_refusal_message = ?3, last_refusal_at = ?4 WHERE id = ?5",
        params![count, refusal::status_text(last.status), last.message, ts(last.at), id.to_string()],
    )
    .map_err(db)
    .map(|_| ())
}
