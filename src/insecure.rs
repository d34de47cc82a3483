//! Reading a token **without verifying it**, for debugging and tooling only.
//!
//! Nothing here checks a signature, the algorithm, the time or any claim: whoever made the token
//! chose every byte. Never base a decision on what these functions return.

use serde_json::Value;

use crate::error::{Malformed, Segment};
use crate::json::check_object;
use crate::jws::{split, with_decoded};
use crate::policy::DEFAULT_MAX_TOKEN_LEN;
use crate::{Claims, Error, Policy, UnixTime, claims};

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
/// objects without duplicate top-level members.
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
            serde_json::from_slice(bytes).map_err(|_| Error::Malformed(Malformed::Json(which)))
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
/// the signature, the time window last. For tooling and fuzzing; an `Ok` here proves nothing
/// about who made it.
///
/// [`Verifier::verify`]: crate::Verifier::verify
///
/// ```
/// use facilioo_jwt::{Policy, UnixTime, insecure::check_claims};
///
/// let policy = Policy::facilioo_dev();
/// let claims = br#"{"exp":1651763842,"iss":"dev-api.facilioo.de","aud":"dev-app.facilioo.de","sub":{"accountId":2}}"#;
/// let checked = check_claims(claims, &policy, UnixTime::from_secs(1_651_761_000))?;
/// assert_eq!(checked.subject().account_id(), 2);
/// let a_day_later = UnixTime::from_secs(1_651_848_000);
/// assert!(check_claims(claims, &policy, a_day_later).unwrap_err().is_expired());
/// # Ok::<(), facilioo_jwt::Error>(())
/// ```
pub fn check_claims(
    payload: &[u8],
    policy: &Policy,
    now: impl Into<UnixTime>,
) -> Result<Claims, Error> {
    let claims = claims::check(payload, policy)?;
    claims.check_window(now.into(), policy.leeway_secs())?;
    Ok(claims)
}
