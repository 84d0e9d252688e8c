//! Need-to-know end to end: an NGO device that syncs a mixed set never holds
//! a law-enforcement-sensitive note or an unshared case — checked by reading
//! every table of its decrypted store directly.

use anyhow::Result;
use waystation_core::{CaseId, Change, Sensitivity};
use waystation_sync::SyncOptions;

use crate::both_backends;
use crate::common::*;
use waystation_system_tests::world::{note, org};

const SECRET_NOTE: &str = "LE-ONLY-7f3a: informant location";
const UNSHARED_NAME: &str = "Unshared-9c1d";

fn text_of_every_table(conn: &rusqlite::Connection) -> Result<String> {
    let mut out = String::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
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

both_backends!(an_ngo_device_never_holds_what_it_may_not_see);
