//! Why a token was refused: [`Error`] (also at the crate root) and the details it carries.

use core::fmt;

use crate::{PartyType, UnixTime};

/// Why a token was refused.
///
/// Every variant carries only typed context: never token bytes, key bytes or attacker-chosen
/// strings, so an error may be logged or returned to the client as it is. Each variant has a
/// stable machine-readable [`code`](Error::code).
///
/// The checks run in this order, and the first failure is reported:
/// 1. the size cap (`too_large`), the three strict base64url segments (`malformed`);
/// 2. the header (`malformed`, `unsupported_algorithm`, `unsupported_critical`,
///    `invalid_type`);
/// 3. the signature (`invalid_signature`), and whether the policy refuses the test key that
///    verified it (`test_key`);
/// 4. the claims, parsed only after a key verified the signature: their shape and types
///    (`malformed`, `invalid_claim`), then, claim by claim in the order `exp`, `iss`, `aud`,
///    `sub`, party type: `missing_claim`, `invalid_issuer`, `invalid_audience`,
///    `party_type_not_allowed`;
/// 5. the time window last (`expired`, `not_yet_valid`), so `expired`, the one error a client
///    answers by refreshing, is only reported for a token that is otherwise good.
///
/// A token that is both badly signed and expired therefore reports `invalid_signature`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// The token is not a well-formed compact JWS/JWT; the payload says where.
    Malformed(Malformed),
    /// The token is longer than the configured cap
    /// ([`Policy::with_max_token_len`](crate::Policy::with_max_token_len)); nothing was decoded.
    TooLarge {
        /// Length of the token in bytes.
        len: usize,
        /// The configured cap in bytes.
        max: usize,
    },
    /// The header's `alg` is missing, not a string, or anything but exactly `RS256`
    /// ([RFC 8725 §3.1](https://www.rfc-editor.org/rfc/rfc8725#section-3.1)). No key was tried.
    UnsupportedAlgorithm,
    /// The header has a `crit` member: this crate understands no extension, so by
    /// [RFC 7515 §4.1.11](https://www.rfc-editor.org/rfc/rfc7515#section-4.1.11) it must
    /// refuse. Also for a `b64` member (any value), the
    /// [RFC 7797](https://www.rfc-editor.org/rfc/rfc7797) extension that changes what the
    /// signature covers.
    UnsupportedCritical,
    /// The header's `typ` is present and not exactly `JWT`
    /// ([RFC 7519 §5.1](https://www.rfc-editor.org/rfc/rfc7519#section-5.1)), or the header
    /// has a `cty` member (any value): `cty` announces a nested JWT or other content
    /// ([RFC 7519 §5.2](https://www.rfc-editor.org/rfc/rfc7519#section-5.2)), whose claims this
    /// crate would never read.
    InvalidType,
    /// No key of the set verified the signature. Deliberately without detail.
    InvalidSignature,
    /// The signature verified, but under one of the test keys this crate ships, and the
    /// policy refuses them ([`Policy::refuse_test_keys`](crate::Policy::refuse_test_keys)):
    /// their private halves are public, so anyone could have signed it.
    TestKey,
    /// `now` is at or after `exp` plus the leeway
    /// ([RFC 7519 §4.1.4](https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4)).
    /// The one error a client answers by refreshing its token.
    Expired {
        /// The token's `exp` claim.
        exp: UnixTime,
        /// The time the token was checked at.
        now: UnixTime,
    },
    /// `now` is before `nbf` minus the leeway
    /// ([RFC 7519 §4.1.5](https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5)).
    NotYetValid {
        /// The token's `nbf` claim.
        nbf: UnixTime,
        /// The time the token was checked at.
        now: UnixTime,
    },
    /// The `iss` claim is a string but not one of the configured issuers (exact match).
    InvalidIssuer,
    /// No element of the `aud` claim is one of the configured audiences.
    InvalidAudience,
    /// A required claim is absent.
    MissingClaim(Claim),
    /// A claim is present but has the wrong type or an out-of-range value (a string, float,
    /// `null`, bool or array where an integer belongs, an empty `aud` array, …). Never reported
    /// as absent.
    InvalidClaim(Claim),
    /// The policy requires one of a set of party types and the token's party type (`None`:
    /// the token carries none) is not in it.
    PartyTypeNotAllowed(Option<PartyType>),
}

impl Error {
    /// A stable, machine-readable code for this error, e.g. `"expired"`.
    ///
    /// | code | variant |
    /// | --- | --- |
    /// | `malformed` | [`Error::Malformed`] |
    /// | `too_large` | [`Error::TooLarge`] |
    /// | `unsupported_algorithm` | [`Error::UnsupportedAlgorithm`] |
    /// | `unsupported_critical` | [`Error::UnsupportedCritical`] |
    /// | `invalid_type` | [`Error::InvalidType`] |
    /// | `invalid_signature` | [`Error::InvalidSignature`] |
    /// | `test_key` | [`Error::TestKey`] |
    /// | `expired` | [`Error::Expired`] |
    /// | `not_yet_valid` | [`Error::NotYetValid`] |
    /// | `invalid_issuer` | [`Error::InvalidIssuer`] |
    /// | `invalid_audience` | [`Error::InvalidAudience`] |
    /// | `missing_claim` | [`Error::MissingClaim`] |
    /// | `invalid_claim` | [`Error::InvalidClaim`] |
    /// | `party_type_not_allowed` | [`Error::PartyTypeNotAllowed`] |
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::TooLarge { .. } => "too_large",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::UnsupportedCritical => "unsupported_critical",
            Self::InvalidType => "invalid_type",
            Self::InvalidSignature => "invalid_signature",
            Self::TestKey => "test_key",
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::InvalidIssuer => "invalid_issuer",
            Self::InvalidAudience => "invalid_audience",
            Self::MissingClaim(_) => "missing_claim",
            Self::InvalidClaim(_) => "invalid_claim",
            Self::PartyTypeNotAllowed(_) => "party_type_not_allowed",
        }
    }

    /// `true` for [`Error::Expired`]: the token was genuine and is merely too old, so the
    /// client should refresh it (facilioo: `/api/auth/refresh`) rather than log in again.
    pub fn is_expired(&self) -> bool {
        matches!(self, Self::Expired { .. })
    }

    /// The HTTP status a resource server answers with: `403 Forbidden` for
    /// [`Error::PartyTypeNotAllowed`] (the token is genuine, the account may not do this),
    /// `401 Unauthorized` for everything else
    /// ([RFC 6750 §3.1](https://www.rfc-editor.org/rfc/rfc6750#section-3.1)).
    pub fn http_status(&self) -> u16 {
        match self {
            Self::PartyTypeNotAllowed(_) => 403,
            _ => 401,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(m) => write!(f, "malformed token: {m}"),
            Self::TooLarge { len, max } => {
                write!(f, "token is {len} bytes, more than the limit of {max}")
            }
            Self::UnsupportedAlgorithm => {
                f.write_str("unsupported algorithm: only RS256 is accepted")
            }
            Self::UnsupportedCritical => {
                f.write_str("the header uses an extension (crit or b64), none are supported")
            }
            Self::InvalidType => f.write_str("header typ is not JWT, or the header has a cty"),
            Self::InvalidSignature => f.write_str("signature not verified by any trusted key"),
            Self::TestKey => f.write_str(
                "signed by a test key whose private half is public, which the policy refuses",
            ),
            Self::Expired { exp, now } => {
                write!(f, "token expired at {exp} (checked at {now})")
            }
            Self::NotYetValid { nbf, now } => {
                write!(f, "token not valid before {nbf} (checked at {now})")
            }
            Self::InvalidIssuer => f.write_str("issuer (iss) is not trusted"),
            Self::InvalidAudience => {
                f.write_str("audience (aud) names none of the accepted audiences")
            }
            Self::MissingClaim(c) => write!(f, "required claim {c} is missing"),
            Self::InvalidClaim(c) => write!(f, "claim {c} has an invalid type or value"),
            Self::PartyTypeNotAllowed(Some(p)) => write!(f, "party type {p} is not allowed"),
            Self::PartyTypeNotAllowed(None) => {
                f.write_str("token carries no party type and the policy requires one")
            }
        }
    }
}

impl std::error::Error for Error {}

/// Where and how a token is not a well-formed compact JWS.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Malformed {
    /// Not exactly three `.`-separated segments.
    SegmentCount,
    /// A segment is not strict unpadded base64url (padding, whitespace, `+`, `/`, or
    /// non-canonical trailing bits).
    Base64(Segment),
    /// A segment is not valid UTF-8 JSON, or holds a number whose magnitude is not below
    /// 10^308 (`1e308`, `1e400`; see
    /// [`MAX_NUMBER_DECIMAL_EXPONENT`](crate::limits::MAX_NUMBER_DECIMAL_EXPONENT)), which is
    /// refused wherever it stands, before any member is judged.
    Json(Segment),
    /// A segment nests arrays and objects deeper than
    /// [`MAX_DEPTH`](crate::limits::MAX_DEPTH) levels (the header or claims object is level 1).
    TooDeep(Segment),
    /// A segment is valid JSON but not an object.
    NotAnObject(Segment),
    /// The header or claims object names the same member twice at its top level
    /// ([RFC 7515 §5.2](https://www.rfc-editor.org/rfc/rfc7515#section-5.2)). Deeper objects
    /// are not checked (in `sub`, `accountId` or `companyId` twice makes the subject an
    /// [`InvalidClaim`](crate::Error::InvalidClaim)).
    DuplicateMember(Segment),
    /// An object has more members than the crate inspects
    /// ([`MAX_MEMBERS`](crate::limits::MAX_MEMBERS)).
    TooManyMembers(Segment),
    /// A header member that must be a string (`kid`) is not one.
    HeaderMember,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SegmentCount => f.write_str("expected exactly three dot-separated segments"),
            Self::Base64(s) => write!(f, "{s} is not strict unpadded base64url"),
            Self::Json(s) => write!(f, "{s} is not valid JSON"),
            Self::TooDeep(s) => write!(f, "{s} nests too deep"),
            Self::NotAnObject(s) => write!(f, "{s} is not a JSON object"),
            Self::DuplicateMember(s) => write!(f, "{s} has a duplicate member name"),
            Self::TooManyMembers(s) => write!(f, "{s} has too many members"),
            Self::HeaderMember => f.write_str("header member kid is not a string"),
        }
    }
}

/// One of the three segments of a compact JWS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// The protected header (first segment).
    Header,
    /// The payload, i.e. the claims (second segment).
    Payload,
    /// The signature (third segment).
    Signature,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
        })
    }
}

/// A claim this crate checks.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Claim {
    /// `exp`, expiration time.
    Exp,
    /// `nbf`, not before.
    Nbf,
    /// `iss`, issuer.
    Iss,
    /// `aud`, audience.
    Aud,
    /// `sub`, the facilioo subject object (`accountId`, `companyId`).
    Sub,
    /// The party-type claim, under the name configured in the [`Policy`](crate::Policy).
    PartyType,
}

impl Claim {
    /// The claim's JSON name; for [`Claim::PartyType`] the default name `partyType`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Exp => "exp",
            Self::Nbf => "nbf",
            Self::Iss => "iss",
            Self::Aud => "aud",
            Self::Sub => "sub",
            Self::PartyType => "partyType",
        }
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
