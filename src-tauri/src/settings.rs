//! The app's per-device settings: language and idle lock time. Not sensitive,
//! so they live in a small JSON file beside the store, readable before unlock
//! (the unlock screen speaks the chosen language).

use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{CommandError, CommandResult};

/// The file name, in the store's folder.
pub const SETTINGS_FILE: &str = "desktop-settings.json";
/// Idle lock time when none is chosen (minutes).
pub const IDLE_DEFAULT_MINUTES: u32 = 15;
/// The longest idle lock time allowed (CJIS 5.5.5: at most 30 minutes).
pub const IDLE_MAX_MINUTES: u32 = 30;

/// The screens' language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Spanish.
    Es,
}

/// Settings as the UI reads and writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The screens' language.
    pub language: Lang,
    /// Minutes without input before the store locks itself (1 to 30).
    pub idle_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self { language: Lang::En, idle_lock_minutes: IDLE_DEFAULT_MINUTES }
    }
}

impl Settings {
    /// Check values that came from the UI.
    pub fn validate(self) -> CommandResult<Self> {
        if !(1..=IDLE_MAX_MINUTES).contains(&self.idle_lock_minutes) {
            return Err(CommandError::field(
                "idle_lock_minutes",
                format!("must be from 1 to {IDLE_MAX_MINUTES} minutes"),
            ));
        }
        Ok(self)
    }

    /// The settings kept in `dir`, or the defaults when there are none or they do not read.
    pub fn load(dir: &Path) -> Self {
        fs::read(path(dir))
            .ok()
            .and_then(|b| serde_json::from_slice::<Settings>(&b).ok())
            .and_then(|s| s.validate().ok())
            .unwrap_or_default()
    }

    /// Keep them in `dir` (written whole, then renamed into place).
    pub fn save(&self, dir: &Path) -> CommandResult<()> {
        let write = || -> std::io::Result<()> {
            fs::create_dir_all(dir)?;
            let tmp = dir.join(format!("{SETTINGS_FILE}.tmp"));
            fs::write(&tmp, serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?)?;
            fs::rename(tmp, path(dir))
        };
        write().map_err(|_| CommandError::new(crate::error::ErrorCode::Internal, "the settings could not be saved"))
    }
}

fn path(dir: &Path) -> PathBuf {
    dir.join(SETTINGS_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_lock_is_one_to_thirty_minutes() {
        assert!(Settings { language: Lang::Es, idle_lock_minutes: 30 }.validate().is_ok());
        for bad in [0, 31, 600] {
            let e = Settings { language: Lang::En, idle_lock_minutes: bad }.validate().unwrap_err();
            assert_eq!(e.fields[0].field, "idle_lock_minutes");
        }
    }

    #[test]
    fn settings_round_trip_and_bad_files_fall_back_to_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()), Settings::default());
        let s = Settings { language: Lang::Es, idle_lock_minutes: 5 };
        s.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()), s);
        fs::write(dir.path().join(SETTINGS_FILE), br#"{"language":"es","idle_lock_minutes":99}"#).unwrap();
        assert_eq!(Settings::load(dir.path()), Settings::default());
    }
}
