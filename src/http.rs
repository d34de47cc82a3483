//! HTTP glue without a framework (feature `http`, the `http` crate only): the bearer token of
//! a request ([RFC 6750 §2.1](https://www.rfc-editor.org/rfc/rfc6750#section-2.1)), every
//! refusal answered as RFC 6750 §3 says, with its status and `WWW-Authenticate` challenge, and
//! the vocabulary the `axum` and `tower` features share.
//!
//! | outcome | status | `WWW-Authenticate` | [`Denial::reason`] |
//! | --- | --- | --- | --- |
//! | no `Authorization` header, or another scheme | 401 | `Bearer realm="…"` (no error: the client sent no bearer credentials) | `missing_token`, `other_scheme` |
//! | several `Authorization` headers, `Bearer` without a token, a token that is not token68 | 400 | `Bearer realm="…", error="invalid_request", error_description="…"` | `multiple_authorization`, `empty_bearer`, `malformed_bearer` |
//! | any [`Error`](crate::Error) but the party type (`expired` included: its description says so) | 401 | `Bearer realm="…", error="invalid_token", error_description="…"` | the error's [`code`](crate::Error::code) |
//! | [`Error::PartyTypeNotAllowed`](crate::Error::PartyTypeNotAllowed), or a route's party types, company or account | 403 | `Bearer realm="…", error="insufficient_scope", error_description="…"` | `party_type_not_allowed`, `company_not_allowed`, `account_not_allowed` |
//!
//! Descriptions come from this crate's messages, which never hold token bytes, restricted to
//! the characters RFC 6750 allows there. The body that follows is a [`DenialBody`]'s to
//! write: [`JsonBody`] by default, [`ProblemJson`], or a closure.
//!
//! [`BearerAuth`] puts it together for a service: a verifier (fixed, or live with feature
//! `live`), a realm, a body and a refresh hint, checked against the system clock. What it
//! admits is a [`FaciliooToken<R>`], where `R` names the party types a route admits
//! ([`party_types!`](crate::party_types), [`only`]).

use core::fmt;
use std::sync::Arc;

use ::http::HeaderMap;
use ::http::header::AUTHORIZATION;

use crate::{PartyType, UnixTime, VerifiedToken, Verifier};

mod body;
mod denial;
mod token;

pub use body::{DenialBody, JsonBody, ProblemJson, RenderedBody};
pub use denial::{Denial, DenialKind};
pub use token::{AllowedPartyTypes, AnyPartyType, FaciliooToken, only};

/// Why a request's bearer token could not be read (RFC 6750 §2.1).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BearerError {
    /// No `Authorization` header: the client sent no credentials.
    Missing,
    /// An `Authorization` header with another scheme, such as `Basic`, whatever bytes follow
    /// it (or are in it: a scheme that is not ASCII is another scheme too).
    OtherScheme,
    /// More than one `Authorization` header.
    Multiple,
    /// `Bearer` with no token after it.
    Empty,
    /// The token is not token68 (RFC 7235 §2.1: letters, digits, `-._~+/`, then only `=`):
    /// spaces inside it, other characters, or bytes that are not ASCII.
    Malformed,
}

impl fmt::Display for BearerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "no Authorization header",
            Self::OtherScheme => "the Authorization header is not a Bearer token",
            Self::Multiple => "more than one Authorization header",
            Self::Empty => "the Authorization header has no token after Bearer",
            Self::Malformed => "the bearer token is not token68",
        })
    }
}

impl std::error::Error for BearerError {}

/// The bearer token of a request: exactly one `Authorization` header, scheme `Bearer` in any
/// case, one or more spaces, then one token68 (RFC 6750 §2.1). Spaces or tabs around the
/// whole value are ignored. The scheme is read from the raw bytes: a header of another scheme
/// is [`BearerError::OtherScheme`] whatever follows the scheme, and only a `Bearer` token must
/// be visible ASCII.
///
/// ```
/// use facilioo_jwt::http::{BearerError, bearer_token};
/// use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
///
/// let mut headers = HeaderMap::new();
/// assert_eq!(bearer_token(&headers), Err(BearerError::Missing));
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer eyJhbGc.eyJzdWI.c2ln"));
/// assert_eq!(bearer_token(&headers), Ok("eyJhbGc.eyJzdWI.c2ln"));
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic dXNlcjpwYXNz"));
/// assert_eq!(bearer_token(&headers), Err(BearerError::OtherScheme));
/// ```
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, BearerError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(BearerError::Missing)?;
    if values.next().is_some() {
        return Err(BearerError::Multiple);
    }
    // The scheme is decided on the raw bytes, so that another scheme is `OtherScheme`
    // whatever follows it (obs-text in a Basic or Digest credential included); only what
    // follows `Bearer` must be a token68.
    let value = trim_start(trim_end(value.as_bytes()));
    let split = value.iter().position(is_blank).unwrap_or(value.len());
    let (scheme, rest) = value.split_at(split);
    if !scheme.eq_ignore_ascii_case(b"Bearer") {
        return Err(BearerError::OtherScheme);
    }
    let token = trim_start(rest);
    if token.is_empty() {
        Err(BearerError::Empty)
    } else if is_token68(token) {
        // A token68 is ASCII.
        core::str::from_utf8(token).map_err(|_| BearerError::Malformed)
    } else {
        Err(BearerError::Malformed)
    }
}

/// A space or a tab: the blanks that separate the scheme from the token.
fn is_blank(b: &u8) -> bool {
    matches!(b, b' ' | b'\t')
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let blanks = bytes.iter().take_while(|b| is_blank(b)).count();
    bytes.get(blanks..).unwrap_or_default()
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let blanks = bytes.iter().rev().take_while(|b| is_blank(b)).count();
    bytes.get(..bytes.len() - blanks).unwrap_or_default()
}

/// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`
fn is_token68(token: &[u8]) -> bool {
    let body = trim_padding(token);
    // Every byte is looked at, without an early exit, so that the loop vectorises: a
    // facilioo token is about 550 bytes, read on every request.
    !body.is_empty() && body.iter().fold(true, |all, &b| all & is_token68_byte(b))
}

/// One byte of a token68 before its padding, by comparisons only (no table, no branch).
#[inline(always)]
fn is_token68_byte(b: u8) -> bool {
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    letter
        | digit
        | (b == b'-')
        | (b == b'.')
        | (b == b'_')
        | (b == b'~')
        | (b == b'+')
        | (b == b'/')
}

/// `token` without its trailing `=`s.
fn trim_padding(token: &[u8]) -> &[u8] {
    let padding = token.iter().rev().take_while(|&&b| b == b'=').count();
    token.get(..token.len() - padding).unwrap_or_default()
}

/// The realm a service names in its challenges: printable ASCII without `"` or `\`, so it
/// stands in a quoted-string as it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Realm(Arc<str>);

impl Realm {
    /// Checks `realm`: 1 to 100 characters of printable ASCII, without `"` or `\`. An
    /// empty realm names no protection space (RFC 9110 §11.5): refused.
    pub fn new(realm: &str) -> Result<Self, InvalidRealm> {
        let printable = realm
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
        if printable && !realm.is_empty() && realm.len() <= 100 {
            Ok(Self(realm.into()))
        } else {
            Err(InvalidRealm)
        }
    }

    /// The realm.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A realm that is empty, has a character that cannot stand in a quoted-string, or is over
/// 100 characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidRealm;

impl fmt::Display for InvalidRealm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a realm is 1 to 100 characters of printable ASCII without '\"' or '\\'")
    }
}

impl std::error::Error for InvalidRealm {}

/// The refresh hint an expired token's description ends with, unless
/// [`BearerAuth::with_refresh_hint`] says otherwise: facilioo's clients refresh with the
/// refresh token they got at login.
pub const DEFAULT_REFRESH_HINT: &str = "refresh it (facilioo: /api/auth/refresh)";

/// What a service needs to authenticate its requests: the verifier, the realm its challenges
/// name (`facilioo` unless [`with_realm`](Self::with_realm) says otherwise), how refusals'
/// bodies are written ([`with_body`](Self::with_body)) and what an expired token's
/// description advises ([`with_refresh_hint`](Self::with_refresh_hint)). Clone it into every
/// handler or layer; clones share the verifier.
///
/// ```
/// use facilioo_jwt::http::{BearerAuth, ProblemJson, Realm};
/// use facilioo_jwt::{KeySet, Policy, Verifier};
/// use http::{HeaderMap, HeaderValue, StatusCode, header::AUTHORIZATION};
///
/// let auth = BearerAuth::new(Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()))
///     .with_realm(Realm::new("api")?)
///     .with_body(ProblemJson);
/// let mut headers = HeaderMap::new();
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer a.b.c"));
/// let denial = auth.authenticate(&headers).unwrap_err();
/// assert_eq!(denial.status(), StatusCode::UNAUTHORIZED);
/// assert_eq!((denial.error(), denial.reason()), (Some("invalid_token"), "malformed"));
/// assert!(denial.www_authenticate().to_str()?.starts_with(r#"Bearer realm="api", "#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct BearerAuth {
    verifier: Source,
    realm: Realm,
    body: Arc<dyn DenialBody>,
    refresh_hint: Option<Arc<str>>,
    /// Shared by clones and new with every constructor and `with_*`: whether a token in a
    /// request's extensions was made by this `BearerAuth` ([`same_as`](Self::same_as)).
    origin: Arc<Origin>,
}

/// What [`BearerAuth::same_as`] compares: one allocation per `BearerAuth` made.
#[derive(Debug, Default)]
struct Origin;

#[derive(Clone, Debug)]
enum Source {
    Fixed(Verifier),
    #[cfg(feature = "live")]
    Live(crate::live::LiveVerifier),
}

impl BearerAuth {
    /// Authenticates with `verifier`, in realm `facilioo`, answering with [`JsonBody`].
    ///
    /// If the verifier's keys hold a test key this crate ships
    /// ([`KeySet::test_key_count`](crate::KeySet::test_key_count)) and its policy does not
    /// [refuse them](crate::Policy::refuse_test_keys), it says so on stderr, once per process:
    /// anyone can mint tokens such a service accepts.
    pub fn new(verifier: Verifier) -> Self {
        Self::start(Source::Fixed(verifier))
    }

    /// Authenticates with whatever verifier `verifier` holds at each request, so that keys
    /// reloaded there apply at once (feature `live`). Warns as [`new`](Self::new) does.
    #[cfg(feature = "live")]
    pub fn live(verifier: crate::live::LiveVerifier) -> Self {
        Self::start(Source::Live(verifier))
    }

    fn start(verifier: Source) -> Self {
        let auth = Self {
            verifier,
            realm: Realm(Arc::from("facilioo")),
            body: Arc::new(JsonBody),
            refresh_hint: Some(Arc::from(DEFAULT_REFRESH_HINT)),
            origin: Arc::default(),
        };
        if auth.trusts_test_keys() {
            // Once per process: a test suite builds many.
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(crate::observe::trusts_test_keys);
        }
        auth
    }

    /// Challenges name `realm` instead of `facilioo`.
    pub fn with_realm(mut self, realm: Realm) -> Self {
        self.realm = realm;
        self.origin = Arc::default();
        self
    }

    /// Refusals' bodies are written by `body` ([`JsonBody`] unless this says otherwise):
    /// [`ProblemJson`], or a closure. Their status and challenge stay as RFC 6750 says.
    pub fn with_body(mut self, body: impl DenialBody) -> Self {
        self.body = Arc::new(body);
        self.origin = Arc::default();
        self
    }

    /// What an expired token's description advises after its message (`hint`; `None`: nothing).
    /// By default [`DEFAULT_REFRESH_HINT`]. Like every description, it is filtered to the
    /// characters RFC 6750 allows.
    ///
    /// ```
    /// use facilioo_jwt::http::BearerAuth;
    /// use facilioo_jwt::{KeySet, Policy, Verifier};
    ///
    /// let verifier = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
    /// let auth = BearerAuth::new(verifier.clone()).with_refresh_hint(Some("log in again"));
    /// let quiet = BearerAuth::new(verifier).with_refresh_hint(None);
    /// # drop((auth, quiet));
    /// ```
    pub fn with_refresh_hint(mut self, hint: Option<&str>) -> Self {
        self.refresh_hint = hint.map(Arc::from);
        self.origin = Arc::default();
        self
    }

    /// Whether `other` is this `BearerAuth` or a clone of it (not merely one built alike).
    #[cfg(feature = "axum")]
    pub(crate) fn same_as(&self, other: &BearerAuth) -> bool {
        Arc::ptr_eq(&self.origin, &other.origin)
    }

    fn with_verifier<T>(&self, f: impl FnOnce(&Verifier) -> T) -> T {
        match &self.verifier {
            Source::Fixed(v) => f(v),
            #[cfg(feature = "live")]
            Source::Live(v) => f(&v.current()),
        }
    }

    /// Whether the verifier in use trusts a test key this crate ships (whose private half is
    /// public) and does not refuse its tokens ([`Policy::refuse_test_keys`](crate::Policy::refuse_test_keys)).
    pub fn trusts_test_keys(&self) -> bool {
        self.with_verifier(|v| v.trusted_test_keys() > 0)
    }

    /// The realm challenges name.
    pub fn realm(&self) -> &Realm {
        &self.realm
    }

    /// The request's bearer token, verified against the system clock.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<FaciliooToken, Denial> {
        self.authenticate_at(headers, UnixTime::now())
    }

    /// [`authenticate`](Self::authenticate) as of `now`.
    pub fn authenticate_at(
        &self,
        headers: &HeaderMap,
        now: impl Into<UnixTime>,
    ) -> Result<FaciliooToken, Denial> {
        self.admit(headers, now.into())
    }

    /// For routes that also serve anonymous calls: `Ok(None)` when the request has no
    /// `Authorization` header at all, else as [`authenticate`](Self::authenticate) (a token
    /// that is there must be good).
    pub fn authenticate_optional(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<FaciliooToken>, Denial> {
        if headers.contains_key(AUTHORIZATION) {
            self.authenticate(headers).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The request's token for a route that admits the party types `R`, as of `now`: the one
    /// path from a request to an admitted token, observed once whatever its outcome.
    pub(crate) fn admit<R: AllowedPartyTypes>(
        &self,
        headers: &HeaderMap,
        now: UnixTime,
    ) -> Result<FaciliooToken<R>, Denial> {
        self.admit_for(headers, now, R::ALLOWED)
            .map(|token| FaciliooToken::admitted(token, self.clone()))
    }

    /// The request's verified token, if its party type is one of `allowed` (`None`: any).
    pub(crate) fn admit_for(
        &self,
        headers: &HeaderMap,
        now: UnixTime,
        allowed: Option<&[PartyType]>,
    ) -> Result<VerifiedToken, Denial> {
        let token = match bearer_token(headers) {
            Ok(token) => token,
            Err(e) => return Err(self.refuse_bearer(e)),
        };
        let verified = match &self.verifier {
            Source::Fixed(v) => v.verify(token, now),
            #[cfg(feature = "live")]
            Source::Live(v) => v.verify(token, now),
        };
        let verified = match verified {
            Ok(verified) => verified,
            Err(e) => {
                let mut description = denial::token_description(&e, self.refresh_hint.as_deref());
                if e == crate::Error::PartyTypeNotAllowed(None) {
                    // The signature verified: the claims may be looked at for the hint.
                    description = format!("{description}: {}", self.no_party_type(Some(token)));
                }
                return Err(self.refuse(DenialKind::Token(e), description));
            }
        };
        if let Some(allowed) = allowed {
            self.check_party_types(&verified, allowed, Some(token))?;
        }
        self.observe(Ok(&verified));
        Ok(verified)
    }

    /// Refuses `token` unless its party type is one of `allowed`: the per-route check (an
    /// admin route that only property management companies may call, say). The refusal is
    /// 403 `insufficient_scope` ([`DenialKind::PartyType`]), and its description names what
    /// the route requires and what the token has: another party type, no party-type claim
    /// (or `null`), or a claim that is no party type, naming the claim. Party types are
    /// compared by id.
    pub fn require_party_types(
        &self,
        token: &VerifiedToken,
        allowed: impl IntoIterator<Item = PartyType>,
    ) -> Result<(), Denial> {
        let allowed: Vec<PartyType> = allowed.into_iter().collect();
        self.check_party_types(token, &allowed, None)
    }

    /// The route check of `token`, whose compact form is `raw` when the caller has it: a
    /// refusal for want of the party-type claim then names the claims that look like one.
    pub(crate) fn check_party_types(
        &self,
        token: &VerifiedToken,
        allowed: &[PartyType],
        raw: Option<&str>,
    ) -> Result<(), Denial> {
        let found = token.party_type();
        if found.is_some_and(|p| p.is_in(allowed)) {
            return Ok(());
        }
        let claim = self.with_verifier(|v| v.policy().party_type_claim().to_owned());
        let has = match found {
            Some(p) => format!("the token's is {}", describe(p)),
            None if token.party_type_unreadable() => {
                format!("the token's {claim} claim is not a party type")
            }
            None => self.no_party_type(raw),
        };
        let wants = match allowed {
            [] => "this route admits no party type".to_owned(),
            [one] => format!("this route requires party type {}", describe(*one)),
            many => {
                let names: Vec<String> = many.iter().map(|p| describe(*p)).collect();
                format!("this route requires one of {}", names.join(", "))
            }
        };
        let kind = DenialKind::PartyType {
            allowed: allowed.to_vec(),
            found,
        };
        Err(self.refuse(kind, format!("{wants}; {has}")))
    }

    /// `the token has no partyType claim`, and the claims of `raw` (a token whose signature
    /// verified) that look like one ([`inspect`](crate::inspect)).
    fn no_party_type(&self, raw: Option<&str>) -> String {
        let claim = self.with_verifier(|v| v.policy().party_type_claim().to_owned());
        let candidates = raw.map(crate::inspect::candidates_of).unwrap_or_default();
        crate::inspect::missing_claim_message(&claim, &candidates)
    }

    /// The refusal of a request whose bearer token could not be read.
    pub(crate) fn refuse_bearer(&self, error: BearerError) -> Denial {
        self.refuse(DenialKind::Bearer(error), String::new())
    }

    /// A refusal of `kind`, in this service's realm and body, observed. `description` is
    /// ignored for bearer errors, which describe themselves.
    pub(crate) fn refuse(&self, kind: DenialKind, description: String) -> Denial {
        let description = (!matches!(kind, DenialKind::Bearer(_))).then_some(description);
        let denial = Denial::new(kind, description, &self.realm, Arc::clone(&self.body));
        self.observe(Err(&denial));
        denial
    }

    /// Every outcome the HTTP layer produces passes here, once: a token admitted (verified,
    /// and of a party type its route admits), or a refusal of any kind (bearer, token, route
    /// guard, scoping helper; a helper refusing a token that was admitted is a second
    /// outcome for that request). A token the axum extractor takes from the tower layer is
    /// not admitted again. It runs on every request.
    ///
    /// Feature `metrics`: `facilioo_jwt_http_outcomes_total{outcome}`, `ok` or the
    /// refusal's [`Denial::reason`]. Feature `tracing`: an admitted token's subject is a
    /// DEBUG event and is recorded into the current span's `account_id`, `company_id` and
    /// `party_type` fields if it declares them; a refusal is an INFO event with its reason
    /// and status, except a token's refusal, which the verifier has reported already (one
    /// event per refusal).
    #[inline]
    fn observe(&self, outcome: Result<&VerifiedToken, &Denial>) {
        crate::observe::http(outcome);
    }
}

impl From<Verifier> for BearerAuth {
    /// [`BearerAuth::new`].
    fn from(verifier: Verifier) -> Self {
        Self::new(verifier)
    }
}

#[cfg(feature = "live")]
impl From<crate::live::LiveVerifier> for BearerAuth {
    /// [`BearerAuth::live`].
    fn from(verifier: crate::live::LiveVerifier) -> Self {
        Self::live(verifier)
    }
}

impl fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerAuth")
            .field("verifier", &self.verifier)
            .field("realm", &self.realm)
            .field("refresh_hint", &self.refresh_hint)
            .finish_non_exhaustive()
    }
}

/// `Contractor (5)`; `with id 99` for a party type this crate does not know.
fn describe(p: PartyType) -> String {
    match p.name() {
        Some(name) => format!("{name} ({})", p.id()),
        None => format!("with id {}", p.id()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, KeySet, Policy};

    fn auth() -> BearerAuth {
        BearerAuth::new(Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()))
    }

    #[test]
    fn token68_bytes_are_exactly_rfc_7235s() {
        for b in 0..=u8::MAX {
            let rfc = b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
            assert_eq!(is_token68_byte(b), rfc, "byte {b:#04x}");
            // In a token, before and after a byte that is fine.
            assert_eq!(is_token68(&[b'a', b, b'z']), rfc, "byte {b:#04x}");
        }
        assert!(is_token68(b"a"));
        assert!(is_token68(b"ab=="));
        assert!(!is_token68(b"=="));
        assert!(!is_token68(b""));
        assert!(!is_token68(b"a=b"));
        // A bad byte anywhere in a long token, where the loop works in vectors.
        let long = vec![b'x'; 700];
        assert!(is_token68(&long));
        for at in [0, 1, 15, 16, 17, 31, 32, 333, 698, 699] {
            let mut bad = long.clone();
            bad[at] = b' ';
            assert!(!is_token68(&bad), "a space at {at}");
        }
    }

    #[test]
    fn every_bearer_error_has_its_reason_status_and_code() {
        let cases = [
            (BearerError::Missing, "missing_token", 401, None),
            (BearerError::OtherScheme, "other_scheme", 401, None),
            (
                BearerError::Multiple,
                "multiple_authorization",
                400,
                Some("invalid_request"),
            ),
            (
                BearerError::Empty,
                "empty_bearer",
                400,
                Some("invalid_request"),
            ),
            (
                BearerError::Malformed,
                "malformed_bearer",
                400,
                Some("invalid_request"),
            ),
        ];
        let auth = auth();
        for (error, reason, status, code) in cases {
            let denial = auth.refuse_bearer(error);
            assert_eq!(denial.kind(), &DenialKind::Bearer(error));
            assert_eq!(
                (denial.reason(), denial.status().as_u16(), denial.error()),
                (reason, status, code)
            );
            assert_eq!(denial.token_error(), None);
            // The same as the public constructor's, whose body is the default.
            assert_eq!(denial, Denial::bearer(error, auth.realm()));
        }
    }

    #[test]
    fn bearer_auth_defaults_and_builders() {
        let auth = auth();
        assert_eq!(auth.realm().as_str(), "facilioo");
        assert_eq!(auth.refresh_hint.as_deref(), Some(DEFAULT_REFRESH_HINT));
        let auth = auth
            .with_realm(Realm::new("api").expect("realm"))
            .with_refresh_hint(None)
            .with_body(ProblemJson);
        assert_eq!(auth.realm().as_str(), "api");
        assert_eq!(auth.refresh_hint, None);
        let denial = auth.refuse_bearer(BearerError::Missing);
        assert_eq!(
            denial.render().map(|b| b.content_type().clone()),
            Some(::http::HeaderValue::from_static("application/problem+json"))
        );
        let debug = format!("{auth:?}");
        assert!(
            debug.starts_with("BearerAuth {") && debug.contains("\"api\""),
            "{debug}"
        );
        let from: BearerAuth = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()).into();
        assert_eq!(from.realm().as_str(), "facilioo");
    }

    #[test]
    fn a_denial_is_equal_whatever_writes_its_body() {
        let realm = Realm::new("r").expect("realm");
        let denial = Denial::token(&Error::InvalidSignature, &realm);
        let other = denial.clone().with_body(|_: &Denial| None);
        assert_eq!(denial, other);
        assert_ne!(denial, Denial::token(&Error::InvalidIssuer, &realm));
        assert!(denial.render().is_some() && other.render().is_none());
        assert_eq!(
            denial.to_string(),
            "401 Unauthorized: signature not verified by any trusted key"
        );
        assert!(format!("{denial:?}").contains("InvalidSignature"));
    }

    #[test]
    fn the_party_types_macro_takes_unknown_ids() {
        crate::party_types!(Odd = [Contractor, Unknown(99),]);
        assert_eq!(
            Odd::ALLOWED,
            Some(&[PartyType::Contractor, PartyType::Unknown(99)][..])
        );
        assert_eq!(
            only::PropertyManagementCompany::ALLOWED,
            Some(&[PartyType::PropertyManagementCompany][..])
        );
        assert_eq!(
            only::PoolManager::ALLOWED,
            Some(&[PartyType::PoolManager][..])
        );
        assert_eq!(
            only::Contractor::ALLOWED,
            Some(&[PartyType::Contractor][..])
        );
        assert_eq!(only::User::ALLOWED, Some(&[PartyType::User][..]));
        assert_eq!(only::Guest::ALLOWED, Some(&[PartyType::Guest][..]));
        assert_eq!(
            only::InsuranceBroker::ALLOWED,
            Some(&[PartyType::InsuranceBroker][..])
        );
        assert_eq!(only::Insurer::ALLOWED, Some(&[PartyType::Insurer][..]));
        assert_eq!(AnyPartyType::ALLOWED, None);
    }
}
