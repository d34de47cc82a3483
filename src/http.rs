//! HTTP glue without a framework (feature `http`, the `http` crate only): the bearer token of
//! a request ([RFC 6750 §2.1](https://www.rfc-editor.org/rfc/rfc6750#section-2.1)), and every
//! refusal answered as RFC 6750 §3 says, with its status and `WWW-Authenticate` challenge.
//!
//! | outcome | status | `WWW-Authenticate` |
//! | --- | --- | --- |
//! | no `Authorization` header, or another scheme | 401 | `Bearer realm="…"` (no error: the client sent no bearer credentials) |
//! | several `Authorization` headers, `Bearer` without a token, a token that is not token68 | 400 | `Bearer realm="…", error="invalid_request", error_description="…"` |
//! | any [`Error`] but the party type (`expired` included: its description says so) | 401 | `Bearer realm="…", error="invalid_token", error_description="…"` |
//! | [`Error::PartyTypeNotAllowed`] | 403 | `Bearer realm="…", error="insufficient_scope", error_description="…"` |
//!
//! Descriptions come from this crate's messages, which never hold token bytes, restricted to
//! the characters RFC 6750 allows there.
//!
//! [`BearerAuth`] puts it together for a service: a verifier (fixed, or live with feature
//! `live`) and a realm, checked against the system clock. The `axum` and `tower` features build
//! on it.

use core::fmt;
use std::sync::Arc;

use ::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use ::http::{HeaderMap, HeaderValue, StatusCode};

use crate::{Error, PartyType, UnixTime, VerifiedToken, Verifier};

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
    !body.is_empty()
        && body.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
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
    /// Checks `realm`: at most 100 characters of printable ASCII, without `"` or `\`.
    pub fn new(realm: &str) -> Result<Self, InvalidRealm> {
        let printable = realm
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
        if printable && realm.len() <= 100 {
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

/// A realm with a character that cannot stand in a quoted-string, or over 100 characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidRealm;

impl fmt::Display for InvalidRealm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a realm is at most 100 characters of printable ASCII without '\"' or '\\'")
    }
}

impl std::error::Error for InvalidRealm {}

/// A refusal as a client receives it (RFC 6750 §3): the status, the `WWW-Authenticate`
/// challenge, and the `error` code and description it carries, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    status: StatusCode,
    error: Option<&'static str>,
    description: Option<String>,
    challenge: HeaderValue,
}

impl Denial {
    /// The answer to a request whose bearer token could not be read.
    pub fn bearer(error: BearerError, realm: &Realm) -> Self {
        match error {
            BearerError::Missing | BearerError::OtherScheme => {
                Self::new(StatusCode::UNAUTHORIZED, None, None, realm)
            }
            BearerError::Multiple | BearerError::Empty | BearerError::Malformed => Self::new(
                StatusCode::BAD_REQUEST,
                Some("invalid_request"),
                Some(error.to_string()),
                realm,
            ),
        }
    }

    /// The answer to a token this crate refused.
    pub fn token(error: &Error, realm: &Realm) -> Self {
        let (status, code) = match error {
            Error::PartyTypeNotAllowed(_) => (StatusCode::FORBIDDEN, "insufficient_scope"),
            _ => (StatusCode::UNAUTHORIZED, "invalid_token"),
        };
        let description = if error.is_expired() {
            // facilioo's clients refresh with the refresh token they got at login.
            format!("{error}; refresh it (facilioo: /api/auth/refresh)")
        } else {
            error.to_string()
        };
        Self::new(status, Some(code), Some(description), realm)
    }

    fn new(
        status: StatusCode,
        error: Option<&'static str>,
        description: Option<String>,
        realm: &Realm,
    ) -> Self {
        // RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E; anything else is
        // dropped (this crate's messages are ASCII already).
        let description = description.map(|d| {
            d.chars()
                .filter(|c| matches!(*c, ' '..='~') && *c != '"' && *c != '\\')
                .collect::<String>()
        });
        let mut challenge = format!("Bearer realm=\"{}\"", realm.as_str());
        if let Some(code) = error {
            challenge.push_str(&format!(", error=\"{code}\""));
        }
        if let Some(description) = &description {
            challenge.push_str(&format!(", error_description=\"{description}\""));
        }
        // Only printable ASCII went in (the realm is checked, the rest filtered), so this is a
        // valid header value; should it ever not be, the bare challenge still is.
        let challenge = HeaderValue::from_str(&challenge)
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
        Self {
            status,
            error,
            description,
            challenge,
        }
    }

    /// 400, 401 or 403.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The RFC 6750 error code: `invalid_request`, `invalid_token`, `insufficient_scope`, or
    /// none when the request carried no bearer credentials.
    pub fn error(&self) -> Option<&'static str> {
        self.error
    }

    /// What went wrong, for the client (never token bytes).
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The `WWW-Authenticate` header value.
    pub fn www_authenticate(&self) -> &HeaderValue {
        &self.challenge
    }

    /// An HTTP response with the status, the challenge and `body` (with feature `axum`,
    /// `IntoResponse` adds a JSON body of the error).
    pub fn into_response_with<B>(self, body: B) -> ::http::Response<B> {
        let mut response = ::http::Response::new(body);
        *response.status_mut() = self.status;
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, self.challenge);
        response
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.description {
            Some(d) => write!(f, "{}: {d}", self.status),
            None => write!(f, "{}", self.status),
        }
    }
}

/// What a service needs to authenticate its requests: the verifier and the realm it names.
/// Clone it into every handler or layer; clones share the verifier.
///
/// ```
/// use facilioo_jwt::http::BearerAuth;
/// use facilioo_jwt::{KeySet, Policy, Verifier};
/// use http::{HeaderMap, HeaderValue, StatusCode, header::AUTHORIZATION};
///
/// let auth = BearerAuth::new(Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()), "api")?;
/// let mut headers = HeaderMap::new();
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer a.b.c"));
/// let denial = auth.authenticate(&headers).unwrap_err();
/// assert_eq!(denial.status(), StatusCode::UNAUTHORIZED);
/// assert_eq!(denial.error(), Some("invalid_token"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct BearerAuth {
    verifier: Source,
    realm: Realm,
}

#[derive(Clone, Debug)]
enum Source {
    Fixed(Verifier),
    #[cfg(feature = "live")]
    Live(crate::live::LiveVerifier),
}

impl BearerAuth {
    /// Authenticates with `verifier`; challenges name `realm` (see [`Realm::new`]).
    ///
    /// If the verifier's keys hold a test key this crate ships
    /// ([`KeySet::test_key_count`](crate::KeySet::test_key_count)) and its policy does not
    /// [refuse them](crate::Policy::refuse_test_keys), it says so on stderr, once per process:
    /// anyone can mint tokens such a service accepts.
    pub fn new(verifier: Verifier, realm: &str) -> Result<Self, InvalidRealm> {
        Self::start(Source::Fixed(verifier), realm)
    }

    /// Authenticates with whatever verifier `verifier` holds at each request, so that keys
    /// reloaded there apply at once (feature `live`). Warns as [`new`](Self::new) does.
    #[cfg(feature = "live")]
    pub fn live(verifier: crate::live::LiveVerifier, realm: &str) -> Result<Self, InvalidRealm> {
        Self::start(Source::Live(verifier), realm)
    }

    fn start(verifier: Source, realm: &str) -> Result<Self, InvalidRealm> {
        let auth = Self {
            verifier,
            realm: Realm::new(realm)?,
        };
        if auth.trusts_test_keys() {
            // Once per process: a test suite builds many.
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                eprintln!(
                    "facilioo-jwt: warning: realm \"{}\" trusts this crate's test keys, whose \
                     private halves are public: anyone can mint tokens it accepts. Fine in \
                     tests; in production, load facilioo's keys.",
                    auth.realm.as_str()
                );
            });
        }
        Ok(auth)
    }

    fn with_verifier<R>(&self, f: impl FnOnce(&Verifier) -> R) -> R {
        match &self.verifier {
            Source::Fixed(v) => f(v),
            #[cfg(feature = "live")]
            Source::Live(v) => f(&v.current()),
        }
    }

    /// Whether the verifier in use trusts a test key this crate ships (whose private half is
    /// public) and does not refuse its tokens ([`Policy::refuse_test_keys`](crate::Policy::refuse_test_keys)).
    pub fn trusts_test_keys(&self) -> bool {
        self.with_verifier(|v| v.keys().test_key_count() > 0 && !v.policy().refuses_test_keys())
    }

    /// The realm challenges name.
    pub fn realm(&self) -> &Realm {
        &self.realm
    }

    /// The request's bearer token, verified against the system clock.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<VerifiedToken, Denial> {
        self.authenticate_at(headers, UnixTime::now())
    }

    /// [`authenticate`](Self::authenticate) as of `now`.
    pub fn authenticate_at(
        &self,
        headers: &HeaderMap,
        now: impl Into<UnixTime>,
    ) -> Result<VerifiedToken, Denial> {
        let token = bearer_token(headers).map_err(|e| Denial::bearer(e, &self.realm))?;
        let verified = match &self.verifier {
            Source::Fixed(v) => v.verify(token, now),
            #[cfg(feature = "live")]
            Source::Live(v) => v.verify(token, now),
        };
        verified.map_err(|e| Denial::token(&e, &self.realm))
    }

    /// For routes that also serve anonymous calls: `Ok(None)` when the request has no
    /// `Authorization` header at all, else as [`authenticate`](Self::authenticate) (a token
    /// that is there must be good).
    pub fn authenticate_optional(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<VerifiedToken>, Denial> {
        if headers.contains_key(AUTHORIZATION) {
            self.authenticate(headers).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Refuses `token` unless its party type is one of `allowed`: the per-route check (an
    /// admin route that only property management companies may call, say). The refusal is
    /// 403 `insufficient_scope`, and its description names what the route requires and what
    /// the token has: another party type, no party-type claim (or `null`), or a claim that
    /// is no party type, naming the claim.
    pub fn require_party_type(
        &self,
        token: &VerifiedToken,
        allowed: &[PartyType],
    ) -> Result<(), Denial> {
        match token.party_type() {
            Some(p) if p.is_in(allowed) => Ok(()),
            found => {
                let claim = self.with_verifier(|v| v.policy().party_type_claim().to_owned());
                let has = match found {
                    Some(p) => format!("the token's is {}", describe(p)),
                    None if token.party_type_unreadable() => {
                        format!("the token's {claim} claim is not a party type")
                    }
                    None => format!("the token has no {claim} claim"),
                };
                let wants = match allowed {
                    [] => "this route admits no party type".to_owned(),
                    [one] => format!("this route requires party type {}", describe(*one)),
                    many => {
                        let names: Vec<String> = many.iter().map(|p| describe(*p)).collect();
                        format!("this route requires one of {}", names.join(", "))
                    }
                };
                Err(Denial::new(
                    StatusCode::FORBIDDEN,
                    Some("insufficient_scope"),
                    Some(format!("{wants}; {has}")),
                    &self.realm,
                ))
            }
        }
    }
}

/// `Contractor (5)`; `with id 99` for a party type this crate does not know.
fn describe(p: PartyType) -> String {
    match p.name() {
        Some(name) => format!("{name} ({})", p.id()),
        None => format!("with id {}", p.id()),
    }
}
