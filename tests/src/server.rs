//! The real `waystation-server` binary, on 127.0.0.1 port 0 with a fresh
//! database (an SQLite folder, or a new PostgreSQL database), killed and
//! restarted at will.
//!
//! Which binary: `WAYSTATION_SERVER_BIN` when set; otherwise the one in this
//! build's target folder, brought up to date once per test process with
//! `cargo build -p waystation-server` (a no-op when `cargo test --workspace`
//! built it already).

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

pub use crate::backend::{fresh_postgres_database, postgres_url, with_database};

/// The password of every user the tests create.
pub const PASSWORD: &str = "correct horse battery staple";

/// Where the service keeps its data.
#[derive(Debug, Clone)]
pub enum Db {
    /// An SQLite folder.
    Sqlite(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

fn target_bin_dir() -> PathBuf {
    // …/target/debug/deps/system-HASH → …/target/debug
    let exe = std::env::current_exe().expect("the test's own path");
    let dir = exe.parent().expect("deps folder");
    if dir.ends_with("deps") { dir.parent().expect("profile folder").to_owned() } else { dir.to_owned() }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_owned()
}

/// A workspace binary (`waystation-server`, `waystation-cli`), built if needed; `env` overrides it.
pub fn workspace_bin(name: &str, env: &str) -> Result<PathBuf> {
    static BUILT: OnceLock<std::sync::Mutex<Vec<String>>> = OnceLock::new();
    if let Ok(p) = std::env::var(env) {
        return Ok(PathBuf::from(p));
    }
    let dir = target_bin_dir();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == name) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(workspace_root()).args(["build", "--quiet", "-p", name, "--bin", name]);
        if dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        if let Some(target) = dir.parent() {
            cmd.env("CARGO_TARGET_DIR", target);
        }
        // Under a shifted clock (scripts/test's second run, libfaketime),
        // cargo itself must see the real time: its freshness checks compare
        // file times with its own clock.
        cmd.env_remove("LD_PRELOAD").env_remove("FAKETIME");
        let status = cmd.status().with_context(|| format!("cannot run cargo to build {name}"))?;
        if !status.success() {
            bail!("building {name} failed");
        }
        built.push(name.to_owned());
    }
    Ok(dir.join(name))
}

/// A running (or stopped) service process.
#[derive(Debug)]
pub struct ServerProc {
    bin: PathBuf,
    db: Db,
    env: Vec<(String, String)>,
    child: Option<Child>,
    /// Where it listens (the same port across restarts).
    pub addr: SocketAddr,
    _dir: Option<tempfile::TempDir>,
}

impl ServerProc {
    /// A fresh SQLite service.
    pub fn sqlite(env: &[(&str, &str)]) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let db = Db::Sqlite(dir.path().join("server"));
        Self::start(db, env, Some(dir))
    }

    /// A service on `db` (created and migrated on first start), with extra environment `env`.
    pub fn start(db: Db, env: &[(&str, &str)], dir: Option<tempfile::TempDir>) -> Result<Self> {
        let bin = workspace_bin("waystation-server", "WAYSTATION_SERVER_BIN")?;
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut s = Self { bin, db, env, child: None, addr: "127.0.0.1:0".parse()?, _dir: dir };
        s.spawn()?;
        Ok(s)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        match &self.db {
            Db::Sqlite(dir) => cmd.arg("--data").arg(dir),
            Db::Postgres(url) => cmd.arg("--database-url").arg(url),
        };
        cmd.env_remove("WAYSTATION_DATABASE_URL")
            .env_remove("WAYSTATION_DATA")
            .env_remove("WAYSTATION_KEY_FILE")
            .env_remove("WAYSTATION_KEY_COMMAND")
            .env("WAYSTATION_KEY", crate::backend::TEST_DATABASE_KEY)
            .env("WAYSTATION_PASSWORD", PASSWORD);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn spawn(&mut self) -> Result<()> {
        let mut cmd = self.command();
        cmd.arg("serve").arg("--listen").arg(self.addr.to_string());
        cmd.stdout(Stdio::piped()).stdin(Stdio::null());
        if std::env::var_os("WAYSTATION_TEST_SERVER_LOG").is_none() {
            cmd.stderr(Stdio::null()).env("WAYSTATION_LOG", "warn");
        }
        let mut child = cmd.spawn().context("cannot start waystation-server")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(addr) = line.trim().strip_prefix("listening on http://") else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("waystation-server did not start (it said {line:?})");
        };
        self.addr = addr.parse().context("the address the service printed")?;
        self.child = Some(child);
        Ok(())
    }

    /// The service's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Run an administration command (`org add X`, `device code …`) on the same database; its output.
    pub fn admin(&self, args: &[&str]) -> Result<String> {
        let out = self.command().args(args).stdin(Stdio::null()).output()?;
        if !out.status.success() {
            bail!("waystation-server {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    /// Set an environment variable of the service and its administration
    /// commands from now on (a restart uses it; `WAYSTATION_KEY` changes the database key).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// A fresh one-time enrollment code.
    pub fn code(&self, org: &str, role: &str) -> Result<String> {
        self.admin(&["device", "code", "--org", org, "--role", role])
    }

    /// Kill the service with SIGKILL (no graceful shutdown).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start it again on the same port.
    pub fn restart(&mut self) -> Result<()> {
        self.kill();
        let mut tries = 0;
        loop {
            match self.spawn() {
                Ok(()) => return Ok(()),
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The service's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        self.kill();
    }
}
