//! Starting a service of either backend, seeding it, enrolling devices.

use anyhow::{Context, Result, ensure};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use waystation_core::Role;
use waystation_sync::{Backoff, SyncOptions};
use waystation_system_tests::server::{Db, PASSWORD, ServerProc, fresh_postgres_database};
use waystation_system_tests::world::Device;

pub use waystation_system_tests::Backend;

/// A fresh service of `backend`, seeded with two organizations and their users; `None` when PostgreSQL is skipped.
pub async fn service(backend: Backend, env: &[(&str, &str)]) -> Result<Option<ServerProc>> {
    let server = match backend {
        Backend::Sqlite => ServerProc::sqlite(env)?,
        Backend::Postgres => {
            let Some(url) = fresh_postgres_database().await? else { return Ok(None) };
            ServerProc::start(Db::Postgres(url), env, None)?
        }
    };
    server.admin(&["org", "add", "border-7"])?;
    server.admin(&["org", "add", "casa-esperanza"])?;
    for (name, org, role) in [
        ("ana", "border-7", "agent"),
        ("beto", "border-7", "agent"),
        ("sam", "border-7", "supervisor"),
        ("luis", "casa-esperanza", "ngo_staff"),
        ("lucia", "casa-esperanza", "ngo_staff"),
    ] {
        server.admin(&["user", "add", "--org", org, "--role", role, name])?;
    }
    Ok(Some(server))
}

/// The five devices of the scenario, enrolled through `url`, stores under `root`.
pub async fn devices(
    server: &ServerProc,
    url: &str,
    root: &std::path::Path,
    options: SyncOptions,
) -> Result<Vec<Device>> {
    let mut out = Vec::new();
    for (org, role, user) in [
        ("border-7", Role::Agent, "ana"),
        ("border-7", Role::Agent, "beto"),
        ("border-7", Role::Supervisor, "sam"),
        ("casa-esperanza", Role::NgoStaff, "luis"),
        ("casa-esperanza", Role::NgoStaff, "lucia"),
    ] {
        out.push(Device::enroll(server, url, org, role, user, &root.join(user), options).await?);
    }
    Ok(out)
}

/// Quick retries for tests: the faults are many and the service is local.
pub fn quick_backoff() -> Backoff {
    Backoff::new(Duration::from_millis(1), Duration::from_millis(8))
}

/// Devices editing and syncing in a loop, each in its own task, until [`EditLoops::stop`]:
/// every round makes `edits` random edits (some shared with casa-esperanza) and syncs
/// until done, with up to `attempts` tries through whatever faults the test injects.
pub struct EditLoops {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<Result<Device>>>,
}

impl EditLoops {
    /// Start one loop per device.
    pub fn start(devices: Vec<Device>, edits: usize, attempts: u32) -> Self {
        let (stop, rx) = tokio::sync::watch::channel(false);
        let tasks = devices
            .into_iter()
            .map(|mut d| {
                let rx = rx.clone();
                tokio::spawn(async move {
                    while !*rx.borrow() {
                        d.random_edits(edits, "casa-esperanza")?;
                        d.syncer.sync_until_done(attempts, quick_backoff()).await?;
                    }
                    anyhow::Ok(d)
                })
            })
            .collect();
        Self { stop, tasks }
    }

    /// Let every loop finish its round and hand its device back.
    pub async fn stop(self) -> Result<Vec<Device>> {
        self.stop.send(true)?;
        let mut devices = Vec::new();
        for t in self.tasks {
            devices.push(t.await??);
        }
        Ok(devices)
    }
}

/// Sync every device until push and pull both finish, twice over (so each pulls what the others pushed).
pub async fn settle(devices: &mut [Device]) -> Result<()> {
    for _ in 0..2 {
        for d in devices.iter_mut() {
            d.syncer.sync_until_done(1000, quick_backoff()).await?;
        }
    }
    Ok(())
}

/// Check the end state: the service holds each operation made on any device
/// exactly once (and nothing else), and every device holds exactly what it may see.
pub async fn check_end_state(server: &ServerProc, devices: &[Device]) -> Result<usize> {
    let (all, rows) = waystation_system_tests::world::server_ops(server.db()).await?;
    let ids: std::collections::BTreeSet<_> = all.iter().map(|o| o.id).collect();
    anyhow::ensure!(ids.len() as u64 == rows, "the service holds {rows} rows for {} operations", ids.len());
    let mut made = std::collections::BTreeSet::new();
    let mut org_of = std::collections::BTreeMap::new();
    for d in devices {
        made.extend(d.held()?.local);
        org_of.insert(d.with_store(|s| s.device()), d.org.clone());
    }
    let missing = made.difference(&ids).count();
    // A device removed the cases its organization stopped seeing, with what it wrote on them.
    let access = waystation_system_tests::world::access(&all);
    let extra = all
        .iter()
        .filter(|o| !made.contains(&o.id))
        .filter(|o| org_of.get(&o.device).is_none_or(|org| access.get(&o.case_id).is_some_and(|a| a.contains(org))))
        .count();
    anyhow::ensure!(
        missing == 0 && extra == 0,
        "the service misses {missing} operations and holds {extra} unknown ones"
    );
    for d in devices {
        anyhow::ensure!(d.with_store(|s| s.outbox_len())? == 0, "{}: the outbox is not empty", d.name);
        waystation_system_tests::world::check_device(d, &all)?;
    }
    Ok(all.len())
}

/// One `waystation-cli` store, driven as a field IT script would.
pub struct Cli {
    pub bin: PathBuf,
    pub store: PathBuf,
    pub user: &'static str,
}

impl Cli {
    pub fn run(&self, args: &[&str]) -> Result<Output> {
        let out = Command::new(&self.bin)
            .args(args)
            .env("WAYSTATION_STORE", &self.store)
            .env("WAYSTATION_USER", self.user)
            .env("WAYSTATION_PASSPHRASE", PASSWORD)
            .stdin(Stdio::null())
            .output()?;
        Ok(out)
    }

    /// Run and require exit 0; its standard output.
    pub fn ok(&self, args: &[&str]) -> Result<String> {
        let out = self.run(args)?;
        ensure!(
            out.status.success(),
            "waystation-cli {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Ok(String::from_utf8(out.stdout)?)
    }

    /// `sync …` exits 0: its report.
    pub fn sync(&self, args: &[&str]) -> Result<Value> {
        let mut all = vec!["sync"];
        all.extend_from_slice(args);
        Ok(serde_json::from_str(self.ok(&all)?.trim())?)
    }

    pub fn status(&self) -> Result<Value> {
        Ok(serde_json::from_str(&self.ok(&["status"])?)?)
    }

    pub fn import(&self, dir: &Path, cases: &[Value]) -> Result<()> {
        let file = dir.join("cases.jsonl");
        let text: String = cases.iter().map(|c| format!("{c}\n")).collect();
        std::fs::write(&file, text)?;
        self.ok(&["case", "import", file.to_str().context("path")?])?;
        Ok(())
    }
}

/// A CLI store under `store`, enrolled as an agent of border-7 signing in as `user`.
pub fn enroll(server: &ServerProc, bin: &Path, store: PathBuf, user: &'static str) -> Result<Cli> {
    let cli = Cli { bin: bin.to_owned(), store, user };
    let code = server.code("border-7", "agent")?;
    cli.ok(&["enroll", "--server", &server.url(), "--code", &code, "--kdf", "fast"])?;
    Ok(cli)
}
