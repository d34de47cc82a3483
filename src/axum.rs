//! An axum extractor (feature `axum`): a handler that takes a [`FaciliooToken`] runs only for
//! requests with a valid facilioo token; every other request gets the RFC 6750 answer
//! ([`Denial`]).
//!
//! The extractor finds a [`BearerAuth`] in the application state (`FromRef`), verifies
//! against the system clock, and yields the owned token:
//!
//! ```
//! use axum::{Json, Router, extract::FromRef, routing::get};
//! use facilioo_jwt::axum::FaciliooToken;
//! use facilioo_jwt::http::{BearerAuth, Denial};
//! use facilioo_jwt::{KeySet, PartyType, Policy, Verifier};
//!
//! #[derive(Clone, FromRef)]
//! struct App {
//!     auth: BearerAuth,
//! }
//!
//! async fn me(token: FaciliooToken) -> Json<serde_json::Value> {
//!     Json(serde_json::json!({ "accountId": token.subject().account_id().get() }))
//! }
//!
//! async fn admin(token: FaciliooToken) -> Result<&'static str, Denial> {
//!     token.require_party_type(&[PartyType::PropertyManagementCompany])?;
//!     Ok("welcome")
//! }
//!
//! async fn hello(token: Option<FaciliooToken>) -> String {
//!     match token {
//!         Some(t) => format!("hello, account {}", t.subject().account_id()),
//!         None => "hello, stranger".into(),
//!     }
//! }
//!
//! let verifier = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
//! let auth = BearerAuth::new(verifier, "facilioo")?;
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route("/admin", get(admin))
//!     .route("/hello", get(hello))
//!     .with_state(App { auth });
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::ops::Deref;

use ::http::HeaderValue;
use ::http::header::CONTENT_TYPE;
use ::http::request::Parts;
use axum_core::body::Body;
use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};

use crate::http::{BearerAuth, Denial};
use crate::{PartyType, VerifiedToken};

/// A request's verified facilioo token: the extractor. It dereferences to the
/// [`VerifiedToken`] (`subject()`, `party_type()`, …).
///
/// As `Option<FaciliooToken>` it also serves anonymous calls: `None` when the request has
/// no `Authorization` header; a token that is there must still be good.
#[derive(Clone, Debug)]
pub struct FaciliooToken {
    token: VerifiedToken,
    auth: BearerAuth,
}

impl FaciliooToken {
    /// The verified token.
    pub fn into_inner(self) -> VerifiedToken {
        self.token
    }

    /// Refuses (403 `insufficient_scope`) unless the token's party type is one of `allowed`:
    /// `token.require_party_type(&[PartyType::PropertyManagementCompany])?;` at the top of an
    /// admin handler. See [`BearerAuth::require_party_type`].
    pub fn require_party_type(&self, allowed: &[PartyType]) -> Result<(), Denial> {
        self.auth.require_party_type(&self.token, allowed)
    }
}

impl Deref for FaciliooToken {
    type Target = VerifiedToken;
    fn deref(&self) -> &VerifiedToken {
        &self.token
    }
}

impl<S> FromRequestParts<S> for FaciliooToken
where
    BearerAuth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Denial;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Denial> {
        let auth = BearerAuth::from_ref(state);
        let token = auth.authenticate(&parts.headers)?;
        Ok(Self { token, auth })
    }
}

impl<S> OptionalFromRequestParts<S> for FaciliooToken
where
    BearerAuth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Denial;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Denial> {
        let auth = BearerAuth::from_ref(state);
        Ok(auth
            .authenticate_optional(&parts.headers)?
            .map(|token| Self { token, auth }))
    }
}

impl IntoResponse for Denial {
    /// The status and `WWW-Authenticate` challenge, and for an error a JSON body with the
    /// same `error` and `error_description`.
    fn into_response(self) -> Response {
        let Some(error) = self.error() else {
            return self.into_response_with(Body::empty());
        };
        let body = serde_json::json!({ "error": error, "error_description": self.description() });
        let mut response = self.into_response_with(Body::from(body.to_string()));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}
