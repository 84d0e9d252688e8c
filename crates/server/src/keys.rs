//! Where the database key comes from: a key file, the `WAYSTATION_KEY`
//! environment variable, or a command that prints it (the hook for a key
//! management service or a hardware module) — never the command line, which
//! other users of the machine can read. The key is 64 hexadecimal
//! characters (`waystation-server key new` writes one).

use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use zeroize::Zeroizing;

use crate::storage::sealed::DatabaseKey;

/// Where the database key comes from.
#[derive(Clone)]
pub enum KeySource {
    /// A file whose content is the key (readable by its owner only).
    File(PathBuf),
    /// The key itself, from the `WAYSTATION_KEY` environment variable.
    Value(SecretString),
    /// A command, run by `sh -c`, whose standard output is the key.
    Command(String),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File(p) => write!(f, "key file {}", p.display()),
            KeySource::Value(_) => f.write_str("WAYSTATION_KEY"),
            KeySource::Command(_) => f.write_str("key command"),
        }
    }
}

/// A key that could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// No source was given.
    #[error(
        "no database key: give --key-file FILE, WAYSTATION_KEY_FILE, WAYSTATION_KEY or WAYSTATION_KEY_COMMAND \
         (or key_file / key_command in the settings file); `waystation-server key new --file FILE` makes one"
    )]
    Missing,
    /// The source failed or gave a bad key.
    #[error("database key from {from:?}: {message}")]
    Bad {
        /// Where it came from.
        from: KeySource,
        /// What is wrong.
        message: String,
    },
}

impl KeySource {
    /// Read the key.
    pub fn load(&self) -> Result<DatabaseKey, KeyError> {
        let bad = |message: String| KeyError::Bad { from: self.clone(), message };
        let text: Zeroizing<String> = match self {
            KeySource::File(path) => read_key_file(path).map_err(bad)?,
            KeySource::Value(v) => Zeroizing::new(v.expose_secret().to_owned()),
            KeySource::Command(cmd) => {
                let out = Command::new("sh")
                    .arg("-c")
                    .arg(cmd)
                    .stdin(Stdio::null())
                    .stderr(Stdio::inherit())
                    .output()
                    .map_err(|e| bad(format!("cannot run it: {e}")))?;
                let stdout = Zeroizing::new(out.stdout);
                if !out.status.success() {
                    return Err(bad(format!("it failed ({})", out.status)));
                }
                Zeroizing::new(String::from_utf8(stdout.to_vec()).map_err(|_| bad("it printed no text".into()))?)
            }
        };
        DatabaseKey::parse(&text).map_err(|e| bad(e.to_string()))
    }
}

fn read_key_file(path: &Path) -> Result<Zeroizing<String>, String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "other users can read or change it (mode {mode:04o}): `chmod 600 {}` and keep it so",
            path.display()
        ));
    }
    std::fs::read_to_string(path).map(Zeroizing::new).map_err(|e| format!("cannot read it: {e}"))
}

/// Write a new random key to `path` (readable by its owner only); refuses to replace a file.
pub fn write_new_key(path: &Path) -> Result<DatabaseKey, String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let key = DatabaseKey::generate();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut text = key.to_hex();
    text.push('\n');
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let key = write_new_key(&path).unwrap();
        assert_eq!(*KeySource::File(path.clone()).load().unwrap().to_hex(), *key.to_hex());
        assert!(write_new_key(&path).is_err(), "never replaces a key");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = KeySource::File(path).load().unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
    }

    #[test]
    fn a_key_command_prints_the_key_and_its_failure_is_named() {
        let key = DatabaseKey::generate();
        let ok = KeySource::Command(format!("echo {}", *key.to_hex())).load().unwrap();
        assert_eq!(*ok.to_hex(), *key.to_hex());
        let e = KeySource::Command("exit 3".into()).load().unwrap_err().to_string();
        assert!(e.contains("it failed") && !e.contains(&*key.to_hex()), "{e}");
        let e = KeySource::Value(SecretString::from("short")).load().unwrap_err().to_string();
        assert!(e.contains("too short") && !e.contains("short\""), "{e}");
    }
}
