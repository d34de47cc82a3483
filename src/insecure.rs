//! Reading a token **without verifying it**, for debugging and tooling only.
//!
//! Nothing here checks a signature, the algorithm, the time or any claim: whoever made the token
//! chose every byte. Never base a decision on what these functions return.

use serde_json::Value;

use crate::json::check_object;
use crate::jws::{split, with_decoded};
use crate::{DEFAULT_MAX_TOKEN_LEN, Error, Segment};

/// A token's header and claims, decoded but **not verified**.
#[derive(Clone, Debug, PartialEq)]
pub struct Unverified {
    /// The JOSE header, as JSON.
    pub header: Value,
    /// The claims, as JSON.
    pub claims: Value,
    /// The length of the decoded signature in bytes.
    pub signature_len: usize,
}

/// Decodes a compact JWT **without verifying anything but its shape**: at most
/// [`DEFAULT_MAX_TOKEN_LEN`] bytes, three strict base64url segments, header and claims JSON
/// objects without duplicate members.
///
/// ```
/// let token = include_str!("../tests/data/example-token.txt").trim();
/// let decoded = facilioo_jwt::insecure::decode_unverified(token)?;
/// assert_eq!(decoded.header["alg"], "RS256");
/// assert_eq!(decoded.claims["sub"]["accountId"], 2);
/// # Ok::<(), facilioo_jwt::Error>(())
/// ```
pub fn decode_unverified(token: &str) -> Result<Unverified, Error> {
    let [header, payload, signature] = split(token, DEFAULT_MAX_TOKEN_LEN)?;
    let object = |segment, which| {
        with_decoded(segment, which, |bytes| {
            check_object(bytes, which)?;
            serde_json::from_slice(bytes)
                .map_err(|_| Error::Malformed(crate::Malformed::Json(which)))
        })
    };
    Ok(Unverified {
        header: object(header, Segment::Header)?,
        claims: object(payload, Segment::Payload)?,
        signature_len: with_decoded(signature, Segment::Signature, |bytes| Ok(bytes.len()))?,
    })
}
