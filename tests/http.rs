//! The HTTP glue: bearer parsing (RFC 6750 §2.1), the answers (§3), the axum extractor and
//! the tower layer over real HTTP on 127.0.0.1 (the example service: tests/service.rs).
#![cfg(all(feature = "axum", feature = "tower"))]

#[path = "common/client.rs"]
mod client;
mod common;

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Extension, Json, Router};
use client::get_with;
use common::{HEADER, NOW, claims, sign, signer};
use facilioo_jwt::axum::{FaciliooToken, only};
use facilioo_jwt::http::{BearerAuth, BearerError, Denial, InvalidRealm, Realm, bearer_token};
use facilioo_jwt::tower::BearerAuthLayer;
use facilioo_jwt::{Error, PartyType, UnixTime};
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Value, json};

fn headers(values: &[&[u8]]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for v in values {
        map.append(
            AUTHORIZATION,
            HeaderValue::from_bytes(v).expect("header value"),
        );
    }
    map
}

#[test]
fn bearer_tokens_as_rfc_6750_reads_them() {
    use BearerError::{Empty, Malformed, Missing, Multiple, OtherScheme};
    type Case<'a> = (&'a [&'a [u8]], Result<&'a str, BearerError>);
    let cases: [Case<'_>; 27] = [
        (&[], Err(Missing)),
        (&[b"Bearer a.b.c"], Ok("a.b.c")),
        (&[b"bearer a.b.c"], Ok("a.b.c")),
        (&[b"BEARER a.b.c"], Ok("a.b.c")),
        (&[b"Bearer    a.b.c  "], Ok("a.b.c")),
        (&[b"  Bearer a.b.c"], Ok("a.b.c")),
        (&[b"Bearer\ta.b.c"], Ok("a.b.c")),
        (&[b"Bearer abc-._~+/=="], Ok("abc-._~+/==")),
        (&[b"Basic dXNlcjpwYXNz"], Err(OtherScheme)),
        (&[b"Bearerx a.b.c"], Err(OtherScheme)),
        (&[b"Token a.b.c"], Err(OtherScheme)),
        (&[b"Bearer a.b.c", b"Bearer a.b.c"], Err(Multiple)),
        (&[b"Bearer"], Err(Empty)),
        (&[b"Bearer   "], Err(Empty)),
        (&[b"Bearer a.b c"], Err(Malformed)),
        (&[b"Bearer a=b"], Err(Malformed)),
        (&[b"Bearer ==="], Err(Malformed)),
        (&[b"Bearer a\"b"], Err(Malformed)),
        (&[b"Bearer \xc3\xa9t\xc3\xa9"], Err(Malformed)),
        // Another scheme is another scheme whatever bytes follow it (obs-text included); only
        // a Bearer token must be visible ASCII.
        (&[b"Basic \xff"], Err(OtherScheme)),
        (&[b"Basic \xff\xfe"], Err(OtherScheme)),
        (&[b"Digest realm=\"caf\xe9\""], Err(OtherScheme)),
        (&[b"Negotiate"], Err(OtherScheme)),
        (&[b"B\xe9arer x"], Err(OtherScheme)),
        (&[b"\xff"], Err(OtherScheme)),
        (&[b"Bearer \xff"], Err(Malformed)),
        (&[b"bEaReR\t a.b.c\xff"], Err(Malformed)),
    ];
    for (values, want) in cases {
        assert_eq!(bearer_token(&headers(values)), want, "{values:?}");
    }
}

/// Every outcome's status and challenge, exactly; descriptions within RFC 6750's character
/// set and never the token.
#[test]
fn denials_say_what_rfc_6750_says() {
    let realm = Realm::new("facilioo").expect("realm");
    let bare = Denial::bearer(BearerError::Missing, &realm);
    assert_eq!(
        (
            bare.status(),
            bare.error(),
            bare.www_authenticate().to_str().ok()
        ),
        (
            StatusCode::UNAUTHORIZED,
            None,
            Some(r#"Bearer realm="facilioo""#)
        )
    );
    assert_eq!(
        Denial::bearer(BearerError::OtherScheme, &realm).www_authenticate(),
        bare.www_authenticate()
    );
    let request = Denial::bearer(BearerError::Multiple, &realm);
    assert_eq!(request.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        request.www_authenticate().to_str().ok(),
        Some(
            r#"Bearer realm="facilioo", error="invalid_request", error_description="more than one Authorization header""#
        )
    );
    let expired = Denial::token(
        &Error::Expired {
            exp: UnixTime::from_secs(NOW - 60),
            now: UnixTime::from_secs(NOW),
        },
        &realm,
    );
    assert_eq!(
        (expired.status(), expired.error()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );
    assert_eq!(
        expired.description(),
        Some(
            "token expired at 2025-12-31T23:59:00Z (checked at 2026-01-01T00:00:00Z); \
             refresh it (facilioo: /api/auth/refresh)"
        )
    );
    let forbidden = Denial::token(
        &Error::PartyTypeNotAllowed(Some(PartyType::Contractor)),
        &realm,
    );
    assert_eq!(
        (forbidden.status(), forbidden.error()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope"))
    );
    let errors = [
        Error::InvalidSignature,
        Error::UnsupportedAlgorithm,
        Error::InvalidIssuer,
        Error::TooLarge {
            len: 9000,
            max: 8192,
        },
        Error::PartyTypeNotAllowed(None),
    ];
    for e in &errors {
        let denial = Denial::token(e, &realm);
        let description = denial.description().expect("a description");
        assert!(
            description
                .bytes()
                .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5b | 0x5d..=0x7e)),
            "{description}"
        );
        let challenge = denial.www_authenticate().to_str().expect("ASCII");
        assert!(challenge.ends_with(&format!("error_description=\"{description}\"")));
        assert_eq!(
            denial.clone().into_response_with(()).status(),
            denial.status()
        );
    }
    assert_eq!(
        Realm::new("a\"b").map(|_| ()).map_err(|e| e.to_string()),
        Err("a realm is 1 to 100 characters of printable ASCII without '\"' or '\\'".to_owned())
    );
    assert_eq!(
        expired.to_string(),
        format!("401 Unauthorized: {}", expired.description().unwrap_or(""))
    );
    assert_eq!(bare.to_string(), "401 Unauthorized");
    assert_eq!(
        BearerError::Empty.to_string(),
        "the Authorization header has no token after Bearer"
    );
    assert!(Realm::new("a\\b").is_err());
    assert!(Realm::new("é").is_err());
    assert!(Realm::new(&"r".repeat(101)).is_err());
    assert!(Realm::new(&"r".repeat(100)).is_ok());
    assert_eq!(
        Realm::new(""),
        Err(InvalidRealm),
        "an empty realm names nothing"
    );
    assert_eq!(
        Realm::new("r").map(|r| r.as_str().to_owned()),
        Ok("r".to_owned())
    );
}

// ---- over real HTTP ----------------------------------------------------------------------

const REALM: &str = "facilioo";

#[derive(Clone, FromRef)]
struct App {
    auth: BearerAuth,
}

async fn me(token: FaciliooToken) -> Json<Value> {
    Json(json!({ "accountId": token.subject().account_id().get() }))
}

async fn admin(_token: FaciliooToken<only::PropertyManagementCompany>) -> &'static str {
    "admin"
}

async fn hello(token: Option<FaciliooToken>) -> String {
    token.map_or("stranger".into(), |t| t.subject().account_id().to_string())
}

async fn raw(Extension(token): Extension<FaciliooToken>) -> String {
    token.subject().account_id().to_string()
}

fn auth() -> BearerAuth {
    BearerAuth::new(common::verifier(&["rsa2048-a"]))
}

/// Serves `app` on an ephemeral loopback port; returns its base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Valid tokens in the test clock's window would be expired on the real clock the server
/// checks against: these are valid now.
fn now() -> i64 {
    UnixTime::now().as_secs()
}

fn token_with(extra: &str, exp_from_now: i64) -> String {
    let now = now();
    let c = claims(now - 10, now + exp_from_now, 7, Some(3));
    let c = if extra.is_empty() {
        c
    } else {
        format!("{},{extra}}}", &c[..c.len() - 1])
    };
    sign(HEADER, &c, &signer("rsa2048-a"))
}

/// The per-route party-type check outside any framework.
#[test]
fn bearer_auth_checks_a_routes_party_types() {
    let auth = auth();
    let mut headers = HeaderMap::new();
    let bearer = |t: &str| HeaderValue::from_str(&format!("Bearer {t}")).expect("value");
    headers.insert(AUTHORIZATION, bearer(&token_with(r#""partyType":5"#, 3600)));
    let token = auth.authenticate(&headers).expect("valid");
    assert_eq!(
        auth.require_party_types(&token, [PartyType::Contractor]),
        Ok(())
    );
    let denied = auth
        .require_party_types(&token, [PartyType::PropertyManagementCompany])
        .expect_err("a contractor");
    assert_eq!(
        (denied.status(), denied.error()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope"))
    );
    assert_eq!(
        denied.description(),
        Some(
            "this route requires party type PropertyManagementCompany (2); \
             the token's is Contractor (5)"
        )
    );
    let several = auth
        .require_party_types(&token, [PartyType::User, PartyType::Unknown(99)])
        .expect_err("a contractor");
    assert_eq!(
        several.description(),
        Some("this route requires one of User (7), with id 99; the token's is Contractor (5)")
    );
    let none = auth
        .require_party_types(&token, Vec::new())
        .expect_err("no party type admitted");
    assert_eq!(
        none.description(),
        Some("this route admits no party type; the token's is Contractor (5)")
    );
    // Unknown(5) is Contractor by id.
    assert_eq!(
        auth.require_party_types(&token, [PartyType::Unknown(5)]),
        Ok(())
    );
    assert_eq!(auth.authenticate_optional(&HeaderMap::new()), Ok(None));
    assert_eq!(auth.realm().as_str(), REALM);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_axum_extractor_over_http() {
    let app = Router::new()
        .route("/me", get(me))
        .route("/admin", get(admin))
        .route("/hello", get(hello))
        .with_state(App { auth: auth() });
    let base = serve(app).await;
    let bearer = |t: &str| format!("Bearer {t}");

    let valid = token_with(r#""partyType":2"#, 3600);
    let reply = get_with(&format!("{base}/me"), Some(&bearer(&valid))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&reply.body).ok(),
        Some(json!({"accountId": 7}))
    );
    assert_eq!(
        get_with(&format!("{base}/admin"), Some(&bearer(&valid)))
            .await
            .status,
        StatusCode::OK
    );

    // No header: a bare challenge.
    let reply = get_with(&format!("{base}/me"), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenge.as_deref(),
        Some(r#"Bearer realm="facilioo""#)
    );
    assert!(reply.body.is_empty());
    assert_eq!(reply.content_type, None);

    // Expired: invalid_token, and the description says to refresh.
    let expired = token_with("", -120);
    let reply = get_with(&format!("{base}/me"), Some(&bearer(&expired))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let challenge = reply.challenge.expect("challenge");
    assert!(challenge.starts_with(r#"Bearer realm="facilioo", error="invalid_token", error_description="token expired at "#), "{challenge}");
    assert!(
        challenge.contains("refresh it (facilioo: /api/auth/refresh)"),
        "{challenge}"
    );
    let body: Value = serde_json::from_str(&reply.body).expect("json body");
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    assert!(!reply.body.contains(&expired) && !challenge.contains(&expired));

    // Forged: signed by a key the service does not trust.
    let forged = sign(
        HEADER,
        &claims(now() - 10, now() + 3600, 7, None),
        &signer("rsa2048-b"),
    );
    let reply = get_with(&format!("{base}/me"), Some(&bearer(&forged))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenge.as_deref(),
        Some(
            r#"Bearer realm="facilioo", error="invalid_token", error_description="signature not verified by any trusted key""#
        )
    );

    // Wrong party type on the admin route: 403.
    let contractor = token_with(r#""partyType":5"#, 3600);
    let reply = get_with(&format!("{base}/admin"), Some(&bearer(&contractor))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply
            .challenge
            .as_deref()
            .is_some_and(|c| c.contains(r#"error="insufficient_scope""#))
    );
    // … and no party type at all, likewise.
    let none = token_with("", 3600);
    assert_eq!(
        get_with(&format!("{base}/admin"), Some(&bearer(&none)))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Malformed header: 400 invalid_request.
    let reply = get_with(&format!("{base}/me"), Some("Bearer two tokens")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply
            .challenge
            .as_deref()
            .is_some_and(|c| c.contains(r#"error="invalid_request""#))
    );
    assert_eq!(
        get_with(&format!("{base}/me"), Some("Bearer")).await.status,
        StatusCode::BAD_REQUEST
    );
    // Another scheme: the bare challenge.
    let reply = get_with(&format!("{base}/me"), Some("Basic dXNlcjpwYXNz")).await;
    assert_eq!(
        (reply.status, reply.challenge.as_deref()),
        (StatusCode::UNAUTHORIZED, Some(r#"Bearer realm="facilioo""#))
    );

    // The anonymous-friendly route: no header is fine, a bad token is not.
    let reply = get_with(&format!("{base}/hello"), None).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "stranger")
    );
    let reply = get_with(&format!("{base}/hello"), Some(&bearer(&valid))).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "7"));
    assert_eq!(
        get_with(&format!("{base}/hello"), Some(&bearer(&forged)))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tower_layer_over_http() {
    let app = Router::new().route("/raw", get(raw)).layer(
        BearerAuthLayer::new(auth()).require_party_types([PartyType::PropertyManagementCompany]),
    );
    let base = serve(app).await;
    let url = format!("{base}/raw");
    let admin = token_with(r#""partyType":"PropertyManagementCompany""#, 3600);
    let reply = get_with(&url, Some(&format!("Bearer {admin}"))).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "7"));
    let reply = get_with(&url, None).await;
    assert_eq!(
        (reply.status, reply.challenge.as_deref()),
        (StatusCode::UNAUTHORIZED, Some(r#"Bearer realm="facilioo""#))
    );
    let contractor = token_with(r#""partyType":5"#, 3600);
    assert_eq!(
        get_with(&url, Some(&format!("Bearer {contractor}")))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get_with(&url, Some("Bearer a b")).await.status,
        StatusCode::BAD_REQUEST
    );
    let expired = token_with("", -120);
    let reply = get_with(&url, Some(&format!("Bearer {expired}"))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        reply.body.is_empty(),
        "the layer answers with an empty body"
    );
}

/// The layer's optional mode, its exemptions and a custom body, over real HTTP: no header
/// passes without a token, a bad token is still refused (with the problem body and the
/// challenge), and a health check or CORS preflight passes whatever it carries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tower_layer_modes_over_http() {
    use facilioo_jwt::http::ProblemJson;
    async fn maybe(token: Option<Extension<FaciliooToken>>) -> String {
        token.map_or("anonymous".to_owned(), |Extension(t)| {
            t.subject().account_id().to_string()
        })
    }
    let layer = BearerAuthLayer::new(auth().with_body(ProblemJson))
        .optional()
        .exempt_path("/health")
        .exempt_cors_preflight()
        .with_bodies();
    let app = Router::new()
        .route("/maybe", get(maybe).options(|| async { "preflight" }))
        .route("/health", get(|| async { "up" }))
        .layer(layer);
    let base = serve(app).await;
    let url = format!("{base}/maybe");
    let reply = get_with(&url, None).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "anonymous")
    );
    let valid = token_with("", 3600);
    let reply = get_with(&url, Some(&format!("Bearer {valid}"))).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "7"));
    let forged = sign(
        HEADER,
        &claims(now() - 10, now() + 3600, 7, None),
        &signer("rsa2048-b"),
    );
    let reply = get_with(&url, Some(&format!("Bearer {forged}"))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        reply
            .challenge
            .as_deref()
            .is_some_and(|c| c.starts_with(r#"Bearer realm="facilioo", error="invalid_token""#)),
        "{:?}",
        reply.challenge
    );
    assert_eq!(
        reply.content_type.as_deref(),
        Some("application/problem+json")
    );
    let problem: Value = serde_json::from_str(&reply.body).expect("a problem body");
    assert_eq!(
        (problem["status"].as_u64(), problem["reason"].as_str()),
        (Some(401), Some("invalid_signature"))
    );

    let bad = ("authorization", "Bearer not.a.token");
    let health = client::send(http::Method::GET, &format!("{base}/health"), &[bad]).await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "up")
    );
    let preflight = [
        bad,
        ("origin", "https://app.example"),
        ("access-control-request-method", "GET"),
    ];
    let reply = client::send(http::Method::OPTIONS, &url, &preflight).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "preflight")
    );
    // An OPTIONS that is no preflight is not exempt.
    let reply = client::send(http::Method::OPTIONS, &url, &[bad]).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

/// The same layer around a plain `tower::service_fn`, no router.
#[tokio::test]
async fn the_tower_layer_around_any_service() {
    use tower::{ServiceBuilder, ServiceExt, service_fn};
    let service = ServiceBuilder::new()
        .layer(BearerAuthLayer::new(auth()))
        .service(service_fn(|request: http::Request<String>| async move {
            let account = facilioo_jwt::tower::verified_token(&request)
                .map(|t| t.subject().account_id().get());
            Ok::<_, std::convert::Infallible>(http::Response::new(format!("{account:?}")))
        }));
    let request = |authorization: Option<String>| {
        let mut builder = http::Request::builder();
        if let Some(a) = authorization {
            builder = builder.header(AUTHORIZATION, a);
        }
        builder.body(String::new()).expect("request")
    };
    let token = token_with("", 3600);
    let ok = service
        .clone()
        .oneshot(request(Some(format!("Bearer {token}"))))
        .await
        .expect("infallible");
    assert_eq!(
        (ok.status(), ok.body().as_str()),
        (StatusCode::OK, "Some(7)")
    );
    let refused = service.oneshot(request(None)).await.expect("infallible");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

/// The layer is ready exactly when the service it wraps is.
#[test]
fn the_tower_layer_waits_for_its_service() {
    use std::task::{Context, Poll, Waker};
    use tower::{Layer as _, Service};

    /// Not ready on the first poll, ready after.
    #[derive(Clone, Default)]
    struct Slow {
        polled: bool,
    }
    impl Service<http::Request<String>> for Slow {
        type Response = http::Response<String>;
        type Error = std::convert::Infallible;
        type Future = std::future::Ready<Result<Self::Response, Self::Error>>;
        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            if std::mem::replace(&mut self.polled, true) {
                Poll::Ready(Ok(()))
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
        fn call(&mut self, _: http::Request<String>) -> Self::Future {
            std::future::ready(Ok(http::Response::new("inner".into())))
        }
    }

    let mut service = BearerAuthLayer::new(auth()).layer(Slow::default());
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_pending());
    assert!(matches!(service.poll_ready(&mut cx), Poll::Ready(Ok(()))));
}

// ---- route guards, scoping, bodies and layer modes, with the test kit ----------------------

/// Route guards in the handler's type, the scoping helpers, refusal bodies, the tower
/// layer's modes, and the extractor behind the layer, through `Router::oneshot`.
#[cfg(feature = "testing")]
mod with_the_test_kit {
    use super::*;
    use axum::body::Body;
    use facilioo_jwt::http::{DenialKind, JsonBody, ProblemJson, RenderedBody};
    use facilioo_jwt::testing::{TestIssuer, TestToken};
    use facilioo_jwt::tower::verified_token;
    use facilioo_jwt::{AccountId, CompanyId, Verifier};
    use tower::{ServiceBuilder, ServiceExt as _, service_fn};

    facilioo_jwt::party_types!(pub Staff = [PropertyManagementCompany, PoolManager]);
    facilioo_jwt::party_types!(Nobody = []);

    struct Answer {
        status: StatusCode,
        challenge: Option<String>,
        content_type: Option<String>,
        body: String,
    }

    impl Answer {
        fn json(&self) -> Value {
            serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
        }
    }

    fn request(path: &str, authorization: Option<&str>) -> http::Request<Body> {
        let mut request = http::Request::builder().uri(path);
        if let Some(a) = authorization {
            request = request.header(AUTHORIZATION, a);
        }
        request.body(Body::empty()).expect("request")
    }

    async fn answer(response: http::Response<Body>) -> Answer {
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let (challenge, content_type) =
            (header(WWW_AUTHENTICATE), header(http::header::CONTENT_TYPE));
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        Answer {
            status,
            challenge,
            content_type,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    async fn send(app: &Router, path: &str, token: Option<&TestToken>) -> Answer {
        let authorization = token.map(TestToken::authorization);
        let response = app
            .clone()
            .oneshot(request(path, authorization.as_deref()))
            .await
            .expect("infallible");
        answer(response).await
    }

    async fn any(token: FaciliooToken) -> String {
        token.subject().account_id().to_string()
    }
    async fn contractors(token: FaciliooToken<only::Contractor>) -> String {
        format!("{:?}", token.party_type())
    }
    async fn staff(token: FaciliooToken<Staff>) -> String {
        format!("{:?}", token.party_type())
    }
    async fn nobody(_: FaciliooToken<Nobody>) -> &'static str {
        "never"
    }
    async fn maybe_staff(token: Option<FaciliooToken<Staff>>) -> String {
        token.map_or("anonymous".into(), |t| format!("{:?}", t.party_type()))
    }
    async fn company_7(token: FaciliooToken) -> Result<&'static str, Denial> {
        token.require_company(7)?;
        token.require_company(CompanyId(7))?;
        Ok("company 7")
    }
    async fn account_42(token: FaciliooToken) -> Result<&'static str, Denial> {
        token.require_account(AccountId(42))?;
        token.require_account(42)?;
        Ok("account 42")
    }

    fn routes(auth: BearerAuth) -> Router {
        Router::new()
            .route("/any", get(any))
            .route("/contractors", get(contractors))
            .route("/staff", get(staff))
            .route("/nobody", get(nobody))
            .route("/maybe-staff", get(maybe_staff))
            .route("/companies/7", get(company_7))
            .route("/accounts/42", get(account_42))
            .with_state(auth)
    }

    /// 403 `insufficient_scope` with `description`, and the JSON body saying the same.
    fn assert_forbidden(answer: &Answer, reason: &str, description: &str) {
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        assert_eq!(
            answer.challenge.as_deref(),
            Some(
                format!(
                    r#"Bearer realm="facilioo", error="insufficient_scope", error_description="{description}""#
                )
                .as_str()
            )
        );
        assert_eq!(
            answer.json(),
            json!({"error": "insufficient_scope", "error_description": description, "reason": reason})
        );
    }

    #[tokio::test]
    async fn a_handlers_type_says_which_party_types_it_admits() {
        let issuer = TestIssuer::new();
        let app = routes(BearerAuth::new(issuer.verifier()));
        let party = |p| issuer.token().party_type(p).sign();
        let (contractor, pmc, pool, user) = (
            party(PartyType::Contractor),
            party(PartyType::PropertyManagementCompany),
            party(PartyType::PoolManager),
            party(PartyType::User),
        );
        let none = issuer.token().without_party_type().sign();

        assert_eq!(send(&app, "/any", Some(&none)).await.status, StatusCode::OK);
        let ok = send(&app, "/contractors", Some(&contractor)).await;
        assert_eq!(
            (ok.status, ok.body.as_str()),
            (StatusCode::OK, "Some(Contractor)")
        );
        assert_forbidden(
            &send(&app, "/contractors", Some(&pmc)).await,
            "party_type_not_allowed",
            "this route requires party type Contractor (5); the token's is PropertyManagementCompany (2)",
        );
        for token in [&pmc, &pool] {
            assert_eq!(
                send(&app, "/staff", Some(token)).await.status,
                StatusCode::OK
            );
        }
        assert_forbidden(
            &send(&app, "/staff", Some(&user)).await,
            "party_type_not_allowed",
            "this route requires one of PropertyManagementCompany (2), PoolManager (3); the token's is User (7)",
        );
        assert_forbidden(
            &send(&app, "/staff", Some(&none)).await,
            "party_type_not_allowed",
            "this route requires one of PropertyManagementCompany (2), PoolManager (3); the token has no partyType claim",
        );
        assert_forbidden(
            &send(&app, "/nobody", Some(&pmc)).await,
            "party_type_not_allowed",
            "this route admits no party type; the token's is PropertyManagementCompany (2)",
        );
        // A bad token is refused as such before any route guard.
        let expired = issuer
            .token()
            .expired()
            .party_type(PartyType::Contractor)
            .sign();
        let answer = send(&app, "/contractors", Some(&expired)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.json()["reason"], "expired");

        // Option<FaciliooToken<R>>: None only without an Authorization header.
        let anonymous = send(&app, "/maybe-staff", None).await;
        assert_eq!(
            (anonymous.status, anonymous.body.as_str()),
            (StatusCode::OK, "anonymous")
        );
        let admitted = send(&app, "/maybe-staff", Some(&pool)).await;
        assert_eq!(
            (admitted.status, admitted.body.as_str()),
            (StatusCode::OK, "Some(PoolManager)")
        );
        assert_eq!(
            send(&app, "/maybe-staff", Some(&user)).await.status,
            StatusCode::FORBIDDEN
        );
        let forged = issuer.token().bad_signature().sign();
        assert_eq!(
            send(&app, "/maybe-staff", Some(&forged)).await.status,
            StatusCode::UNAUTHORIZED
        );

        // The ready-made markers admit exactly their party type.
        use facilioo_jwt::http::AllowedPartyTypes;
        assert_eq!(only::Insurer::ALLOWED, Some(&[PartyType::Insurer][..]));
        assert_eq!(only::Guest::ALLOWED, Some(&[PartyType::Guest][..]));
        assert_eq!(
            Staff::ALLOWED,
            Some(&[PartyType::PropertyManagementCompany, PartyType::PoolManager][..])
        );
        assert_eq!(facilioo_jwt::http::AnyPartyType::ALLOWED, None);
    }

    #[tokio::test]
    async fn scoping_helpers_refuse_another_company_or_account() {
        let issuer = TestIssuer::new();
        let app = routes(BearerAuth::new(issuer.verifier()));
        let token = |account, company: Option<u64>| {
            let builder = issuer.token().account(account);
            match company {
                Some(c) => builder.company(c),
                None => builder.without_company(),
            }
            .sign()
        };
        let ok = send(&app, "/companies/7", Some(&token(1, Some(7)))).await;
        assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "company 7"));
        assert_forbidden(
            &send(&app, "/companies/7", Some(&token(1, Some(2)))).await,
            "company_not_allowed",
            "this route is for company 7; the token's is company 2",
        );
        assert_forbidden(
            &send(&app, "/companies/7", Some(&token(1, None))).await,
            "company_not_allowed",
            "this route is for company 7; the token has no company",
        );
        let ok = send(&app, "/accounts/42", Some(&token(42, None))).await;
        assert_eq!(
            (ok.status, ok.body.as_str()),
            (StatusCode::OK, "account 42")
        );
        assert_forbidden(
            &send(&app, "/accounts/42", Some(&token(2, Some(7)))).await,
            "account_not_allowed",
            "this route is for account 42; the token's is account 2",
        );

        // The kinds say the same, typed.
        let auth = BearerAuth::new(issuer.verifier());
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            token(2, None).authorization().parse().expect("value"),
        );
        let admitted = auth.authenticate(&headers).expect("valid");
        let company = admitted.require_company(7).expect_err("no company");
        assert!(matches!(
            company.kind(),
            DenialKind::Company { required, found: None, .. } if *required == 7
        ));
        let account = admitted.require_account(3).expect_err("account 2");
        assert!(matches!(
            account.kind(),
            DenialKind::Account { required, found, .. } if *required == 3 && *found == 2
        ));
        let party = admitted
            .require_party_types([PartyType::Guest])
            .expect_err("no guest");
        assert!(matches!(
            party.kind(),
            DenialKind::PartyType { allowed, found, .. } if allowed == &[PartyType::Guest] && *found == admitted.party_type()
        ));
        assert_eq!(party.token_error(), None);
        assert_eq!(admitted.clone().into_inner(), *admitted);
    }

    /// Every kind of refusal has its reason, and a token error its Error.
    #[test]
    fn every_refusal_has_a_stable_reason() {
        let issuer = TestIssuer::new();
        let auth = BearerAuth::new(issuer.verifier());
        let with = |value: Option<&str>| {
            let mut headers = HeaderMap::new();
            if let Some(v) = value {
                headers.insert(AUTHORIZATION, HeaderValue::from_str(v).expect("value"));
            }
            auth.authenticate(&headers).expect_err("refused")
        };
        let expired = issuer.token().expired().sign().authorization();
        let forged = issuer.token().bad_signature().sign().authorization();
        let cases = [
            (None, "missing_token", None),
            (Some("Basic dXNlcjpwYXNz"), "other_scheme", None),
            (Some("Bearer"), "empty_bearer", Some("invalid_request")),
            (
                Some("Bearer a b"),
                "malformed_bearer",
                Some("invalid_request"),
            ),
            (Some(expired.as_str()), "expired", Some("invalid_token")),
            (
                Some(forged.as_str()),
                "invalid_signature",
                Some("invalid_token"),
            ),
        ];
        for (value, reason, error) in cases {
            let denial = with(value);
            assert_eq!(
                (denial.reason(), denial.error()),
                (reason, error),
                "{value:?}"
            );
            assert_eq!(
                denial.token_error().map(Error::code),
                matches!(error, Some("invalid_token")).then_some(reason)
            );
        }
        assert!(
            with(Some(&expired))
                .token_error()
                .is_some_and(Error::is_expired)
        );
        let mut two = HeaderMap::new();
        two.append(AUTHORIZATION, HeaderValue::from_static("Bearer a"));
        two.append(AUTHORIZATION, HeaderValue::from_static("Bearer b"));
        let multiple = auth.authenticate(&two).expect_err("two headers");
        assert_eq!(multiple.reason(), "multiple_authorization");
        assert_eq!(multiple.kind(), &DenialKind::Bearer(BearerError::Multiple));
        // The policy's own party-type refusal is the token's error, with the same reason as a
        // route's.
        let strict = issuer.policy().with_allowed_party_types([PartyType::Guest]);
        let strict = BearerAuth::new(Verifier::new(issuer.key_set(), strict));
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            issuer
                .token()
                .party_type(PartyType::User)
                .sign()
                .authorization()
                .parse()
                .expect("value"),
        );
        let denial = strict.authenticate(&headers).expect_err("not a guest");
        assert_eq!(
            (denial.status(), denial.reason(), denial.token_error()),
            (
                StatusCode::FORBIDDEN,
                "party_type_not_allowed",
                Some(&Error::PartyTypeNotAllowed(Some(PartyType::User)))
            )
        );
    }

    #[tokio::test]
    async fn a_custom_body_keeps_the_status_and_the_challenge() {
        let issuer = TestIssuer::new();
        let plain = BearerAuth::new(issuer.verifier());
        let custom = BearerAuth::new(issuer.verifier()).with_body(|denial: &Denial| {
            Some(RenderedBody::new(
                HeaderValue::from_static("text/plain"),
                format!("no: {}", denial.reason()),
            ))
        });
        let silent = BearerAuth::new(issuer.verifier()).with_body(|_: &Denial| None);
        let contractor = issuer.token().party_type(PartyType::Contractor).sign();
        let expired = issuer.token().expired().sign();
        let cases = [
            ("/any", None, "missing_token"),
            ("/any", Some(&expired), "expired"),
            ("/staff", Some(&contractor), "party_type_not_allowed"),
            ("/companies/7", Some(&contractor), "company_not_allowed"),
        ];
        for (path, token, reason) in cases {
            let want = send(&routes(plain.clone()), path, token).await;
            let got = send(&routes(custom.clone()), path, token).await;
            assert_eq!(
                (got.status, &got.challenge),
                (want.status, &want.challenge),
                "{path}"
            );
            assert_eq!(got.content_type.as_deref(), Some("text/plain"));
            assert_eq!(got.body, format!("no: {reason}"));
            let none = send(&routes(silent.clone()), path, token).await;
            assert_eq!(
                (none.status, &none.challenge),
                (want.status, &want.challenge)
            );
            assert_eq!((none.content_type, none.body.as_str()), (None, ""));
        }
        // A denial made elsewhere can take another body too.
        let denial = plain.authenticate(&HeaderMap::new()).expect_err("no token");
        assert_eq!(
            denial.render(),
            None,
            "JsonBody writes nothing for a bare challenge"
        );
        let rendered = denial.with_body(ProblemJson).render().expect("a problem");
        assert_eq!(rendered.content_type(), "application/problem+json");
    }

    #[tokio::test]
    async fn problem_details_as_rfc_9457_says() {
        let issuer = TestIssuer::new();
        let app = routes(BearerAuth::new(issuer.verifier()).with_body(ProblemJson));
        let expired = issuer.token().expired().sign();
        let answer = send(&app, "/any", Some(&expired)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            answer.content_type.as_deref(),
            Some("application/problem+json")
        );
        let body = answer.json();
        let detail = body["detail"].as_str().expect("a detail").to_owned();
        assert!(
            detail.starts_with("token expired at ")
                && detail.ends_with("; refresh it (facilioo: /api/auth/refresh)"),
            "{detail}"
        );
        assert!(
            answer
                .challenge
                .expect("challenge")
                .contains(&format!("error_description=\"{detail}\""))
        );
        assert_eq!(
            body,
            json!({"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": detail,
                   "error": "invalid_token", "reason": "expired"})
        );
        let contractor = issuer.token().party_type(PartyType::Contractor).sign();
        assert_eq!(
            send(&app, "/staff", Some(&contractor)).await.json(),
            json!({"type": "about:blank", "title": "Forbidden", "status": 403,
                   "detail": "this route requires one of PropertyManagementCompany (2), PoolManager (3); the token's is Contractor (5)",
                   "error": "insufficient_scope", "reason": "party_type_not_allowed"})
        );
        assert_eq!(
            send(&app, "/any", Some(&issuer.token().malformed().sign()))
                .await
                .json()["status"],
            401
        );
        // No credentials: a problem body, but no error information (RFC 6750 §3.1).
        let bare = send(&app, "/any", None).await;
        assert_eq!(
            bare.challenge.as_deref(),
            Some(r#"Bearer realm="facilioo""#)
        );
        assert_eq!(
            bare.content_type.as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(
            bare.json(),
            json!({"type": "about:blank", "title": "Unauthorized", "status": 401})
        );
        let response = app.clone().oneshot(request("/any", Some("Bearer"))).await;
        let bad_request = self::answer(response.expect("infallible")).await;
        assert_eq!(
            bad_request.json(),
            json!({"type": "about:blank", "title": "Bad Request", "status": 400,
                   "detail": "the Authorization header has no token after Bearer",
                   "error": "invalid_request", "reason": "empty_bearer"})
        );
        // The default body, for comparison: no body for the bare challenge, JSON otherwise.
        let default = routes(BearerAuth::new(issuer.verifier()).with_body(JsonBody));
        let bare = send(&default, "/any", None).await;
        assert_eq!((bare.content_type, bare.body.as_str()), (None, ""));
        let answer = send(&default, "/any", Some(&expired)).await;
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));
        assert_eq!(answer.json()["error_description"], detail.as_str());
    }

    #[test]
    fn the_refresh_hint_is_configurable() {
        let issuer = TestIssuer::new();
        let mut headers = HeaderMap::new();
        let expired = issuer.token().expired().sign();
        headers.insert(
            AUTHORIZATION,
            expired.authorization().parse().expect("value"),
        );
        let description = |auth: BearerAuth| {
            let denial = auth.authenticate(&headers).expect_err("expired");
            let description = denial.description().expect("a description").to_owned();
            let challenge = denial
                .www_authenticate()
                .to_str()
                .expect("ASCII")
                .to_owned();
            assert!(challenge.ends_with(&format!("error_description=\"{description}\"")));
            description
        };
        let auth = || BearerAuth::new(issuer.verifier());
        let message = issuer
            .verifier()
            .verify_now(expired.as_str())
            .expect_err("expired")
            .to_string();
        let message = message.split(" (checked at").next().unwrap_or_default();
        let default = description(auth());
        assert!(
            default.starts_with(message)
                && default.ends_with("; refresh it (facilioo: /api/auth/refresh)"),
            "{default}"
        );
        let off = description(auth().with_refresh_hint(None));
        assert!(
            off.starts_with(message) && off.ends_with(')') && !off.contains("refresh"),
            "{off}"
        );
        // Filtered like every description: no quote, backslash or non-ASCII reaches the header.
        let custom = description(auth().with_refresh_hint(Some("log in \"again\" \\ überall")));
        assert!(custom.ends_with("; log in again  berall"), "{custom}");
        // The hint is for expired tokens only.
        let mut forged = HeaderMap::new();
        forged.insert(
            AUTHORIZATION,
            issuer
                .token()
                .bad_signature()
                .sign()
                .authorization()
                .parse()
                .expect("value"),
        );
        let denial = auth().authenticate(&forged).expect_err("forged");
        assert_eq!(
            denial.description(),
            Some("signature not verified by any trusted key")
        );
    }

    /// A plain tower service behind the layer: what reached it, and the token it saw.
    fn layered<M>(
        layer: facilioo_jwt::tower::BearerAuthLayer<M>,
    ) -> impl Fn(http::Request<Body>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Answer>>>
    where
        M: facilioo_jwt::tower::DenialResponse<Body>,
    {
        move |request| {
            let service = ServiceBuilder::new()
                .layer(layer.clone())
                .service(service_fn(|request: http::Request<Body>| async move {
                    let seen = verified_token(&request).map(|t| t.subject().account_id().get());
                    Ok::<_, std::convert::Infallible>(http::Response::new(Body::from(format!(
                        "inner {seen:?}"
                    ))))
                }));
            Box::pin(
                async move { answer(service.oneshot(request).await.expect("infallible")).await },
            )
        }
    }

    #[tokio::test]
    async fn the_layer_optional_and_exempt() {
        use facilioo_jwt::tower::BearerAuthLayer;
        let issuer = TestIssuer::new();
        let good = issuer.token().account(42).sign().authorization();
        let forged = issuer.token().bad_signature().sign().authorization();

        let strict = layered(BearerAuthLayer::new(issuer.verifier()));
        assert_eq!(
            strict(request("/", Some(&good))).await.body,
            "inner Some(42)"
        );
        assert_eq!(
            strict(request("/", None)).await.status,
            StatusCode::UNAUTHORIZED
        );

        let optional = layered(BearerAuthLayer::new(issuer.verifier()).optional());
        assert_eq!(optional(request("/", None)).await.body, "inner None");
        assert_eq!(
            optional(request("/", Some(&good))).await.body,
            "inner Some(42)"
        );
        let refused = optional(request("/", Some(&forged))).await;
        assert_eq!(
            (refused.status, refused.body.as_str()),
            (StatusCode::UNAUTHORIZED, "")
        );
        assert_eq!(
            optional(request("/", Some("Bearer"))).await.status,
            StatusCode::BAD_REQUEST
        );

        let exempting = layered(
            BearerAuthLayer::new(issuer.verifier())
                .exempt_path("/health")
                .exempt_cors_preflight()
                .exempt(|request: &http::request::Parts| {
                    request.headers.contains_key("x-internal")
                }),
        );
        // Exempt: through untouched, without a token even when a good one is sent.
        for token in [None, Some(good.as_str()), Some(forged.as_str())] {
            assert_eq!(
                exempting(request("/health", token)).await.body,
                "inner None"
            );
        }
        for path in ["/health/db", "/healthz", "/"] {
            assert_eq!(
                exempting(request(path, None)).await.status,
                StatusCode::UNAUTHORIZED,
                "{path}"
            );
        }
        let preflight = |headers: &[(&str, &str)], method: http::Method| {
            let mut builder = http::Request::builder().method(method).uri("/things");
            for (name, value) in headers {
                builder = builder.header(*name, *value);
            }
            builder.body(Body::empty()).expect("request")
        };
        let cors = [
            ("origin", "https://app.example"),
            ("access-control-request-method", "GET"),
        ];
        assert_eq!(
            exempting(preflight(&cors, http::Method::OPTIONS))
                .await
                .body,
            "inner None"
        );
        assert_eq!(
            exempting(preflight(&cors[..1], http::Method::OPTIONS))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            exempting(preflight(&cors[1..], http::Method::OPTIONS))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            exempting(preflight(&cors, http::Method::GET)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            exempting(preflight(&[("x-internal", "1")], http::Method::POST))
                .await
                .body,
            "inner None"
        );
        assert_eq!(
            exempting(request("/", Some(&good))).await.body,
            "inner Some(42)"
        );
    }

    #[tokio::test]
    async fn the_layer_writes_bodies_when_asked() {
        use facilioo_jwt::tower::BearerAuthLayer;
        let issuer = TestIssuer::new();
        let expired = issuer.token().expired().sign().authorization();
        let contractor = issuer
            .token()
            .party_type(PartyType::Contractor)
            .sign()
            .authorization();
        let empty = layered(BearerAuthLayer::new(issuer.verifier()));
        let answer = empty(request("/", Some(&expired))).await;
        assert_eq!(
            (answer.status, answer.content_type, answer.body.as_str()),
            (StatusCode::UNAUTHORIZED, None, "")
        );

        let json = layered(
            BearerAuthLayer::new(issuer.verifier())
                .require_party_types([PartyType::PropertyManagementCompany])
                .with_bodies(),
        );
        let answer = json(request("/", Some(&expired))).await;
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));
        assert_eq!(
            (
                answer.json()["error"].clone(),
                answer.json()["reason"].clone()
            ),
            (json!("invalid_token"), json!("expired"))
        );
        let answer = json(request("/", Some(&contractor))).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert_eq!(answer.json()["reason"], "party_type_not_allowed");
        let bare = json(request("/", None)).await;
        assert_eq!(
            (bare.status, bare.content_type, bare.body.as_str()),
            (StatusCode::UNAUTHORIZED, None, "")
        );

        let problems = layered(
            BearerAuthLayer::new(BearerAuth::new(issuer.verifier()).with_body(ProblemJson))
                .with_bodies(),
        );
        let answer = problems(request("/", None)).await;
        assert_eq!(
            answer.content_type.as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(
            answer.challenge.as_deref(),
            Some(r#"Bearer realm="facilioo""#)
        );
    }

    /// Two denials are equal only when a client sees the same answer for the same reason;
    /// two tokens only when they are the same token.
    #[test]
    fn equality_of_denials_bodies_and_tokens() {
        let (api, other) = (
            Realm::new("api").expect("realm"),
            Realm::new("other").expect("realm"),
        );
        let missing = Denial::bearer(BearerError::Missing, &api);
        assert_eq!(missing, Denial::bearer(BearerError::Missing, &api));
        // The same answer on the wire, another reason.
        assert_ne!(missing, Denial::bearer(BearerError::OtherScheme, &api));
        // The same reason, another realm in the challenge.
        assert_ne!(missing, Denial::bearer(BearerError::Missing, &other));
        let expired = Error::Expired {
            exp: UnixTime::from_secs(0),
            now: UnixTime::from_secs(60),
        };
        assert_ne!(
            Denial::token(&expired, &api),
            Denial::token(&expired, &other)
        );

        let body = RenderedBody::new(HeaderValue::from_static("text/plain"), "no entry");
        assert_eq!(body.bytes(), b"no entry");
        assert_eq!(body.content_type(), "text/plain");
        assert_eq!(body.clone().into_bytes(), b"no entry");
        assert_eq!(
            body.into_parts(),
            (HeaderValue::from_static("text/plain"), b"no entry".to_vec())
        );

        let issuer = TestIssuer::new();
        let auth = BearerAuth::new(issuer.verifier());
        let admit = |token: &TestToken| {
            let mut headers = HeaderMap::new();
            headers.insert(
                AUTHORIZATION,
                HeaderValue::from_str(&token.authorization()).expect("a header"),
            );
            auth.authenticate(&headers).expect("admitted")
        };
        let (one, two) = (
            issuer.token().account(1).sign(),
            issuer.token().account(2).sign(),
        );
        assert_eq!(admit(&one), admit(&one));
        assert_ne!(admit(&one), admit(&two));
    }

    /// What a log line of each new type shows: never the token, always what configures it.
    #[test]
    fn debug_shows_the_configuration() {
        use facilioo_jwt::tower::BearerAuthLayer;
        use tower::Layer as _;
        let issuer = TestIssuer::new();
        let auth = BearerAuth::new(issuer.verifier());
        let token = issuer.token().account(42).sign();
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, token.authorization().parse().expect("value"));
        let admitted = auth.authenticate(&headers).expect("valid");
        let debug = format!("{admitted:?}");
        assert!(
            debug.starts_with("FaciliooToken { token: VerifiedToken {"),
            "{debug}"
        );
        assert!(
            debug.contains("AnyPartyType") && !debug.contains(token.as_str()),
            "{debug}"
        );
        let mut pool = HeaderMap::new();
        let pool_manager = issuer.token().party_type(PartyType::PoolManager).sign();
        pool.insert(
            AUTHORIZATION,
            pool_manager.authorization().parse().expect("value"),
        );
        let staff: FaciliooToken<Staff> = auth
            .authenticate(&pool)
            .expect("valid")
            .narrow()
            .expect("staff");
        assert!(format!("{staff:?}").contains("Staff"));
        assert_eq!(staff.clone(), staff);
        assert_eq!(staff.auth().realm().as_str(), "facilioo");

        let layer = BearerAuthLayer::new(auth)
            .require_party_types([PartyType::Guest])
            .optional()
            .exempt_path("/health");
        let debug = format!("{layer:?}");
        for part in [
            "BearerAuthLayer {",
            "Guest",
            "optional: true",
            "exemptions: 1",
            "NoBody",
        ] {
            assert!(debug.contains(part), "{part}: {debug}");
        }
        assert!(format!("{:?}", layer.clone().with_bodies()).contains("WithBody"));
        let service = layer.layer(tower::service_fn(|_: http::Request<String>| async {
            Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
        }));
        let debug = format!("{:?}", service.clone());
        assert!(
            debug.starts_with("BearerAuthService { inner: ") && debug.contains("exemptions: 1"),
            "{debug}"
        );
    }

    /// Behind a layer built with the state's BearerAuth, the extractor takes the layer's
    /// token (one RSA operation per request, not two), then applies its own party types.
    #[tokio::test]
    async fn the_extractor_reuses_the_layers_token() {
        use facilioo_jwt::tower::BearerAuthLayer;
        let issuer = TestIssuer::new();
        let verifier = issuer.verifier();
        let auth = BearerAuth::new(verifier.clone())
            .with_realm(facilioo_jwt::http::Realm::new("layer").expect("realm"));
        let app = Router::new()
            .route("/any", get(any))
            .route("/staff", get(staff))
            .route("/maybe-staff", get(maybe_staff))
            .with_state(auth.clone())
            .layer(BearerAuthLayer::new(auth).optional().with_bodies());
        let pmc = issuer
            .token()
            .account(5)
            .party_type(PartyType::PropertyManagementCompany)
            .sign();
        let user = issuer.token().party_type(PartyType::User).sign();
        let before = verifier.signature_checks();
        let answer = send(&app, "/any", Some(&pmc)).await;
        assert_eq!((answer.status, answer.body.as_str()), (StatusCode::OK, "5"));
        assert_eq!(verifier.signature_checks(), before + 1);
        assert_eq!(
            send(&app, "/staff", Some(&pmc)).await.status,
            StatusCode::OK
        );
        assert_eq!(
            send(&app, "/maybe-staff", Some(&pmc)).await.body,
            "Some(PropertyManagementCompany)"
        );
        assert_eq!(verifier.signature_checks(), before + 3);
        // The route's refusal of the layer's token names the layer's realm.
        let refused = send(&app, "/staff", Some(&user)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(
            refused
                .challenge
                .expect("challenge")
                .starts_with(r#"Bearer realm="layer", error="insufficient_scope""#)
        );
        assert_eq!(verifier.signature_checks(), before + 4);
        // Anonymous through the optional layer: the extractor decides, with the state's auth.
        assert_eq!(send(&app, "/maybe-staff", None).await.body, "anonymous");
        let bare = send(&app, "/any", None).await;
        assert_eq!(
            (bare.status, bare.challenge.as_deref()),
            (StatusCode::UNAUTHORIZED, Some(r#"Bearer realm="layer""#))
        );
        assert_eq!(verifier.signature_checks(), before + 4);
    }

    /// A token another BearerAuth admitted is not taken on trust: the extractor verifies the
    /// request again with the state's, which refuses a token only the layer's keys sign,
    /// and spends a second RSA operation on one both accept.
    #[tokio::test]
    async fn the_extractor_verifies_again_what_another_auth_admitted() {
        use facilioo_jwt::testing::TestKey;
        use facilioo_jwt::tower::BearerAuthLayer;
        let issuer = TestIssuer::new();
        let state_verifier = issuer.verifier();
        let layer_verifier = state_verifier.with_keys(
            facilioo_jwt::KeySet::from_pem(TestKey::Untrusted.public_pem()).expect("a key"),
        );
        let layer_auth = BearerAuth::new(layer_verifier.clone());
        let state = BearerAuth::new(state_verifier.clone());
        let app = Router::new()
            .route("/any", get(any))
            .route("/maybe-staff", get(maybe_staff))
            .with_state(state.clone())
            .layer(BearerAuthLayer::new(layer_auth.clone()).with_bodies());
        let by_layer_key = issuer
            .token()
            .account(5)
            .signed_by(TestKey::Untrusted)
            .sign();
        let refused = send(&app, "/any", Some(&by_layer_key)).await;
        assert_eq!(
            (refused.status, refused.challenge.as_deref()),
            (
                StatusCode::UNAUTHORIZED,
                Some(
                    r#"Bearer realm="facilioo", error="invalid_token", error_description="signature not verified by any trusted key""#
                )
            ),
            "the state's keys do not sign it"
        );
        assert_eq!(
            send(&app, "/maybe-staff", Some(&by_layer_key)).await.status,
            StatusCode::UNAUTHORIZED
        );
        // Alike is not the same: a BearerAuth built the same way is another one.
        let twin = Router::new()
            .route("/any", get(any))
            .with_state(BearerAuth::new(state_verifier.clone()))
            .layer(BearerAuthLayer::new(state.clone()));
        let good = issuer.token().account(6).sign();
        let before = state_verifier.signature_checks();
        let answer = send(&twin, "/any", Some(&good)).await;
        assert_eq!((answer.status, answer.body.as_str()), (StatusCode::OK, "6"));
        assert_eq!(state_verifier.signature_checks(), before + 2);
        // A realm, body or hint set on a clone makes another BearerAuth too.
        for changed in [
            state
                .clone()
                .with_realm(facilioo_jwt::http::Realm::new("r").expect("realm")),
            state.clone().with_body(facilioo_jwt::http::ProblemJson),
            state.clone().with_refresh_hint(None),
        ] {
            let app = Router::new()
                .route("/any", get(any))
                .with_state(changed)
                .layer(BearerAuthLayer::new(state.clone()));
            let before = state_verifier.signature_checks();
            assert_eq!(send(&app, "/any", Some(&good)).await.status, StatusCode::OK);
            assert_eq!(state_verifier.signature_checks(), before + 2);
        }
    }
}
