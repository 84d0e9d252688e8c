//! Rows to protocol types, shared by both backends.

use std::collections::BTreeMap;
use waystation_core::{CaseId, Operation, OrgId};
use waystation_protocol::admin::CaseConflicts;

use super::sealed::Sealer;
use super::{PullPage, Result, StorageError};

/// How many feed rows a pull reads at most per operation it may return: rows
/// it skips (the pulling device's own operations, notes its role may not
/// read) cost a row read each, and never a page of their own.
pub(crate) const SCAN_FACTOR: u32 = 8;

/// How many feed rows a page may read: the scan window.
pub(crate) fn window(limit: u32) -> i64 {
    i64::from(limit) * i64::from(SCAN_FACTOR)
}

/// How many feed rows to ask the database for: the scan window, plus one to
/// know whether rows follow it. The rows are read lazily ([`page`] stops
/// after the first operation that does not fit).
pub(crate) fn rows_to_read(limit: u32) -> i64 {
    window(limit) + 1
}

fn parse_op(stored: &str, sealer: &Sealer) -> Result<Operation> {
    let text = sealer.open_op(stored)?;
    serde_json::from_str(&text).map_err(|e| StorageError::Corrupt(format!("stored operation: {e}")))
}

/// Turn feed rows into a page. `rows` are in feed order, at most
/// [`rows_to_read`]`(limit)` of them: `(seq, Some(canonical JSON))` for an
/// operation to send, `(seq, None)` for one to skip. The cursor moves past
/// every row the page consumed, skipped ones included, so a window of only
/// skipped rows answers an empty page that still moves on (with `more` set
/// when rows follow it); `more` is false only when the feed ended within the
/// rows read. Reads no row after the first operation that does not fit.
pub(crate) fn page(
    rows: impl IntoIterator<Item = Result<(i64, Option<String>)>>,
    after: u64,
    limit: u32,
    sealer: &Sealer,
) -> Result<PullPage> {
    let window = window(limit) as usize;
    let (mut next, mut more, mut ops) = (after, false, Vec::new());
    for (i, row) in rows.into_iter().enumerate() {
        if i == window {
            more = true;
            break;
        }
        let (seq, text) = row?;
        if let Some(text) = text {
            if ops.len() == limit as usize {
                more = true;
                break;
            }
            ops.push(parse_op(&text, sealer)?);
        }
        next = seq as u64;
    }
    Ok(PullPage { ops, next, more })
}

/// A page from the operations to send only (`keepers`: in feed order, at
/// most `limit + 1`, all within the scan window) and where that window
/// ended: `window_end`, the seq of the window's last row when the window was
/// full, else `high`, the highest seq of the feed (`None` when empty). The
/// same page as [`page`] gives, for a database that cannot stop a scan early.
pub(crate) fn page_of_keepers(
    keepers: Vec<(i64, String)>,
    window_end: Option<i64>,
    high: Option<i64>,
    after: u64,
    limit: u32,
    sealer: &Sealer,
) -> Result<PullPage> {
    let full = keepers.len() > limit as usize;
    let ops = keepers.iter().take(limit as usize).map(|(_, t)| parse_op(t, sealer)).collect::<Result<Vec<_>>>()?;
    let (next, more) = if full {
        (keepers[limit as usize - 1].0 as u64, true)
    } else if let Some(end) = window_end {
        (end as u64, true)
    } else {
        (high.map_or(after, |h| (h as u64).max(after)), false)
    };
    Ok(PullPage { ops, next, more })
}

/// Turn stored conflict rows into the admin API's shape.
pub(crate) fn conflict_rows(
    rows: Vec<(String, Option<String>, String)>,
    sealer: &Sealer,
) -> Result<Vec<CaseConflicts>> {
    let corrupt = |e: String| StorageError::Corrupt(e);
    let mut out = BTreeMap::new();
    for (case, owner, conflicts) in rows {
        let case_id: CaseId = case.parse().map_err(|e: waystation_core::FieldError| corrupt(e.to_string()))?;
        let owner = owner.map(|o| o.parse::<OrgId>()).transpose().map_err(|e| corrupt(e.to_string()))?;
        let conflicts = sealer.open_conflicts(&case, &conflicts)?;
        let conflicts = serde_json::from_str(&conflicts).map_err(|e| corrupt(e.to_string()))?;
        out.insert(
            case_id,
            CaseConflicts { case_id, owner, reference: waystation_protocol::admin::case_reference(case_id), conflicts },
        );
    }
    Ok(out.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op_json(n: u128) -> String {
        let device = waystation_core::DeviceId::from_u128(1);
        let op = waystation_core::Operation {
            id: waystation_core::OpId::from_u128(n),
            case_id: CaseId::from_u128(1),
            hlc: waystation_core::Hlc { wall_ms: 1, counter: 0, device },
            device,
            user: "ana".parse().unwrap(),
            class: Default::default(),
            change: waystation_core::Change::create_case("border-7".parse().unwrap()),
        };
        sealer().seal_op(&serde_json::to_string(&op).unwrap())
    }

    fn sealer() -> &'static Sealer {
        static S: std::sync::OnceLock<Sealer> = std::sync::OnceLock::new();
        S.get_or_init(Sealer::generate)
    }

    fn ids(p: &PullPage) -> Vec<u128> {
        p.ops.iter().map(|o| o.id.as_uuid().as_u128()).collect()
    }

    #[test]
    fn a_window_of_only_skipped_rows_moves_on_and_says_more() {
        let limit = 2;
        let rows: Vec<_> = (1..=rows_to_read(limit)).map(|s| Ok((s, None))).collect();
        let p = page(rows, 0, limit, sealer()).unwrap();
        assert!(p.ops.is_empty());
        assert!(p.more, "rows follow the window");
        assert_eq!(p.next, rows_to_read(limit) as u64 - 1, "past every row read but the extra one");
    }

    #[test]
    fn skipped_rows_at_the_end_of_the_feed_are_consumed_and_it_ends() {
        let rows = vec![Ok((5, Some(op_json(1)))), Ok((6, None)), Ok((7, None))];
        let p = page(rows, 4, 2, sealer()).unwrap();
        assert_eq!((ids(&p), p.next, p.more), (vec![1], 7, false));
    }

    #[test]
    fn a_full_page_stops_before_the_next_operation_to_send() {
        let rows = vec![(1, Some(op_json(1))), (2, None), (3, Some(op_json(3))), (4, None), (5, Some(op_json(5)))];
        let rows = rows.into_iter().map(Ok).chain(std::iter::once(Err(StorageError::Corrupt("read too far".into()))));
        let p = page(rows, 0, 2, sealer()).unwrap();
        assert_eq!((ids(&p), p.next, p.more), (vec![1, 3], 4, true));
        let empty = page(Vec::new(), 9, 2, sealer()).unwrap();
        assert_eq!((empty.ops.len(), empty.next, empty.more), (0, 9, false));
    }

    #[test]
    fn keepers_and_the_window_end_give_the_same_pages() {
        let limit = 2;
        // A full page: stops at the last operation that fits.
        let keepers = vec![(3, op_json(3)), (5, op_json(5)), (9, op_json(9))];
        let p = page_of_keepers(keepers, Some(16), Some(40), 0, limit, sealer()).unwrap();
        assert_eq!((ids(&p), p.next, p.more), (vec![3, 5], 5, true));
        // A full window with fewer operations: moves to the window's end.
        let p = page_of_keepers(vec![(4, op_json(4))], Some(16), Some(40), 0, limit, sealer()).unwrap();
        assert_eq!((ids(&p), p.next, p.more), (vec![4], 16, true));
        let p = page_of_keepers(vec![], Some(16), Some(40), 0, limit, sealer()).unwrap();
        assert_eq!((p.ops.len(), p.next, p.more), (0, 16, true));
        // The feed ended within the window: to its end, no more.
        let p = page_of_keepers(vec![(4, op_json(4))], None, Some(7), 0, limit, sealer()).unwrap();
        assert_eq!((ids(&p), p.next, p.more), (vec![4], 7, false));
        let p = page_of_keepers(vec![], None, Some(7), 9, limit, sealer()).unwrap();
        assert_eq!((p.ops.len(), p.next, p.more), (0, 9, false));
        let p = page_of_keepers(vec![], None, None, 0, limit, sealer()).unwrap();
        assert_eq!((p.ops.len(), p.next, p.more), (0, 0, false));
    }
}
