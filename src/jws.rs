//! The compact JWS layer on its own: size cap, segments, strict base64url, header rules,
//! signature. [`KeySet::verify_jws`] returns a [`Jws`]; for tokens, use
//! [`Verifier::verify`](crate::Verifier::verify), which runs this layer and then the claims.

use crate::error::{Malformed, Segment};
use crate::json::Header;
use crate::keys::PublicKey;
use crate::limits::MAX_MODULUS_BITS;
use crate::{Error, KeySet};

/// The longest signature any accepted key makes, in bytes.
const MAX_SIGNATURE_LEN: usize = MAX_MODULUS_BITS / 8;

/// A compact JWS whose header passed the rules and whose signature a key of the set verified
/// ([`KeySet::verify_jws`]). The payload is not parsed.
#[derive(Clone, Copy, Debug)]
pub struct Jws<'k, 't> {
    key_index: usize,
    key: &'k PublicKey,
    payload: &'t str,
}

impl<'k, 't> Jws<'k, 't> {
    /// The position in the key set of the key that verified the signature.
    pub fn key_index(&self) -> usize {
        self.key_index
    }

    /// The key that verified the signature.
    pub fn key(&self) -> &'k PublicKey {
        self.key
    }

    /// The payload segment as it stands in the token (base64url).
    pub fn payload_b64(&self) -> &'t str {
        self.payload
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> Result<Vec<u8>, Error> {
        with_decoded(self.payload, Segment::Payload, |bytes| Ok(bytes.to_vec()))
    }
}

/// What the signature step hands on: the key that verified and the decoded payload.
pub(crate) struct Signed<'k, 't, 'p> {
    pub(crate) key_index: usize,
    pub(crate) key: &'k PublicKey,
    pub(crate) payload_b64: &'t str,
    pub(crate) payload: &'p [u8],
}

/// Splits a token into its three segments, after the size cap.
pub(crate) fn split(token: &str, max_len: usize) -> Result<[&str; 3], Error> {
    if token.len() > max_len {
        return Err(Error::TooLarge {
            len: token.len(),
            max: max_len,
        });
    }
    let count = Error::Malformed(Malformed::SegmentCount);
    // memchr finds the dots with SIMD, a few bytes per cycle over the whole token.
    let mut dots = memchr::memchr_iter(b'.', token.as_bytes());
    let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(count);
    };
    // The dots are ASCII, so every cut is at a character boundary and `get` never fails.
    match (
        token.get(..first),
        token.get(first + 1..second),
        token.get(second + 1..),
    ) {
        (Some(header), Some(payload), Some(signature)) => Ok([header, payload, signature]),
        _ => Err(count),
    }
}

/// Verifies a compact JWS against `keys`: see [`KeySet::verify_jws`].
pub(crate) fn verify<'k, 't>(
    keys: &'k KeySet,
    token: &'t str,
    max_len: usize,
) -> Result<Jws<'k, 't>, Error> {
    verify_in_order(keys, token, max_len, None, &mut 0, |signed| {
        Ok(Jws {
            key_index: signed.key_index,
            key: signed.key,
            payload: signed.payload_b64,
        })
    })
}

/// The JWS layer, in order: the size cap and three segments; the header (strict base64url,
/// then its rules); the payload (strict base64url, decoded once, here); the signature
/// (characters first, then its length, then RSA). Keys are tried in this order: a key the
/// header's `kid` names, then `remembered` (the key that verified last), then the rest in the
/// set's order, each at most once and only if its modulus is as long as the signature;
/// `checks` counts the RSA operations. `then` gets the key and the decoded payload.
pub(crate) fn verify_in_order<'k, 't, R>(
    keys: &'k KeySet,
    token: &'t str,
    max_len: usize,
    remembered: Option<usize>,
    checks: &mut u32,
    then: impl FnOnce(Signed<'k, 't, '_>) -> Result<R, Error>,
) -> Result<R, Error> {
    let [header, payload_b64, signature] = split(token, max_len)?;
    // The header may only move a key it names to the front; `None` keeps the set's order.
    let named = with_decoded(header, Segment::Header, |bytes| {
        let header = Header::parse(bytes)?;
        Ok(header
            .kid
            .and_then(|kid| keys.iter().position(|k| k.answers_to(&kid))))
    })?;
    with_decoded(payload_b64, Segment::Payload, |payload| {
        with_signature(signature, |sig| {
            // `header.payload` exactly as it stands in the token: both segments and the dot.
            let signing_input = token
                .get(..header.len() + 1 + payload_b64.len())
                .ok_or(Error::Malformed(Malformed::SegmentCount))?
                .as_bytes();
            let remembered = remembered.filter(|r| Some(*r) != named);
            let order = named
                .into_iter()
                .chain(remembered)
                .chain((0..keys.len()).filter(|i| Some(*i) != named && Some(*i) != remembered));
            for key_index in order {
                // A key whose modulus is not as long as the signature cannot verify it: no RSA
                // operation is spent on it.
                let Some(key) = keys.get(key_index).filter(|k| k.modulus_len() == sig.len()) else {
                    continue;
                };
                *checks += 1;
                if key.verify_rs256(signing_input, sig).is_ok() {
                    return then(Signed {
                        key_index,
                        key,
                        payload_b64,
                        payload,
                    });
                }
            }
            Err(Error::InvalidSignature)
        })
    })
}

/// The signature segment, decoded (on the stack) and handed to `f`. Its characters are
/// checked before its length: a segment outside the base64url alphabet is `malformed` whatever
/// its length, and a well-formed one longer than any key's signature is `invalid_signature`
/// without being decoded.
fn with_signature<R>(segment: &str, f: impl FnOnce(&[u8]) -> Result<R, Error>) -> Result<R, Error> {
    let malformed = Error::Malformed(Malformed::Base64(Segment::Signature));
    let bytes = segment.as_bytes();
    // A buffer as long as the signature's key size class: 2048, 4096 or 8192 bits.
    match decoded_len(segment.len()) {
        Some(len) if len <= 256 => f(decode(bytes, &mut [0; 256 + SLACK]).ok_or(malformed)?),
        Some(len) if len <= 512 => f(decode(bytes, &mut [0; 512 + SLACK]).ok_or(malformed)?),
        Some(len) if len <= MAX_SIGNATURE_LEN => {
            f(decode(bytes, &mut [0; MAX_SIGNATURE_LEN + SLACK]).ok_or(malformed)?)
        }
        Some(_) if is_base64url(bytes) => Err(Error::InvalidSignature),
        _ => Err(malformed),
    }
}

/// The value of each base64url character; [`INVALID`] for every other byte.
const BASE64URL: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < alphabet.len() {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};
/// Any value of 64 or more marks a byte outside the alphabet.
const INVALID: u8 = 0xff;

fn value(byte: u8) -> u32 {
    u32::from(BASE64URL[usize::from(byte)])
}

/// Whether `bytes` are strict unpadded base64url (RFC 7515 §2): only the URL-safe alphabet
/// (no padding, whitespace, `+` or `/`), a length that is not 1 mod 4, and zero unused bits
/// in the last character.
fn is_base64url(bytes: &[u8]) -> bool {
    let unused_bits = match bytes.len() % 4 {
        0 => 0,
        2 => 0b1111,
        3 => 0b11,
        _ => return false,
    };
    bytes.iter().all(|b| value(*b) < 64)
        && bytes
            .last()
            .is_none_or(|last| value(*last) & unused_bits == 0)
}

/// The exact decoded length of `encoded_len` unpadded base64 characters, `None` where no
/// input of that length is valid.
fn decoded_len(encoded_len: usize) -> Option<usize> {
    let tail = match encoded_len % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    Some(encoded_len / 4 * 3 + tail)
}

/// Each base64url character's six bits, already shifted to one of the four places of a
/// quad (`SHIFTED[place][byte]`); any other byte is [`BAD`], which survives the ORs.
const SHIFTED: [[u32; 256]; 4] = {
    let mut table = [[BAD; 256]; 4];
    let mut byte = 0;
    while byte < 256 {
        let v = BASE64URL[byte];
        if v < 64 {
            let v = v as u32;
            table[0][byte] = v << 18;
            table[1][byte] = v << 12;
            table[2][byte] = v << 6;
            table[3][byte] = v;
        }
        byte += 1;
    }
    table
};
const BAD: u32 = 1 << 31;

/// Room a decode buffer needs beyond the decoded length for the eight-byte stores of
/// [`decode`]'s fast loop (without it, only the last chunk is slower).
const SLACK: usize = 2;

/// Strictly decodes base64url (see [`is_base64url`]) into the front of `out`, in one pass
/// that also validates; `None` for input that is not strict base64url or does not fit.
fn decode<'o>(input: &[u8], out: &'o mut [u8]) -> Option<&'o [u8]> {
    let len = decoded_len(input.len())?;
    let [t0, t1, t2, t3] = &SHIFTED;
    let quad = |a: u8, b: u8, c: u8, d: u8| {
        t0[usize::from(a)] | t1[usize::from(b)] | t2[usize::from(c)] | t3[usize::from(d)]
    };
    let mut invalid = 0;
    // Eight characters make six bytes, written as one eight-byte store whose last two bytes
    // the next store (or the slack) overwrites.
    let (mut read, mut written) = (0, 0);
    while let (Some(&[a, b, c, d, e, f, g, h]), Some(target)) =
        (input.get(read..read + 8), out.get_mut(written..written + 8))
    {
        let (high, low) = (quad(a, b, c, d), quad(e, f, g, h));
        invalid |= high | low;
        let word = u64::from(high) << 40 | u64::from(low & 0xff_ffff) << 16;
        target.copy_from_slice(&word.to_be_bytes());
        read += 8;
        written += 6;
    }
    let out = out.get_mut(..len)?;
    let quads = input.get(read..)?.chunks_exact(4);
    let tail = quads.remainder();
    let mut triples = out.get_mut(written..)?.chunks_exact_mut(3);
    for (chunk, triple) in quads.zip(triples.by_ref()) {
        let (&[a, b, c, d], [x, y, z]) = (chunk, triple) else {
            return None;
        };
        let n = quad(a, b, c, d);
        invalid |= n;
        [_, *x, *y, *z] = n.to_be_bytes();
    }
    let rest = triples.into_remainder();
    match (tail, rest) {
        ([], []) => {}
        // Two characters make one byte; the second's low four bits are unused and must be 0.
        (&[a, b], [x]) => {
            let n = t0[usize::from(a)] | t1[usize::from(b)];
            invalid |= n | u32::from(n & 0xf000 != 0) << 31;
            [_, *x, _, _] = n.to_be_bytes();
        }
        // Three make two; the third's low two bits are unused and must be 0.
        (&[a, b, c], [x, y]) => {
            let n = t0[usize::from(a)] | t1[usize::from(b)] | t2[usize::from(c)];
            invalid |= n | u32::from(n & 0xc0 != 0) << 31;
            [_, *x, *y, _] = n.to_be_bytes();
        }
        _ => return None,
    }
    (invalid & BAD == 0).then_some(&*out)
}

/// Decodes a segment (on the stack when small) and hands the bytes to `f`.
pub(crate) fn with_decoded<R>(
    segment: &str,
    which: Segment,
    f: impl FnOnce(&[u8]) -> Result<R, Error>,
) -> Result<R, Error> {
    let err = Error::Malformed(Malformed::Base64(which));
    let len = decoded_len(segment.len()).ok_or(err)?;
    let bytes = segment.as_bytes();
    // Two sizes on the stack (a header, a facilioo payload), the heap beyond.
    if len <= 256 {
        f(decode(bytes, &mut [0; 256 + SLACK]).ok_or(err)?)
    } else if len <= 2048 {
        f(decode(bytes, &mut [0; 2048 + SLACK]).ok_or(err)?)
    } else {
        f(decode(bytes, &mut vec![0; len + SLACK]).ok_or(err)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    /// The decoder against the base64 crate's strict URL-safe engine, on every input of up to
    /// three characters over a small alphabet that includes the edges, and on lengths 0..64.
    #[test]
    fn decode_agrees_with_the_base64_crate() {
        let chars = b"AQgw_-Z+/= .\x80";
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=4 {
            let mut next = Vec::new();
            for prefix in inputs.iter().filter(|p| p.len() == len - 1) {
                for c in chars {
                    next.push([prefix.as_slice(), &[*c]].concat());
                }
            }
            inputs.extend(next);
        }
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let encoded = URL_SAFE_NO_PAD.encode(&bytes).into_bytes();
            // One bad byte here and there, and two in one eight-character chunk (one in each
            // half, where the fast loop combines them).
            for at in (0..encoded.len()).step_by(7) {
                let mut bad = encoded.clone();
                bad[at] = b'=';
                inputs.push(bad.clone());
                if let Some(b) = bad.get_mut(at + 4) {
                    *b = b'!';
                    inputs.push(bad);
                }
            }
            inputs.push(encoded);
        }
        for input in inputs {
            let mut reference = vec![0; input.len() + 3];
            let want = URL_SAFE_NO_PAD
                .decode_slice(&input, &mut reference)
                .ok()
                .map(|n| reference[..n].to_vec());
            let exact = want.as_ref().map_or(0, Vec::len);
            // With room for the fast loop's stores, and without: the same bytes.
            for room in [exact, exact + 1, exact + SLACK, input.len() + 8] {
                let mut out = vec![0; room];
                let got = decode(&input, &mut out).map(<[u8]>::to_vec);
                assert_eq!(got, want, "{:?} in {room}", String::from_utf8_lossy(&input));
            }
            assert_eq!(is_base64url(&input), want.is_some(), "{input:?}");
        }
    }

    #[test]
    fn decode_needs_room() {
        assert_eq!(decode(b"QUJD", &mut [0; 2]), None);
        assert_eq!(
            decode(b"QUJD", &mut [0; 3]).map(<[u8]>::to_vec),
            Some(b"ABC".to_vec())
        );
    }
}
