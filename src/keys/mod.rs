//! Trusted keys: loading them (PEM, DER, JWK, JWK Set, files), the checks every key passes,
//! and why a key is refused.
//!
//! Start from [`KeySet`] (also at the crate root): [`KeySet::facilioo`] for the keys facilioo
//! publishes, or one of its loaders for your own. Every loader refuses with a [`KeyError`]
//! that names the offending block and the reason, never a key's bytes.

use std::sync::Arc;

mod der;
mod error;
mod jwk;
mod pem;
mod public_key;
pub(crate) mod test_keys;

/// The cryptography backend this build verifies with: `"ring"` (the default) or
/// `"aws-lc-rs"` (feature `aws-lc-rs`).
pub const BACKEND: &str = crate::backend::NAME;

pub use error::{JwkProblem, KeyError, KeyErrorKind};
pub use pem::{OtherLabel, PemLabel};
pub use public_key::{PublicKey, Thumbprint};

use crate::limits::{MAX_KEY_FILE_LEN, MAX_KEYS};
use pem::{PemBlocks, without_bom};

/// The tag every DER key starts with: a constructed SEQUENCE (PKCS#1 and SPKI alike).
const DER_SEQUENCE: u8 = 0x30;

/// The keys facilioo publishes, in the order of its Authentication page.
const FACILIOO_KEYS: [&str; 3] = [
    include_str!("../../keys/facilioo-1.pem"),
    include_str!("../../keys/facilioo-2.pem"),
    include_str!("../../keys/facilioo-3.pem"),
];

/// An immutable, non-empty set of trusted keys, cheap to clone and share between threads.
///
/// facilioo tokens carry no `kid`, so verification tries the keys in order (a header `kid`
/// that names a key of the set only moves that key to the front). To rotate keys in a running
/// service, build a new set and swap the verifier.
#[derive(Clone, Debug)]
pub struct KeySet {
    keys: Arc<[PublicKey]>,
}

impl KeySet {
    /// A set of the given keys, in this order.
    ///
    /// Fails on an empty list ([`KeyErrorKind::Empty`]) or more than [`MAX_KEYS`] keys.
    pub fn new(keys: Vec<PublicKey>) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::set(KeyErrorKind::Empty));
        }
        if keys.len() > MAX_KEYS {
            return Err(KeyError::set(KeyErrorKind::TooManyKeys));
        }
        Ok(Self { keys: keys.into() })
    }

    /// The three RSA-2048 keys published on facilioo's Authentication page (embedded from
    /// `keys/`), in the page's order.
    ///
    /// ```
    /// let keys = facilioo_jwt::KeySet::facilioo();
    /// assert_eq!(keys.len(), 3);
    /// assert!(keys.iter().all(|k| k.modulus_bits() == 2048));
    /// ```
    pub fn facilioo() -> Self {
        let keys = FACILIOO_KEYS
            .iter()
            .filter_map(|pem| Self::from_pem(pem).ok())
            .flat_map(|set| set.keys.to_vec())
            .collect();
        // Invariant: the embedded files are valid keys (tested by `embedded_keys_load`), so
        // this never fails; should it, every token is refused rather than anything accepted.
        Self::new(keys).unwrap_or_else(|_| Self {
            keys: Arc::from([]),
        })
    }

    /// Loads every key of a PEM bundle: `BEGIN RSA PUBLIC KEY` (PKCS#1) and `BEGIN PUBLIC
    /// KEY` (SPKI) blocks, mixed, with any text between blocks. Lines may end in LF, CRLF or
    /// CR, and a leading byte-order mark is ignored. Errors name the 1-based block and the
    /// reason, e.g. how many dashes a damaged `BEGIN` or `END` line has.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let mut keys = Vec::new();
        for (i, block) in PemBlocks::new(pem).enumerate() {
            let block_no = i + 1;
            let (label, der) = block.map_err(|kind| KeyError::at(block_no, kind))?;
            let key = match label {
                PemLabel::RsaPublicKey => PublicKey::pkcs1(&der),
                PemLabel::PublicKey => PublicKey::spki(&der),
            };
            keys.push(key.map_err(|kind| KeyError::at(block_no, kind))?);
            if keys.len() > MAX_KEYS {
                return Err(KeyError::set(KeyErrorKind::TooManyKeys));
            }
        }
        Self::new(keys)
    }

    /// Loads one DER key, PKCS#1 or SPKI.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::new(vec![PublicKey::from_der(der)?])
    }

    /// Loads a JWK, or a JWK Set (`{"keys":[…]}`, every key must be a valid RS256 key).
    pub fn from_jwk(json: &str) -> Result<Self, KeyError> {
        let value: serde_json::Value = serde_json::from_str(without_bom(json))
            .map_err(|_| KeyError::first(KeyErrorKind::Json))?;
        match value.get("keys") {
            Some(serde_json::Value::Array(keys)) => {
                let keys = keys
                    .iter()
                    .take(MAX_KEYS + 1)
                    .enumerate()
                    .map(|(i, k)| PublicKey::jwk(k).map_err(|kind| KeyError::at(i + 1, kind)))
                    .collect::<Result<Vec<_>, _>>()?;
                Self::new(keys)
            }
            Some(_) => Err(KeyError::first(KeyErrorKind::Json)),
            None => Self::new(vec![PublicKey::jwk(&value).map_err(KeyError::first)?]),
        }
    }

    /// Reads a key file of at most [`MAX_KEY_FILE_LEN`] bytes and [loads](Self::load) it.
    ///
    /// Reading stops at the cap, so a device such as `/dev/zero` is refused
    /// ([`KeyErrorKind::FileTooLarge`]) rather than read until memory runs out; a directory is
    /// [`KeyErrorKind::NotAFile`]. Pipes and process substitution (`<(…)`) work, and nothing
    /// waits long: a FIFO that no process writes to reads as empty ([`KeyErrorKind::Empty`])
    /// instead of blocking until one does, and a pipe whose writer writes nothing for 10
    /// seconds is `Io(TimedOut)`.
    ///
    /// ```
    /// let keys = facilioo_jwt::KeySet::from_file("tests/data/retired-key-2022.pem")?;
    /// assert_eq!(keys.len(), 1);
    /// # Ok::<(), facilioo_jwt::keys::KeyError>(())
    /// ```
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, KeyError> {
        Self::load(&read_bounded(path.as_ref(), MAX_KEY_FILE_LEN)?)
    }

    /// Loads a key file in whatever form it is: PEM bundle (text with a `-----BEGIN` line),
    /// JWK or JWK Set (text starting with `{`), or DER (bytes starting like a SEQUENCE,
    /// `0x30`). Anything else, such as other text or a token pasted by mistake, is
    /// [`KeyErrorKind::UnknownFormat`]. A leading UTF-8 byte-order mark is ignored.
    pub fn load(bytes: &[u8]) -> Result<Self, KeyError> {
        let text = core::str::from_utf8(bytes).ok().map(without_bom);
        match text {
            Some(t) if t.contains("-----BEGIN") => Self::from_pem(t),
            Some(t) if t.trim_start().starts_with('{') => Self::from_jwk(t),
            Some(t) if t.trim().is_empty() => Err(KeyError::set(KeyErrorKind::Empty)),
            _ if bytes.first() == Some(&DER_SEQUENCE) => Self::from_der(bytes),
            _ => Err(KeyError::set(KeyErrorKind::UnknownFormat)),
        }
    }

    /// Whether `other` holds the same keys, with the same `kid`s, in the same order.
    #[cfg(feature = "live")]
    pub(crate) fn same_keys(&self, other: &KeySet) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|(a, b)| a.thumbprint() == b.thumbprint() && a.kid() == b.kid())
    }

    /// How many keys the set holds (at least one).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always `false`: a set is never empty. Present for the `len`/`is_empty` convention.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key at `index`, the position [`VerifiedToken::key_index`](crate::VerifiedToken::key_index)
    /// reports.
    pub fn get(&self, index: usize) -> Option<&PublicKey> {
        self.keys.get(index)
    }

    /// The keys in order.
    pub fn iter(&self) -> core::slice::Iter<'_, PublicKey> {
        self.keys.iter()
    }

    /// The keys as a slice.
    pub fn as_slice(&self) -> &[PublicKey] {
        &self.keys
    }

    /// How many of the keys are test keys this crate ships ([`PublicKey::is_test_key`]):
    /// anything but 0 means anyone can mint tokens this set accepts. The CLI says so, the
    /// HTTP glue warns when it starts, and [`Policy::refuse_test_keys`](crate::Policy::refuse_test_keys)
    /// refuses their tokens.
    pub fn test_key_count(&self) -> usize {
        self.keys.iter().filter(|k| k.is_test_key()).count()
    }
}

impl<'a> IntoIterator for &'a KeySet {
    type Item = &'a PublicKey;
    type IntoIter = core::slice::Iter<'a, PublicKey>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The error of a failed read or open.
fn io(e: std::io::Error) -> KeyError {
    KeyError::set(KeyErrorKind::Io(e.kind()))
}

/// How long a key file's reader waits for bytes that a pipe's writer has not written yet
/// (`--keys <(…)`): then the read is an error ([`std::io::ErrorKind::TimedOut`]).
const PIPE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Opens `path` for reading, non-blocking on Unix: opening a FIFO that no process writes to
/// returns at once instead of waiting for a writer.
fn open(path: &std::path::Path) -> Result<std::fs::File, KeyError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path).map_err(io)
}

/// Reads at most `max` bytes of `path`; more is an error, and so is a directory. It never
/// waits long: a FIFO without a writer reads as empty, and a pipe whose writer has written
/// nothing for [`PIPE_DEADLINE`] is an error.
fn read_bounded(path: &std::path::Path, max: usize) -> Result<Vec<u8>, KeyError> {
    let file = open(path)?;
    if file.metadata().map_err(io)?.is_dir() {
        return Err(KeyError::set(KeyErrorKind::NotAFile));
    }
    read_at_most(file, max)
}

/// Reads at most `max` bytes of `file` (opened non-blocking); more is an error. A read that
/// would block waits a little and tries again, until [`PIPE_DEADLINE`] has passed since the
/// last bytes came.
fn read_at_most(file: std::fs::File, max: usize) -> Result<Vec<u8>, KeyError> {
    use std::io::Read as _;
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut reader = file.take(limit);
    let mut bytes = Vec::new();
    let (mut last_bytes, mut seen) = (std::time::Instant::now(), 0);
    // read_to_end retries what a signal interrupts, and keeps what it read before an error.
    while let Err(e) = reader.read_to_end(&mut bytes) {
        if e.kind() != std::io::ErrorKind::WouldBlock {
            return Err(io(e));
        }
        if bytes.len() > seen {
            (last_bytes, seen) = (std::time::Instant::now(), bytes.len());
        } else if last_bytes.elapsed() >= PIPE_DEADLINE {
            return Err(KeyError::set(KeyErrorKind::Io(
                std::io::ErrorKind::TimedOut,
            )));
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    if bytes.len() > max {
        return Err(KeyError::set(KeyErrorKind::FileTooLarge));
    }
    Ok(bytes)
}

/// [`KeySet::from_file`] for a file that must be regular (or a symlink to one), so that
/// nothing about it can wait: a FIFO, a socket, a device or a directory is refused before it
/// is read ([`KeyErrorKind::NotARegularFile`], [`KeyErrorKind::NotAFile`]). The file is
/// looked at again once open, so a FIFO put in its place meanwhile is refused too. What a
/// reload reads.
#[cfg(feature = "live")]
pub(crate) fn from_regular_file(path: &std::path::Path) -> Result<KeySet, KeyError> {
    let regular = |metadata: std::fs::Metadata| {
        if metadata.is_file() {
            Ok(())
        } else if metadata.is_dir() {
            Err(KeyError::set(KeyErrorKind::NotAFile))
        } else {
            Err(KeyError::set(KeyErrorKind::NotARegularFile))
        }
    };
    regular(std::fs::metadata(path).map_err(io)?)?;
    let file = open(path)?;
    regular(file.metadata().map_err(io)?)?;
    KeySet::load(&read_at_most(file, MAX_KEY_FILE_LEN)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_keys_load() {
        for pem in FACILIOO_KEYS {
            let set = KeySet::from_pem(pem).expect("embedded key loads");
            assert_eq!(set.len(), 1);
            assert_eq!(set.as_slice()[0].modulus_bits(), 2048);
        }
        assert_eq!(KeySet::facilioo().len(), 3);
    }
}
