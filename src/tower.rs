//! A tower layer (feature `tower`) for tower and hyper services, and for axum routers: it
//! verifies each request's bearer token, puts the [`FaciliooToken`] into the request's
//! extensions, and answers every other request itself with the RFC 6750 response
//! ([`Denial`]).
//!
//! - **Modes.** Every request must carry a good token, unless the layer is
//!   [`optional`](BearerAuthLayer::optional) (a request without an `Authorization` header
//!   passes without a token; a bad one is still refused) or the request is
//!   [exempt](BearerAuthLayer::exempt) (health checks, CORS preflights: they pass untouched,
//!   without a token).
//! - **Bodies.** By default a refusal has an empty body, built with `ResBody::default()`, so
//!   the layer wraps any service whose body has a default (`String`, hyper's and
//!   http-body-util's boxed and empty bodies). [`with_bodies`](BearerAuthLayer::with_bodies)
//!   writes the [`BearerAuth`]'s [`DenialBody`](crate::http::DenialBody) (JSON by default)
//!   for services whose body is built from bytes (`From<Vec<u8>>`: axum's `Body`,
//!   `http_body_util::Full<Bytes>`, `Vec<u8>`). Both bounds come from the standard library
//!   or the `http` crate: the layer adds no dependency on a body crate.
//! - **One vocabulary.** The token in the extensions is the [`FaciliooToken`] the axum
//!   extractor yields, and the extractor takes it from there instead of verifying again
//!   when the layer's [`BearerAuth`] is the state's (the same one, or a clone of it).
//! - **Exemptions are decided on the routed path.** A path that could be read two ways
//!   (`//`, `..`, `%2e`, …) is never exempt; with feature `axum`, neither is one that is not
//!   the path axum routed (less a prefix it was nested under). See
//!   [`exempt`](BearerAuthLayer::exempt).
//!
//! ```
//! use facilioo_jwt::http::BearerAuth;
//! use facilioo_jwt::tower::{BearerAuthLayer, verified_token};
//! use facilioo_jwt::{KeySet, PartyType, Policy, Verifier};
//! use http::{Request, Response};
//! use tower::{ServiceBuilder, service_fn};
//!
//! let auth = BearerAuth::new(Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()));
//! let layer = BearerAuthLayer::new(auth)
//!     .require_party_types([PartyType::PropertyManagementCompany])
//!     .exempt_path("/health")
//!     .exempt_cors_preflight();
//! let service = ServiceBuilder::new()
//!     .layer(layer)
//!     .service(service_fn(|request: Request<String>| async move {
//!         let account = verified_token(&request).map(|t| t.subject().account_id());
//!         Ok::<_, std::convert::Infallible>(Response::new(format!("account {account:?}")))
//!     }));
//! # drop(service);
//! ```

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::Arc;

use ::http::header::{ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, ORIGIN};
use ::http::request::Parts;
use ::http::{Method, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

mod routed;

pub use crate::http::FaciliooToken;
use crate::http::{BearerAuth, Denial};
use crate::{PartyType, UnixTime};

/// How the layer writes a refusal's response for a service whose body is `B`: [`NoBody`]
/// (the default) or [`WithBody`].
pub trait DenialResponse<B>: Send + Sync + 'static {
    /// The response to `denial`: its status and challenge, and a body.
    fn respond(denial: Denial) -> Response<B>;
}

/// Refusals get an empty body (`B::default()`) and no `Content-Type`: the status and
/// challenge say everything RFC 6750 asks for, and any body with a default will do.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoBody;

impl<B: Default> DenialResponse<B> for NoBody {
    fn respond(denial: Denial) -> Response<B> {
        denial.into_response_with(B::default())
    }
}

/// Refusals get the body the [`BearerAuth`]'s [`DenialBody`](crate::http::DenialBody)
/// writes, with its `Content-Type`, for services whose body is built from bytes
/// (`B: From<Vec<u8>>`).
#[derive(Clone, Copy, Debug, Default)]
pub struct WithBody;

impl<B: From<Vec<u8>>> DenialResponse<B> for WithBody {
    fn respond(denial: Denial) -> Response<B> {
        denial.into_rendered_response()
    }
}

/// A request the layer lets through untouched.
type Exemption = Arc<dyn Fn(&Parts) -> bool + Send + Sync>;

/// What the layer asks of a request, shared by every service it makes.
#[derive(Clone, Default)]
struct Config {
    party_types: Option<Arc<[PartyType]>>,
    optional: bool,
    /// Decided only on a path that is the routed one, read one way ([`routed`]).
    exemptions: Vec<Exemption>,
    cors_preflight: bool,
}

/// Verifies every request's bearer token before the inner service sees the request. `M`
/// says how refusals' bodies are written ([`NoBody`], [`WithBody`]).
pub struct BearerAuthLayer<M = NoBody> {
    auth: BearerAuth,
    config: Arc<Config>,
    mode: PhantomData<fn() -> M>,
}

impl BearerAuthLayer {
    /// A layer that authenticates with `auth` (or a verifier), refusing with empty bodies.
    pub fn new(auth: impl Into<BearerAuth>) -> Self {
        Self {
            auth: auth.into(),
            config: Arc::default(),
            mode: PhantomData,
        }
    }
}

impl<M> BearerAuthLayer<M> {
    /// Refusals carry the body the [`BearerAuth`] writes
    /// ([`with_body`](BearerAuth::with_body); JSON by default), for services whose response
    /// body is built from bytes (`From<Vec<u8>>`, as axum's `Body` is). See [`WithBody`].
    pub fn with_bodies(self) -> BearerAuthLayer<WithBody> {
        BearerAuthLayer {
            auth: self.auth,
            config: self.config,
            mode: PhantomData,
        }
    }

    /// Also refuses (403 `insufficient_scope`) tokens whose party type is not one of
    /// `allowed`.
    pub fn require_party_types(mut self, allowed: impl IntoIterator<Item = PartyType>) -> Self {
        Arc::make_mut(&mut self.config).party_types = Some(allowed.into_iter().collect());
        self
    }

    /// Lets a request without an `Authorization` header through without a token (the inner
    /// service serves anonymous calls itself); a token that is there must still be good.
    pub fn optional(mut self) -> Self {
        Arc::make_mut(&mut self.config).optional = true;
        self
    }

    /// Lets every request for which `exempt` is true through untouched, without a token and
    /// without looking at its `Authorization` header. `exempt` sees the method, URI, headers
    /// and extensions, never the body.
    ///
    /// `exempt` is asked only about a request whose path the router cannot have read
    /// another way than the inner service does: a path with an empty segment (`//`), a dot
    /// segment (`.`, `..`), a backslash or a percent-encoded `.`, `/` or `\`, or one that
    /// differs from the path axum routed on other than by a prefix it was nested under, is
    /// never exempt and needs a token. So a prefix test such as the one below cannot be
    /// walked out of with `/public/../admin`, nor reached through `/api//public/…` in a
    /// nested router. The path `exempt` sees is the one the router the layer is on sees:
    /// inside `nest("/api", …)`, `/health`, not `/api/health`.
    ///
    /// Put the layer where it sees the path the router routes on: around the
    /// whole router, or with [`Router::layer`](https://docs.rs/axum/0.8/axum/struct.Router.html#method.layer)
    /// on any router, nested or not, with feature `axum` on (which reads the path axum
    /// routed, its `OriginalUri`); without feature `axum`, only around the whole router.
    ///
    /// ```
    /// use facilioo_jwt::tower::BearerAuthLayer;
    /// use facilioo_jwt::{KeySet, Policy, Verifier};
    ///
    /// let verifier = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
    /// let layer = BearerAuthLayer::new(verifier)
    ///     .exempt(|request: &http::request::Parts| request.uri.path().starts_with("/public/"));
    /// # drop(layer);
    /// ```
    pub fn exempt(mut self, exempt: impl Fn(&Parts) -> bool + Send + Sync + 'static) -> Self {
        Arc::make_mut(&mut self.config)
            .exemptions
            .push(Arc::new(exempt));
        self
    }

    /// Exempts requests whose path is exactly `path`, whatever their query and **whatever
    /// their method**: `exempt_path("/health")` lets a `POST /health` through as it does a
    /// `GET`, so route nothing there that needs a token. It exempts `/health` and
    /// `/health?full=1`, not `/health/` nor `/health/db` (exempt each, or use
    /// [`exempt`](Self::exempt) for a prefix), and, as every exemption, only on a path read
    /// one way ([`exempt`](Self::exempt) says which): not `//health`, nor `/api//health`
    /// in a router nested at `/api`.
    pub fn exempt_path(self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.exempt(move |request| request.uri.path() == path)
    }

    /// Exempts CORS preflight requests, which browsers send without credentials: `OPTIONS`
    /// with a non-empty `Origin` and an `Access-Control-Request-Method` that is a method
    /// (an HTTP token). Any other `OPTIONS` needs a token.
    ///
    /// A handler for `OPTIONS` behind the layer then runs for anyone who sends those two
    /// headers: let it answer the preflight (as a CORS layer does) and nothing else.
    pub fn exempt_cors_preflight(mut self) -> Self {
        Arc::make_mut(&mut self.config).cors_preflight = true;
        self
    }

    /// Admits the request: exempt, anonymous in optional mode, or with a good token, which
    /// goes into its extensions.
    fn admit(&self, request: &mut Parts) -> Result<(), Denial> {
        let config = &self.config;
        let exempt = (config.cors_preflight && is_cors_preflight(request))
            || (!config.exemptions.is_empty()
                && routed::exemptible(request)
                && config.exemptions.iter().any(|exempt| exempt(request)));
        if exempt || (config.optional && !request.headers.contains_key(AUTHORIZATION)) {
            return Ok(());
        }
        let token = self.auth.admit_for(
            &request.headers,
            UnixTime::now(),
            config.party_types.as_deref(),
        )?;
        let token: FaciliooToken = FaciliooToken::admitted(token, self.auth.clone());
        request.extensions.insert(token);
        Ok(())
    }
}

/// A CORS preflight: `OPTIONS`, a non-empty `Origin`, and an `Access-Control-Request-Method`
/// that is a method token.
fn is_cors_preflight(request: &Parts) -> bool {
    request.method == Method::OPTIONS
        && request
            .headers
            .get(ORIGIN)
            .is_some_and(|origin| !origin.is_empty())
        && request
            .headers
            .get(ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|method| is_token(method.as_bytes()))
}

/// An HTTP token (RFC 9110 §5.6.2): one or more `tchar`s, as a method is.
fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl<M> Clone for BearerAuthLayer<M> {
    fn clone(&self) -> Self {
        Self {
            auth: self.auth.clone(),
            config: Arc::clone(&self.config),
            mode: PhantomData,
        }
    }
}

impl<M> fmt::Debug for BearerAuthLayer<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerAuthLayer")
            .field("auth", &self.auth)
            .field("party_types", &self.config.party_types)
            .field("optional", &self.config.optional)
            .field("exemptions", &self.config.exemptions.len())
            .field("cors_preflight", &self.config.cors_preflight)
            .field("bodies", &core::any::type_name::<M>())
            .finish()
    }
}

impl<S, M> Layer<S> for BearerAuthLayer<M> {
    type Service = BearerAuthService<S, M>;
    fn layer(&self, inner: S) -> Self::Service {
        BearerAuthService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`BearerAuthLayer`] makes.
pub struct BearerAuthService<S, M = NoBody> {
    inner: S,
    layer: BearerAuthLayer<M>,
}

impl<S: Clone, M> Clone for BearerAuthService<S, M> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<S: fmt::Debug, M> fmt::Debug for BearerAuthService<S, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerAuthService")
            .field("inner", &self.inner)
            .field("layer", &self.layer)
            .finish()
    }
}

impl<S, M, ReqBody, ResBody> Service<Request<ReqBody>> for BearerAuthService<S, M>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    M: DenialResponse<ResBody>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        match self.layer.admit(&mut parts) {
            Ok(()) => ResponseFuture::inner(self.inner.call(Request::from_parts(parts, body))),
            Err(denial) => ResponseFuture::denied(M::respond(denial)),
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

/// The token the layer put into a request's extensions (`None` for a request it let through
/// without one: exempt, or anonymous in optional mode).
pub fn verified_token<B>(request: &Request<B>) -> Option<&FaciliooToken> {
    request.extensions().get::<FaciliooToken>()
}
