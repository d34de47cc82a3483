//! One RSA public key: the checks at load, its thumbprint, and RS256 verification.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::der;
use super::{KeyError, KeyErrorKind};
use crate::backend::{self, RsaKey};
use crate::limits::{MAX_EXPONENT, MAX_MODULUS_BITS, MIN_EXPONENT, MIN_MODULUS_BITS};

/// An RSA public key accepted for RS256: modulus of 2048 to 8192 bits, odd exponent from
/// 65537 to 2³³ − 1. Parsed and checked once, at load.
///
/// `Debug` shows the size and thumbprint, not the key bytes. Two keys are equal when their
/// modulus, exponent and `kid` are.
#[derive(Clone)]
pub struct PublicKey {
    n: Box<[u8]>,
    e: Box<[u8]>,
    /// Prepared for verification by the backend (aws-lc-rs: parsed once, here).
    rsa: RsaKey,
    bits: usize,
    thumbprint: Thumbprint,
    thumbprint_b64: Box<str>,
    /// Its name in logs and metric labels (the thumbprint's first characters), shared so
    /// that a metric label costs no allocation.
    label: std::sync::Arc<str>,
    kid: Option<Box<str>>,
    /// One of the shipped test keys, whose private halves are public.
    test_key: bool,
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

    pub(super) fn pkcs1(der: &[u8]) -> Result<Self, KeyErrorKind> {
        let (n, e) = der::rsa_public_key(der)?;
        Self::from_components(n, e, None)
    }

    pub(super) fn spki(der: &[u8]) -> Result<Self, KeyErrorKind> {
        Self::pkcs1(der::spki_rsa(der)?)
    }

    /// Checks size and exponent; `n` and `e` are big-endian without leading zeros.
    pub(super) fn from_components(
        n: &[u8],
        e: &[u8],
        kid: Option<Box<str>>,
    ) -> Result<Self, KeyErrorKind> {
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
            rsa: RsaKey::new(n, e, &der::encode_rsa_public_key(n, e))
                .ok_or(KeyErrorKind::Rejected)?,
            n: n.into(),
            e: e.into(),
            bits,
            thumbprint_b64: thumbprint.to_string().into(),
            label: crate::stats::key_label(&thumbprint).into(),
            test_key: super::test_keys::is_test_modulus(n),
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

    /// The key's name in logs and metric labels: the first
    /// [`KEY_LABEL_LEN`](crate::stats::KEY_LABEL_LEN) characters of its base64url thumbprint.
    pub fn label(&self) -> &str {
        &self.label
    }

    #[cfg(feature = "metrics")]
    pub(crate) fn shared_label(&self) -> std::sync::Arc<str> {
        self.label.clone()
    }

    /// Whether this is one of the test keys this crate ships (`keys/testing/`, and the
    /// `testing` feature's signers). Their private halves are public, so a service that
    /// trusts one accepts tokens anyone can mint: fine in a test, a hole in production.
    /// Recognised in every build, whatever the features.
    ///
    /// ```
    /// use facilioo_jwt::KeySet;
    ///
    /// let test_keys = KeySet::from_file("keys/testing/trusted.pem")?;
    /// assert!(test_keys.iter().all(|k| k.is_test_key()));
    /// assert!(KeySet::facilioo().iter().all(|k| !k.is_test_key()));
    /// # Ok::<(), facilioo_jwt::keys::KeyError>(())
    /// ```
    pub fn is_test_key(&self) -> bool {
        self.test_key
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
        if signature.len() == self.n.len() && self.rsa.verify(message, signature) {
            Ok(())
        } else {
            Err(crate::Error::InvalidSignature)
        }
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        (&self.n, &self.e, &self.kid) == (&other.n, &other.e, &other.kid)
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits)
            .field("thumbprint", &self.thumbprint_b64)
            .field("kid", &self.kid)
            .field("test_key", &self.test_key)
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
        Self(backend::sha256(canonical.as_bytes()))
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

#[cfg(feature = "serde")]
impl serde::Serialize for Thumbprint {
    /// As its unpadded base64url text, the form RFC 7638 gives.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
