//! What a refusal's body says: [`DenialBody`] and the two bodies this crate writes.
//!
//! - A body is bytes and a content type ([`RenderedBody`]), not a framework's body type, so
//!   one writer serves axum (`IntoResponse for Denial`), the tower layer and any other
//!   framework ([`Denial::into_rendered_response`]).
//! - The writer only writes the body: the status and the `WWW-Authenticate` challenge are
//!   the [`Denial`]'s, as RFC 6750 says, whatever the body.
//! - The writer travels with the denial (an `Arc`), so a handler's `?` on a scoping helper
//!   answers in the same format as the extractor.

use ::http::HeaderValue;

use super::Denial;

/// Writes the body of a refusal (the status and challenge are fixed by RFC 6750; this is
/// only what follows them). [`JsonBody`] is the default; [`ProblemJson`] writes RFC 9457
/// problem details; any `Fn(&Denial) -> Option<RenderedBody>` closure is one too.
///
/// ```
/// use facilioo_jwt::http::{BearerAuth, Denial, RenderedBody};
/// use facilioo_jwt::{KeySet, Policy, Verifier};
/// use http::HeaderValue;
///
/// let auth = BearerAuth::new(Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()))
///     .with_body(|denial: &Denial| {
///         let text = format!("refused: {}\n", denial.reason());
///         Some(RenderedBody::new(HeaderValue::from_static("text/plain; charset=utf-8"), text))
///     });
/// let denial = auth.authenticate(&http::HeaderMap::new()).unwrap_err();
/// assert_eq!(denial.render().map(RenderedBody::into_bytes), Some(b"refused: missing_token\n".to_vec()));
/// ```
pub trait DenialBody: Send + Sync + 'static {
    /// The body for `denial`; `None` for an empty body without a `Content-Type`.
    fn render(&self, denial: &Denial) -> Option<RenderedBody>;
}

impl<F> DenialBody for F
where
    F: Fn(&Denial) -> Option<RenderedBody> + Send + Sync + 'static,
{
    fn render(&self, denial: &Denial) -> Option<RenderedBody> {
        self(denial)
    }
}

/// A refusal's body: its bytes and their `Content-Type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedBody {
    content_type: HeaderValue,
    bytes: Vec<u8>,
}

impl RenderedBody {
    /// `bytes` of type `content_type`.
    pub fn new(content_type: HeaderValue, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            content_type,
            bytes: bytes.into(),
        }
    }

    /// The `Content-Type`.
    pub fn content_type(&self) -> &HeaderValue {
        &self.content_type
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The `Content-Type` and the bytes.
    pub fn into_parts(self) -> (HeaderValue, Vec<u8>) {
        (self.content_type, self.bytes)
    }
}

/// The default body: `application/json`,
/// `{"error":"invalid_token","error_description":"…","reason":"expired"}`, the challenge's
/// `error` and `error_description` and the denial's [`reason`](Denial::reason).
///
/// A refusal without an RFC 6750 error (no credentials, another scheme) gets no body: the
/// bare challenge is the whole answer, as RFC 6750 §3.1 asks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JsonBody;

impl DenialBody for JsonBody {
    fn render(&self, denial: &Denial) -> Option<RenderedBody> {
        let error = denial.error()?;
        let description = denial.description();
        // Written member by member, each string escaped by serde_json: a `Value` map costs a
        // refusal several times what answering it does.
        let mut body = Vec::with_capacity(96 + description.map_or(0, str::len));
        let members = [
            ("{\"error\":", Some(error)),
            (",\"error_description\":", description),
            (",\"reason\":", Some(denial.reason())),
        ];
        for (name, value) in members {
            body.extend_from_slice(name.as_bytes());
            // Writing to a Vec cannot fail, and a string always serializes.
            let _ = serde_json::to_writer(&mut body, &value);
        }
        body.push(b'}');
        Some(RenderedBody::new(
            HeaderValue::from_static("application/json"),
            body,
        ))
    }
}

/// Problem details ([RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)),
/// `application/problem+json`:
///
/// ```json
/// {"type":"about:blank","title":"Unauthorized","status":401,
///  "detail":"token expired at …; refresh it (facilioo: /api/auth/refresh)",
///  "error":"invalid_token","reason":"expired"}
/// ```
///
/// (members in no particular order: a JSON object has none, and the order can change with
/// the JSON features of a build). `type` is `about:blank` and `title` the status's phrase (RFC 9457 §4.2.1: the status says
/// what happened); `detail` is the description, and the extension members `error` and
/// `reason` are the RFC 6750 code and [`Denial::reason`].
///
/// A refusal without an RFC 6750 error (no credentials, another scheme) still gets a body,
/// because clients of problem details expect one on every error, but only
/// `type`, `title` and `status`: RFC 6750 §3.1 says such an answer should carry no error
/// information, so neither `detail`, `error` nor `reason` is there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProblemJson;

impl DenialBody for ProblemJson {
    fn render(&self, denial: &Denial) -> Option<RenderedBody> {
        let status = denial.status();
        let mut body = serde_json::json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or_default(),
            "status": status.as_u16(),
        });
        if let (Some(error), Some(members)) = (denial.error(), body.as_object_mut()) {
            if let Some(detail) = denial.description() {
                members.insert("detail".into(), detail.into());
            }
            members.insert("error".into(), error.into());
            members.insert("reason".into(), denial.reason().into());
        }
        Some(RenderedBody::new(
            HeaderValue::from_static("application/problem+json"),
            body.to_string(),
        ))
    }
}
