//! What a token says, for whoever holds one: an API client reading its expiry and party
//! type, an operator finding which claim holds the party type on a real token. **Not a
//! verification**: [`inspect`] decodes the token without trusting it and says, beside, whether
//! one of the keys signs it; only [`Verifier::verify`](crate::Verifier::verify) admits a
//! token.
//!
//! facilioo does not publish the name of the claim that holds the party type. Where a token
//! has no claim under the configured name ([`Policy::with_party_type_claim`]), its claims that
//! look like one are its [candidates](Candidate): a top-level claim or a member of `sub` whose
//! value is a facilioo party-type id or name, or whose name suggests one (`role`, `type`,
//! `party`, `kind`, in any case). The CLI's `inspect` shows them, and a service's refusal of
//! a token without the claim names them.
//!
//! ```
//! use facilioo_jwt::inspect::{PartyTypeReading, inspect};
//! use facilioo_jwt::testing::TestIssuer;
//! use facilioo_jwt::Policy;
//!
//! let issuer = TestIssuer::new();
//! let token = issuer.token().claim("roleId", 5).sign();
//! let seen = inspect(&token, &issuer.key_set(), &issuer.policy())?;
//! assert_eq!(seen.signed_by(), Ok(0), "key 1 of the set signs it");
//! let PartyTypeReading::Missing { claim, candidates } = seen.party_type() else {
//!     panic!("no partyType claim");
//! };
//! assert_eq!(claim, "partyType");
//! assert_eq!(candidates[0].claim(), "roleId");
//! assert_eq!(candidates[0].to_string(), "roleId (5: Contractor)");
//!
//! // Once the policy names it, it is read.
//! let policy = issuer.policy().with_party_type_claim("roleId")?;
//! let seen = inspect(&token, &issuer.key_set(), &policy)?;
//! assert!(matches!(seen.party_type(), PartyTypeReading::Found { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use serde_json::Value;

use crate::insecure::{Unverified, decode_unverified};
use crate::policy::DEFAULT_MAX_TOKEN_LEN;
use crate::{Error, KeySet, PartyType, Policy, UnixTime};

/// The most candidates named.
pub const MAX_CANDIDATES: usize = 3;

/// The most characters of a candidate's name shown (claim URIs are long); longer ones are
/// cut, with `…`.
const MAX_NAME_SHOWN: usize = 120;
/// The most characters of a value shown.
const MAX_VALUE_SHOWN: usize = 40;

/// A token, decoded without trusting it, and what this crate makes of it
/// ([`inspect`]). Not a verification.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspection {
    decoded: Unverified,
    signed_by: Result<usize, Error>,
    party_type: PartyTypeReading,
}

/// Where the token's party type is, under the policy's claim
/// ([`Policy::with_party_type_claim`]).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartyTypeReading {
    /// The claim holds a facilioo party-type id (known or not) or a documented name.
    Found {
        /// The claim, as configured.
        claim: String,
        /// What it holds.
        party_type: PartyType,
    },
    /// The claim is there but holds no party type (another string, a negative number, an
    /// object, …).
    NotAPartyType {
        /// The claim, as configured.
        claim: String,
        /// Its value as JSON, escaped and cut to a few dozen characters.
        value: String,
    },
    /// No such claim (or `null`); the claims that look like a party type, if any.
    Missing {
        /// The claim, as configured.
        claim: String,
        /// At most [`MAX_CANDIDATES`], top-level claims first.
        candidates: Vec<Candidate>,
    },
}

/// A claim that looks like a party type ([module docs](self)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    claim: String,
    value: String,
    party_type: Option<PartyType>,
}

impl Candidate {
    /// The claim as [`Policy::with_party_type_claim`] takes it: a top-level claim's name, or
    /// a JSON Pointer (`/sub/partyTypeId`). Escaped (control and other unprintable
    /// characters as `\u{…}`) and cut to a few dozen characters.
    pub fn claim(&self) -> &str {
        &self.claim
    }

    /// Its value as JSON, escaped and cut to a few dozen characters.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The party type its value names, if it names one.
    pub fn party_type(&self) -> Option<PartyType> {
        self.party_type
    }
}

/// `/sub/partyTypeId (5: Contractor)`, or `role ("admin")`.
impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.party_type {
            Some(p) => write!(f, "{} ({}: {p})", self.claim, self.value),
            None => write!(f, "{} ({})", self.claim, self.value),
        }
    }
}

/// Decodes `token` without trusting it, checks whether one of `keys` signs it (RS256, no
/// other check), and reads its party type under `policy`'s claim. **Not a verification**:
/// the time, issuer and audience are not checked, and nothing a token says is proof unless
/// [`signed_by`](Inspection::signed_by) is `Ok` and a [`Verifier`](crate::Verifier) admits
/// it.
///
/// # Errors
/// When `token` is no JWT: not three segments of strict base64url, longer than
/// [`DEFAULT_MAX_TOKEN_LEN`], or a header or claims that are no JSON object.
pub fn inspect(token: &str, keys: &KeySet, policy: &Policy) -> Result<Inspection, Error> {
    let decoded = decode_unverified(token)?;
    let signed_by = keys
        .verify_jws(token, DEFAULT_MAX_TOKEN_LEN)
        .map(|jws| jws.key_index());
    let party_type = read_party_type(&decoded.claims, policy);
    Ok(Inspection {
        decoded,
        signed_by,
        party_type,
    })
}

impl Inspection {
    /// The JOSE header, as the token has it (untrusted).
    pub fn header(&self) -> &Value {
        &self.decoded.header
    }

    /// The claims, as the token has them (untrusted).
    pub fn claims(&self) -> &Value {
        &self.decoded.claims
    }

    /// The index (in the key set) of the key whose RS256 signature the token carries, or why
    /// none does ([`Error::InvalidSignature`], [`Error::UnsupportedAlgorithm`], …).
    pub fn signed_by(&self) -> Result<usize, Error> {
        self.signed_by
    }

    /// `exp`, if it is a NumericDate this crate reads (an integer, years −9999 to 9999).
    pub fn expires_at(&self) -> Option<UnixTime> {
        numeric_date(self.claims().get("exp"))
    }

    /// `nbf`, likewise.
    pub fn not_before(&self) -> Option<UnixTime> {
        numeric_date(self.claims().get("nbf"))
    }

    /// The party type under the policy's claim, or the claims that look like one.
    pub fn party_type(&self) -> &PartyTypeReading {
        &self.party_type
    }
}

fn numeric_date(value: Option<&Value>) -> Option<UnixTime> {
    let secs = value?.as_i64()?;
    (crate::limits::MIN_NUMERIC_DATE..=crate::limits::MAX_NUMERIC_DATE)
        .contains(&secs)
        .then(|| UnixTime::from_secs(secs))
}

/// The party type under `policy`'s claim in `claims` (decoded JSON).
pub fn read_party_type(claims: &Value, policy: &Policy) -> PartyTypeReading {
    let claim = policy.party_type_claim().to_owned();
    let value = match (policy.party_type_member(), policy.party_type_sub_member()) {
        (Some(name), _) => claims.get(name),
        (None, Some(name)) => claims.get("sub").and_then(|sub| sub.get(name)),
        (None, None) => None,
    };
    match value {
        None | Some(Value::Null) => PartyTypeReading::Missing {
            claim,
            candidates: candidates(claims),
        },
        Some(value) => match party_type_of(value) {
            Some(party_type) => PartyTypeReading::Found { claim, party_type },
            None => PartyTypeReading::NotAPartyType {
                claim,
                value: shown_value(value),
            },
        },
    }
}

/// What a refusal of a token without the party-type claim says: `the token has no partyType
/// claim`, and, if it has candidates, `; /sub/partyTypeId (5: Contractor) looks like one: set
/// the party-type claim to /sub/partyTypeId` (no quotes: a challenge's description has none).
/// The HTTP layer's refusals say it; a binding in another language says the same with it.
///
/// ```
/// use facilioo_jwt::inspect::{PartyTypeReading, missing_claim_message, read_party_type};
/// use facilioo_jwt::Policy;
///
/// let claims = serde_json::json!({"sub": {"accountId": 1, "partyTypeId": 5}});
/// let PartyTypeReading::Missing { claim, candidates } =
///     read_party_type(&claims, &Policy::facilioo_dev())
/// else {
///     panic!("no partyType claim");
/// };
/// assert_eq!(
///     missing_claim_message(&claim, &candidates),
///     "the token has no partyType claim; /sub/partyTypeId (5: Contractor) looks like one: \
///      set the party-type claim to /sub/partyTypeId"
/// );
/// ```
pub fn missing_claim_message(claim: &str, candidates: &[Candidate]) -> String {
    let mut message = format!("the token has no {claim} claim");
    if let Some(first) = candidates.first() {
        let list: Vec<String> = candidates.iter().map(ToString::to_string).collect();
        let verb = if candidates.len() == 1 {
            "looks"
        } else {
            "look"
        };
        message.push_str(&format!(
            "; {} {verb} like one: set the party-type claim to {}",
            list.join(", "),
            first.claim
        ));
    }
    message
}

/// The candidates of `token`'s claims (a token whose signature verified: its payload is a
/// JSON object), for a refusal's message.
#[cfg(feature = "http")]
pub(crate) fn candidates_of(token: &str) -> Vec<Candidate> {
    decode_unverified(token).map_or_else(|_| Vec::new(), |d| candidates(&d.claims))
}

/// The claims that look like a party type: top-level ones, then `sub`'s, each by name; at
/// most [`MAX_CANDIDATES`].
fn candidates(claims: &Value) -> Vec<Candidate> {
    let top = members(Some(claims), &["exp", "nbf", "iss", "aud", "sub"])
        .into_iter()
        .map(|(name, value)| (top_level(name), name, value));
    let sub = members(claims.get("sub"), &["accountId", "companyId"])
        .into_iter()
        .map(|(name, value)| (format!("/sub/{}", pointer_token(name)), name, value));
    top.chain(sub)
        .filter_map(|(claim, name, value)| {
            let party_type = party_type_of(value).filter(|p| p.name().is_some());
            (party_type.is_some() || (suggestive(name) && is_scalar(value))).then(|| Candidate {
                claim: shown(&claim, MAX_NAME_SHOWN),
                value: shown_value(value),
                party_type,
            })
        })
        .take(MAX_CANDIDATES)
        .collect()
}

/// The members of `object` (if it is an object) but those named in `skip`, by name whatever
/// the map's order (serde_json's `preserve_order` keeps the input's).
fn members<'a>(object: Option<&'a Value>, skip: &[&str]) -> Vec<(&'a String, &'a Value)> {
    let mut members: Vec<(&String, &Value)> = object
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| !skip.contains(&name.as_str()))
        .collect();
    members.sort_by(|a, b| a.0.cmp(b.0));
    members
}

/// A facilioo party-type id (a `u32`) or a documented name, as the verifier reads the claim.
fn party_type_of(value: &Value) -> Option<PartyType> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .and_then(|id| u32::try_from(id).ok())
            .map(PartyType::from_id),
        Value::String(s) => PartyType::from_name(s),
        _ => None,
    }
}

/// A name that suggests a party type.
fn suggestive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["role", "type", "party", "kind"]
        .iter()
        .any(|word| name.contains(word))
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::Number(_) | Value::String(_))
}

/// A top-level claim's name as [`Policy::with_party_type_claim`] takes it: as it is, or as a
/// pointer when it starts with `/`.
fn top_level(name: &str) -> String {
    if name.starts_with('/') {
        format!("/{}", pointer_token(name))
    } else {
        name.to_owned()
    }
}

/// `name` as a JSON Pointer reference token (`~` as `~0`, `/` as `~1`).
fn pointer_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// `text` with what hides or reorders text on a terminal or in a log (C1 controls,
/// bidirectional overrides, zero-width and other invisible format characters) written as
/// `\uXXXX`, so that it shows as it is. C0 controls (newlines among them) are left: JSON
/// escapes them already. The CLI prints every decoded value through it.
pub fn terminal_safe(text: &str) -> String {
    escaped(text, false)
}

/// [`terminal_safe`], and the C0 controls too if `c0`.
fn escaped(text: &str, c0: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = matches!(c, '\u{7f}'..='\u{9f}' | '\u{61c}' | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}')
            || (c0 && c.is_ascii_control());
        if hidden {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text`, escaped (C0 controls too: a name is no JSON) and cut after `max` characters,
/// with `…`.
fn shown(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", escaped(&text[..cut], true)),
        None => escaped(text, true),
    }
}

/// A value as JSON, [`shown`].
fn shown_value(value: &Value) -> String {
    shown(
        &serde_json::to_string(value).unwrap_or_default(),
        MAX_VALUE_SHOWN,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(claim: &str) -> Policy {
        Policy::facilioo_dev()
            .with_party_type_claim(claim)
            .expect("a claim")
    }

    #[test]
    fn the_claim_is_read_where_the_policy_says() {
        let claims = json!({"sub": {"accountId": 1, "partyTypeId": 5}, "role": "Guest"});
        assert_eq!(
            read_party_type(&claims, &policy("/sub/partyTypeId")),
            PartyTypeReading::Found {
                claim: "/sub/partyTypeId".into(),
                party_type: PartyType::Contractor
            }
        );
        assert_eq!(
            read_party_type(&claims, &policy("role")),
            PartyTypeReading::Found {
                claim: "role".into(),
                party_type: PartyType::Guest
            }
        );
        assert_eq!(
            read_party_type(&json!({"partyType": [5]}), &policy("partyType")),
            PartyTypeReading::NotAPartyType {
                claim: "partyType".into(),
                value: "[5]".into()
            }
        );
    }

    #[test]
    fn candidates_are_claims_that_look_like_a_party_type() {
        let claims = json!({
            "exp": 5, "nbf": 2, "iss": "x", "aud": "y", "jti": "abc", "tenant": 7,
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": "PropertyManagementCompany",
            "sub": {"accountId": 2, "companyId": 3, "partyTypeId": 5, "name": "Ann"},
            "userType": {"nested": true},
        });
        let found = candidates(&claims);
        let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                // Top-level claims first (serde_json orders them by name), then sub's.
                "http://schemas.microsoft.com/ws/2008/06/identity/claims/role (\"PropertyManagementCompany\": PropertyManagementCompany)",
                "tenant (7: User)",
                "/sub/partyTypeId (5: Contractor)",
            ]
        );
        assert_eq!(
            missing_claim_message("partyType", &found[2..]),
            "the token has no partyType claim; /sub/partyTypeId (5: Contractor) looks like one: \
             set the party-type claim to /sub/partyTypeId"
        );
        assert_eq!(
            missing_claim_message("partyType", &[]),
            "the token has no partyType claim"
        );
    }

    #[test]
    fn names_and_values_are_escaped_and_cut() {
        let claims = json!({"/role\u{7}~": "x\u{202e}y", "type": "a".repeat(100)});
        let found = candidates(&claims);
        // JSON escapes a control character itself; terminal_safe what JSON leaves.
        assert_eq!(found[0].claim(), "/~1role\\u0007~0");
        assert_eq!(found[0].value(), "\"x\\u202ey\"");
        assert_eq!(found[1].value().chars().count(), MAX_VALUE_SHOWN + 1);
        assert!(found[1].value().ends_with('…'));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn at_most_three_candidates() {
        let claims = json!({"role1": 2, "role2": 3, "role3": 5, "role4": 7});
        assert_eq!(candidates(&claims).len(), MAX_CANDIDATES);
    }
}
