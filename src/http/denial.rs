//! A refusal as a client receives it, and why it was made.

use core::fmt;
use std::sync::Arc;

use ::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use ::http::{HeaderValue, StatusCode};

use super::body::{DenialBody, JsonBody, RenderedBody};
use super::{BearerError, DEFAULT_REFRESH_HINT, Realm};
use crate::{AccountId, CompanyId, Error, PartyType};

/// Why a request was refused: what [`Denial::kind`] returns.
///
/// The status, the RFC 6750 `error` code and the description follow from it; so does the
/// stable [`Denial::reason`] code for logs and metrics.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DenialKind {
    /// The request's bearer token could not be read (400, or a bare 401 when the request
    /// carried no bearer credentials).
    Bearer(BearerError),
    /// The token was read and refused by the verifier (401 `invalid_token`; 403
    /// `insufficient_scope` for the policy's [`Error::PartyTypeNotAllowed`]).
    Token(Error),
    /// The token is good, but the route admits none of its party type (403
    /// `insufficient_scope`): a route guard or
    /// [`require_party_types`](super::FaciliooToken::require_party_types).
    #[non_exhaustive]
    PartyType {
        /// The party types the route admits.
        allowed: Vec<PartyType>,
        /// The token's party type: `None` when it has none, or one that is no party type.
        found: Option<PartyType>,
    },
    /// The token is good, but for another company than the route's (403
    /// `insufficient_scope`): [`require_company`](super::FaciliooToken::require_company).
    #[non_exhaustive]
    Company {
        /// The company the route is for.
        required: CompanyId,
        /// The token's company, `None` when its account belongs to none.
        found: Option<CompanyId>,
    },
    /// The token is good, but for another account than the route's (403
    /// `insufficient_scope`): [`require_account`](super::FaciliooToken::require_account).
    #[non_exhaustive]
    Account {
        /// The account the route is for.
        required: AccountId,
        /// The token's account.
        found: AccountId,
    },
}

/// A refusal as a client receives it (RFC 6750 §3): the status, the `WWW-Authenticate`
/// challenge, the `error` code and description it carries, if any, and a body.
///
/// It keeps why it was made ([`kind`](Self::kind), [`reason`](Self::reason),
/// [`token_error`](Self::token_error)) and how its body is written (a [`DenialBody`], by
/// default [`JsonBody`]; [`BearerAuth::with_body`](super::BearerAuth::with_body) chooses
/// another). The body never changes the status or the challenge.
///
/// ```
/// use facilioo_jwt::{Error, UnixTime};
/// use facilioo_jwt::http::{BearerError, Denial, Realm};
///
/// let realm = Realm::new("api")?;
/// let (exp, now) = (UnixTime::from_secs(0), UnixTime::from_secs(60));
/// let expired = Denial::token(&Error::Expired { exp, now }, &realm);
/// assert!(expired.token_error().is_some_and(Error::is_expired));
/// assert_eq!((expired.status().as_u16(), expired.reason()), (401, "expired"));
/// let missing = Denial::bearer(BearerError::Missing, &realm);
/// assert_eq!((missing.error(), missing.reason()), (None, "missing_token"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Denial(Box<Fields>);

/// Boxed, so that a `Result<_, Denial>` stays as small as its `Ok`.
#[derive(Clone)]
struct Fields {
    kind: DenialKind,
    status: StatusCode,
    error: Option<&'static str>,
    description: Option<String>,
    challenge: HeaderValue,
    body: Arc<dyn DenialBody>,
}

impl Denial {
    /// The answer to a request whose bearer token could not be read, with the default body
    /// ([`JsonBody`]).
    pub fn bearer(error: BearerError, realm: &Realm) -> Self {
        Self::new(DenialKind::Bearer(error), None, realm, Arc::new(JsonBody))
    }

    /// The answer to a token this crate refused, with the default body ([`JsonBody`]) and
    /// refresh hint.
    pub fn token(error: &Error, realm: &Realm) -> Self {
        let description = token_description(error, Some(DEFAULT_REFRESH_HINT));
        Self::new(
            DenialKind::Token(*error),
            Some(description),
            realm,
            Arc::new(JsonBody),
        )
    }

    /// A denial of `kind`. Bearer errors describe themselves; the other kinds bring their
    /// `description`.
    pub(super) fn new(
        kind: DenialKind,
        description: Option<String>,
        realm: &Realm,
        body: Arc<dyn DenialBody>,
    ) -> Self {
        let (status, error, description) = match &kind {
            DenialKind::Bearer(BearerError::Missing | BearerError::OtherScheme) => {
                (StatusCode::UNAUTHORIZED, None, None)
            }
            DenialKind::Bearer(e) => (
                StatusCode::BAD_REQUEST,
                Some("invalid_request"),
                Some(e.to_string()),
            ),
            DenialKind::Token(Error::PartyTypeNotAllowed(_))
            | DenialKind::PartyType { .. }
            | DenialKind::Company { .. }
            | DenialKind::Account { .. } => (
                StatusCode::FORBIDDEN,
                Some("insufficient_scope"),
                description,
            ),
            DenialKind::Token(_) => (StatusCode::UNAUTHORIZED, Some("invalid_token"), description),
        };
        // RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E; anything else is
        // dropped (this crate's messages are ASCII already).
        let description = description.map(|mut d| {
            // Refusals are answered at the rate they come (a flood of forgeries, say), so the
            // usual case, nothing to drop, keeps its string.
            if !d.bytes().all(is_description_byte) {
                d.retain(|c| u8::try_from(c).is_ok_and(is_description_byte));
            }
            d
        });
        let mut challenge = String::with_capacity(
            64 + realm.as_str().len() + description.as_ref().map_or(0, String::len),
        );
        // Pushed piece by piece: `format!` costs a refusal more than everything else here.
        challenge.push_str("Bearer realm=\"");
        challenge.push_str(realm.as_str());
        challenge.push('"');
        if let Some(code) = error {
            challenge.push_str(", error=\"");
            challenge.push_str(code);
            challenge.push('"');
        }
        if let Some(description) = &description {
            challenge.push_str(", error_description=\"");
            challenge.push_str(description);
            challenge.push('"');
        }
        // Only printable ASCII went in (the realm is checked, the rest filtered), so this is a
        // valid header value; should it ever not be, the bare challenge still is. (From the
        // `String`, it is not copied.)
        let challenge =
            HeaderValue::try_from(challenge).unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
        Self(Box::new(Fields {
            kind,
            status,
            error,
            description,
            challenge,
            body,
        }))
    }

    /// Why the request was refused.
    pub fn kind(&self) -> &DenialKind {
        &self.0.kind
    }

    /// The verifier's error, when the token was read and refused: so that
    /// `denial.token_error().is_some_and(Error::is_expired)` asks whether the client should
    /// refresh.
    pub fn token_error(&self) -> Option<&Error> {
        match &self.0.kind {
            DenialKind::Token(e) => Some(e),
            _ => None,
        }
    }

    /// A stable snake_case code for logs and metrics, finer than [`error`](Self::error):
    ///
    /// | kind | reason |
    /// | --- | --- |
    /// | [`DenialKind::Token`] | the error's [`code`](Error::code): `expired`, `invalid_signature`, … |
    /// | [`BearerError::Missing`] | `missing_token` |
    /// | [`BearerError::OtherScheme`] | `other_scheme` |
    /// | [`BearerError::Multiple`] | `multiple_authorization` |
    /// | [`BearerError::Empty`] | `empty_bearer` |
    /// | [`BearerError::Malformed`] | `malformed_bearer` |
    /// | [`DenialKind::PartyType`] | `party_type_not_allowed` (as the policy's refusal) |
    /// | [`DenialKind::Company`] | `company_not_allowed` |
    /// | [`DenialKind::Account`] | `account_not_allowed` |
    pub fn reason(&self) -> &'static str {
        match &self.0.kind {
            DenialKind::Bearer(BearerError::Missing) => "missing_token",
            DenialKind::Bearer(BearerError::OtherScheme) => "other_scheme",
            DenialKind::Bearer(BearerError::Multiple) => "multiple_authorization",
            DenialKind::Bearer(BearerError::Empty) => "empty_bearer",
            DenialKind::Bearer(BearerError::Malformed) => "malformed_bearer",
            DenialKind::Token(e) => e.code(),
            DenialKind::PartyType { .. } => "party_type_not_allowed",
            DenialKind::Company { .. } => "company_not_allowed",
            DenialKind::Account { .. } => "account_not_allowed",
        }
    }

    /// 400, 401 or 403.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The RFC 6750 error code: `invalid_request`, `invalid_token`, `insufficient_scope`, or
    /// none when the request carried no bearer credentials.
    pub fn error(&self) -> Option<&'static str> {
        self.0.error
    }

    /// What went wrong, for the client (never token bytes; only the characters RFC 6750
    /// allows in `error_description`).
    pub fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The `WWW-Authenticate` header value.
    pub fn www_authenticate(&self) -> &HeaderValue {
        &self.0.challenge
    }

    /// The body its [`DenialBody`] writes for it, if any.
    pub fn render(&self) -> Option<RenderedBody> {
        self.0.body.render(self)
    }

    /// This denial, its body written by `body` instead.
    pub fn with_body(mut self, body: impl DenialBody) -> Self {
        self.0.body = Arc::new(body);
        self
    }

    /// An HTTP response with the status, the challenge and `body`, ignoring the
    /// [`DenialBody`] (the tower layer's answer to services whose bodies can only be empty).
    pub fn into_response_with<B>(self, body: B) -> ::http::Response<B> {
        let mut response = ::http::Response::new(body);
        *response.status_mut() = self.0.status;
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, self.0.challenge);
        response
    }

    /// An HTTP response with the status, the challenge, and the body its [`DenialBody`]
    /// writes, with its `Content-Type` (an empty body and no `Content-Type` when it writes
    /// none). `B` is any body built from bytes: axum's `Body`, `http_body_util::Full<Bytes>`,
    /// `Vec<u8>`.
    pub fn into_rendered_response<B: From<Vec<u8>>>(self) -> ::http::Response<B> {
        match self.render() {
            Some(body) => {
                let (content_type, bytes) = body.into_parts();
                let mut response = self.into_response_with(B::from(bytes));
                response.headers_mut().insert(CONTENT_TYPE, content_type);
                response
            }
            None => self.into_response_with(B::from(Vec::new())),
        }
    }
}

/// A byte RFC 6750 §3 allows in `error_description`: %x20-21 / %x23-5B / %x5D-7E.
fn is_description_byte(b: u8) -> bool {
    matches!(b, b' '..=b'~') && b != b'"' && b != b'\\'
}

/// The description of a refused token: its message, and for an expired token `hint`.
pub(super) fn token_description(error: &Error, hint: Option<&str>) -> String {
    match hint {
        Some(hint) if error.is_expired() => format!("{error}; {hint}"),
        _ => error.to_string(),
    }
}

/// Equal when a client would see the same answer for the same reason; the body writer is not
/// compared.
impl PartialEq for Denial {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind == other.0.kind
            && self.0.status == other.0.status
            && self.0.error == other.0.error
            && self.0.description == other.0.description
            && self.0.challenge == other.0.challenge
    }
}

impl Eq for Denial {}

impl fmt::Debug for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Denial")
            .field("kind", &self.0.kind)
            .field("status", &self.0.status)
            .field("error", &self.0.error)
            .field("description", &self.0.description)
            .field("challenge", &self.0.challenge)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.description {
            Some(d) => write!(f, "{}: {d}", self.0.status),
            None => write!(f, "{}", self.0.status),
        }
    }
}

impl std::error::Error for Denial {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::JsonBody;

    fn denial(description: &str) -> Denial {
        Denial::new(
            DenialKind::Token(Error::InvalidSignature),
            Some(description.to_owned()),
            &Realm::new("api").expect("a realm"),
            Arc::new(JsonBody),
        )
    }

    #[test]
    fn the_challenge_and_the_json_body_byte_for_byte() {
        let d = denial("signature not verified by any trusted key");
        assert_eq!(
            d.www_authenticate(),
            r#"Bearer realm="api", error="invalid_token", error_description="signature not verified by any trusted key""#
        );
        let body = d.render().expect("a body");
        assert_eq!(body.content_type(), "application/json");
        assert_eq!(
            std::str::from_utf8(body.bytes()).expect("UTF-8"),
            r#"{"error":"invalid_token","error_description":"signature not verified by any trusted key","reason":"invalid_signature"}"#
        );
        // No credentials: the bare challenge, no body.
        let bare = Denial::bearer(BearerError::Missing, &Realm::new("api").expect("a realm"));
        assert_eq!(bare.www_authenticate(), r#"Bearer realm="api""#);
        assert_eq!(bare.render(), None);
    }

    #[test]
    fn a_description_keeps_only_what_rfc_6750_allows() {
        for (given, kept) in [
            (
                "plain text, kept: as it is ~!",
                "plain text, kept: as it is ~!",
            ),
            ("a \"quote\", a \\ and é\u{202e}\t\n", "a quote, a  and "),
            ("", ""),
        ] {
            let d = denial(given);
            assert_eq!(d.description(), Some(kept), "{given:?}");
            let challenge = d.www_authenticate().to_str().expect("ASCII");
            assert!(
                challenge.ends_with(&format!("error_description=\"{kept}\"")),
                "{challenge}"
            );
        }
    }
}
