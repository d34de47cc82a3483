//! Why a key could not be loaded.

use core::fmt;

use super::{OtherLabel, PemLabel};
use crate::limits::{
    MAX_EXPONENT, MAX_KEY_FILE_LEN, MAX_KEYS, MAX_MODULUS_BITS, MIN_EXPONENT, MIN_MODULUS_BITS,
};

/// A key that could not be loaded, and which one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyError {
    block: usize,
    kind: KeyErrorKind,
}

impl KeyError {
    pub(super) fn at(block: usize, kind: KeyErrorKind) -> Self {
        Self { block, kind }
    }

    pub(super) fn first(kind: KeyErrorKind) -> Self {
        Self { block: 1, kind }
    }

    pub(super) fn set(kind: KeyErrorKind) -> Self {
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
    /// A PEM block's label is neither `RSA PUBLIC KEY` nor `PUBLIC KEY`: a private key or a
    /// certificate (named), or another label.
    UnsupportedPemLabel(OtherLabel),
    /// The file is not a PEM bundle, a JWK or JWK Set, nor DER: text without a `-----BEGIN`
    /// line that does not start with `{` (a token pasted by mistake, say), or bytes that do not
    /// start like a DER SEQUENCE. Reported by [`KeySet::load`](crate::KeySet::load) and
    /// [`KeySet::from_file`](crate::KeySet::from_file).
    UnknownFormat,
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
    /// The key file is a FIFO, a socket or a device, not a regular file (nor a symlink to
    /// one): refused by a reload (`LiveVerifier::reload_keys`, feature `live`), which must not
    /// block on a FIFO that has no writer or read a device.
    NotARegularFile,
    /// The key file could not be read.
    Io(std::io::ErrorKind),
    /// The cryptography backend refused a key this crate's own checks accepted (none is known
    /// to: the crate's limits are the narrower ones).
    Rejected,
    /// A JWK member is missing or unacceptable.
    Jwk(JwkProblem),
}

impl fmt::Display for KeyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("no key found"),
            Self::TooManyKeys => write!(f, "more than {MAX_KEYS} keys"),
            Self::UnsupportedPemLabel(
                label @ (OtherLabel::PrivateKey
                | OtherLabel::RsaPrivateKey
                | OtherLabel::EncryptedPrivateKey
                | OtherLabel::EcPrivateKey),
            ) => write!(
                f,
                "a private key (`-----BEGIN {label}-----`): a verifier needs the public key, \
                 e.g. `openssl pkey -in key.pem -pubout`"
            ),
            Self::UnsupportedPemLabel(label @ OtherLabel::OpensshPrivateKey) => write!(
                f,
                "a private key (`-----BEGIN {label}-----`): a verifier needs the public key, \
                 e.g. `ssh-keygen -e -m PKCS8 -f key`"
            ),
            Self::UnsupportedPemLabel(OtherLabel::Certificate) => f.write_str(
                "a certificate (`-----BEGIN CERTIFICATE-----`): a verifier needs its public key, \
                 e.g. `openssl x509 -in cert.pem -pubkey -noout`",
            ),
            Self::UnsupportedPemLabel(OtherLabel::Other) => f.write_str(
                "PEM block is not `-----BEGIN RSA PUBLIC KEY-----` or `-----BEGIN PUBLIC KEY-----`",
            ),
            Self::UnknownFormat => f.write_str("not a PEM bundle, a JWK or JWK Set, nor DER"),
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
            Self::NotARegularFile => f.write_str(
                "key file is not a regular file (a FIFO, socket or device): write the keys to a \
                 file and rename it into place",
            ),
            Self::Io(std::io::ErrorKind::NotFound) => f.write_str("key file not found"),
            Self::Io(std::io::ErrorKind::PermissionDenied) => {
                f.write_str("key file: permission denied")
            }
            Self::Io(kind) => write!(f, "key file cannot be read: {kind}"),
            Self::Rejected => f.write_str("the cryptography backend refused the key"),
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
