//! Reading a token **without verifying it**, for debugging and tooling only.
//!
//! Nothing here checks a signature, the algorithm, the time or any claim: whoever made the token
//! chose every byte. Never base a decision on what these functions return.

use serde_json::Value;
use time::OffsetDateTime;

use crate::json::check_object;
use crate::jws::{split, with_decoded};
use crate::verify::check_claims as check;
use crate::{CheckedClaims, DEFAULT_MAX_TOKEN_LEN, Error, Policy, Segment};

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

/// Applies `policy`'s claim rules as of `now` to a decoded payload (claims JSON) whose
/// signature was **not** verified: the same parsing and checks [`Verifier::verify`] runs after
/// the signature. For tooling and fuzzing; an `Ok` here proves nothing about who made it.
///
/// [`Verifier::verify`]: crate::Verifier::verify
///
/// ```
/// use facilioo_jwt::{Policy, insecure::check_claims};
/// use time::macros::datetime;
///
/// let policy = Policy::facilioo_dev();
/// let claims = br#"{"exp":1651763842,"iss":"dev-api.facilioo.de","aud":"dev-app.facilioo.de","sub":{"accountId":2}}"#;
/// let checked = check_claims(claims, &policy, datetime!(2022-05-05 14:30 UTC))?;
/// assert_eq!(checked.subject().account_id().0, 2);
/// assert!(check_claims(claims, &policy, datetime!(2022-05-06 0:00 UTC)).unwrap_err().is_expired());
/// # Ok::<(), facilioo_jwt::Error>(())
/// ```
pub fn check_claims<'p>(
    payload: &[u8],
    policy: &'p Policy,
    now: OffsetDateTime,
) -> Result<CheckedClaims<'p>, Error> {
    check(payload, policy, now)
}
