//! Why a device is behind, as sync administrators see it: its last pull's
//! cursor and time, how many feed entries of its organization follow that
//! cursor, and its refused operations (never a value of them).

use reqwest::StatusCode;
use serde_json::{Map, json};
use waystation_core::{CaseId, Change, ItemId, ListKind, Role, Sensitivity};
use waystation_protocol::admin::DeviceInfo;
use waystation_protocol::{ErrorCode, OpStatus, PullCursor};

use crate::helpers::*;

/// The admin list of `admin`'s organization, and the entry of `device`.
async fn info(app: &TestApp, admin: &str, device: &TestDevice) -> DeviceInfo {
    let token = app.admin_token(admin).await;
    let r = app.http.get(app.url("/v1/admin/devices")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: Vec<DeviceInfo> = r.json().await.unwrap();
    list.into_iter().find(|d| d.id == device.id).expect("the device is listed")
}

/// Pull everything after `from`, following pages: how many operations came, and the last page's cursor.
async fn pull_to_the_end(d: &TestDevice, from: &PullCursor) -> (usize, PullCursor) {
    let (mut n, mut cursor) = (0, from.clone());
    loop {
        let page = d.pull_page(cursor.as_str(), 2).await;
        n += page.ops.len();
        cursor = page.next_cursor;
        if !page.more {
            return (n, cursor);
        }
    }
}

async fn behind_counts_the_feed_after_the_last_pull(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let a = app.device("border-7", Role::Agent, "ana").await;
    let b = app.device("border-7", Role::Agent, "ana").await;
    let n = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let case = CaseId::new();
    let first = [
        a.create(case),
        a.set(case, "child.given_name", json!("Given-Name-Marker")),
        a.set(case, "encounter.narrative", json!("Narrative-Marker")),
        a.share(case, "casa-esperanza"),
    ];
    a.push(&first).await;

    // Never pulled: everything of its organization is ahead of it.
    let before = info(&app, "root", &b).await;
    assert_eq!((before.behind, &before.pulled_through, before.last_pull_at), (4, &None, None));
    assert_eq!(info(&app, "root", &a).await.behind, 4, "its own operations count too: an upper bound");

    // After pulling everything: at the feed's head.
    let (got, head) = pull_to_the_end(&b, &PullCursor::start()).await;
    assert_eq!(got, 4);
    let caught_up = info(&app, "root", &b).await;
    assert_eq!((caught_up.behind, caught_up.pulled_through.as_ref()), (0, Some(&head)));
    assert!(caught_up.last_pull_at.is_some());
    let (got, n_at) = pull_to_the_end(&n, &PullCursor::start()).await;
    assert!(got > 0, "the shared case reached the other organization");
    assert_eq!(info(&app, "nadia", &n).await.behind, 0);

    // Another device pushes N operations of the shared case: N behind, in
    // both organizations (the owner's feed and the one it is shared with).
    let more = [
        a.set(case, "child.family_name", json!("Family-Name-Marker")),
        a.set(case, "status", json!("referred")),
        a.note(case, Sensitivity::LawEnforcementSensitive, "Note-Text-Marker"),
    ];
    a.push(&more).await;
    assert_eq!(info(&app, "root", &b).await.behind, 3);
    let ngo = info(&app, "nadia", &n).await;
    assert_eq!(ngo.behind, 3, "the note it may not read counts: an upper bound");
    let (got, at) = pull_to_the_end(&n, &n_at).await;
    assert_eq!(got, 2, "the note is passed over");
    let ngo = info(&app, "nadia", &n).await;
    assert_eq!((ngo.behind, ngo.pulled_through), (0, Some(at)));
    // The first device, which pulled nothing, counts its own operations.
    assert_eq!(info(&app, "root", &a).await.behind, 7);

    // A pull from an older cursor moves its position back.
    b.pull_page("0", 2).await;
    let back = info(&app, "root", &b).await;
    assert!(back.behind > 0 && back.pulled_through != Some(head), "{back:?}");
}

async fn refusals_are_counted_and_the_last_kept_without_values(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let a = app.device("border-7", Role::Agent, "ana").await;
    let n = app.device("casa-esperanza", Role::NgoStaff, "luis").await;
    let case = CaseId::new();
    a.push(&[a.create(case)]).await;
    let fresh = info(&app, "nadia", &n).await;
    assert_eq!((fresh.refused_ops, &fresh.last_refusal), (0, &None));

    // A case not shared with its organization: refused_forbidden, with the rule's text.
    let r = n.push(&[n.set(case, "child.given_name", json!("Given-Name-Marker"))]).await;
    assert_eq!(r.results[0].status, OpStatus::RefusedForbidden);
    let refused = info(&app, "nadia", &n).await;
    assert_eq!(refused.refused_ops, 1);
    let last = refused.last_refusal.clone().expect("a last refusal");
    assert_eq!(last.status, OpStatus::RefusedForbidden);
    assert_eq!(last.message.as_deref(), r.results[0].message.as_deref(), "a fixed rule text is kept");

    // An invalid operation, whose message quotes what was sent: only its status is kept.
    let mut value = Map::new();
    value.insert("Key Marker".into(), json!("x"));
    let bad = n.op(case, Change::AddItem { list: ListKind::Adults, item: ItemId::new(), value });
    let own = CaseId::new();
    let r = n.push(&[n.create(own), bad.clone(), n.set(own, "child.given_name", json!("Given-Name-Marker"))]).await;
    let statuses: Vec<OpStatus> = r.results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [OpStatus::Accepted, OpStatus::RefusedInvalid, OpStatus::Accepted]);
    assert!(r.results[1].message.as_deref().unwrap().contains("Key Marker"), "{:?}", r.results[1]);
    let refused = info(&app, "nadia", &n).await;
    assert_eq!(refused.refused_ops, 2);
    let last = refused.last_refusal.clone().unwrap();
    assert_eq!((last.status, last.message), (OpStatus::RefusedInvalid, None));
    let listed = serde_json::to_string(&refused).unwrap();
    assert!(!listed.contains("Marker"), "no value of an operation: {listed}");
    // Sent again and refused again: counted again.
    n.push(&[bad]).await;
    assert_eq!(info(&app, "nadia", &n).await.refused_ops, 3);
    // The other organization's device is untouched.
    assert_eq!(info(&app, "root", &a).await.refused_ops, 0);

    // Still for sync administrators of the device's organization only.
    let r = app.http.get(app.url("/v1/admin/devices")).bearer_auth(&n.token).send().await.unwrap();
    assert_eq!(error_of(r, StatusCode::UNAUTHORIZED).await.code, ErrorCode::Unauthorized);
    let r = app
        .http
        .post(app.url("/v1/admin/login"))
        .json(&json!({"user": "luis", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r, StatusCode::FORBIDDEN).await.code, ErrorCode::Forbidden);
    let root = app.admin_token("root").await;
    let r = app.http.get(app.url("/v1/admin/devices")).bearer_auth(&root).send().await.unwrap();
    let theirs: Vec<DeviceInfo> = r.json().await.unwrap();
    assert!(theirs.iter().all(|d| d.id != n.id), "another organization's device is not listed");
}

crate::both_backends!(
    behind_counts_the_feed_after_the_last_pull,
    refusals_are_counted_and_the_last_kept_without_values,
);
