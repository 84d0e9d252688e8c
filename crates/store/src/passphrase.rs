//! A user's passphrase: checked against policy at the boundary, zeroized
//! when dropped, never printed.

use std::fmt;
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};

/// A passphrase of at least [`Passphrase::MIN_CHARS`] characters (CJIS 5.6.2.1).
/// Its memory is wiped on drop and its `Debug` shows nothing of it.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Fewest characters a passphrase may have.
    pub const MIN_CHARS: usize = 10;
    /// Most characters a passphrase may have.
    pub const MAX_CHARS: usize = 1024;

    /// Check a passphrase against the policy. A single trailing newline (as
    /// read from a file or a prompt) is dropped.
    pub fn new(text: impl Into<String>) -> Result<Self> {
        let mut text = Zeroizing::new(text.into());
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        let chars = text.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&chars) {
            return Err(StoreError::PassphrasePolicy { min: Self::MIN_CHARS, max: Self::MAX_CHARS });
        }
        Ok(Self(text))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passphrases_are_refused_and_debug_shows_nothing() {
        assert!(matches!(Passphrase::new("123456789"), Err(StoreError::PassphrasePolicy { .. })));
        let p = Passphrase::new("correct horse battery\n").unwrap();
        assert_eq!(p.as_bytes(), b"correct horse battery");
        assert!(!format!("{p:?}").contains("horse"));
        // Ten characters, some of them multi-byte: counted as characters.
        assert!(Passphrase::new("ññññññññññ").is_ok());
    }
}
