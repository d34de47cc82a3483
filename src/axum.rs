//! An axum extractor (feature `axum`): a handler that takes a [`FaciliooToken`] runs only for
//! requests with a valid facilioo token whose party type the route admits; every other
//! request gets the RFC 6750 answer ([`Denial`]).
//!
//! The extractor finds a [`BearerAuth`] in the application state (`FromRef`), verifies
//! against the system clock, and yields the owned token. Behind the tower layer
//! ([`BearerAuthLayer`](crate::tower::BearerAuthLayer)) it takes the token the layer put into
//! the request's extensions instead of verifying again, then checks its own party types,
//! but only if the layer was built with the state's `BearerAuth` (it or a clone of it: pass
//! the same one to both). A token another `BearerAuth` admitted (other keys, another
//! audience) is not taken on trust: the extractor verifies the request again with the
//! state's.
//!
//! ```
//! use axum::{Json, Router, extract::FromRef, routing::get};
//! use facilioo_jwt::axum::{FaciliooToken, only};
//! use facilioo_jwt::http::{BearerAuth, Denial};
//! use facilioo_jwt::{KeySet, Policy, Verifier};
//!
//! facilioo_jwt::party_types!(pub Staff = [PropertyManagementCompany, PoolManager]);
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
//! // 403 insufficient_scope for any other party type, before the handler runs.
//! async fn admin(_token: FaciliooToken<only::PropertyManagementCompany>) -> &'static str {
//!     "welcome"
//! }
//!
//! async fn company(token: FaciliooToken<Staff>) -> Result<&'static str, Denial> {
//!     token.require_company(7)?; // 403 for another company's staff
//!     Ok("company 7")
//! }
//!
//! async fn hello(token: Option<FaciliooToken>) -> String {
//!     match token {
//!         Some(t) => format!("hello, account {}", t.subject().account_id()),
//!         None => "hello, stranger".into(),
//!     }
//! }
//!
//! let auth = BearerAuth::new(Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()));
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route("/admin", get(admin))
//!     .route("/companies/7", get(company))
//!     .route("/hello", get(hello))
//!     .with_state(App { auth });
//! ```

use ::http::header::AUTHORIZATION;
use ::http::request::Parts;
use axum_core::body::Body;
use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};

use crate::UnixTime;
pub use crate::http::{AllowedPartyTypes, AnyPartyType, FaciliooToken, only};
use crate::http::{BearerAuth, Denial};

/// A token is `R`'s: the one the tower layer admitted, if it ran, else the request's,
/// verified with the state's [`BearerAuth`].
impl<S, R> FromRequestParts<S> for FaciliooToken<R>
where
    BearerAuth: FromRef<S>,
    S: Send + Sync,
    R: AllowedPartyTypes,
{
    type Rejection = Denial;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Denial> {
        let auth = BearerAuth::from_ref(state);
        match admitted_by(parts, &auth) {
            Some(token) => token
                .clone()
                .narrow_with(crate::http::bearer_token(&parts.headers).ok()),
            None => auth.admit(&parts.headers, UnixTime::now()),
        }
    }
}

/// The token in the request's extensions, if `auth` (or a clone of it) put it there.
fn admitted_by<'a>(parts: &'a Parts, auth: &BearerAuth) -> Option<&'a FaciliooToken> {
    parts
        .extensions
        .get::<FaciliooToken>()
        .filter(|token| token.auth().same_as(auth))
}

/// `None` only when the request has no `Authorization` header (and the tower layer, if it
/// ran, admitted no token); a token that is there must be good and of a party type `R`
/// admits.
impl<S, R> OptionalFromRequestParts<S> for FaciliooToken<R>
where
    BearerAuth: FromRef<S>,
    S: Send + Sync,
    R: AllowedPartyTypes,
{
    type Rejection = Denial;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Denial> {
        if !parts.headers.contains_key(AUTHORIZATION)
            && admitted_by(parts, &BearerAuth::from_ref(state)).is_none()
        {
            return Ok(None);
        }
        <Self as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

impl IntoResponse for Denial {
    /// The status and `WWW-Authenticate` challenge, and the body its
    /// [`DenialBody`](crate::http::DenialBody) writes (by default, for an error, a JSON body
    /// with the same `error` and `error_description`, and the `reason`).
    fn into_response(self) -> Response {
        self.into_rendered_response::<Body>()
    }
}
