//! Need-to-know end to end: an NGO device that syncs a mixed set never holds
//! a law-enforcement-sensitive note or an unshared case — checked by reading
//! every table of its decrypted store directly.

use anyhow::{Context, Result};
use waystation_core::{CaseId, Change, ListKind, Sensitivity, edit};
use waystation_sync::SyncOptions;

use crate::both_backends;
use crate::common::*;
use waystation_system_tests::world::{Device, note, org};

const SECRET_NOTE: &str = "LE-ONLY-7f3a: informant location";
const UNSHARED_NAME: &str = "Unshared-9c1d";

fn text_of_every_table(conn: &rusqlite::Connection) -> Result<String> {
    text_of_tables(conn, None)
}

/// The text of every table but `skip`.
fn text_of_tables(conn: &rusqlite::Connection, skip: Option<&str>) -> Result<String> {
    let mut out = String::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IS NOT ?1")?
        .query_map([skip], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\""))?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..n {
                if let Ok(rusqlite::types::ValueRef::Text(b)) = row.get_ref(i) {
                    out.push_str(&String::from_utf8_lossy(b));
                    out.push('\n');
                }
            }
        }
    }
    Ok(out)
}

async fn an_ngo_device_never_holds_what_it_may_not_see(backend: Backend) -> Result<()> {
    let Some(server) = service(backend, &[]).await? else { return Ok(()) };
    let root = tempfile::tempdir()?;
    let url = server.url();
    let mut devices = devices(&server, &url, root.path(), SyncOptions::default()).await?;
    let author = devices[0].with_store(|s| s.user().clone());
    let mut secret = note(Sensitivity::LawEnforcementSensitive, &author);
    if let Change::AddItem { value, .. } = &mut secret {
        value.insert("text".into(), serde_json::json!(SECRET_NOTE));
    }
    let shared = CaseId::new();
    let unshared = CaseId::new();
    let name = |v: &str| Change::Set {
        field: waystation_core::FieldPath::parse("child.given_name").expect("path"),
        value: serde_json::json!(v),
        supersedes: vec![],
    };
    devices[0].with_store(|s| {
        s.save_new_case(
            shared,
            vec![Change::create_case(org("border-7")), name("Shared"), Change::Share { org: org("casa-esperanza") }],
        )?;
        s.edit(shared, vec![secret, note(Sensitivity::General, &author)])?;
        s.save_new_case(unshared, vec![Change::create_case(org("border-7")), name(UNSHARED_NAME)])
    })?;
    for d in devices.iter_mut() {
        d.random_edits(20, "casa-esperanza")?;
    }
    settle(&mut devices).await?;
    check_end_state(&server, &devices).await?;
    for d in &devices {
        let conn = d.with_store(|s| s.raw_connection_for_tests())?;
        let text = text_of_every_table(&conn)?;
        let ngo = d.org == org("casa-esperanza");
        assert_eq!(text.contains(SECRET_NOTE), !ngo, "{}: law-enforcement note present: {}", d.name, !ngo);
        assert_eq!(text.contains(&unshared.to_string()), !ngo, "{}: unshared case id", d.name);
        assert_eq!(text.contains(UNSHARED_NAME), !ngo, "{}: unshared case name", d.name);
        assert!(text.contains(&shared.to_string()), "{}: the shared case arrived", d.name);
        let held = d.held()?;
        let le = held.ops.values().flatten().filter(|o| o.class == Sensitivity::LawEnforcementSensitive).count();
        assert_eq!(le == 0, ngo, "{}: {le} law-enforcement-sensitive operations", d.name);
    }
    Ok(())
}

const MISTAKE_NAME: &str = "Mistaken-4b2e";
const MISTAKE_NARRATIVE: &str = "Narrative-of-the-mistaken-case-81c0";
const MISTAKE_NOTE: &str = "Note-of-the-mistaken-case-d17a";
const NGO_NOTE: &str = "NGO-note-on-the-mistaken-case-5e93";

/// What of the mistaken case a store still holds: any of its strings in any
/// table, or its id outside the audit chain (which keeps that the case was
/// received and removed, and why — never its content).
fn mistake_left(d: &Device, case: CaseId) -> Result<Vec<String>> {
    let conn = d.with_store(|s| s.raw_connection_for_tests())?;
    let all = text_of_every_table(&conn)?;
    let mut left: Vec<String> = [MISTAKE_NAME, MISTAKE_NARRATIVE, MISTAKE_NOTE, NGO_NOTE]
        .iter()
        .filter(|m| all.contains(*m))
        .map(|m| m.to_string())
        .collect();
    if text_of_tables(&conn, Some("audit"))?.contains(&case.to_string()) {
        left.push("the case id outside the audit chain".into());
    }
    Ok(left)
}

/// Every operation the service answers `d`'s credential with, from the start.
async fn pulled_by(d: &Device, url: &str) -> Result<Vec<waystation_core::Operation>> {
    let state = d.with_store(|s| waystation_sync::read_state(s))?.context("sync state")?;
    let client = waystation_sync::Client::new(waystation_sync::parse_server_url(url)?)?
        .with_credential(state.credential().context("credential")?);
    let (mut cursor, mut all) = (waystation_protocol::PullCursor::start(), Vec::new());
    loop {
        let page = client.pull(&cursor, 1000).await?;
        all.extend(page.ops);
        cursor = page.next_cursor;
        if !page.more {
            return Ok(all);
        }
    }
}

/// A case referred to the wrong organization by mistake: it reaches the
/// NGO's devices; the agent removes the drafted referral; after one sync
/// each, neither NGO store holds any string of it (names, narrative, notes —
/// the NGO's own note too), its search finds nothing, the service's answers to
/// the NGO hold nothing of it, and every audit chain still verifies — on a
/// device that syncs at once and on one that was offline meanwhile. The
/// owner's devices keep the whole case, the NGO's note included.
async fn a_case_shared_by_mistake_leaves_the_ngo_devices_when_the_referral_is_removed(backend: Backend) -> Result<()> {
    let Some(server) = service(backend, &[]).await? else { return Ok(()) };
    let root = tempfile::tempdir()?;
    let url = server.url();
    let mut devices = devices(&server, &url, root.path(), SyncOptions::default()).await?;
    let (agent, luis, lucia) = (0, 3, 4);
    let author = devices[agent].with_store(|s| s.user().clone());
    let case = CaseId::new();
    let set = |f: &str, v: &str| Change::Set {
        field: waystation_core::FieldPath::parse(f).expect("path"),
        value: serde_json::json!(v),
        supersedes: vec![],
    };
    let mut agent_note = note(Sensitivity::General, &author);
    if let Change::AddItem { value, .. } = &mut agent_note {
        value.insert("text".into(), serde_json::json!(MISTAKE_NOTE));
    }
    let now = chrono::Utc::now();
    devices[agent].with_store(|s| -> Result<()> {
        s.save_new_case(
            case,
            vec![
                Change::create_case(org("border-7")),
                set("child.given_name", MISTAKE_NAME),
                set("encounter.narrative", MISTAKE_NARRATIVE),
            ],
        )?;
        let view = s.case(case)?.expect("the case");
        let referral =
            serde_json::json!({"to": "victim_services", "org": "casa-esperanza", "drafted_at": now.to_rfc3339()});
        let mut changes = edit::new_referral_changes(&view, referral, now).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        changes.push(agent_note);
        s.edit(case, changes)?;
        Ok(())
    })?;
    // It reaches the NGO's two devices; one of them writes a note of its own.
    settle(&mut devices).await?;
    for d in [luis, lucia] {
        assert!(devices[d].case_ids()?.contains(&case), "{}: the shared case arrived", devices[d].name);
    }
    let ngo_author = devices[luis].with_store(|s| s.user().clone());
    let mut ngo_note = note(Sensitivity::General, &ngo_author);
    if let Change::AddItem { value, .. } = &mut ngo_note {
        value.insert("text".into(), serde_json::json!(NGO_NOTE));
    }
    devices[luis].with_store(|s| s.edit(case, vec![ngo_note]))?;
    devices[luis].syncer.sync_until_done(100, quick_backoff()).await?;
    devices[agent].syncer.sync_until_done(100, quick_backoff()).await?;

    // The mistake is seen: the agent removes the drafted referral, which ends the sharing.
    devices[agent].with_store(|s| -> Result<()> {
        let view = s.case(case)?.expect("the case");
        let referral = view.document["referrals"][0]["id"].as_str().expect("referral id").parse()?;
        let mut changes = vec![
            edit::remove_item_change(&view.document, ListKind::Referrals, referral, now)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        ];
        changes.extend(edit::sharing_ends_with(&view, &org("border-7"), referral));
        assert!(matches!(changes.last(), Some(Change::Unshare { .. })), "{changes:?}");
        s.edit(case, changes)?;
        Ok(())
    })?;
    devices[agent].syncer.sync_until_done(100, quick_backoff()).await?;
    // Lucia's device was offline meanwhile; the agents go on with other work.
    for d in [agent, 1, 2, luis] {
        devices[d].random_edits(10, "casa-esperanza")?;
        devices[d].syncer.sync_until_done(100, quick_backoff()).await?;
    }
    devices[lucia].random_edits(3, "casa-esperanza")?;
    settle(&mut devices).await?;
    for d in [luis, lucia] {
        let device = &devices[d];
        assert!(!device.case_ids()?.contains(&case), "{}: the case is gone", device.name);
        let left = mistake_left(device, case)?;
        assert!(left.is_empty(), "{}: still holds {left:?}", device.name);
        for word in [MISTAKE_NAME, "Mistaken", MISTAKE_NARRATIVE] {
            assert!(device.with_store(|s| s.search(word))?.is_empty(), "{}: search finds {word}", device.name);
        }
        let report = device.with_store(|s| s.audit_verify()).map_err(|e| anyhow::anyhow!("{e}"))?;
        assert!(report.entries > 0);
        let removed = device.with_store(|s| s.raw_connection_for_tests())?.query_row(
            "SELECT count(*) FROM audit WHERE action = 'case_removed' AND case_id = ?1 AND detail LIKE '%sharing_ended%'",
            [case.to_string()],
            |r| r.get::<_, i64>(0),
        )?;
        assert_eq!(removed, 1, "{}: the removal is in the audit chain, once", device.name);
    }
    // The owner keeps the whole case, the NGO's note included.
    for d in [agent, 1, 2] {
        let text = text_of_every_table(&devices[d].with_store(|s| s.raw_connection_for_tests())?)?;
        for m in [MISTAKE_NAME, MISTAKE_NOTE, NGO_NOTE] {
            assert!(text.contains(m), "{}: the owner's device lost {m}", devices[d].name);
        }
        devices[d].with_store(|s| s.audit_verify()).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    // The service's answers to the NGO hold nothing of the case but the unshare.
    let pulled = pulled_by(&devices[lucia], &url).await?;
    assert!(
        pulled.iter().filter(|o| o.case_id == case).all(|o| matches!(o.change, Change::Unshare { .. })),
        "{pulled:?}"
    );
    let text = serde_json::to_string(&pulled)?;
    for m in [MISTAKE_NAME, MISTAKE_NARRATIVE, MISTAKE_NOTE, NGO_NOTE] {
        assert!(!text.contains(m), "the service sends {m} to the NGO");
    }
    check_end_state(&server, &devices).await?;
    Ok(())
}

both_backends!(
    an_ngo_device_never_holds_what_it_may_not_see,
    a_case_shared_by_mistake_leaves_the_ngo_devices_when_the_referral_is_removed
);
