//! Where the passphrase comes from: `--passphrase-file`, then
//! `WAYSTATION_PASSPHRASE` (scripts and tests), then a prompt on the terminal.

use anyhow::{Context, Result, bail};
use std::io::IsTerminal;
use std::path::Path;
use zeroize::Zeroizing;

/// Read the passphrase. `confirm` asks twice on a terminal (for `init`).
pub fn read(file: Option<&Path>, prompt: &str, confirm: bool) -> Result<Zeroizing<String>> {
    if let Some(path) = file {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the passphrase file {}", path.display()))?,
        );
        let line = text.lines().next().unwrap_or_default();
        return Ok(Zeroizing::new(line.to_owned()));
    }
    if let Ok(value) = std::env::var("WAYSTATION_PASSPHRASE") {
        return Ok(Zeroizing::new(value));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase given: use --passphrase-file FILE or WAYSTATION_PASSPHRASE, or run in a terminal");
    }
    let first = Zeroizing::new(rpassword::prompt_password(prompt).context("cannot read the passphrase")?);
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Repeat the passphrase: ").context("cannot read the passphrase")?,
        );
        if *first != *again {
            bail!("the two passphrases differ; nothing was created");
        }
    }
    Ok(first)
}
