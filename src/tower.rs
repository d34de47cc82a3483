//! A tower layer (feature `tower`) for tower and hyper services that do not use axum: it
//! verifies each request's bearer token, puts the [`VerifiedToken`] into the request's
//! extensions, and answers every other request itself with the RFC 6750 response ([`Denial`],
//! empty body).
//!
//! ```
//! use facilioo_jwt::http::BearerAuth;
//! use facilioo_jwt::tower::BearerAuthLayer;
//! use facilioo_jwt::{KeySet, PartyType, Policy, VerifiedToken, Verifier};
//! use http::{Request, Response};
//! use tower::{ServiceBuilder, service_fn};
//!
//! let auth = BearerAuth::new(Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()), "api")?;
//! let service = ServiceBuilder::new()
//!     .layer(BearerAuthLayer::new(auth).require_party_types([PartyType::PropertyManagementCompany]))
//!     .service(service_fn(|request: Request<String>| async move {
//!         let token = request.extensions().get::<VerifiedToken>().expect("the layer put it there");
//!         Ok::<_, std::convert::Infallible>(Response::new(format!("account {}", token.subject().account_id())))
//!     }));
//! # drop(service);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::Arc;

use ::http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::http::{BearerAuth, Denial};
use crate::{PartyType, VerifiedToken};

/// Verifies every request's bearer token before the inner service sees the request.
#[derive(Clone, Debug)]
pub struct BearerAuthLayer {
    auth: BearerAuth,
    party_types: Option<Arc<[PartyType]>>,
}

impl BearerAuthLayer {
    /// A layer that authenticates with `auth`.
    pub fn new(auth: BearerAuth) -> Self {
        Self {
            auth,
            party_types: None,
        }
    }

    /// Also refuses (403 `insufficient_scope`) tokens whose party type is not one of
    /// `allowed`.
    pub fn require_party_types(mut self, allowed: impl IntoIterator<Item = PartyType>) -> Self {
        self.party_types = Some(allowed.into_iter().collect());
        self
    }

    fn admit<B>(&self, request: &mut Request<B>) -> Result<(), Denial> {
        let token = self.auth.authenticate(request.headers())?;
        if let Some(allowed) = &self.party_types {
            self.auth.require_party_type(&token, allowed)?;
        }
        request.extensions_mut().insert(token);
        Ok(())
    }
}

impl<S> Layer<S> for BearerAuthLayer {
    type Service = BearerAuthService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        BearerAuthService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`BearerAuthLayer`] makes.
#[derive(Clone, Debug)]
pub struct BearerAuthService<S> {
    inner: S,
    layer: BearerAuthLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for BearerAuthService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        match self.layer.admit(&mut request) {
            Ok(()) => ResponseFuture::inner(self.inner.call(request)),
            Err(denial) => ResponseFuture::denied(denial.into_response_with(ResBody::default())),
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`BearerAuthService`]: the inner service's, or the refusal.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProjection]
    enum State<F, B> {
        // The request was admitted: the inner service's future.
        Inner { #[pin] future: F },
        // The request was refused: the response, until it is handed out.
        Denied { response: Option<Response<B>> },
    }
}

impl<F, B> ResponseFuture<F, B> {
    fn inner(future: F) -> Self {
        Self {
            state: State::Inner { future },
        }
    }

    fn denied(response: Response<B>) -> Self {
        Self {
            state: State::Denied {
                response: Some(response),
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProjection::Inner { future } => future.poll(cx),
            // Ready once; a future polled again after that never completes again.
            StateProjection::Denied { response } => response
                .take()
                .map_or(Poll::Pending, |r| Poll::Ready(Ok(r))),
        }
    }
}

/// The verified token the layer put into a request's extensions.
pub fn verified_token<B>(request: &Request<B>) -> Option<&VerifiedToken> {
    request.extensions().get::<VerifiedToken>()
}
