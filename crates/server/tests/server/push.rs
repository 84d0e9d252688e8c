//! Push: idempotent by operation id; different content refused and the original kept.

use serde_json::json;
use waystation_core::{CaseId, Role};
use waystation_protocol::OpStatus;

use crate::helpers::*;

async fn the_same_batch_three_times_stores_one_copy_of_each(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let case = CaseId::new();
    let batch = vec![
        d.create(case),
        d.set(case, "child.given_name", json!("Marker-Given")),
        d.set(case, "status", json!("open")),
    ];
    let first = d.push(&batch).await;
    assert!(first.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", first.results);
    for _ in 0..2 {
        let again = d.push(&batch).await;
        assert_eq!(again.results.len(), 3);
        assert!(again.results.iter().all(|r| r.status == OpStatus::Duplicate), "{:?}", again.results);
        assert_eq!(again.server_epoch, first.server_epoch);
    }
    assert_eq!(app.storage.op_count().await.unwrap(), 3);
    let reader = app.device("border-7", Role::Agent, "ana").await;
    let pulled = reader.pull_all().await;
    assert_eq!(pulled.len(), 3, "each operation once in the feed");
    assert_eq!(app.storage.last_pushed(d.id).await.unwrap(), Some(batch[2].id));
}

async fn the_same_id_with_different_content_is_refused_and_the_original_kept(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let case = CaseId::new();
    let original = d.set(case, "status", json!("open"));
    d.push(&[d.create(case), original.clone()]).await;
    let mut forged = original.clone();
    forged.change = waystation_core::Change::Set {
        field: waystation_core::FieldPath::parse("status").unwrap(),
        value: json!("closed"),
        supersedes: vec![],
    };
    let r = d.push(&[forged]).await;
    assert_eq!(r.results[0].status, OpStatus::RefusedDifferentContent);
    assert!(r.results[0].message.as_deref().unwrap().contains("different content"));
    let reader = app.device("border-7", Role::Agent, "ana").await;
    let pulled = reader.pull_all().await;
    let kept = pulled.iter().find(|o| o.id == original.id).unwrap();
    assert_eq!(kept, &original, "the first content is kept");
    assert_eq!(app.storage.op_count().await.unwrap(), 2);
}

async fn each_operation_gets_its_own_result_in_order(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let case = CaseId::new();
    let mut foreign_device = d.create(CaseId::new());
    foreign_device.device = waystation_core::DeviceId::new();
    foreign_device.hlc.device = foreign_device.device;
    let mut unknown_user = d.create(CaseId::new());
    unknown_user.user = user("nobody");
    let mut bad_class = d.set(case, "status", json!("open"));
    bad_class.class = waystation_core::Sensitivity::Medical;
    let unseen_case = d.set(CaseId::new(), "status", json!("open"));
    let mut other_owner = d.create(CaseId::new());
    other_owner.change = waystation_core::Change::create_case(org("casa-esperanza"));
    let batch = vec![
        d.create(case),
        foreign_device,
        unknown_user,
        bad_class,
        unseen_case,
        other_owner,
        d.share(case, "no-such-org"),
    ];
    let r = d.push(&batch).await;
    let statuses: Vec<OpStatus> = r.results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![
            OpStatus::Accepted,
            OpStatus::RefusedForbidden,
            OpStatus::RefusedForbidden,
            OpStatus::RefusedInvalid,
            OpStatus::RefusedForbidden,
            OpStatus::RefusedForbidden,
            OpStatus::RefusedInvalid,
        ],
        "{:?}",
        r.results
    );
    for (res, op) in r.results.iter().zip(&batch) {
        assert_eq!(res.id, op.id);
    }
    assert_eq!(app.storage.op_count().await.unwrap(), 1, "refused operations are not stored");
}

async fn concurrent_edits_are_recorded_as_conflicts_for_administrators(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let a = app.device("border-7", Role::Agent, "ana").await;
    let b = app.device("border-7", Role::Supervisor, "sam").await;
    let case = CaseId::new();
    a.push(&[a.create(case)]).await;
    a.push(&[a.set(case, "encounter.place", json!("gate 3"))]).await;
    b.push(&[b.set(case, "encounter.place", json!("gate 4"))]).await;
    let token = app.admin_token("root").await;
    let r = app.http.get(app.url("/v1/admin/conflicts")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["case_id"], json!(case.to_string()));
    assert_eq!(v[0]["conflicts"][0]["values"].as_array().unwrap().len(), 2);
}

/// A batch whose first operations are new and whose later ones were stored
/// before (a client re-sending after a lost answer, with new work in front):
/// the stored ones are answered as duplicates or refused for different
/// content, the new ones stored, and nothing of the batch twice.
async fn stored_operations_behind_new_ones_in_a_batch_are_recognized(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let case = CaseId::new();
    let first = vec![d.create(case), d.set(case, "status", json!("open"))];
    d.push(&first).await;
    let fresh = d.set(case, "child.given_name", json!("Marker-Given"));
    let mut forged = first[1].clone();
    forged.change = waystation_core::Change::Set {
        field: waystation_core::FieldPath::parse("status").unwrap(),
        value: json!("closed"),
        supersedes: vec![],
    };
    let r = d.push(&[fresh.clone(), first[0].clone(), forged]).await;
    let statuses: Vec<OpStatus> = r.results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [OpStatus::Accepted, OpStatus::Duplicate, OpStatus::RefusedDifferentContent]);
    let later = d.set(case, "encounter.place", json!("gate 2"));
    let r = d.push(&[later.clone(), fresh.clone(), later.clone()]).await;
    let statuses: Vec<OpStatus> = r.results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [OpStatus::Accepted, OpStatus::Duplicate, OpStatus::Duplicate]);
    assert_eq!(app.storage.op_count().await.unwrap(), 4);
    let reader = app.device("border-7", Role::Agent, "ana").await;
    let pulled: Vec<_> = reader.pull_all().await.into_iter().map(|o| o.id).collect();
    assert_eq!(pulled, vec![first[0].id, first[1].id, fresh.id, later.id], "each once, in the order stored");
    assert_eq!(app.storage.last_pushed(d.id).await.unwrap(), Some(later.id));
}

/// The audit trail's "who" is not what the laptop says: an operation's user
/// must have signed in on that device (online, first), or it is refused
/// with the fixed rule text and nothing of it is stored.
async fn an_operation_by_a_user_who_never_signed_in_on_the_device_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else { return };
    let d = app.device("border-7", Role::Agent, "ana").await;
    let reader = app.device("border-7", Role::Supervisor, "sam").await;
    let case = CaseId::new();
    let mut create = d.create(case);
    create.user = user("sam");
    let mut name = d.set(case, "child.given_name", json!("Marker-Impostor"));
    name.user = user("sam");
    let r = d.push(&[create.clone(), name.clone()]).await;
    for result in &r.results {
        assert_eq!(result.status, OpStatus::RefusedForbidden, "{:?}", r.results);
        assert_eq!(result.message.as_deref(), Some("user: this user never signed in on this device"));
    }
    let pulled: serde_json::Value =
        reader.req(reqwest::Method::GET, "/v1/pull").send().await.unwrap().json().await.unwrap();
    assert!(!pulled.to_string().contains("Marker-Impostor"), "nothing of it was stored: {pulled}");
    // Once sam signs in on that laptop, the same operations are accepted.
    let signin = d.req(reqwest::Method::POST, "/v1/signin").json(&json!({"user": "sam", "password": PASSWORD}));
    assert_eq!(signin.send().await.unwrap().status(), reqwest::StatusCode::OK);
    let r = d.push(&[create, name]).await;
    assert!(r.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", r.results);
}

crate::both_backends!(
    an_operation_by_a_user_who_never_signed_in_on_the_device_is_refused,
    the_same_batch_three_times_stores_one_copy_of_each,
    the_same_id_with_different_content_is_refused_and_the_original_kept,
    each_operation_gets_its_own_result_in_order,
    concurrent_edits_are_recorded_as_conflicts_for_administrators,
    stored_operations_behind_new_ones_in_a_batch_are_recognized,
);
