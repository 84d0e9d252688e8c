//! `waystation-cli`, the headless Waystation client: the same encrypted store
//! (and, later, the same sync engine) as the desktop app, for field IT,
//! scripts and the whole-system tests. See `waystation-cli --help`.

mod cases;
mod passphrase;
mod sync_cmd;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use waystation_core::{DeviceId, OrgId, UserName};
use waystation_store::{KdfParams, Passphrase, Store, StoreError};

/// Waystation's headless client: record, import, read and search cases in the
/// encrypted store on this machine.
#[derive(Parser)]
#[command(name = "waystation-cli", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// The store's folder [default: $XDG_DATA_HOME/waystation or ~/.local/share/waystation].
    #[arg(long, global = true, env = "WAYSTATION_STORE", value_name = "DIR")]
    store: Option<PathBuf>,
    /// The local user to unlock as [default: the store's only user].
    #[arg(long, global = true, env = "WAYSTATION_USER", value_name = "NAME")]
    user: Option<String>,
    /// Read the passphrase from the first line of FILE (else WAYSTATION_PASSPHRASE, else a prompt).
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Create a store and its first local user.
    Init {
        /// The organization this device belongs to (until it enrolls with a service).
        #[arg(long, default_value = "local")]
        org: String,
        /// Key-derivation cost: `standard` (about a quarter second to unlock) or
        /// `fast` (for tests only; weak against an attacker who has the laptop).
        #[arg(long, default_value = "standard", hide = true)]
        kdf: String,
    },
    /// Cases: add, import, show, list.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Ids of the cases whose names, aliases or narrative match TEXT, best first.
    Search {
        /// Words to look for.
        text: Vec<String>,
    },
    /// The audit chain.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The store's state as JSON: cases, queued changes, device, last sync, last error, server.
    Status,
    /// Enroll this device with a sync service using a one-time code, sign in
    /// online (--user; the password becomes the store's passphrase) and create the store.
    Enroll {
        /// The service's address, e.g. https://sync.example.org.
        #[arg(long, value_name = "URL")]
        server: String,
        /// The one-time enrollment code an administrator gave.
        #[arg(long, value_name = "CODE")]
        code: String,
        /// A label for administrators [default: the host name].
        #[arg(long, value_name = "NAME")]
        device_name: Option<String>,
        /// Tries of each request (with backoff) when the link fails or the service is
        /// busy. Run `enroll` again with the same code to pick up where it stopped.
        #[arg(long, default_value_t = 5)]
        attempts: u32,
        /// Key-derivation cost: `standard` or `fast` (tests only).
        #[arg(long, default_value = "standard", hide = true)]
        kdf: String,
    },
    /// Sync with the same service at another address (it moved, or is reached
    /// through another name): checked first, then kept. Nothing else changes.
    Move {
        /// The service's new address, e.g. https://sync2.example.org.
        #[arg(long)]
        server: String,
    },
    /// Push queued changes and pull new ones; exit 0 only when both finished.
    Sync {
        /// Keep syncing: on a timer, and as soon as the service answers again after a failure.
        #[arg(long)]
        watch: bool,
        /// Attempts (with backoff) before giving up, without --watch.
        #[arg(long, default_value_t = 5)]
        attempts: u32,
        /// Operations per push request (at most 1000; halved when the service finds it too large).
        #[arg(long, default_value_t = waystation_sync::DEFAULT_BATCH)]
        batch: usize,
        /// Offer again now every refused change whose refusal can stop being true (an
        /// organization the service did not know, …), not only those refused a while ago.
        #[arg(long)]
        offer_refused: bool,
    },
}

#[derive(Subcommand)]
enum CaseCommand {
    /// Save one case from a JSON file ("-" for standard input); print its id.
    Add {
        /// The case document.
        file: PathBuf,
    },
    /// Save many cases from a JSON Lines file, one case per line; print the count.
    /// Every line is checked first: one bad line saves nothing.
    Import {
        /// The cases, one JSON document per line.
        file: PathBuf,
        /// Cases saved per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
    /// Print a case as JSON.
    Show {
        /// The case id.
        id: String,
    },
    /// One line per case: id, then a short summary.
    List,
    /// Change one field of a saved case, e.g. `case set ID child.given_name '"Ana"'`.
    /// The new value supersedes every value this device has seen, so it also
    /// settles a conflict on that field. Prints the case as JSON.
    Set {
        /// The case id.
        id: String,
        /// The field, as `section.field` (e.g. `child.given_name`, `status`).
        field: String,
        /// The new value as JSON (`'"text"'`, `true`, `16`, `null`); a bare word is taken as text.
        value: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Exit 0 when the audit chain is intact; otherwise say where it breaks.
    Verify,
}

fn main() -> ExitCode {
    // A panic is a bug: say so in one line, without a backtrace or any data.
    std::panic::set_hook(Box::new(|info| {
        // Printing to a reader that went away (`| head`) is not a bug: stop
        // quietly, with the status a shell gives a program killed by SIGPIPE.
        let payload = info.payload();
        let text = payload.downcast_ref::<String>().map(String::as_str).or(payload.downcast_ref::<&str>().copied());
        if text.is_some_and(|t| t.starts_with("failed printing to stdout") && t.contains("Broken pipe")) {
            std::process::exit(141);
        }
        eprintln!("waystation-cli: internal error (a bug); nothing more is shown to keep case data private");
    }));
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader of the output went away (`| head`): stop quietly, as for SIGPIPE.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::from(141)
        }
        Err(e) => {
            eprintln!("waystation-cli: {}", one_line(&e));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ")
}

fn run(cli: Cli) -> Result<ExitCode> {
    let dir = store_dir(cli.global.store.as_deref())?;
    match cli.command {
        Command::Init { org, kdf } => {
            let org = OrgId::parse("--org", &org)?;
            let user = match &cli.global.user {
                Some(u) => UserName::parse("--user", u)?,
                None => bail!("init needs the first user's name: --user NAME or WAYSTATION_USER"),
            };
            let kdf = kdf_params(&kdf)?;
            let text = passphrase::read(
                cli.global.passphrase_file.as_deref(),
                "Passphrase for the new store (10 characters or more): ",
                true,
            )?;
            let pass = Passphrase::new(text.as_str())?;
            let store = Store::create(&dir, &user, &pass, DeviceId::new(), &org, kdf)?;
            let device = store.device();
            store.lock()?;
            println!("created the store in {} for {user} (device {device}, organization {org})", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Case(cmd) => {
            let mut store = unlock(&dir, &cli.global)?;
            // The real clock, read once at the boundary: the rules take it as an argument.
            let today = || chrono::Utc::now().date_naive();
            let out = match cmd {
                CaseCommand::Add { file } => cases::add(&mut store, &file, today()),
                CaseCommand::Import { file, batch } => cases::import(&mut store, &file, batch, today()),
                CaseCommand::Show { id } => cases::show(&mut store, &id),
                CaseCommand::List => cases::list(&mut store),
                CaseCommand::Set { id, field, value } => {
                    cases::set(&mut store, &id, &field, &value, chrono::Utc::now())
                }
            };
            store.lock()?;
            out.map(|()| ExitCode::SUCCESS)
        }
        Command::Search { text } => {
            let text = text.join(" ");
            if text.trim().is_empty() {
                bail!("search needs some words to look for");
            }
            let mut store = unlock(&dir, &cli.global)?;
            let ids = store.search(&text);
            store.lock()?;
            for id in ids? {
                println!("{id}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify) => {
            let store = unlock(&dir, &cli.global)?;
            let verdict = store.audit_verify();
            store.lock()?;
            match verdict {
                Ok(report) => {
                    println!(
                        "audit chain intact: {} entries, head {} ({})",
                        report.entries, report.head_seq, report.head_hash
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("waystation-cli: audit chain broken: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Status => {
            let store = unlock(&dir, &cli.global)?;
            let status = store.status().map_err(anyhow::Error::from).and_then(|s| {
                let mut value = serde_json::to_value(s)?;
                sync_cmd::status_fields(&store, &mut value)?;
                Ok(value)
            });
            store.lock()?;
            println!("{}", serde_json::to_string_pretty(&status?)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Enroll { server, code, device_name, attempts, kdf } => {
            let user = match &cli.global.user {
                Some(u) => UserName::parse("--user", u)?,
                None => bail!("enroll needs the user's name: --user NAME or WAYSTATION_USER"),
            };
            let kdf = kdf_params(&kdf)?;
            let text =
                passphrase::read(cli.global.passphrase_file.as_deref(), &format!("Password of {user}: "), false)?;
            sync_cmd::enroll(&dir, &server, &code, &user, &text, device_name, attempts, kdf)
        }
        Command::Move { server } => {
            let store = unlock(&dir, &cli.global)?;
            sync_cmd::move_service(store, &server)
        }
        Command::Sync { watch, attempts, batch, offer_refused } => {
            let store = unlock(&dir, &cli.global)?;
            sync_cmd::sync(store, watch, attempts, batch, offer_refused)
        }
    }
}

fn kdf_params(name: &str) -> Result<KdfParams> {
    Ok(match name {
        "standard" => KdfParams::default(),
        "fast" => KdfParams::for_tests(),
        other => bail!("--kdf {other:?} is unknown; use standard or fast"),
    })
}

fn store_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.to_owned());
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .context("no store folder: give --store DIR or WAYSTATION_STORE")?;
    Ok(base.join("waystation"))
}

fn unlock(dir: &Path, global: &Global) -> Result<Store> {
    let user = match &global.user {
        Some(u) => UserName::parse("--user", u)?,
        None => match Store::users_in(dir) {
            Ok(users) if users.len() == 1 => users.into_iter().next().expect("one user"),
            Ok(_) => bail!("this store has several users: choose one with --user NAME or WAYSTATION_USER"),
            Err(StoreError::NotAStore) => {
                bail!("no store in {}: create one with `waystation-cli init`", dir.display())
            }
            Err(e) => return Err(e.into()),
        },
    };
    let text = passphrase::read(global.passphrase_file.as_deref(), &format!("Passphrase for {user}: "), false)?;
    let pass = Passphrase::new(text.as_str())?;
    match Store::unlock(dir, &user, &pass) {
        Err(StoreError::NotAStore) => bail!("no store in {}: create one with `waystation-cli init`", dir.display()),
        other => Ok(other?),
    }
}
