//! PEM bundles: `RSA PUBLIC KEY` and `PUBLIC KEY` blocks with any text between them.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::KeyErrorKind;

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

/// The label of a PEM block this crate does not read, as far as it is well known: a private
/// key or a certificate given where a public key belongs. Any other label is
/// [`OtherLabel::Other`], so that an error never repeats the input's bytes.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OtherLabel {
    /// `PRIVATE KEY`: a PKCS#8 private key.
    PrivateKey,
    /// `RSA PRIVATE KEY`: a PKCS#1 private key.
    RsaPrivateKey,
    /// `ENCRYPTED PRIVATE KEY`: an encrypted PKCS#8 private key.
    EncryptedPrivateKey,
    /// `EC PRIVATE KEY`: an elliptic-curve private key (SEC 1).
    EcPrivateKey,
    /// `OPENSSH PRIVATE KEY`: an OpenSSH private key.
    OpensshPrivateKey,
    /// `CERTIFICATE`: an X.509 certificate.
    Certificate,
    /// Any other label, including a damaged `PUBLIC KEY` or `RSA PUBLIC KEY`.
    Other,
}

impl OtherLabel {
    /// The well-known label `label` is, or [`Other`](Self::Other).
    fn of(label: &str) -> Self {
        match label {
            "PRIVATE KEY" => Self::PrivateKey,
            "RSA PRIVATE KEY" => Self::RsaPrivateKey,
            "ENCRYPTED PRIVATE KEY" => Self::EncryptedPrivateKey,
            "EC PRIVATE KEY" => Self::EcPrivateKey,
            "OPENSSH PRIVATE KEY" => Self::OpensshPrivateKey,
            "CERTIFICATE" => Self::Certificate,
            _ => Self::Other,
        }
    }

    /// The label as it stands in `-----BEGIN <label>-----`; `"another label"` for
    /// [`Other`](Self::Other).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::PrivateKey => "PRIVATE KEY",
            Self::RsaPrivateKey => "RSA PRIVATE KEY",
            Self::EncryptedPrivateKey => "ENCRYPTED PRIVATE KEY",
            Self::EcPrivateKey => "EC PRIVATE KEY",
            Self::OpensshPrivateKey => "OPENSSH PRIVATE KEY",
            Self::Certificate => "CERTIFICATE",
            Self::Other => "another label",
        }
    }

    /// Whether the block holds a private key.
    pub fn is_private_key(&self) -> bool {
        match self {
            Self::PrivateKey
            | Self::RsaPrivateKey
            | Self::EncryptedPrivateKey
            | Self::EcPrivateKey
            | Self::OpensshPrivateKey => true,
            Self::Certificate | Self::Other => false,
        }
    }
}

impl fmt::Display for OtherLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A UTF-8 byte-order mark, which some editors put at the start of a text file.
const BOM: char = '\u{feff}';

/// `text` without a leading byte-order mark.
pub(super) fn without_bom(text: &str) -> &str {
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
        if leading + trailing == 0 {
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
pub(super) struct PemBlocks<'a> {
    lines: core::str::Split<'a, [char; 2]>,
    failed: bool,
}

impl<'a> PemBlocks<'a> {
    pub(super) fn new(text: &'a str) -> Self {
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
            other => Err(KeyErrorKind::UnsupportedPemLabel(OtherLabel::of(other))),
        };
        let result = label.and_then(|label| self.block(label).map(|der| (label, der)));
        self.failed = result.is_err();
        Some(result)
    }
}
