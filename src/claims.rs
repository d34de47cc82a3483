//! The claims of a verified token, and the policy checks that produce them.

use crate::error::Claim;
use crate::json::{PartyTypeClaim, RawClaims};
use crate::text::Text;
use crate::{Error, PartyType, Policy, Subject, UnixTime};

/// The claims of a token that satisfied a [`Policy`]: who it speaks for, its party type,
/// issuer and audience, and when it is valid.
///
/// Owned, `Clone + Send + Sync + 'static`, and cheap: nothing of the token is kept, and the
/// issuer and audience are the policy's own strings (copied when short, as every documented
/// facilioo one is, so that cloning a token writes no memory other threads share).
/// Reached through [`VerifiedToken`](crate::VerifiedToken) (which dereferences to it) or,
/// without any signature check, through
/// [`insecure::check_claims`](crate::insecure::check_claims).
///
/// With the `serde` feature it is serialized as the JWT claims it came from:
/// `{"sub":{"accountId":2,"companyId":2},"iss":"…","aud":"…","nbf":…,"exp":…}` (plus
/// `partyType` when there is one, as its facilioo id). It can be deserialized too, for a
/// session store, say: a deserialized `Claims` is data, not proof; only a
/// [`VerifiedToken`](crate::VerifiedToken) is that, and it cannot be deserialized.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Claims {
    #[cfg_attr(feature = "serde", serde(rename = "sub"))]
    subject: Subject,
    #[cfg_attr(
        feature = "serde",
        serde(rename = "partyType", default, skip_serializing_if = "Option::is_none")
    )]
    party_type: Option<PartyType>,
    /// The party-type claim is present but could not be read (`party_type` is then `None`).
    #[cfg_attr(feature = "serde", serde(skip))]
    party_type_unreadable: bool,
    #[cfg_attr(feature = "serde", serde(rename = "iss"))]
    issuer: Text,
    #[cfg_attr(feature = "serde", serde(rename = "aud"))]
    audience: Text,
    #[cfg_attr(
        feature = "serde",
        serde(rename = "nbf", default, skip_serializing_if = "Option::is_none")
    )]
    not_before: Option<UnixTime>,
    #[cfg_attr(feature = "serde", serde(rename = "exp"))]
    expires_at: UnixTime,
}

impl Claims {
    /// The account (and company) the token speaks for.
    pub fn subject(&self) -> Subject {
        self.subject
    }

    /// The account's party type: `None` when the configured claim is absent, `null`, or
    /// unreadable (a negative or too large number, a string that is no documented name, any
    /// other type). Such a token is refused only by a policy that requires party types
    /// ([`Policy::with_allowed_party_types`]).
    pub fn party_type(&self) -> Option<PartyType> {
        self.party_type
    }

    /// Whether the party-type claim was there but unreadable, as opposed to absent or
    /// `null`, when [`party_type`](Self::party_type) is `None`. (The HTTP glue's per-route
    /// check says which.)
    #[cfg(feature = "http")]
    pub(crate) fn party_type_unreadable(&self) -> bool {
        self.party_type_unreadable
    }

    /// The token's `iss`, equal to one of the policy's issuers.
    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// The token's audience that matched: the first element of its `aud` (or the `aud`
    /// string) that is one of the policy's audiences.
    pub fn audience(&self) -> &str {
        self.audience.as_str()
    }

    /// The token's `nbf`, if it has one.
    pub fn not_before(&self) -> Option<UnixTime> {
        self.not_before
    }

    /// The token's `exp`.
    pub fn expires_at(&self) -> UnixTime {
        self.expires_at
    }

    /// Whether the claims are current as of `now`: `nbf − leeway ≤ now < exp + leeway`
    /// (RFC 7519 §4.1.4, §4.1.5), computed in `i128` so no value overflows.
    pub(crate) fn check_window(&self, now: UnixTime, leeway: u64) -> Result<(), Error> {
        let (now_s, leeway) = (i128::from(now.as_secs()), i128::from(leeway));
        if now_s >= i128::from(self.expires_at.as_secs()) + leeway {
            return Err(Error::Expired {
                exp: self.expires_at,
                now,
            });
        }
        match self.not_before {
            Some(nbf) if now_s < i128::from(nbf.as_secs()) - leeway => {
                Err(Error::NotYetValid { nbf, now })
            }
            _ => Ok(()),
        }
    }
}

/// Parses decoded claims and applies every rule of `policy` that does not depend on the time,
/// in order: the claims' types, then `exp`, `iss`, `aud`, `sub`, party type. The time window
/// is [`Claims::check_window`], checked last.
pub(crate) fn check(payload: &[u8], policy: &Policy) -> Result<Claims, Error> {
    let claims = RawClaims::parse(payload, policy)?;
    let expires_at = claims.exp.ok_or(Error::MissingClaim(Claim::Exp))?;
    let issuer = match claims.iss {
        None => return Err(Error::MissingClaim(Claim::Iss)),
        Some(index) => index.and_then(|i| policy.issuer(i)),
    }
    .ok_or(Error::InvalidIssuer)?;
    let audience = match claims.aud {
        None => return Err(Error::MissingClaim(Claim::Aud)),
        Some(index) => index.and_then(|i| policy.audience(i)),
    }
    .ok_or(Error::InvalidAudience)?;
    let subject = claims.sub.ok_or(Error::MissingClaim(Claim::Sub))?;
    if let Some(allowed) = policy.allowed_party_types() {
        match claims.party_type {
            PartyTypeClaim::Unreadable => return Err(Error::InvalidClaim(Claim::PartyType)),
            PartyTypeClaim::Read(p) if p.is_in(allowed) => {}
            other => return Err(Error::PartyTypeNotAllowed(other.known())),
        }
    }
    Ok(Claims {
        subject,
        party_type: claims.party_type.known(),
        party_type_unreadable: claims.party_type == PartyTypeClaim::Unreadable,
        issuer: Text::from(issuer),
        audience: Text::from(audience),
        not_before: claims.nbf,
        expires_at,
    })
}
