//! Case data at rest: envelope encryption, the same on both backends.
//!
//! Every value that holds a case's words — an operation's canonical JSON
//! (`ops.canonical`) and a case's conflicting values (`cases.conflicts`) — is
//! stored sealed with AES-256-GCM under the database's *data key*, a random
//! 256-bit key made when the database is created. The data key is stored in
//! the database itself (`meta.data_key`), wrapped (AES-256-GCM) by the
//! service's *database key*, which never is: it comes from a key file, an
//! environment variable, or a command that prints it (see `keys`).
//!
//! Why envelope encryption rather than a SQLCipher file: one mechanism for
//! SQLite and PostgreSQL (whose disks, replicas and dumps then hold only
//! ciphertext of a case); rotating the database key rewraps 32 bytes in one
//! row, so a running service goes on with the data key it holds (rotation
//! without downtime); and `pg_dump`, the SQLite WAL and any copy of either
//! carry the sealed values as they are. What stays in the clear is what the
//! service must index and count: ids, organizations, user and device names,
//! classes, timestamps, hashes (docs/security.md lists them).
//!
//! A sealed value is `ws1:` and the URL-safe base64 of a 96-bit random nonce
//! followed by the ciphertext and its tag. Its additional data names what it
//! is (an operation, or the conflicts of one case), so a value moved to
//! another column or another case's row does not open.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::StorageError;

/// The prefix of every sealed value.
pub const PREFIX: &str = "ws1:";

/// The additional data of a sealed operation.
const OP_AAD: &[u8] = b"waystation operation";
/// The additional data of the wrapped data key.
const DATA_KEY_AAD: &[u8] = b"waystation data key";

/// A 256-bit key: the service's database key (from its key file, variable
/// or command). Zeroized on drop; never printed.
pub struct DatabaseKey(Zeroizing<[u8; 32]>);

impl Clone for DatabaseKey {
    fn clone(&self) -> Self {
        Self(Zeroizing::new(*self.0))
    }
}

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}

/// A key that could not be read.
#[derive(Debug, thiserror::Error)]
#[error(
    "a database key is 64 hexadecimal characters (256 bits), as `waystation-server key new` writes; this one is {0}"
)]
pub struct BadKey(&'static str);

impl DatabaseKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        fill(&mut *k);
        Self(k)
    }

    /// A key from its text: 64 hexadecimal characters, surrounding white space ignored.
    pub fn parse(text: &str) -> Result<Self, BadKey> {
        let t = text.trim();
        if t.is_empty() {
            return Err(BadKey("empty"));
        }
        if t.len() != 64 {
            return Err(BadKey(if t.len() < 64 { "too short" } else { "too long" }));
        }
        let mut k = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(t, &mut *k).map_err(|_| BadKey("not hexadecimal"))?;
        Ok(Self(k))
    }

    /// The key as 64 hexadecimal characters (for a new key file).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(*self.0))
    }

    /// A key derived from this one for another use (`purpose` names it):
    /// HKDF-SHA256, so the derived key tells nothing of this one.
    pub fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        struct Len;
        impl ring::hkdf::KeyType for Len {
            fn len(&self) -> usize {
                32
            }
        }
        let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"waystation").extract(&*self.0);
        let mut out = Zeroizing::new([0u8; 32]);
        let info = [purpose.as_bytes()];
        // Infallible: 32 bytes is far below HKDF-SHA256's limit.
        if let Ok(okm) = prk.expand(&info, Len) {
            let _ = okm.fill(&mut *out);
        }
        out
    }

    fn cipher(&self) -> LessSafeKey {
        cipher_of(&self.0)
    }
}

fn fill(buf: &mut [u8]) {
    // The system's random source; ring fails only if it is unavailable, and
    // then no key or nonce may be made at all.
    if SystemRandom::new().fill(buf).is_err() {
        panic!("the system random source is unavailable");
    }
}

fn cipher_of(bytes: &[u8; 32]) -> LessSafeKey {
    // Infallible: AES-256 takes exactly 32 bytes.
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).unwrap_or_else(|_| unreachable!("a 32-byte AES key")))
}

fn seal_with(key: &LessSafeKey, aad: &[u8], text: &[u8]) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    fill(&mut nonce);
    let mut buf = Vec::with_capacity(NONCE_LEN + text.len() + AES_256_GCM.tag_len());
    buf.extend_from_slice(&nonce);
    buf.extend_from_slice(text);
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buf[NONCE_LEN..])
        .unwrap_or_else(|_| unreachable!("AES-GCM seals any text shorter than 64 GiB"));
    buf.extend_from_slice(tag.as_ref());
    let mut out = String::with_capacity(PREFIX.len() + buf.len().div_ceil(3) * 4);
    out.push_str(PREFIX);
    URL_SAFE_NO_PAD.encode_string(&buf, &mut out);
    out
}

fn open_with(key: &LessSafeKey, aad: &[u8], stored: &str) -> Option<Zeroizing<Vec<u8>>> {
    let body = stored.strip_prefix(PREFIX)?;
    let mut buf = Zeroizing::new(URL_SAFE_NO_PAD.decode(body).ok()?);
    if buf.len() < NONCE_LEN + AES_256_GCM.tag_len() {
        return None;
    }
    let nonce = Nonce::try_assume_unique_for_key(&buf[..NONCE_LEN]).ok()?;
    let len = key.open_in_place(nonce, Aad::from(aad), &mut buf[NONCE_LEN..]).ok()?.len();
    Some(Zeroizing::new(buf[NONCE_LEN..NONCE_LEN + len].to_vec()))
}

/// The database's data key, unwrapped: seals and opens the stored case values.
pub struct Sealer {
    bytes: Zeroizing<[u8; 32]>,
    key: LessSafeKey,
    /// HMAC-SHA256 key of the content hashes, derived from the data key.
    hash_key: ring::hmac::Key,
    /// Stores values as they are: only the ingest benchmark's baseline
    /// (feature `unsealed-baseline`, which nothing else enables), to measure
    /// what sealing costs.
    clear: bool,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(…)")
    }
}

impl Sealer {
    /// A new random data key (a new database).
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        fill(&mut *bytes);
        Self::of_bytes(bytes)
    }

    fn of_bytes(bytes: Zeroizing<[u8; 32]>) -> Self {
        let key = cipher_of(&bytes);
        let hash_key =
            ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &*DatabaseKey(bytes.clone()).derive("content hash v1"));
        Self { bytes, key, hash_key, clear: false }
    }

    /// An operation's content hash: HMAC-SHA256 of its canonical JSON under a
    /// key derived from the data key, hex. Keyed, so that the hash stored in
    /// the clear beside the sealed JSON cannot be used to test guesses of a
    /// low-entropy value (a sex, a yes or no answer) without the key.
    pub fn content_hash(&self, canonical: &str) -> String {
        hex::encode(ring::hmac::sign(&self.hash_key, canonical.as_bytes()).as_ref())
    }

    /// The audit trail's key: HMAC-SHA256 under a key derived from the data
    /// key, so that who can write the database but holds no key cannot
    /// rebuild the chain after changing an entry.
    pub fn audit_mac(&self, prev: &str, fields: &[&[u8]]) -> String {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &*DatabaseKey(self.bytes.clone()).derive("audit v1"));
        let mut ctx = ring::hmac::Context::with_key(&key);
        for part in std::iter::once(prev.as_bytes()).chain(fields.iter().copied()) {
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part);
        }
        hex::encode(ctx.sign().as_ref())
    }

    /// A sealer that stores values as they are: the benchmark's baseline only.
    #[cfg(feature = "unsealed-baseline")]
    pub fn unsealed_baseline() -> Self {
        Self { clear: true, ..Self::generate() }
    }

    /// The data key `wrapped` holds, unwrapped with `key`: refused when `key`
    /// is not the one that wrapped it (a wrong key, or one rotated away).
    pub fn unwrap(key: &DatabaseKey, wrapped: &str) -> Result<Self, StorageError> {
        let plain = open_with(&key.cipher(), DATA_KEY_AAD, wrapped).ok_or(StorageError::WrongKey)?;
        let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| StorageError::WrongKey)?;
        Ok(Self::of_bytes(Zeroizing::new(bytes)))
    }

    /// The data key wrapped by `key`, to store.
    pub fn wrap(&self, key: &DatabaseKey) -> String {
        seal_with(&key.cipher(), DATA_KEY_AAD, &*self.bytes)
    }

    /// An operation's canonical JSON, sealed.
    pub fn seal_op(&self, canonical: &str) -> String {
        if self.clear {
            return canonical.to_owned();
        }
        seal_with(&self.key, OP_AAD, canonical.as_bytes())
    }

    /// A stored operation's canonical JSON.
    pub fn open_op(&self, stored: &str) -> Result<Zeroizing<String>, StorageError> {
        self.open(OP_AAD, stored, "an operation")
    }

    /// A case's conflicts (JSON), sealed to that case.
    pub fn seal_conflicts(&self, case: &str, json: &str) -> String {
        if self.clear {
            return json.to_owned();
        }
        seal_with(&self.key, &conflicts_aad(case), json.as_bytes())
    }

    /// A case's stored conflicts (JSON).
    pub fn open_conflicts(&self, case: &str, stored: &str) -> Result<Zeroizing<String>, StorageError> {
        self.open(&conflicts_aad(case), stored, "a case's conflicts")
    }

    fn open(&self, aad: &[u8], stored: &str, what: &str) -> Result<Zeroizing<String>, StorageError> {
        if self.clear {
            return Ok(Zeroizing::new(stored.to_owned()));
        }
        if !stored.starts_with(PREFIX) {
            return Err(StorageError::Corrupt(format!("{what} is stored unsealed")));
        }
        let plain = open_with(&self.key, aad, stored)
            .ok_or_else(|| StorageError::Corrupt(format!("{what} does not open with the data key")))?;
        let text = String::from_utf8(plain.to_vec())
            .map_err(|_| StorageError::Corrupt(format!("{what} is not text once opened")))?;
        Ok(Zeroizing::new(text))
    }
}

fn conflicts_aad(case: &str) -> Vec<u8> {
    format!("waystation conflicts {case}").into_bytes()
}

/// Whether a stored value is sealed (a value from before sealing is not).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_place() {
        let s = Sealer::generate();
        let sealed = s.seal_op(r#"{"name":"Ana"}"#);
        assert!(is_sealed(&sealed) && !sealed.contains("Ana"));
        assert_eq!(&*s.open_op(&sealed).unwrap(), r#"{"name":"Ana"}"#);
        assert_ne!(sealed, s.seal_op(r#"{"name":"Ana"}"#), "a fresh nonce each time");
        assert!(Sealer::generate().open_op(&sealed).is_err(), "another data key");
        assert!(s.open_conflicts("c1", &sealed).is_err(), "an operation is not a case's conflicts");
        let c = s.seal_conflicts("c1", "[]");
        assert!(s.open_conflicts("c2", &c).is_err(), "conflicts of one case do not open as another's");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(s.open_op(&tampered).is_err());
        assert!(s.open_op(r#"{"name":"Ana"}"#).is_err(), "a value in the clear is refused");
    }

    #[test]
    fn the_data_key_unwraps_only_with_the_key_that_wrapped_it() {
        let (k1, k2) = (DatabaseKey::generate(), DatabaseKey::generate());
        let s = Sealer::generate();
        let wrapped = s.wrap(&k1);
        let again = Sealer::unwrap(&k1, &wrapped).unwrap();
        assert_eq!(&*again.open_op(&s.seal_op("x")).unwrap(), "x");
        assert!(matches!(Sealer::unwrap(&k2, &wrapped), Err(StorageError::WrongKey)));
        let rewrapped = again.wrap(&k2);
        assert!(Sealer::unwrap(&k2, &rewrapped).is_ok());
        assert!(Sealer::unwrap(&k1, &rewrapped).is_err());
    }

    #[test]
    fn keys_parse_from_hex_only() {
        let k = DatabaseKey::generate();
        assert_eq!(*DatabaseKey::parse(&format!("  {}\n", *k.to_hex())).unwrap().to_hex(), *k.to_hex());
        for (bad, says) in [("", "empty"), ("abc", "too short"), (&"zz".repeat(32)[..], "not hexadecimal")] {
            let e = DatabaseKey::parse(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
        }
        assert_eq!(format!("{k:?}"), "DatabaseKey(…)");
        assert_ne!(*k.derive("backup"), *k.derive("other"));
    }
}
