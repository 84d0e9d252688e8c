//! A few bytes sealed under a user's passphrase, for what must be kept on
//! disk before the store exists: AES-256-GCM under a key derived from the
//! passphrase with the store's key derivation (Argon2id), bound to the user
//! name and a purpose. Used by enrollment to keep the device credential
//! between the service's answer and the store's creation.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::Result;
use crate::keyring::KdfParams;
use crate::passphrase::Passphrase;

/// Sealed bytes: only the passphrase they were sealed under opens them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    kdf: KdfParams,
    salt: String,
    nonce: String,
    sealed: String,
}

fn associated_data(purpose: &str, user: &str, kdf: &KdfParams) -> Vec<u8> {
    format!("waystation-sealed-v1\0{purpose}\0{user}\0{}\0{}\0{}", kdf.m_cost_kib, kdf.t_cost, kdf.p_cost).into_bytes()
}

impl Sealed {
    /// Seal `plain` for `user` under `passphrase`, for `purpose` (opening
    /// with another purpose or user fails).
    pub fn seal(plain: &[u8], purpose: &str, user: &str, passphrase: &Passphrase, kdf: KdfParams) -> Result<Self> {
        let (salt, nonce, sealed) = kdf.seal(passphrase, plain, &associated_data(purpose, user, &kdf))?;
        Ok(Self { kdf, salt: hex::encode(salt), nonce: hex::encode(nonce), sealed: hex::encode(sealed) })
    }

    /// The bytes, or `None` when the passphrase (or user, or purpose) is
    /// not the one they were sealed under, or they were altered.
    pub fn open(&self, purpose: &str, user: &str, passphrase: &Passphrase) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let (Ok(salt), Ok(nonce), Ok(sealed)) =
            (hex::decode(&self.salt), hex::decode(&self.nonce), hex::decode(&self.sealed))
        else {
            return Ok(None);
        };
        if nonce.len() != 12 || salt.len() < 8 {
            return Ok(None);
        }
        self.kdf.open(passphrase, &salt, &nonce, &sealed, &associated_data(purpose, user, &self.kdf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_passphrase_user_and_purpose_open_it() {
        let kdf = KdfParams::for_tests();
        let pass = Passphrase::new("correct horse battery").unwrap();
        let s = Sealed::seal(b"device secret", "enrollment", "ana", &pass, kdf).unwrap();
        assert_eq!(
            s.open("enrollment", "ana", &pass).unwrap().as_deref().map(|v| v.as_slice()),
            Some(&b"device secret"[..])
        );
        let other = Passphrase::new("wrong horse battery").unwrap();
        assert!(s.open("enrollment", "ana", &other).unwrap().is_none());
        assert!(s.open("enrollment", "beto", &pass).unwrap().is_none());
        assert!(s.open("other", "ana", &pass).unwrap().is_none());
        let text = serde_json::to_string(&s).unwrap();
        assert!(!text.contains("device secret") && !text.contains(&hex::encode("device secret")));
        let mut altered: Sealed = serde_json::from_str(&text).unwrap();
        altered.sealed.replace_range(0..2, if altered.sealed.starts_with("00") { "01" } else { "00" });
        assert!(altered.open("enrollment", "ana", &pass).unwrap().is_none());
    }
}
