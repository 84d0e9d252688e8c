//! Devices with real encrypted stores, the edits they make, and the checks
//! that the service and every device agree on what each may see.

use anyhow::{Context, Result, ensure};
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use waystation_core::{
    CaseId, CaseState, Change, FieldPath, ItemId, ListKind, OpId, Operation, OrgId, Role, Sensitivity, UserName,
};
use waystation_store::{KdfParams, Store};
use waystation_sync::{Enrollment, SyncOptions, Syncer};

use crate::server::{Db, PASSWORD, ServerProc};

/// An enrolled device: its store folder and its sync engine (which holds the unlocked store).
pub struct Device {
    /// A label for messages.
    pub name: String,
    /// The store's folder.
    pub dir: PathBuf,
    /// Its organization.
    pub org: OrgId,
    /// The role it syncs as.
    pub role: Role,
    /// The engine (and through it, the store).
    pub syncer: Syncer,
    /// Whether its random edits also stop and start sharing its
    /// organization's cases (off by default: tests that follow one case set it).
    pub churns_sharing: bool,
}

/// What a store holds, read from its database directly (no audited read, no merge).
#[derive(Debug, Default)]
pub struct Held {
    /// Every operation, by case.
    pub ops: BTreeMap<CaseId, Vec<Operation>>,
    /// Each case's stored view (document and conflicts, as JSON).
    pub views: BTreeMap<CaseId, Value>,
    /// Ids of the operations made on this device.
    pub local: BTreeSet<OpId>,
}

/// Parse an organization id.
pub fn org(s: &str) -> OrgId {
    OrgId::parse("org", s).expect("org id")
}

/// Parse a user name.
pub fn user(s: &str) -> UserName {
    UserName::parse("user", s).expect("user name")
}

impl Device {
    /// Enroll a new device of `org_name` as `role` for `user_name` through `url`, store in `dir`.
    pub async fn enroll(
        server: &ServerProc,
        url: &str,
        org_name: &str,
        role: Role,
        user_name: &str,
        dir: &Path,
        options: SyncOptions,
    ) -> Result<Self> {
        let code = server.code(org_name, role.as_str())?;
        let store = waystation_sync::enroll(Enrollment::new(
            url,
            waystation_protocol::EnrollmentCode::new(code),
            format!("{user_name} test laptop"),
            user(user_name),
            PASSWORD,
            dir,
            KdfParams::for_tests(),
        ))
        .await?;
        let syncer = waystation_sync::open(store, options)?;
        Ok(Self {
            name: format!("{org_name}/{user_name}"),
            dir: dir.to_owned(),
            org: org(org_name),
            role,
            syncer,
            churns_sharing: false,
        })
    }

    /// Run `f` on the unlocked store (locked for just this call).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut s = self.syncer.store().lock().unwrap_or_else(|e| e.into_inner());
        f(&mut s)
    }

    /// The ids of the cases this store holds.
    pub fn case_ids(&self) -> Result<Vec<CaseId>> {
        let conn = self.with_store(|s| s.raw_connection_for_tests())?;
        let mut stmt = conn.prepare("SELECT case_id FROM cases")?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter().map(|t| CaseId::parse("case_id", t).map_err(|e| anyhow::anyhow!("{e}"))).collect()
    }

    /// Everything the store holds, read from its encrypted database directly.
    pub fn held(&self) -> Result<Held> {
        held(&self.with_store(|s| s.raw_connection_for_tests())?)
    }

    /// Make a few random edits (the workload): agents create cases (some
    /// shared with `share_with`), everyone edits visible cases and adds notes;
    /// with [`Device::churns_sharing`], the owner's devices also stop sharing
    /// a case and share it again.
    pub fn random_edits(&mut self, n: usize, share_with: &str) -> Result<()> {
        let ids = self.case_ids()?;
        let mut rng = rand::rng();
        let author = self.with_store(|s| s.user().clone());
        for _ in 0..n {
            let agent = matches!(self.role, Role::Agent | Role::Supervisor);
            if agent && (ids.is_empty() || rng.random_bool(0.25)) {
                let id = CaseId::new();
                let mut changes = vec![
                    Change::create_case(self.org.clone()),
                    set("child.given_name", json!(format!("Niña {}", rng.random_range(0..10_000)))),
                    set("encounter.narrative", json!("Found near the river crossing at dawn; fictional.")),
                ];
                if rng.random_bool(0.6) {
                    changes.push(Change::Share { org: org(share_with) });
                }
                self.with_store(|s| s.save_new_case(id, changes))?;
            } else if let Some(&case) = ids.choose(&mut rng) {
                // The case's accompanying adults as this device holds them: edited and removed
                // concurrently on devices that do not see each other's changes yet.
                let view = self.with_store(|s| s.case(case))?;
                let owned = self.churns_sharing && view.as_ref().is_some_and(|v| v.owner.as_ref() == Some(&self.org));
                let shared = view.as_ref().is_some_and(|v| v.shared_with.contains(&org(share_with)));
                let adults: Vec<ItemId> = view
                    .and_then(|v| v.document.get("adults").and_then(Value::as_array).cloned())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|a| a.get("id").and_then(Value::as_str).and_then(|i| ItemId::parse("id", i).ok()))
                    .collect();
                let change = match rng.random_range(0..9) {
                    // The owner's devices end and start sharing, concurrently with edits elsewhere.
                    7 if owned && shared => Change::Unshare { org: org(share_with), seen: vec![] },
                    8 if owned => Change::Share { org: org(share_with) },
                    0 => set("child.given_name", json!(format!("Name {}", rng.random_range(0..1000)))),
                    1 => set("encounter.narrative", json!(format!("Narrative revision {}", rng.random_range(0..1000)))),
                    4 => {
                        let mut adult = Map::new();
                        adult.insert("name".into(), json!(format!("Adult {}", rng.random_range(0..1000))));
                        adult.insert("claimed_relationship".into(), json!("aunt_or_uncle"));
                        Change::AddItem { list: ListKind::Adults, item: ItemId::new(), value: adult }
                    }
                    5 if !adults.is_empty() => Change::SetItemField {
                        list: ListKind::Adults,
                        item: *adults.choose(&mut rng).unwrap_or(&adults[0]),
                        field: "name".into(),
                        value: json!(format!("Adult {}", rng.random_range(0..1000))),
                        supersedes: vec![],
                    },
                    6 if !adults.is_empty() => Change::RemoveItem {
                        list: ListKind::Adults,
                        item: *adults.choose(&mut rng).unwrap_or(&adults[0]),
                        seen: None,
                    },
                    _ => {
                        let class = if agent {
                            *[Sensitivity::General, Sensitivity::LawEnforcementSensitive]
                                .choose(&mut rng)
                                .unwrap_or(&Sensitivity::General)
                        } else {
                            *[Sensitivity::General, Sensitivity::LegalPrivileged]
                                .choose(&mut rng)
                                .unwrap_or(&Sensitivity::General)
                        };
                        note(class, &author)
                    }
                };
                self.with_store(|s| s.edit(case, vec![change]))?;
            }
        }
        Ok(())
    }
}

fn set(field: &str, value: Value) -> Change {
    Change::Set { field: FieldPath::parse(field).expect("field path"), value, supersedes: vec![] }
}

/// A note change of `class`.
pub fn note(class: Sensitivity, author: &UserName) -> Change {
    let mut value = Map::new();
    value.insert("sensitivity".into(), json!(class.as_str()));
    value.insert("text".into(), json!("A fictional note for the sync tests."));
    value.insert("written_at".into(), json!(chrono::Utc::now().to_rfc3339()));
    value.insert("author".into(), json!(author.as_str()));
    Change::AddItem { list: ListKind::Notes, item: ItemId::new(), value }
}

/// What the store behind `conn` holds.
pub fn held(conn: &rusqlite::Connection) -> Result<Held> {
    let mut out = Held::default();
    let mut stmt = conn.prepare("SELECT body, local FROM ops")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
    for row in rows {
        let (body, local) = row?;
        let op: Operation = serde_json::from_str(&body)?;
        if local {
            out.local.insert(op.id);
        }
        out.ops.entry(op.case_id).or_default().push(op);
    }
    let mut stmt = conn.prepare("SELECT case_id, view FROM cases")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, view) = row?;
        let id = CaseId::parse("case_id", &id).map_err(|e| anyhow::anyhow!("{e}"))?;
        out.views.insert(id, serde_json::from_str(&view)?);
    }
    Ok(out)
}

/// Every operation the service holds, read from its database directly, with how many rows each id has.
pub async fn server_ops(db: &Db) -> Result<(Vec<Operation>, u64)> {
    const DATA_KEY: &str = "SELECT value FROM meta WHERE key = 'data_key'";
    let (wrapped, rows): (String, Vec<String>) = match db {
        Db::Sqlite(dir) => {
            let conn = rusqlite::Connection::open(dir.join("waystation-server.sqlite3"))?;
            let wrapped = conn.query_row(DATA_KEY, [], |r| r.get(0))?;
            let mut stmt = conn.prepare("SELECT canonical FROM ops")?;
            (wrapped, stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?)
        }
        Db::Postgres(url) => {
            let client = waystation_server::storage::postgres_tls::connect(url).await.map_err(anyhow::Error::msg)?;
            let wrapped = client.query_one(DATA_KEY, &[]).await?.get(0);
            (
                wrapped,
                client.query("SELECT canonical FROM ops", &[]).await?.iter().map(|r| r.get::<_, String>(0)).collect(),
            )
        }
    };
    let sealer = crate::backend::test_sealer(&wrapped)?;
    let total = rows.len() as u64;
    let ops = rows
        .iter()
        .map(|t| serde_json::from_str(&sealer.open_op(t)?).context("a stored operation"))
        .collect::<Result<_>>()?;
    Ok((ops, total))
}

/// Who sees each case per the merge of all its operations: its owner and
/// the organizations it is shared with (an unshare ends the shares it saw).
pub fn access(all: &[Operation]) -> BTreeMap<CaseId, BTreeSet<OrgId>> {
    let mut states: BTreeMap<CaseId, CaseState> = BTreeMap::new();
    for op in all {
        states.entry(op.case_id).or_insert_with(|| CaseState::new(op.case_id)).apply(op.clone()).expect("merge");
    }
    states
        .into_iter()
        .filter_map(|(id, s)| {
            let v = s.view_without_document()?;
            Some((id, v.owner.into_iter().chain(v.shared_with).collect()))
        })
        .collect()
}

/// What `org` with `role` may see of `all`: the cases it owns or that are shared with it, and the note classes it may read.
pub fn visible(all: &[Operation], viewer: &OrgId, role: Role) -> BTreeMap<CaseId, Vec<Operation>> {
    let access = access(all);
    let mut out: BTreeMap<CaseId, Vec<Operation>> = BTreeMap::new();
    for op in all {
        if access.get(&op.case_id).is_some_and(|a| a.contains(viewer)) && role.may_read(op.class) {
            out.entry(op.case_id).or_default().push(op.clone());
        }
    }
    out
}

/// Check that `device` holds exactly what it may see of the service's `all`
/// operations (plus what it wrote itself): the same cases, the same
/// operations per case, nothing received of a class its role may not read, and the same merged document and conflicts
/// as the service's operations give.
pub fn check_device(device: &Device, all: &[Operation]) -> Result<()> {
    check_held(&device.name, &device.held()?, all, &device.org, device.role)
}

/// [`check_device`] on what a store holds.
pub fn check_held(name: &str, held: &Held, all: &[Operation], org: &OrgId, role: Role) -> Result<()> {
    let mut expected = visible(all, org, role);
    // What this device wrote itself it holds (the service refuses a class its role may not read, so the
    // world never writes one).
    for op in all.iter().filter(|o| held.local.contains(&o.id)) {
        let ops = expected.entry(op.case_id).or_default();
        if !ops.iter().any(|o| o.id == op.id) {
            ops.push(op.clone());
        }
    }
    let cases: BTreeSet<CaseId> = held.views.keys().copied().collect();
    let want: BTreeSet<CaseId> = expected.keys().copied().collect();
    ensure!(
        cases == want,
        "{name}: holds {} cases, may see {} (missing {:?}, extra {:?})",
        cases.len(),
        want.len(),
        want.difference(&cases).take(3).collect::<Vec<_>>(),
        cases.difference(&want).take(3).collect::<Vec<_>>()
    );
    for op in held.ops.values().flatten().filter(|o| !held.local.contains(&o.id)) {
        ensure!(role.may_read(op.class), "{name}: holds a {} operation its role may not read", op.class.as_str());
    }
    for (case, ops) in &expected {
        let local = held.ops.get(case).map(Vec::as_slice).unwrap_or_default();
        let a: BTreeSet<OpId> = local.iter().map(|o| o.id).collect();
        let b: BTreeSet<OpId> = ops.iter().map(|o| o.id).collect();
        ensure!(a == b, "{name}: case {case}: holds {} operations, may see {}", a.len(), b.len());
        let want = CaseState::from_ops(ops.iter())?.view().context("expected view")?;
        let view = &held.views[case];
        ensure!(
            view.get("document") == Some(&want.document),
            "{name}: case {case}: the document differs from the service's"
        );
        ensure!(
            view.get("conflicts") == Some(&serde_json::to_value(&want.conflicts)?),
            "{name}: case {case}: the conflicts differ from the service's"
        );
    }
    Ok(())
}

/// A whole case document (an example, written by several organizations) as an
/// agent's device may import it: without the notes of classes an agent may not
/// write (the service refuses those: write rules match read rules).
pub fn as_agent_writes(case: &mut Value) {
    if let Some(notes) = case.get_mut("notes").and_then(Value::as_array_mut) {
        notes.retain(|n| {
            n.get("sensitivity")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Sensitivity>().ok())
                .is_none_or(|c| Role::Agent.may_write(c))
        });
    }
}
