//! RSA public keys and key sets: loading (PEM, DER, JWK), checks, thumbprints.

use core::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};

use crate::der;

/// The smallest modulus accepted, in bits.
pub const MIN_MODULUS_BITS: usize = 2048;
/// The largest modulus accepted, in bits.
pub const MAX_MODULUS_BITS: usize = 8192;
/// The smallest public exponent accepted: 65537, as NIST SP 800-56B and FIPS 186-5 require.
pub const MIN_EXPONENT: u64 = 65537;
/// The largest public exponent accepted: 2³³ − 1, the largest *ring* verifies with.
pub const MAX_EXPONENT: u64 = (1 << 33) - 1;
/// The largest key file [`KeySet::from_file`] reads: 1 MiB. 64 keys of 8192 bits take about
/// 100 KiB in any supported form (PEM, JWK Set, DER), so this leaves room for comments, JWK
/// members such as `x5c` chains, and pretty-printing, and still bounds what a mistaken path
/// (`/dev/zero`, a log file) can make the process read.
pub const MAX_KEY_FILE_LEN: usize = 1 << 20;
/// The most keys a [`KeySet`] holds. Without a `kid` every key may be tried, so this bounds the
/// work one token can cause.
pub const MAX_KEYS: usize = 64;

/// The keys facilioo publishes, in the order of its Authentication page.
const FACILIOO_KEYS: [&str; 3] = [
    include_str!("../keys/facilioo-1.pem"),
    include_str!("../keys/facilioo-2.pem"),
    include_str!("../keys/facilioo-3.pem"),
];

/// An RSA public key accepted for RS256: modulus of 2048 to 8192 bits, odd exponent from
/// 65537 to 2³³ − 1. Parsed and checked once, at load.
///
/// `Debug` shows the size and thumbprint, not the key bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    n: Box<[u8]>,
    e: Box<[u8]>,
    bits: usize,
    thumbprint: Thumbprint,
    thumbprint_b64: Box<str>,
    kid: Option<Box<str>>,
}

impl PublicKey {
    /// Loads a PKCS#1 `RSAPublicKey` (DER), the form inside `BEGIN RSA PUBLIC KEY`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::pkcs1(der).map_err(KeyError::first)
    }

    /// Loads an X.509 `SubjectPublicKeyInfo` (DER), the form inside `BEGIN PUBLIC KEY`.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::spki(der).map_err(KeyError::first)
    }

    /// Loads PKCS#1 or SPKI DER, whichever `der` is.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        if der::looks_like_spki(der) {
            Self::from_spki_der(der)
        } else {
            Self::from_pkcs1_der(der)
        }
    }

    /// Loads an RSA JWK ([RFC 7517](https://www.rfc-editor.org/rfc/rfc7517)): `kty` must be
    /// `RSA`, `n` and `e` strict base64url; where present, `alg` must be `RS256`, `use` must be
    /// `sig` and `key_ops` must include `verify`. A JWK with private members is refused. Its
    /// `kid`, if any, becomes [`PublicKey::kid`].
    pub fn from_jwk(jwk: &str) -> Result<Self, KeyError> {
        let value: serde_json::Value = serde_json::from_str(without_bom(jwk))
            .map_err(|_| KeyError::first(KeyErrorKind::Json))?;
        Self::jwk(&value).map_err(KeyError::first)
    }

    fn pkcs1(der: &[u8]) -> Result<Self, KeyErrorKind> {
        let (n, e) = der::rsa_public_key(der)?;
        Self::from_components(n, e, None)
    }

    fn spki(der: &[u8]) -> Result<Self, KeyErrorKind> {
        Self::pkcs1(der::spki_rsa(der)?)
    }

    fn jwk(value: &serde_json::Value) -> Result<Self, KeyErrorKind> {
        use KeyErrorKind::{Jwk, NotRsa};
        let obj = value.as_object().ok_or(KeyErrorKind::Json)?;
        let text = |name: &str| -> Result<Option<&str>, KeyErrorKind> {
            match obj.get(name) {
                None => Ok(None),
                Some(v) => v.as_str().map(Some).ok_or(Jwk(JwkProblem::NotAString)),
            }
        };
        if text("kty")? != Some("RSA") {
            return Err(NotRsa);
        }
        if ["d", "p", "q", "dp", "dq", "qi", "oth"]
            .iter()
            .any(|m| obj.contains_key(*m))
        {
            return Err(Jwk(JwkProblem::PrivateKey));
        }
        if text("alg")?.is_some_and(|alg| alg != "RS256") {
            return Err(Jwk(JwkProblem::Alg));
        }
        if text("use")?.is_some_and(|u| u != "sig") {
            return Err(Jwk(JwkProblem::Use));
        }
        if let Some(ops) = obj.get("key_ops") {
            let ops = ops.as_array().ok_or(Jwk(JwkProblem::KeyOps))?;
            if !ops.iter().any(|op| op.as_str() == Some("verify")) {
                return Err(Jwk(JwkProblem::KeyOps));
            }
        }
        let decode = |name: &str| -> Result<Vec<u8>, KeyErrorKind> {
            let b64 = text(name)?.ok_or(Jwk(JwkProblem::Missing))?;
            let bytes = URL_SAFE_NO_PAD
                .decode(b64)
                .map_err(|_| KeyErrorKind::Base64)?;
            // RFC 7518 §6.3.1: unsigned big-endian, no leading zero octets.
            match bytes.first() {
                None | Some(0) => Err(Jwk(JwkProblem::NotMinimal)),
                Some(_) => Ok(bytes),
            }
        };
        let (n, e) = (decode("n")?, decode("e")?);
        let kid = text("kid")?.map(Box::from);
        Self::from_components(&n, &e, kid)
    }

    /// Checks size and exponent; `n` and `e` are big-endian without leading zeros.
    fn from_components(n: &[u8], e: &[u8], kid: Option<Box<str>>) -> Result<Self, KeyErrorKind> {
        let bits = match n.first() {
            Some(&top) => {
                (n.len() - 1) * 8 + (8 - usize::try_from(top.leading_zeros()).unwrap_or(8))
            }
            None => 0,
        };
        if bits < MIN_MODULUS_BITS {
            return Err(KeyErrorKind::ModulusTooSmall { bits });
        }
        if bits > MAX_MODULUS_BITS {
            return Err(KeyErrorKind::ModulusTooLarge { bits });
        }
        if n.last().is_none_or(|last| last & 1 == 0) {
            return Err(KeyErrorKind::ModulusEven);
        }
        if e.last().is_none_or(|last| last & 1 == 0) {
            return Err(KeyErrorKind::ExponentEven);
        }
        let exponent = match <[u8; 8]>::try_from(e) {
            Ok(bytes) => u64::from_be_bytes(bytes),
            Err(_) if e.len() > 8 => return Err(KeyErrorKind::ExponentTooLarge),
            Err(_) => e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
        };
        if exponent < MIN_EXPONENT {
            return Err(KeyErrorKind::ExponentTooSmall);
        }
        if exponent > MAX_EXPONENT {
            return Err(KeyErrorKind::ExponentTooLarge);
        }
        let thumbprint = Thumbprint::rsa(n, e);
        Ok(Self {
            n: n.into(),
            e: e.into(),
            bits,
            thumbprint_b64: thumbprint.to_string().into(),
            thumbprint,
            kid,
        })
    }

    /// The modulus size in bits.
    pub fn modulus_bits(&self) -> usize {
        self.bits
    }

    /// The modulus size in bytes: the exact length an RS256 signature by this key has.
    pub fn modulus_len(&self) -> usize {
        self.n.len()
    }

    /// The [RFC 7638](https://www.rfc-editor.org/rfc/rfc7638) JWK SHA-256 thumbprint, a stable
    /// id for the key whatever form it was loaded from.
    pub fn thumbprint(&self) -> &Thumbprint {
        &self.thumbprint
    }

    /// The `kid` the key was loaded with (only JWKs carry one).
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Whether a token header's `kid` names this key: its own `kid`, or its thumbprint in
    /// base64url.
    pub(crate) fn answers_to(&self, kid: &str) -> bool {
        self.kid.as_deref() == Some(kid) || *self.thumbprint_b64 == *kid
    }

    /// Verifies an RSASSA-PKCS1-v1_5 SHA-256 signature over `message`.
    ///
    /// Fails with [`Error::InvalidSignature`](crate::Error::InvalidSignature) unless
    /// `signature` is exactly [`modulus_len`](Self::modulus_len) bytes and valid.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> Result<(), crate::Error> {
        if signature.len() != self.n.len() {
            return Err(crate::Error::InvalidSignature);
        }
        RsaPublicKeyComponents {
            n: &*self.n,
            e: &*self.e,
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
        .map_err(|_| crate::Error::InvalidSignature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits)
            .field("thumbprint", &self.thumbprint_b64)
            .field("kid", &self.kid)
            .finish()
    }
}

/// An RFC 7638 JWK thumbprint (SHA-256). `Display` gives the usual unpadded base64url form.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Thumbprint([u8; 32]);

impl Thumbprint {
    fn rsa(n: &[u8], e: &[u8]) -> Self {
        // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
        let canonical = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(e),
            URL_SAFE_NO_PAD.encode(n)
        );
        let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
        let mut out = [0; 32];
        out.copy_from_slice(digest.as_ref());
        Self(out)
    }

    /// The 32 digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0; 43];
        match URL_SAFE_NO_PAD.encode_slice(self.0, &mut buf) {
            Ok(43) => f.write_str(core::str::from_utf8(&buf).map_err(|_| fmt::Error)?),
            _ => Err(fmt::Error),
        }
    }
}

impl fmt::Debug for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Thumbprint({self})")
    }
}

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
            let (label, der) = block.map_err(|kind| KeyError {
                block: block_no,
                kind,
            })?;
            let key = match label {
                PemLabel::RsaPublicKey => PublicKey::pkcs1(&der),
                PemLabel::PublicKey => PublicKey::spki(&der),
            };
            keys.push(key.map_err(|kind| KeyError {
                block: block_no,
                kind,
            })?);
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
                    .map(|(i, k)| PublicKey::jwk(k).map_err(|kind| KeyError { block: i + 1, kind }))
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
    /// [`KeyErrorKind::NotAFile`]. Pipes and process substitution (`<(…)`) work.
    ///
    /// ```
    /// let keys = facilioo_jwt::KeySet::from_file("tests/data/retired-key-2022.pem")?;
    /// assert_eq!(keys.len(), 1);
    /// # Ok::<(), facilioo_jwt::KeyError>(())
    /// ```
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, KeyError> {
        Self::load(&read_bounded(path.as_ref(), MAX_KEY_FILE_LEN)?)
    }

    /// Loads a key file in whatever form it is: PEM bundle, JWK or JWK Set, or DER.
    /// A leading UTF-8 byte-order mark is ignored.
    pub fn load(bytes: &[u8]) -> Result<Self, KeyError> {
        let text = core::str::from_utf8(bytes).ok().map(without_bom);
        match text {
            Some(t) if t.contains("-----BEGIN") => Self::from_pem(t),
            Some(t) if t.trim_start().starts_with('{') => Self::from_jwk(t),
            Some(t) if t.trim().is_empty() => Err(KeyError::set(KeyErrorKind::Empty)),
            _ => Self::from_der(bytes),
        }
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
}

impl<'a> IntoIterator for &'a KeySet {
    type Item = &'a PublicKey;
    type IntoIter = core::slice::Iter<'a, PublicKey>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Reads at most `max` bytes of `path`; more is an error, and so is a directory.
fn read_bounded(path: &std::path::Path, max: usize) -> Result<Vec<u8>, KeyError> {
    use std::io::Read as _;
    let io = |e: std::io::Error| KeyError::set(KeyErrorKind::Io(e.kind()));
    let file = std::fs::File::open(path).map_err(io)?;
    if file.metadata().map_err(io)?.is_dir() {
        return Err(KeyError::set(KeyErrorKind::NotAFile));
    }
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() > max {
        return Err(KeyError::set(KeyErrorKind::FileTooLarge));
    }
    Ok(bytes)
}

/// A key that could not be loaded, and which one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyError {
    block: usize,
    kind: KeyErrorKind,
}

impl KeyError {
    fn first(kind: KeyErrorKind) -> Self {
        Self { block: 1, kind }
    }

    fn set(kind: KeyErrorKind) -> Self {
        Self { block: 0, kind }
    }

    /// The 1-based position of the offending key in the input (PEM block, JWK Set entry);
    /// 0 when the error concerns the set as a whole (empty, too many keys).
    pub fn block(&self) -> usize {
        self.block
    }

    /// What is wrong.
    pub fn kind(&self) -> KeyErrorKind {
        self.kind
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.block == 0 {
            self.kind.fmt(f)
        } else {
            write!(f, "key {}: {}", self.block, self.kind)
        }
    }
}

impl std::error::Error for KeyError {}

/// Why a key was refused at load.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyErrorKind {
    /// No key at all (empty input, or text without any PEM block).
    Empty,
    /// More than [`MAX_KEYS`] keys.
    TooManyKeys,
    /// A PEM block's label is neither `RSA PUBLIC KEY` nor `PUBLIC KEY` (a certificate or a
    /// private key, say).
    UnsupportedPemLabel,
    /// A PEM block's `BEGIN` line does not have exactly five dashes on each side.
    BadPemHeader {
        /// The dashes before `BEGIN` and after the label (at most 255 counted).
        dashes: (u8, u8),
    },
    /// A PEM block's footer is not exactly `-----END <label>-----`: a dash missing or extra
    /// (`dashes` is not `(5, 5)`), or another label.
    BadPemFooter {
        /// The label the block began with.
        label: PemLabel,
        /// The dashes before `END` and after the label (at most 255 counted).
        dashes: (u8, u8),
    },
    /// A PEM block has no footer before the end of input or the next `-----BEGIN`.
    UnterminatedPem(PemLabel),
    /// Invalid base64 (PEM body) or base64url (JWK `n`/`e`).
    Base64,
    /// Not valid DER for the expected structure.
    Der,
    /// Bytes follow the key's DER structure.
    TrailingData,
    /// Not an RSA key (SPKI algorithm or JWK `kty`).
    NotRsa,
    /// The modulus is shorter than [`MIN_MODULUS_BITS`].
    ModulusTooSmall {
        /// The modulus size found.
        bits: usize,
    },
    /// The modulus is longer than [`MAX_MODULUS_BITS`].
    ModulusTooLarge {
        /// The modulus size found.
        bits: usize,
    },
    /// The modulus is even: a product of two odd primes never is, and no signature can verify
    /// under it.
    ModulusEven,
    /// The public exponent is even.
    ExponentEven,
    /// The public exponent is below [`MIN_EXPONENT`] (e.g. 3).
    ExponentTooSmall,
    /// The public exponent is above [`MAX_EXPONENT`].
    ExponentTooLarge,
    /// Not valid JSON, or not a JSON object where one belongs.
    Json,
    /// The key file is longer than [`MAX_KEY_FILE_LEN`] (reading stopped there).
    FileTooLarge,
    /// The key file path names a directory.
    NotAFile,
    /// The key file could not be read.
    Io(std::io::ErrorKind),
    /// A JWK member is missing or unacceptable.
    Jwk(JwkProblem),
}

impl fmt::Display for KeyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("no key found"),
            Self::TooManyKeys => write!(f, "more than {MAX_KEYS} keys"),
            Self::UnsupportedPemLabel => f.write_str(
                "PEM block is not `-----BEGIN RSA PUBLIC KEY-----` or `-----BEGIN PUBLIC KEY-----` \
                 (a certificate or a private key?)",
            ),
            Self::BadPemHeader { dashes } => write!(
                f,
                "PEM header must be exactly `-----BEGIN RSA PUBLIC KEY-----` or \
                 `-----BEGIN PUBLIC KEY-----`: {}",
                DashCount("BEGIN", *dashes)
            ),
            Self::BadPemFooter {
                label,
                dashes: (5, 5),
            } => write!(
                f,
                "PEM footer must be exactly `-----END {label}-----`, the label the block began with"
            ),
            Self::BadPemFooter { label, dashes } => write!(
                f,
                "PEM footer must be exactly `-----END {label}-----`: {}",
                DashCount("END", *dashes)
            ),
            Self::UnterminatedPem(label) => {
                write!(f, "PEM block has no `-----END {label}-----` footer")
            }
            Self::Base64 => f.write_str("invalid base64"),
            Self::Der => f.write_str("invalid DER"),
            Self::TrailingData => f.write_str("unexpected bytes after the key"),
            Self::NotRsa => f.write_str("not an RSA key"),
            Self::ModulusTooSmall { bits } => {
                write!(f, "modulus of {bits} bits is under {MIN_MODULUS_BITS}")
            }
            Self::ModulusTooLarge { bits } => {
                write!(f, "modulus of {bits} bits is over {MAX_MODULUS_BITS}")
            }
            Self::ModulusEven => f.write_str("modulus is even, so it is no RSA modulus"),
            Self::ExponentEven => f.write_str("public exponent is even"),
            Self::ExponentTooSmall => write!(f, "public exponent is below {MIN_EXPONENT}"),
            Self::ExponentTooLarge => write!(f, "public exponent is above {MAX_EXPONENT}"),
            Self::Json => f.write_str("invalid JSON or not a JWK object"),
            Self::FileTooLarge => write!(
                f,
                "key file is larger than {} KiB, more than any key set needs",
                MAX_KEY_FILE_LEN / 1024
            ),
            Self::NotAFile => f.write_str("key file path is a directory"),
            Self::Io(std::io::ErrorKind::NotFound) => f.write_str("key file not found"),
            Self::Io(std::io::ErrorKind::PermissionDenied) => {
                f.write_str("key file: permission denied")
            }
            Self::Io(kind) => write!(f, "key file cannot be read: {kind}"),
            Self::Jwk(p) => write!(f, "JWK {p}"),
        }
    }
}

/// "it has 4 dashes before END and 5 after (is a dash missing?)".
struct DashCount(&'static str, (u8, u8));

impl fmt::Display for DashCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self(word, (before, after)) = *self;
        let hint = if before < 5 || after < 5 {
            "is a dash missing?"
        } else {
            "one dash too many?"
        };
        write!(
            f,
            "it has {before} dashes before {word} and {after} after ({hint})"
        )
    }
}

/// What is wrong with a JWK.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwkProblem {
    /// `n` or `e` is missing.
    Missing,
    /// A member that must be a string is not one.
    NotAString,
    /// `n` or `e` has leading zero octets (RFC 7518 §6.3.1).
    NotMinimal,
    /// `alg` is present and not `RS256`.
    Alg,
    /// `use` is present and not `sig`.
    Use,
    /// `key_ops` is present and does not include `verify`.
    KeyOps,
    /// The JWK holds a private key; give only the public part.
    PrivateKey,
}

impl fmt::Display for JwkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "lacks n or e",
            Self::NotAString => "member is not a string",
            Self::NotMinimal => "n or e has leading zero octets",
            Self::Alg => "alg is not RS256",
            Self::Use => "use is not sig",
            Self::KeyOps => "key_ops does not include verify",
            Self::PrivateKey => "holds a private key",
        })
    }
}

/// The PEM labels this crate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PemLabel {
    /// `RSA PUBLIC KEY`: PKCS#1.
    RsaPublicKey,
    /// `PUBLIC KEY`: SubjectPublicKeyInfo.
    PublicKey,
}

impl PemLabel {
    /// The label as it stands in `-----BEGIN <label>-----`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::RsaPublicKey => "RSA PUBLIC KEY",
            Self::PublicKey => "PUBLIC KEY",
        }
    }
}

impl fmt::Display for PemLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A UTF-8 byte-order mark, which some editors put at the start of a text file.
const BOM: char = '\u{feff}';

/// `text` without a leading byte-order mark.
fn without_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// A PEM boundary line, or a damaged one: dashes directly around `BEGIN <label>` or
/// `END <label>`, with any number of dashes on either side (at least one in all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Boundary<'a> {
    begin: bool,
    label: &'a str,
    /// The dashes before and after, at most 255 counted.
    dashes: (u8, u8),
}

impl<'a> Boundary<'a> {
    /// Reads `line` (already trimmed) as a boundary. Text that merely mentions BEGIN or END
    /// (`--- BEGIN of the keys ---`, with spaces inside the dashes) is not one.
    fn parse(line: &'a str) -> Option<Self> {
        let inner = line.trim_start_matches('-');
        let leading = line.len() - inner.len();
        let middle = inner.trim_end_matches('-');
        let trailing = inner.len() - middle.len();
        if leading + trailing == 0 || middle.ends_with(' ') {
            return None;
        }
        let (begin, label) = match (middle.strip_prefix("BEGIN "), middle.strip_prefix("END ")) {
            (Some(label), _) => (true, label),
            (None, Some(label)) => (false, label),
            (None, None) => return None,
        };
        let count = |n: usize| u8::try_from(n).unwrap_or(u8::MAX);
        Some(Self {
            begin,
            label,
            dashes: (count(leading), count(trailing)),
        })
    }

    fn exact(&self) -> bool {
        self.dashes == (5, 5)
    }
}

/// Iterates over the PEM blocks of a text, yielding each block's label and DER bytes. Lines
/// may end in LF, CRLF or CR alone.
struct PemBlocks<'a> {
    lines: core::str::Split<'a, [char; 2]>,
    failed: bool,
}

impl<'a> PemBlocks<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            lines: without_bom(text).split(['\n', '\r']),
            failed: false,
        }
    }

    fn block(&mut self, label: PemLabel) -> Result<Vec<u8>, KeyErrorKind> {
        let mut body = String::new();
        for line in self.lines.by_ref() {
            let line = line.trim();
            match Boundary::parse(line) {
                Some(end) if !end.begin => {
                    return if end.exact() && end.label == label.as_str() {
                        STANDARD.decode(&body).map_err(|_| KeyErrorKind::Base64)
                    } else {
                        Err(KeyErrorKind::BadPemFooter {
                            label,
                            dashes: end.dashes,
                        })
                    };
                }
                // Another block begins before this one ended.
                Some(_) => break,
                None => body.extend(line.chars().filter(|c| !c.is_ascii_whitespace())),
            }
        }
        Err(KeyErrorKind::UnterminatedPem(label))
    }
}

impl Iterator for PemBlocks<'_> {
    type Item = Result<(PemLabel, Vec<u8>), KeyErrorKind>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let begin = self
            .lines
            .by_ref()
            .filter_map(|line| Boundary::parse(line.trim()))
            .find(|b| b.begin)?;
        let label = match begin.label {
            _ if !begin.exact() => Err(KeyErrorKind::BadPemHeader {
                dashes: begin.dashes,
            }),
            "RSA PUBLIC KEY" => Ok(PemLabel::RsaPublicKey),
            "PUBLIC KEY" => Ok(PemLabel::PublicKey),
            _ => Err(KeyErrorKind::UnsupportedPemLabel),
        };
        let result = label.and_then(|label| self.block(label).map(|der| (label, der)));
        self.failed = result.is_err();
        Some(result)
    }
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
