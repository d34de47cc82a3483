//! The little DER this crate reads: PKCS#1 `RSAPublicKey` and X.509 `SubjectPublicKeyInfo`.
//!
//! Strict DER only: definite minimal lengths, minimal positive integers, no trailing bytes.

use super::KeyErrorKind;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;

/// 1.2.840.113549.1.1.1, rsaEncryption.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// A cursor over DER bytes.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    fn byte(&mut self) -> Result<u8, KeyErrorKind> {
        let (&b, rest) = self.rest.split_first().ok_or(KeyErrorKind::Der)?;
        self.rest = rest;
        Ok(b)
    }

    /// Reads one element with the given tag and returns its contents.
    fn element(&mut self, tag: u8) -> Result<&'a [u8], KeyErrorKind> {
        if self.byte()? != tag {
            return Err(KeyErrorKind::Der);
        }
        let first = self.byte()?;
        let len = match first {
            0..=0x7f => usize::from(first),
            0x81 => match self.byte()? {
                n @ 0x80..=0xff => usize::from(n),
                _ => return Err(KeyErrorKind::Der), // would fit the short form
            },
            0x82 => {
                let n = u16::from_be_bytes([self.byte()?, self.byte()?]);
                if n < 0x100 {
                    return Err(KeyErrorKind::Der); // would fit 0x81
                }
                usize::from(n)
            }
            // Indefinite lengths are BER, and anything longer than 64 KiB is no key we accept.
            _ => return Err(KeyErrorKind::Der),
        };
        if len > self.rest.len() {
            return Err(KeyErrorKind::Der);
        }
        let (contents, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(contents)
    }

    /// A positive INTEGER in minimal encoding, returned without its sign byte.
    fn positive_integer(&mut self) -> Result<&'a [u8], KeyErrorKind> {
        match self.element(INTEGER)? {
            [] => Err(KeyErrorKind::Der),
            [0] => Err(KeyErrorKind::Der), // zero is not a valid modulus or exponent
            [0, next, ..] if *next < 0x80 => Err(KeyErrorKind::Der), // non-minimal
            [0, rest @ ..] => Ok(rest),
            [first, ..] if *first >= 0x80 => Err(KeyErrorKind::Der), // negative
            all => Ok(all),
        }
    }

    /// Fails with [`KeyErrorKind::TrailingData`] unless everything was read.
    fn finish(self) -> Result<(), KeyErrorKind> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(KeyErrorKind::TrailingData)
        }
    }
}

/// Splits a PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`
/// into `(n, e)`, big-endian without leading zeros.
pub(crate) fn rsa_public_key(der: &[u8]) -> Result<(&[u8], &[u8]), KeyErrorKind> {
    let mut outer = Reader::new(der);
    let seq = outer.element(SEQUENCE)?;
    outer.finish()?;
    let mut inner = Reader::new(seq);
    let n = inner.positive_integer()?;
    let e = inner.positive_integer()?;
    inner.finish()?;
    Ok((n, e))
}

/// Unwraps an X.509 `SubjectPublicKeyInfo` holding an RSA key and returns the PKCS#1
/// `RSAPublicKey` inside it.
pub(crate) fn spki_rsa(der: &[u8]) -> Result<&[u8], KeyErrorKind> {
    let mut outer = Reader::new(der);
    let spki = outer.element(SEQUENCE)?;
    outer.finish()?;
    let mut spki = Reader::new(spki);
    let mut alg = Reader::new(spki.element(SEQUENCE)?);
    if alg.element(OID)? != RSA_ENCRYPTION {
        return Err(KeyErrorKind::NotRsa);
    }
    // RFC 3279 §2.3.1: the parameters MUST be NULL.
    if !alg.element(NULL)?.is_empty() {
        return Err(KeyErrorKind::Der);
    }
    alg.finish()?;
    let bits = spki.element(BIT_STRING)?;
    spki.finish()?;
    match bits.split_first() {
        Some((0, key)) => Ok(key),
        _ => Err(KeyErrorKind::Der), // unused bits make no sense around a DER structure
    }
}

/// Tells SPKI from PKCS#1 by the first element inside the outer SEQUENCE: a SEQUENCE (the
/// algorithm identifier) for SPKI, an INTEGER (the modulus) for PKCS#1.
pub(crate) fn looks_like_spki(der: &[u8]) -> bool {
    let mut outer = Reader::new(der);
    match outer.element(SEQUENCE) {
        Ok(inner) => inner.first() == Some(&SEQUENCE),
        Err(_) => false,
    }
}

/// Encodes a PKCS#1 `RSAPublicKey` from `n` and `e` (big-endian, no leading zeros), the form
/// backends that parse a key once take.
pub(crate) fn encode_rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    let integers = [integer(n), integer(e)].concat();
    tlv(SEQUENCE, &integers)
}

/// A positive INTEGER: a zero byte first where the top bit is set.
fn integer(magnitude: &[u8]) -> Vec<u8> {
    let sign = magnitude.first().is_some_and(|b| b & 0x80 != 0);
    let body = [&[0u8][..sign.into()], magnitude].concat();
    tlv(INTEGER, &body)
}

/// Tag, minimal definite length, contents.
fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let len = contents.len();
    let [_, _, _, _, _, _, hi, lo] = u64::try_from(len).unwrap_or(u64::MAX).to_be_bytes();
    let length: &[u8] = match len {
        0..=0x7f => &[lo],
        0x80..=0xff => &[0x81, lo],
        _ => &[0x82, hi, lo],
    };
    [&[tag][..], length, contents].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `encode_rsa_public_key` writes, the strict reader reads back, for magnitudes with
    /// and without the sign byte and for every length form (short, one byte, two bytes).
    #[test]
    fn encoding_round_trips_through_the_strict_reader() {
        for (n_len, top) in [
            (1, 0x01),
            (100, 0x7f),
            (127, 0x80),
            (200, 0xc5),
            (256, 0x9a),
            (1024, 0x40),
        ] {
            let mut n = vec![0x33; n_len];
            n[0] = top;
            let e = [0x01, 0x00, 0x01];
            let der = encode_rsa_public_key(&n, &e);
            assert_eq!(rsa_public_key(&der), Ok((&n[..], &e[..])), "{n_len} bytes");
        }
    }
}
