//! The verifier: signature first, then the claims against the policy.

use time::OffsetDateTime;

use crate::json::{PartyTypeClaim, RawClaims};
use crate::jws::{self, Jws};
use crate::{Claim, Error, KeySet, PartyType, Policy, PublicKey, Segment, Subject};

/// Verifies facilioo access tokens: a key set and a policy, built once and shared.
///
/// `Verifier` is `Send + Sync` and verification takes `&self`, so one instance serves every
/// thread of a service.
///
/// ```
/// use facilioo_jwt::{Error, KeySet, Policy, Verifier};
/// use time::macros::datetime;
///
/// // The example token from facilioo's docs, signed by a key facilioo has since retired.
/// let token = include_str!("../tests/data/example-token.txt").trim();
/// let retired = KeySet::from_pem(include_str!("../tests/data/retired-key-2022.pem"))?;
/// let verifier = Verifier::new(retired, Policy::facilioo_dev());
///
/// let verified = verifier.verify(token, datetime!(2022-05-05 14:30 UTC))?;
/// assert_eq!(verified.subject().account_id().0, 2);
/// assert_eq!(verified.issuer(), "dev-api.facilioo.de");
///
/// // An hour later it has expired: the client should refresh it.
/// let err = verifier.verify(token, datetime!(2022-05-05 16:30 UTC)).unwrap_err();
/// assert!(err.is_expired());
///
/// // facilioo's current keys did not sign it.
/// let current = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
/// assert_eq!(current.verify(token, datetime!(2022-05-05 14:30 UTC)), Err(Error::InvalidSignature));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    keys: KeySet,
    policy: Policy,
}

impl Verifier {
    /// A verifier that trusts `keys` and applies `policy`.
    pub fn new(keys: KeySet, policy: Policy) -> Self {
        Self { keys, policy }
    }

    /// The trusted keys.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The claim policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Verifies `token` as of `now`: structure and header, the RS256 signature against each
    /// key of the set, then the claims (time window with leeway, `iss`, `aud`, `sub`, party
    /// type). The first failure is returned; see [`Error`] for the order.
    pub fn verify<'v>(
        &'v self,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<VerifiedToken<'v>, Error> {
        let jws = jws::verify(&self.keys, token, self.policy.max_token_len())?;
        let claims = jws::with_decoded(jws.payload_b64(), Segment::Payload, |bytes| {
            check_claims(bytes, &self.policy, now)
        })?;
        Ok(VerifiedToken {
            claims,
            key_index: jws.key_index(),
            key: jws.key(),
        })
    }

    /// [`verify`](Self::verify) as of the system clock.
    pub fn verify_now<'v>(&'v self, token: &str) -> Result<VerifiedToken<'v>, Error> {
        self.verify(token, OffsetDateTime::now_utc())
    }
}

/// Parses decoded claims and applies `policy` as of `now`, in order: `exp`, the time window,
/// `iss`, `aud`, `sub`, party type. Type errors found while parsing come first.
pub(crate) fn check_claims<'p>(
    payload: &[u8],
    policy: &'p Policy,
    now: OffsetDateTime,
) -> Result<CheckedClaims<'p>, Error> {
    let claims = RawClaims::parse(payload, policy)?;
    let exp = claims.exp.ok_or(Error::MissingClaim(Claim::Exp))?;
    check_window(exp, claims.nbf, now, policy.leeway_secs())?;
    let issuer = match claims.iss {
        None => return Err(Error::MissingClaim(Claim::Iss)),
        Some(None) => return Err(Error::InvalidIssuer),
        Some(Some(i)) => policy.issuer(i),
    };
    let audience = match claims.aud {
        None => return Err(Error::MissingClaim(Claim::Aud)),
        Some(None) => return Err(Error::InvalidAudience),
        Some(Some(i)) => policy.audience(i),
    };
    let subject = claims.sub.ok_or(Error::MissingClaim(Claim::Sub))?;
    if let Some(allowed) = policy.allowed_party_types() {
        match claims.party_type {
            PartyTypeClaim::Unreadable => return Err(Error::InvalidClaim(Claim::PartyType)),
            PartyTypeClaim::Read(p) if allowed.iter().any(|a| a.id() == p.id()) => {}
            other => return Err(Error::PartyTypeNotAllowed(other.known())),
        }
    }
    Ok(CheckedClaims {
        subject,
        party_type: claims.party_type.known(),
        issuer,
        audience,
        nbf: claims.nbf,
        exp,
    })
}

/// Valid iff `nbf − leeway ≤ now < exp + leeway` (RFC 7519 §4.1.4, §4.1.5), in `i128` so no
/// value overflows.
fn check_window(
    exp: OffsetDateTime,
    nbf: Option<OffsetDateTime>,
    now: OffsetDateTime,
    leeway: u64,
) -> Result<(), Error> {
    let (now_s, leeway) = (i128::from(now.unix_timestamp()), i128::from(leeway));
    if now_s >= i128::from(exp.unix_timestamp()) + leeway {
        return Err(Error::Expired { exp, now });
    }
    match nbf {
        Some(nbf) if now_s < i128::from(nbf.unix_timestamp()) - leeway => {
            Err(Error::NotYetValid { nbf, now })
        }
        _ => Ok(()),
    }
}

/// Claims that satisfied a [`Policy`]: who the token speaks for, and when it is valid.
///
/// Borrows the issuer and audience from the policy, so nothing of the payload is kept or
/// copied. Reached through [`VerifiedToken`] (which dereferences to it) or, without any
/// signature check, through [`insecure::check_claims`](crate::insecure::check_claims).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedClaims<'p> {
    subject: Subject,
    party_type: Option<PartyType>,
    issuer: &'p str,
    audience: &'p str,
    nbf: Option<OffsetDateTime>,
    exp: OffsetDateTime,
}

impl<'p> CheckedClaims<'p> {
    /// The account (and company) the token speaks for.
    pub fn subject(&self) -> Subject {
        self.subject
    }

    /// The account's party type: `None` when the configured claim is absent, `null`, or
    /// unreadable (a negative or too large number, a string that is no documented name, any
    /// other type). Such a token is refused only by a policy that requires party types
    /// ([`Policy::with_allowed_party_types`](crate::Policy::with_allowed_party_types)).
    pub fn party_type(&self) -> Option<PartyType> {
        self.party_type
    }

    /// The token's `iss`, equal to one of the policy's issuers.
    pub fn issuer(&self) -> &'p str {
        self.issuer
    }

    /// The token's audience that matched: the first element of its `aud` (or the `aud`
    /// string) that is one of the policy's audiences.
    pub fn audience(&self) -> &'p str {
        self.audience
    }

    /// The token's `nbf`, if it has one.
    pub fn not_before(&self) -> Option<OffsetDateTime> {
        self.nbf
    }

    /// The token's `exp`.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.exp
    }
}

/// A token that verified: its [`CheckedClaims`] (through `Deref`: `subject()`, `issuer()`,
/// `expires_at()`, …) and the key that vouched for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedToken<'v> {
    claims: CheckedClaims<'v>,
    key_index: usize,
    key: &'v PublicKey,
}

impl<'v> VerifiedToken<'v> {
    /// The checked claims.
    pub fn claims(&self) -> &CheckedClaims<'v> {
        &self.claims
    }

    /// The position in the key set of the key that verified the signature.
    pub fn key_index(&self) -> usize {
        self.key_index
    }

    /// The key that verified the signature (see [`PublicKey::thumbprint`] for a stable id).
    pub fn key(&self) -> &'v PublicKey {
        self.key
    }
}

impl<'v> core::ops::Deref for VerifiedToken<'v> {
    type Target = CheckedClaims<'v>;
    fn deref(&self) -> &Self::Target {
        &self.claims
    }
}

impl KeySet {
    /// Verifies the compact JWS layer only: the size cap `max_len`, three strict base64url
    /// segments, the header rules (`alg` exactly `RS256`, no `crit`, `typ` absent or `JWT`),
    /// and the signature against each key (a header `kid` naming a key of the set moves it to
    /// the front). The payload is neither parsed nor checked: for a JWT use
    /// [`Verifier::verify`].
    pub fn verify_jws<'k, 't>(
        &'k self,
        token: &'t str,
        max_len: usize,
    ) -> Result<Jws<'k, 't>, Error> {
        jws::verify(self, token, max_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn verifier_is_send_and_sync() {
        assert_send_sync::<Verifier>();
        assert_send_sync::<KeySet>();
        assert_send_sync::<Error>();
    }
}
