//! `waystation-server`: the central sync service and its administration
//! commands (see `docs/architecture.md`).

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use waystation_core::{DeviceId, OrgId, Role, UserName};
use waystation_server::clock::{Clock, SystemClock};
use waystation_server::keys::{self, KeyError, KeySource};
use waystation_server::storage::audit::AuditCheck;
use waystation_server::storage::sealed::DatabaseKey;
use waystation_server::storage::{NewCode, UserRecord};
use waystation_server::{AppState, Database, Settings, secrets};
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(name = "waystation-server", version, about = "Waystation's central sync service")]
struct Cli {
    /// Folder of the embedded SQLite database (default: $XDG_DATA_HOME/waystation-server).
    #[arg(long, global = true, conflicts_with = "database_url")]
    data: Option<PathBuf>,
    /// PostgreSQL URL (postgres://user:password@host/db) instead of SQLite; TLS by
    /// `?sslmode=` (verify-full, the default for another host, with `&sslrootcert=CA.pem`;
    /// verify-ca; require; prefer, the default on this machine; disable).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Allow a connection that may be plain (sslmode=disable or prefer) to a database on another host.
    #[arg(long, global = true)]
    allow_plain_database: bool,
    /// Settings file (TOML); WAYSTATION_… environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// File holding the database key (64 hex characters, mode 600). Or
    /// WAYSTATION_KEY_FILE, WAYSTATION_KEY (the key), WAYSTATION_KEY_COMMAND
    /// (a command printing it), or key_file / key_command in the settings file.
    #[arg(long, global = true)]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service. Prints `listening on http(s)://ADDR` once bound.
    Serve {
        /// Address to listen on (port 0 picks a free port).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// TLS certificate chain (PEM).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Allow plain HTTP on a non-loopback address (only behind a TLS-terminating proxy).
        #[arg(long)]
        allow_non_loopback_http: bool,
    },
    /// Create or update the database schema, then exit.
    Migrate,
    /// Organizations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Devices.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Notes.
    Notes {
        #[command(subcommand)]
        command: NotesCommand,
    },
    /// The database key.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// The audit trail of sign-ins and administrative actions.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent, encrypted copy of the embedded database (while the
    /// service runs, if it does), keyed from the database key. On PostgreSQL use
    /// pg_dump: a case's words are sealed in it as they are in the database.
    Backup {
        /// The new backup file.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup made by `backup` into an empty data folder (--data),
    /// with the database key it was made with.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Write a new random database key to a new file (mode 600).
    New {
        /// The new key file.
        #[arg(long)]
        file: PathBuf,
    },
    /// Make the database open with a new key (from --new-key-file) instead of
    /// the current one. Running services go on; start them with the new key from now on.
    Rotate {
        /// The file holding the new key (`key new` writes one).
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the whole trail and check its chain: says where an entry was
    /// changed or deleted (exit status 1), or how many entries are intact.
    Verify,
    /// The latest entries, newest first, one per line.
    List {
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum NotesCommand {
    /// List stored notes whose class the device that wrote them may not read
    /// (written before the service refused them: a legal-privileged note from
    /// an agent's device), one per line, then how many; none is shown in words.
    Unwritable,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Add an organization (a short id: lowercase letters, digits, hyphens).
    Add { name: String },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password comes from --password-file, WAYSTATION_PASSWORD, or a prompt.
    Add {
        /// The user's organization.
        #[arg(long)]
        org: String,
        /// agent, ngo_staff, supervisor or sync_admin.
        #[arg(long)]
        role: String,
        /// A file whose first line is the password.
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// The sign-in name.
        name: String,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Print a one-time enrollment code.
    Code {
        #[arg(long)]
        org: String,
        #[arg(long)]
        role: String,
        /// Hours the code lives (default from settings: 24).
        #[arg(long)]
        ttl_hours: Option<i64>,
    },
    /// List devices, one per line: how far behind each is (the entries of
    /// its organization's feed after its last pull, an upper bound: its own
    /// operations and notes its role may not read are never sent to it), and
    /// its refused operations.
    List,
    /// Revoke a device: it is refused at once and wipes itself at its next contact.
    Revoke { id: String },
}

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn init_logs(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WAYSTATION_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr);
    if settings.log_format == "json" {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

fn password(file: Option<&PathBuf>) -> Result<Zeroizing<String>> {
    let pw = if let Some(f) = file {
        let text = Zeroizing::new(std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?);
        Zeroizing::new(text.lines().next().unwrap_or_default().to_owned())
    } else if let Ok(p) = std::env::var("WAYSTATION_PASSWORD") {
        Zeroizing::new(p)
    } else {
        let a = Zeroizing::new(rpassword::prompt_password("Password: ").context("cannot read the password")?);
        let b = Zeroizing::new(rpassword::prompt_password("Again: ").context("cannot read the password")?);
        if a != b {
            bail!("the two passwords differ");
        }
        a
    };
    if pw.chars().count() < 10 {
        bail!("the password needs at least 10 characters");
    }
    Ok(pw)
}

async fn run(cli: Cli) -> Result<()> {
    let mut settings = Settings::load(cli.config.as_deref(), &|k| std::env::var(k).ok())?
        .with_database_flags(cli.data, cli.database_url)?;
    settings.allow_plain_database |= cli.allow_plain_database;
    if let Some(f) = cli.key_file {
        settings.key = Some(KeySource::File(f));
    }
    init_logs(&settings);
    let clock = SystemClock;
    let key = || -> Result<DatabaseKey> { Ok(settings.key.as_ref().ok_or(KeyError::Missing)?.load()?) };
    let sqlite_dir = || match &settings.database {
        Database::Sqlite(dir) => Ok(dir.clone()),
        Database::Postgres(_) => {
            Err(anyhow!("backups of a PostgreSQL database are made with pg_dump (case values are sealed in it)"))
        }
    };
    match &cli.command {
        Command::Key { command: KeyCommand::New { file } } => {
            keys::write_new_key(file).map_err(|e| anyhow!(e))?;
            println!("wrote a new database key to {}", file.display());
            return Ok(());
        }
        Command::Backup { to } => {
            let (dir, key, to) = (sqlite_dir()?, key()?, to.clone());
            let bytes = tokio::task::spawn_blocking(move || waystation_server::storage::backup_sqlite(&dir, &key, &to))
                .await??;
            println!("backup written ({bytes} bytes, encrypted; it opens with the current database key)");
            return Ok(());
        }
        Command::Restore { from } => {
            let (dir, key, from) = (sqlite_dir()?, key()?, from.clone());
            let to = dir.clone();
            tokio::task::spawn_blocking(move || waystation_server::storage::restore_sqlite(&from, &key, &to)).await??;
            println!("restored into {}; the service takes a new epoch when it starts", dir.display());
            return Ok(());
        }
        _ => {}
    }
    let key = key()?;
    let opened = waystation_server::open_storage(&settings, &key).await.map_err(|e| anyhow!("{e}"))?;
    let storage = opened.storage();
    match cli.command {
        Command::Key { command: KeyCommand::New { .. } } | Command::Backup { .. } | Command::Restore { .. } => {}
        Command::Key { command: KeyCommand::Rotate { new_key_file } } => {
            let new = KeySource::File(new_key_file.clone()).load()?;
            if *new.to_hex() == *key.to_hex() {
                bail!("the new key is the current key");
            }
            opened.rewrap(&new).await?;
            println!(
                "the database now opens with the key in {} only; running services go on; start them with that key",
                new_key_file.display()
            );
        }
        Command::Migrate => println!("the database schema is up to date"),
        Command::Org { command: OrgCommand::Add { name } } => {
            let org = OrgId::parse("organization", &name)?;
            storage.add_org(&org, clock.now()).await?;
            println!("{org}");
        }
        Command::User { command: UserCommand::Add { org, role, password_file, name } } => {
            let org = OrgId::parse("organization", &org)?;
            let role: Role = role.parse()?;
            let name = UserName::parse("user", &name)?;
            let pw = password(password_file.as_ref())?;
            let hash = tokio::task::spawn_blocking(move || secrets::hash_password(&pw))
                .await?
                .map_err(|e| anyhow!("cannot hash the password: {e}"))?;
            let user = UserRecord {
                name: name.clone(),
                org,
                role,
                password_hash: hash,
                created_at: clock.now(),
                disabled: false,
            };
            storage.add_user(&user).await?;
            cli_audit(&*storage, clock.now(), Some(&user.org), "user.add", name.as_str()).await?;
            println!("{name}");
        }
        Command::Device { command: DeviceCommand::Code { org, role, ttl_hours } } => {
            let org = OrgId::parse("organization", &org)?;
            let role: Role = role.parse()?;
            let hours = ttl_hours.unwrap_or(settings.enrollment_code_ttl_hours);
            if !(1..=24 * 30).contains(&hours) {
                bail!("--ttl-hours must be between 1 and 720");
            }
            let code = secrets::enrollment_code();
            let now = clock.now();
            let id = secrets::random_token(9);
            storage
                .add_code(&NewCode {
                    code_hash: secrets::hash_secret(&secrets::normalize_code(&code)),
                    org: org.clone(),
                    role,
                    created_at: now,
                    expires_at: now + chrono::Duration::hours(hours),
                    id: id.clone(),
                    created_by: None,
                })
                .await?;
            cli_audit(&*storage, now, Some(&org), "code.issue", &id).await?;
            println!("{}", code.as_str());
        }
        Command::Device { command: DeviceCommand::List } => {
            let mut out = std::io::stdout().lock();
            let now = clock.now();
            for d in storage.devices(None).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\tlast contact {}\t{}\t{}",
                    d.id,
                    d.org,
                    d.role,
                    standing_words(&d, now),
                    d.last_contact.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into()),
                    pull_words(&d),
                    refusal_words(&d),
                )?;
            }
        }
        Command::Notes { command: NotesCommand::Unwritable } => {
            let found = storage.unwritable_ops().await?;
            let mut out = std::io::stdout().lock();
            for u in &found {
                writeln!(
                    out,
                    "{}\tcase {}\tdevice {} ({})\t{}: a {} device may not read this class",
                    u.op,
                    u.case,
                    u.device,
                    u.role,
                    u.class.as_str(),
                    u.role
                )?;
            }
            writeln!(out, "{} stored notes of a class their writing device may not read", found.len())?;
        }
        Command::Audit { command: AuditCommand::Verify } => match storage.verify_audit().await? {
            AuditCheck::Intact { entries } => println!("the audit trail is intact: {entries} entries"),
            AuditCheck::Broken { seq, why } => {
                eprintln!("the audit trail is broken at entry {seq}: {why}");
                std::process::exit(1);
            }
        },
        Command::Audit { command: AuditCommand::List { limit } } => {
            let mut out = std::io::stdout().lock();
            for e in storage.audit(None, None, limit.clamp(1, 10_000)).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    e.seq,
                    e.at.to_rfc3339(),
                    e.actor,
                    e.action,
                    e.target,
                    e.outcome
                )?;
            }
        }
        Command::Device { command: DeviceCommand::Revoke { id } } => {
            let id = DeviceId::parse("device id", &id)?;
            let org = storage.device(id).await?.map(|d| d.org);
            if !storage.revoke_device(id, clock.now()).await? {
                bail!("no device with id {id}");
            }
            cli_audit(&*storage, clock.now(), org.as_ref(), "device.revoke", &id.to_string()).await?;
            println!("revoked {id}");
        }
        Command::Serve { listen, tls_cert, tls_key, allow_non_loopback_http } => {
            let mut settings = settings;
            if let Some(l) = listen {
                settings.listen = l;
            }
            if tls_cert.is_some() {
                settings.tls_cert = tls_cert;
                settings.tls_key = tls_key;
            }
            settings.allow_non_loopback_http |= allow_non_loopback_http;
            serve(settings, storage).await?;
        }
    }
    Ok(())
}

async fn serve(settings: Settings, storage: Arc<dyn waystation_server::Storage>) -> Result<()> {
    let tls = match (&settings.tls_cert, &settings.tls_key) {
        (Some(c), Some(k)) => Some(
            waystation_server::app::load_tls(c, k)
                .await
                .with_context(|| format!("cannot load the TLS certificate {} and key {}", c.display(), k.display()))?,
        ),
        (None, None) => None,
        _ => bail!("give both --tls-cert and --tls-key"),
    };
    if tls.is_none() && !settings.listen.ip().is_loopback() && !settings.allow_non_loopback_http {
        bail!(
            "refusing plain HTTP on {}: give --tls-cert and --tls-key, or --allow-non-loopback-http behind a TLS proxy",
            settings.listen
        );
    }
    let listener = std::net::TcpListener::bind(settings.listen)
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{addr}");
    std::io::stdout().flush()?;
    let state = AppState::new(storage, Arc::new(SystemClock), settings);
    let shutdown = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
        tracing::info!("shutting down");
    };
    waystation_server::serve(state, listener, tls, shutdown).await?;
    Ok(())
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where a device stands: active, revoked, or enrolled but never completed
/// (until when), or expired because it never completed.
fn standing_words(d: &waystation_protocol::admin::DeviceInfo, now: chrono::DateTime<chrono::Utc>) -> String {
    use waystation_protocol::admin::DeviceStanding;
    match (d.standing(now), d.complete_by) {
        (DeviceStanding::NeverCompleted, Some(by)) => format!("never completed (expires {})", by.to_rfc3339()),
        (standing, _) => standing.as_str().to_owned(),
    }
}

/// Where a device is in its organization's feed, in words.
fn pull_words(d: &waystation_protocol::admin::DeviceInfo) -> String {
    let behind = format!("behind {}", plural(d.behind, "entry", "entries"));
    match (&d.pulled_through, d.last_pull_at) {
        (Some(cursor), Some(at)) => format!("{behind}, last pull {} through {}", at.to_rfc3339(), cursor.as_str()),
        _ => format!("{behind}, never pulled"),
    }
}

/// A device's refused operations, in words.
fn refusal_words(d: &waystation_protocol::admin::DeviceInfo) -> String {
    let count = plural(d.refused_ops, "operation", "operations");
    match &d.last_refusal {
        None => format!("{count} refused"),
        Some(r) => format!(
            "{count} refused, last: {} at {}{}",
            waystation_server::storage::refusal::status_text(r.status),
            r.at.to_rfc3339(),
            r.message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
        ),
    }
}

/// An entry of the audit trail for an action of the service's command line.
async fn cli_audit(
    storage: &dyn waystation_server::storage::Storage,
    now: chrono::DateTime<chrono::Utc>,
    org: Option<&OrgId>,
    action: &str,
    target: &str,
) -> Result<()> {
    let entry = waystation_server::storage::audit::NewAudit::new(now, org, "service command line", action).on(target);
    storage.append_audit(&entry).await?;
    Ok(())
}
