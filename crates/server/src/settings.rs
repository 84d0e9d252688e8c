//! The service's settings, one typed struct: defaults, then a TOML file,
//! then `WAYSTATION_…` environment variables, then command-line flags.

use crate::keys::KeySource;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum Database {
    /// An SQLite file in this folder.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (it may hold a password: never printed).
    Postgres(SecretString),
}

/// Every setting of the service.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the data lives.
    pub database: Database,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// TLS certificate chain (PEM).
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address (behind a TLS-terminating proxy only).
    pub allow_non_loopback_http: bool,
    /// Allow a PostgreSQL connection that may be plain to a database on another host.
    pub allow_plain_database: bool,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most operations in one push.
    pub max_batch_ops: usize,
    /// How long a new enrollment code lives.
    pub enrollment_code_ttl_hours: i64,
    /// How long an admin session lives.
    pub admin_session_hours: i64,
    /// A console session ends after this many minutes without a request (at most 30).
    pub admin_idle_minutes: i64,
    /// A device with no contact for more days is silent, on the console.
    pub silent_after_days: u32,
    /// Failures allowed before enrollment / sign-in attempts are refused for a while.
    pub free_failures: u32,
    /// First lockout, in seconds (doubles with each further failure, up to 15 minutes).
    pub lockout_secs: i64,
    /// PostgreSQL pool size.
    pub pg_pool_size: usize,
    /// `json` for JSON log lines, anything else for plain text.
    pub log_format: String,
    /// Where the database key comes from (see [`crate::keys`]).
    pub key: Option<KeySource>,
}

/// The settings file, every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    data: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    allow_non_loopback_http: Option<bool>,
    allow_plain_database: Option<bool>,
    max_body_bytes: Option<usize>,
    max_batch_ops: Option<usize>,
    enrollment_code_ttl_hours: Option<i64>,
    admin_session_hours: Option<i64>,
    admin_idle_minutes: Option<i64>,
    silent_after_days: Option<u32>,
    free_failures: Option<u32>,
    lockout_secs: Option<i64>,
    pg_pool_size: Option<usize>,
    log_format: Option<String>,
    key_file: Option<PathBuf>,
    key_command: Option<String>,
    /// Only from the environment (`WAYSTATION_KEY`), never from the file.
    #[serde(skip)]
    key: Option<String>,
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The file could not be read or parsed.
    #[error("settings file {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An environment variable has a bad value.
    #[error("environment variable {name}: {message}")]
    Env {
        /// The variable.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// Both a data folder and a database URL were given.
    #[error("give either a data folder (--data) or a database URL (--database-url), not both")]
    BothDatabases,
    /// More than one source of the database key in one place.
    #[error("give one source of the database key (a key file, WAYSTATION_KEY or a key command), not several")]
    BothKeys,
}

/// The default data folder: `$XDG_DATA_HOME/waystation-server`, or `~/.local/share/waystation-server`.
pub fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("waystation-server");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/share/waystation-server")
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database: Database::Sqlite(default_data_dir()),
            listen: SocketAddr::from(([127, 0, 0, 1], 7070)),
            tls_cert: None,
            tls_key: None,
            allow_non_loopback_http: false,
            allow_plain_database: false,
            max_body_bytes: 4 * 1024 * 1024,
            max_batch_ops: 2000,
            enrollment_code_ttl_hours: 24,
            admin_session_hours: 8,
            admin_idle_minutes: 15,
            silent_after_days: 3,
            free_failures: 5,
            lockout_secs: 30,
            pg_pool_size: 16,
            log_format: "plain".into(),
            key: None,
        }
    }
}

fn env_parse<T: std::str::FromStr>(get: &dyn Fn(&str) -> Option<String>, name: &str) -> Result<Option<T>, SettingsError>
where
    T::Err: std::fmt::Display,
{
    match get(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|e: T::Err| SettingsError::Env { name: name.into(), message: e.to_string() }),
    }
}

impl Settings {
    /// Defaults, then `file` (if given), then environment variables read through `get`.
    pub fn load(file: Option<&Path>, get: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let mut f = SettingsFile::default();
        if let Some(path) = file {
            let err = |message: String| SettingsError::File { path: path.display().to_string(), message };
            let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
            f = toml::from_str(&text).map_err(|e| err(e.message().to_owned()))?;
        }
        // The environment overrides the file, key by key.
        let e = SettingsFile {
            data: get("WAYSTATION_DATA").map(PathBuf::from),
            database_url: get("WAYSTATION_DATABASE_URL"),
            listen: env_parse(get, "WAYSTATION_LISTEN")?,
            tls_cert: get("WAYSTATION_TLS_CERT").map(PathBuf::from),
            tls_key: get("WAYSTATION_TLS_KEY").map(PathBuf::from),
            allow_non_loopback_http: env_parse(get, "WAYSTATION_ALLOW_NON_LOOPBACK_HTTP")?,
            allow_plain_database: env_parse(get, "WAYSTATION_ALLOW_PLAIN_DATABASE")?,
            max_body_bytes: env_parse(get, "WAYSTATION_MAX_BODY_BYTES")?,
            max_batch_ops: env_parse(get, "WAYSTATION_MAX_BATCH_OPS")?,
            enrollment_code_ttl_hours: env_parse(get, "WAYSTATION_ENROLLMENT_CODE_TTL_HOURS")?,
            admin_session_hours: env_parse(get, "WAYSTATION_ADMIN_SESSION_HOURS")?,
            admin_idle_minutes: env_parse(get, "WAYSTATION_ADMIN_IDLE_MINUTES")?,
            silent_after_days: env_parse(get, "WAYSTATION_SILENT_AFTER_DAYS")?,
            free_failures: env_parse(get, "WAYSTATION_FREE_FAILURES")?,
            lockout_secs: env_parse(get, "WAYSTATION_LOCKOUT_SECS")?,
            pg_pool_size: env_parse(get, "WAYSTATION_PG_POOL_SIZE")?,
            log_format: get("WAYSTATION_LOG_FORMAT"),
            key_file: get("WAYSTATION_KEY_FILE").map(PathBuf::from),
            key_command: get("WAYSTATION_KEY_COMMAND"),
            key: get("WAYSTATION_KEY"),
        };
        let mut s = Settings::default();
        for layer in [f, e] {
            s.apply(layer)?;
        }
        Ok(s)
    }

    fn apply(&mut self, l: SettingsFile) -> Result<(), SettingsError> {
        match (l.data, l.database_url) {
            (Some(_), Some(_)) => return Err(SettingsError::BothDatabases),
            (Some(d), None) => self.database = Database::Sqlite(d),
            (None, Some(u)) => self.database = Database::Postgres(SecretString::from(u)),
            (None, None) => {}
        }
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = l.$f { self.$f = v; } )* };
        }
        take!(
            listen,
            allow_non_loopback_http,
            allow_plain_database,
            max_body_bytes,
            max_batch_ops,
            enrollment_code_ttl_hours,
            admin_session_hours,
            admin_idle_minutes,
            silent_after_days,
            free_failures,
            lockout_secs,
            pg_pool_size,
            log_format
        );
        if !(1..=30).contains(&self.admin_idle_minutes) {
            return Err(SettingsError::Env {
                name: "admin_idle_minutes".into(),
                message: format!(
                    "{} is outside 1 to 30: a console session ends after at most 30 idle minutes",
                    self.admin_idle_minutes
                ),
            });
        }
        let keys = [
            l.key_file.map(KeySource::File),
            l.key.map(|k| KeySource::Value(SecretString::from(k))),
            l.key_command.map(KeySource::Command),
        ];
        match keys.into_iter().flatten().collect::<Vec<_>>().as_slice() {
            [] => {}
            [one] => self.key = Some(one.clone()),
            _ => return Err(SettingsError::BothKeys),
        }
        if l.tls_cert.is_some() {
            self.tls_cert = l.tls_cert;
        }
        if l.tls_key.is_some() {
            self.tls_key = l.tls_key;
        }
        Ok(())
    }

    /// Set the database from command-line flags (they win over everything).
    pub fn with_database_flags(mut self, data: Option<PathBuf>, url: Option<String>) -> Result<Self, SettingsError> {
        match (data, url) {
            (Some(_), Some(_)) => return Err(SettingsError::BothDatabases),
            (Some(d), None) => self.database = Database::Sqlite(d),
            (None, Some(u)) => self.database = Database::Postgres(SecretString::from(u)),
            (None, None) => {}
        }
        Ok(self)
    }

    /// The database URL, when PostgreSQL.
    pub fn database_url(&self) -> Option<&str> {
        match &self.database {
            Database::Postgres(u) => Some(u.expose_secret()),
            Database::Sqlite(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn environment_overrides_file_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\nmax_batch_ops = 10\n").unwrap();
        let env: HashMap<&str, &str> = [("WAYSTATION_MAX_BATCH_OPS", "20")].into();
        let s = Settings::load(Some(&file), &|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.max_batch_ops, 20);
        assert_eq!(s.enrollment_code_ttl_hours, 24);
    }

    #[test]
    fn bad_values_name_their_source() {
        let env: HashMap<&str, &str> = [("WAYSTATION_LISTEN", "nowhere")].into();
        let e = Settings::load(None, &|k| env.get(k).map(|v| v.to_string())).unwrap_err();
        assert!(e.to_string().contains("WAYSTATION_LISTEN"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.toml");
        std::fs::write(&file, "lisen = 1\n").unwrap();
        assert!(Settings::load(Some(&file), &|_| None).is_err());
    }
}
