//! The compact JWS layer on its own: size cap, segments, strict base64url, header rules,
//! signature. [`KeySet::verify_jws`] returns a [`Jws`]; for tokens, use
//! [`Verifier::verify`](crate::Verifier::verify), which runs this layer and then the claims.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{Malformed, Segment};
use crate::json::Header;
use crate::keys::PublicKey;
use crate::limits::MAX_MODULUS_BITS;
use crate::{Error, KeySet};

/// The longest signature any accepted key makes, in bytes.
const MAX_SIGNATURE_LEN: usize = MAX_MODULUS_BITS / 8;
/// Segments up to this many decoded bytes are decoded on the stack.
const STACK_SEGMENT: usize = 1536;

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

/// Splits a token into its three segments, after the size cap.
pub(crate) fn split(token: &str, max_len: usize) -> Result<[&str; 3], Error> {
    if token.len() > max_len {
        return Err(Error::TooLarge {
            len: token.len(),
            max: max_len,
        });
    }
    let mut parts = token.splitn(4, '.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => Ok([h, p, s]),
        _ => Err(Error::Malformed(Malformed::SegmentCount)),
    }
}

/// Verifies a compact JWS against `keys`: see [`KeySet::verify_jws`].
pub(crate) fn verify<'k, 't>(
    keys: &'k KeySet,
    token: &'t str,
    max_len: usize,
) -> Result<Jws<'k, 't>, Error> {
    verify_in_order(keys, token, max_len, None, &mut 0)
}

/// [`verify`], trying keys in this order: a key the header's `kid` names, then `remembered`
/// (the key that verified last), then the rest in the set's order; each key at most once.
/// `checks` counts the RSA operations made.
pub(crate) fn verify_in_order<'k, 't>(
    keys: &'k KeySet,
    token: &'t str,
    max_len: usize,
    remembered: Option<usize>,
    checks: &mut u32,
) -> Result<Jws<'k, 't>, Error> {
    let [header, payload, signature] = split(token, max_len)?;
    // Structure before meaning: all three segments are strict base64url, checked without
    // decoding (so an over-long signature costs one scan of its characters, nothing more).
    check_base64url(header, Segment::Header)?;
    check_base64url(payload, Segment::Payload)?;
    let sig_len = check_base64url(signature, Segment::Signature)?;
    // The header may only move a key it names to the front; `None` keeps the set's order.
    let named = with_decoded(header, Segment::Header, |bytes| {
        let header = Header::parse(bytes)?;
        Ok(header
            .kid
            .and_then(|kid| keys.iter().position(|k| k.answers_to(&kid))))
    })?;

    if sig_len > MAX_SIGNATURE_LEN {
        return Err(Error::InvalidSignature);
    }
    let mut sig = [0u8; MAX_SIGNATURE_LEN + 2];
    let sig = decode(signature, &mut sig, Segment::Signature)?;

    // `header.payload` exactly as it stands in the token: both segments plus the dot between.
    let signing_input = token
        .get(..header.len() + 1 + payload.len())
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
            return Ok(Jws {
                key_index,
                key,
                payload,
            });
        }
    }
    Err(Error::InvalidSignature)
}

/// The value of each base64url character, [`INVALID`] for every other byte.
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
const INVALID: u8 = 0xff;

/// Checks that `segment` is strict unpadded base64url (RFC 7515 §2): only the URL-safe
/// alphabet, no padding or whitespace, a length that is not 1 mod 4, and zero unused bits in
/// the last character. Returns the decoded length. Nothing is decoded.
pub(crate) fn check_base64url(segment: &str, which: Segment) -> Result<usize, Error> {
    let err = Error::Malformed(Malformed::Base64(which));
    let bytes = segment.as_bytes();
    if bytes.iter().any(|b| BASE64URL[usize::from(*b)] == INVALID) {
        return Err(err);
    }
    let len = decoded_len(bytes.len()).ok_or(err)?;
    // The last character of a 2- or 3-character group carries 4 or 2 bits that no byte uses.
    let unused_bits = match bytes.len() % 4 {
        2 => 0b1111,
        3 => 0b11,
        _ => 0,
    };
    match bytes.last() {
        Some(last) if BASE64URL[usize::from(*last)] & unused_bits != 0 => Err(err),
        _ => Ok(len),
    }
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

/// Strictly decodes one segment into `out`, which must hold its decoded length plus two.
fn decode<'o>(segment: &str, out: &'o mut [u8], which: Segment) -> Result<&'o [u8], Error> {
    let err = Error::Malformed(Malformed::Base64(which));
    // `URL_SAFE_NO_PAD` refuses padding, whitespace, `+` and `/`, and non-zero trailing bits.
    let n = URL_SAFE_NO_PAD
        .decode_slice(segment, &mut *out)
        .map_err(|_| err)?;
    out.get(..n).ok_or(err)
}

/// Decodes a segment (on the stack when small) and hands the bytes to `f`.
pub(crate) fn with_decoded<R>(
    segment: &str,
    which: Segment,
    f: impl FnOnce(&[u8]) -> Result<R, Error>,
) -> Result<R, Error> {
    let len = decoded_len(segment.len()).ok_or(Error::Malformed(Malformed::Base64(which)))?;
    // The base64 crate wants room for its estimate, up to two bytes over the exact length.
    let room = len + 2;
    if room <= STACK_SEGMENT {
        let mut buf = [0u8; STACK_SEGMENT];
        f(decode(segment, &mut buf[..room], which)?)
    } else {
        let mut buf = vec![0u8; room];
        f(decode(segment, &mut buf, which)?)
    }
}
