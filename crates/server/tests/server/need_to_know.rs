//! Need-to-know: a device receives only cases its organization owns or was
//! shared, and only the note classes its role may read.

use serde_json::json;
use waystation_core::{CaseId, Change, Role, Sensitivity};
use waystation_protocol::OpStatus;

use crate::helpers::*;

async fn ngo_staff_never_receive_unshared_cases_or_law_enforcement_notes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let agent = app.device("border-7", Role::Agent, "ana").await;
    let ngo = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let other = app.device("otra-ong", Role::NgoStaff, "olga").await;
    let (shared, private) = (CaseId::new(), CaseId::new());
    let le_note = agent.note(shared, Sensitivity::LawEnforcementSensitive, "le-marker");
    let general_note = agent.note(shared, Sensitivity::General, "general-marker");
    let before_share = agent.set(shared, "child.given_name", json!("before-share"));
    let r = agent
        .push(&[
            agent.create(shared),
            before_share.clone(),
            le_note.clone(),
            agent.create(private),
            agent.set(private, "child.given_name", json!("private")),
        ])
        .await;
    assert!(r.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", r.results);
    assert!(ngo.pull_all().await.is_empty(), "nothing is shared yet");
    // Shared later: the earlier operations must reach the NGO too.
    agent.push(&[agent.share(shared, "casa-esperanza"), general_note.clone()]).await;
    let got = ngo.pull_all().await;
    let ids: Vec<_> = got.iter().map(|o| o.id).collect();
    assert!(got.iter().all(|o| o.case_id == shared), "only the shared case");
    assert!(ids.contains(&before_share.id), "earlier operations arrive after a later share");
    assert!(ids.contains(&general_note.id));
    assert!(!ids.contains(&le_note.id), "a law-enforcement-sensitive note never reaches ngo_staff");
    assert!(got.iter().all(|o| o.class != Sensitivity::LawEnforcementSensitive));
    assert!(other.pull_all().await.is_empty(), "another NGO sees nothing");
    // The NGO may now add to the shared case, but not to the private one.
    let r =
        ngo.push(&[ngo.set(shared, "status", json!("referred")), ngo.set(private, "status", json!("closed"))]).await;
    assert_eq!(r.results[0].status, OpStatus::Accepted);
    assert_eq!(r.results[1].status, OpStatus::RefusedForbidden);
    assert!(agent.pull_all().await.iter().any(|o| o.id == r.results[0].id), "the owner receives the NGO's change");
}

async fn agents_never_receive_legal_privileged_notes(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let agent = app.device("border-7", Role::Agent, "ana").await;
    let ngo = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let case = CaseId::new();
    agent.push(&[agent.create(case), agent.share(case, "casa-esperanza")]).await;
    let legal = ngo.note(case, Sensitivity::LegalPrivileged, "legal-marker");
    let medical = ngo.note(case, Sensitivity::Medical, "medical-marker");
    let r = ngo.push(&[legal.clone(), medical.clone()]).await;
    assert!(r.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", r.results);
    let got = agent.pull_all().await;
    assert!(got.iter().all(|o| o.id != legal.id), "a legal-privileged note never reaches an agent");
    assert!(got.iter().any(|o| o.id == medical.id));
    // Removing the note with a wrong class (to sneak it past the filter) is refused.
    let item = match &legal.change {
        waystation_core::Change::AddItem { item, .. } => *item,
        _ => unreachable!(),
    };
    let mut remove =
        ngo.op(case, waystation_core::Change::RemoveItem { list: waystation_core::ListKind::Notes, item, seen: None });
    remove.class = Sensitivity::General;
    assert_eq!(ngo.push(&[remove]).await.results[0].status, OpStatus::RefusedInvalid);
    let ngo_2 = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    assert!(ngo_2.pull_all().await.iter().any(|o| o.id == legal.id), "the NGO's other device gets the legal note");
}

async fn small_pages_return_every_visible_operation_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let agent = app.device("border-7", Role::Agent, "ana").await;
    let ngo = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let case = CaseId::new();
    let mut ops = vec![agent.create(case), agent.share(case, "casa-esperanza")];
    for i in 0..25 {
        ops.push(if i % 3 == 0 {
            agent.note(case, Sensitivity::LawEnforcementSensitive, "x")
        } else {
            agent.set(case, "encounter.place", json!(i))
        });
    }
    agent.push(&ops).await;
    let expected: Vec<_> = ops.iter().filter(|o| o.class == Sensitivity::General).map(|o| o.id).collect();
    let mut cursor = "0".to_owned();
    let mut got = Vec::new();
    loop {
        let page = ngo.pull_page(&cursor, 4).await;
        assert!(page.ops.len() <= 4);
        got.extend(page.ops.iter().map(|o| o.id));
        cursor = page.next_cursor.as_str().to_owned();
        if !page.more {
            break;
        }
    }
    let mut sorted = got.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), got.len(), "no operation twice");
    let mut want = expected.clone();
    want.sort();
    assert_eq!(sorted, want);
}

/// Write rules match read rules: a device may not write a class its role may
/// not read (a legal-privileged note from an agent), nothing of it is stored;
/// notes stored before that rule are reported for an administrator.
async fn a_device_writes_only_the_classes_its_role_may_read(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let agent = app.device("border-7", Role::Agent, "ana").await;
    let ngo = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let case = CaseId::new();
    agent.push(&[agent.create(case), agent.share(case, "casa-esperanza")]).await;
    let before = app.storage.op_count().await.unwrap();
    let legal = agent.note(case, Sensitivity::LegalPrivileged, "agent-legal-marker");
    let medical = agent.note(case, Sensitivity::Medical, "agent-medical-marker");
    let r = agent.push(&[legal.clone(), medical.clone()]).await;
    assert_eq!(r.results[0].status, OpStatus::RefusedForbidden, "{:?}", r.results);
    let words = r.results[0].message.as_deref().unwrap_or_default();
    assert!(words.contains("may not read this class"), "{words}");
    assert!(!words.contains("marker"), "the refusal names the rule, never the note: {words}");
    assert_eq!(r.results[1].status, OpStatus::Accepted);
    assert_eq!(app.storage.op_count().await.unwrap(), before + 1, "nothing of the refused note is stored");
    // The other way round: an NGO device writes no law-enforcement-sensitive note; its legal note is fine.
    let le = ngo.note(case, Sensitivity::LawEnforcementSensitive, "ngo-le-marker");
    let ngo_legal = ngo.note(case, Sensitivity::LegalPrivileged, "ngo-legal-marker");
    let r = ngo.push(&[le, ngo_legal]).await;
    assert_eq!(r.results[0].status, OpStatus::RefusedForbidden);
    assert_eq!(r.results[1].status, OpStatus::Accepted);
    let pulled = serde_json::to_string(&ngo.pull_all().await).unwrap();
    assert!(!pulled.contains("agent-legal-marker") && !pulled.contains("ngo-le-marker"), "{pulled}");
    assert!(app.storage.unwritable_ops().await.unwrap().is_empty(), "nothing to report");
    // A database from before the rule: the agent's medical note stored as legal-privileged.
    app.execute_sql(&format!("UPDATE ops SET class = 'legal_privileged' WHERE op_id = '{}'", medical.id)).await;
    let found = app.storage.unwritable_ops().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(
        (f.op, f.case, f.device, f.role, f.class),
        (medical.id, case, agent.id, Role::Agent, Sensitivity::LegalPrivileged)
    );
}

/// Sharing ends: after the owner's unshare, the organization's answers hold
/// nothing of the case but the unshare itself (from the start, or from where
/// a device stopped), it may no longer change the case, a share it did not
/// see keeps the case shared, and a case shared again arrives whole — its
/// own device's operations included.
async fn when_sharing_ends_the_organization_receives_only_the_unshare(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let agent = app.device("border-7", Role::Agent, "ana").await;
    let ngo = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let offline = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let case = CaseId::new();
    let share = agent.share(case, "casa-esperanza");
    agent.push(&[agent.create(case), agent.set(case, "child.given_name", json!("shared-name")), share.clone()]).await;
    let (_, _, offline_cursor) = crate::pull::pull_pages(&offline, "0", 200).await;
    let ngo_note = ngo.note(case, Sensitivity::General, "ngo-own-note");
    assert_eq!(ngo.push(std::slice::from_ref(&ngo_note)).await.results[0].status, OpStatus::Accepted);
    let first_pull = ngo.pull_page("0", 200).await;
    assert!(!first_pull.ops.is_empty());

    // An NGO device may not end the owner's sharing.
    let forged = ngo.op(case, Change::Unshare { org: org("casa-esperanza"), seen: vec![share.id] });
    let r = ngo.push(&[forged]).await;
    assert_eq!(r.results[0].status, OpStatus::RefusedForbidden, "{:?}", r.results);

    let unshare = agent.op(case, Change::Unshare { org: org("casa-esperanza"), seen: vec![share.id] });
    let after_unshare = agent.set(case, "child.family_name", json!("after-unshare-name"));
    let r = agent.push(&[unshare.clone(), after_unshare.clone()]).await;
    assert!(r.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", r.results);
    for (device, from) in [(&ngo, "0"), (&ngo, first_pull.next_cursor.as_str()), (&offline, offline_cursor.as_str())] {
        let got = crate::pull::pull_pages(device, from, 200).await.0;
        assert_eq!(got.iter().map(|o| o.id).collect::<Vec<_>>(), vec![unshare.id], "from {from}");
        let text = serde_json::to_string(&got).unwrap();
        assert!(!text.contains("shared-name") && !text.contains("ngo-own-note") && !text.contains("after-unshare"));
    }
    let r = ngo.push(&[ngo.set(case, "status", json!("closed"))]).await;
    assert_eq!(r.results[0].status, OpStatus::RefusedForbidden, "the organization no longer changes the case");
    assert!(app.storage.conflicts(&org("casa-esperanza")).await.unwrap().is_empty());
    let owner = agent.pull_all().await;
    assert!(owner.iter().any(|o| o.id == ngo_note.id), "the organization's own work stays with the owner");

    // Shared again: the whole case, the NGO device's own note included.
    let again = agent.share(case, "casa-esperanza");
    agent.push(std::slice::from_ref(&again)).await;
    let got: Vec<_> = ngo.pull_all().await.iter().map(|o| o.id).collect();
    for id in [share.id, ngo_note.id, unshare.id, after_unshare.id, again.id] {
        assert!(got.contains(&id), "{id} arrives again");
    }
    // A share the unshare did not see keeps the case shared.
    let second = agent.share(case, "casa-esperanza");
    agent.push(&[second, agent.op(case, Change::Unshare { org: org("casa-esperanza"), seen: vec![again.id] })]).await;
    let last = agent.set(case, "status", json!("referred"));
    agent.push(std::slice::from_ref(&last)).await;
    assert!(ngo.pull_all().await.iter().any(|o| o.id == last.id), "still shared");
    assert_eq!(ngo.push(&[ngo.set(case, "encounter.place", json!("x"))]).await.results[0].status, OpStatus::Accepted);
}

crate::both_backends!(
    when_sharing_ends_the_organization_receives_only_the_unshare,
    a_device_writes_only_the_classes_its_role_may_read,
    ngo_staff_never_receive_unshared_cases_or_law_enforcement_notes,
    agents_never_receive_legal_privileged_notes,
    small_pages_return_every_visible_operation_once,
);
