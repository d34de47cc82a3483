//! The tower layer's exemptions on every router layout a service mounts it in (issue 22):
//! whole router, `nest`, `nest` twice, `nest_service`, `route_layer`, `merge`, a layer
//! around a nested router, with wildcards and fallbacks behind it. An exemption applies to
//! the exempt path as the router routed it and to nothing else: raw request targets (`//`,
//! `/./`, `..`, `%2e`, `%2F`, absolute form) sent over real HTTP, and random ones sent
//! in-process, never reach a protected handler without a good token.
#![cfg(all(feature = "axum", feature = "tower"))]

mod common;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use common::{HEADER, claims, sign, signer};
use facilioo_jwt::UnixTime;
use facilioo_jwt::http::BearerAuth;
use facilioo_jwt::tower::BearerAuthLayer;
use proptest::prelude::*;

/// What a protected handler answers: any body that starts so was reached.
const PROTECTED: &str = "PROTECTED";

fn layer() -> BearerAuthLayer {
    BearerAuthLayer::new(BearerAuth::new(common::verifier(&["rsa2048-a"])))
        .exempt_path("/health")
        .exempt(|request: &http::request::Parts| request.uri.path().starts_with("/public/"))
}

/// A router with an exempt route, an exempt prefix, a protected route, a protected
/// wildcard and a protected fallback; none of them has the layer yet.
fn api() -> Router {
    Router::new()
        .route("/health", get(|| async { "health" }))
        .route("/public/{*rest}", get(|| async { "public" }))
        .route("/admin", get(|| async { "PROTECTED admin" }))
        .route("/{*rest}", get(|| async { "PROTECTED wildcard" }))
        .fallback(|| async { "PROTECTED fallback" })
}

/// A layout: its name, the prefix its exempt paths have from outside, and the app.
struct Layout {
    name: &'static str,
    prefix: &'static str,
    app: Router,
}

fn layouts() -> Vec<Layout> {
    let layout = |name, prefix, app| Layout { name, prefix, app };
    vec![
        layout("whole router", "", api().layer(layer())),
        layout(
            "nest",
            "/api",
            Router::new().nest("/api", api().layer(layer())),
        ),
        layout(
            "nest twice",
            "/v1/api",
            Router::new().nest("/v1", Router::new().nest("/api", api().layer(layer()))),
        ),
        layout(
            "route_layer in nest",
            "/api",
            // route_layer leaves the fallback unprotected, by design: no fallback here.
            Router::new().nest(
                "/api",
                Router::new()
                    .route("/health", get(|| async { "health" }))
                    .route("/public/{*rest}", get(|| async { "public" }))
                    .route("/admin", get(|| async { "PROTECTED admin" }))
                    .route("/{*rest}", get(|| async { "PROTECTED wildcard" }))
                    .route_layer(layer()),
            ),
        ),
        layout(
            "nest_service",
            "/api",
            Router::new().nest_service("/api", api().layer(layer())),
        ),
        layout(
            "nest_service around the layer",
            "/api",
            Router::new().nest_service(
                "/api",
                tower::ServiceBuilder::new().layer(layer()).service(api()),
            ),
        ),
        layout(
            "merge",
            "",
            Router::new()
                .route("/other", get(|| async { "other" }))
                .merge(api().layer(layer())),
        ),
    ]
}

/// Valid for an hour on the real clock, which the layer checks against.
fn good_token() -> String {
    let now = UnixTime::now().as_secs();
    sign(
        HEADER,
        &claims(now - 10, now + 3600, 7, Some(3)),
        &signer("rsa2048-a"),
    )
}

/// Serves `app` on an ephemeral loopback port.
async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Sends `GET target` as written (no client normalises it) and returns the status and body.
async fn raw_get(addr: SocketAddr, target: &str, token: Option<&str>) -> (u16, String) {
    let authorization = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    raw(addr, "GET", target, &authorization).await
}

/// Sends `method target` with `headers` (each line ending in CRLF) as written.
async fn raw(addr: SocketAddr, method: &str, target: &str, headers: &str) -> (u16, String) {
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n"
    );
    let response = tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("a timeout");
        stream
            .write_all(request.as_bytes())
            .expect("send the request");
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .expect("an answer within 10 s");
        response
    })
    .await
    .expect("the client ran");
    let response = String::from_utf8_lossy(&response);
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned();
    (status, body)
}

/// Targets that try to reach a protected handler through an exemption; `{p}` is the
/// layout's prefix.
const HOSTILE: &[&str] = &[
    "{p}//health",
    "{p}///health",
    "{p}//public/x",
    "{p}//public/../admin",
    "{p}/public/../admin",
    "{p}/public/x/../../admin",
    "{p}/public/%2e%2e/admin",
    "{p}/public/%2E%2E/admin",
    "{p}/public/.%2e/admin",
    "{p}/public%2F..%2Fadmin",
    "{p}/public/..%2Fadmin",
    "{p}/public/..%5Cadmin",
    "{p}/./health",
    "{p}/%2e/health",
    "{p}/health/.",
    "{p}/health/..",
    "{p}/health/",
    "{p}/public/",
    "{p}/public/x/",
    "{p}/health%2F",
    "{p}/healthx",
    "{p}/admin",
    "{p}/anything",
    "{p}/",
    "//{p}/health",
    "http://localhost{p}//health",
    "http://localhost{p}//public/../admin",
    "http://localhost{p}/public/../admin",
];

/// Over real HTTP, on every layout: the exemptions still apply where they should, no hostile
/// target reaches a protected handler without a token, and a good token reaches it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_target_reaches_a_protected_handler_without_a_token() {
    let token = good_token();
    for Layout { name, prefix, app } in layouts() {
        let addr = serve(app).await;
        let target = |t: &str| t.replace("{p}", prefix);
        for (exempt, body) in [
            ("{p}/health", "health"),
            ("{p}/health?full=1", "health"),
            ("{p}/public/x", "public"),
            ("http://localhost{p}/health", "health"),
        ] {
            assert_eq!(
                raw_get(addr, &target(exempt), None).await,
                (200, body.to_owned()),
                "{name}: {exempt} is exempt"
            );
        }
        for hostile in HOSTILE {
            let (status, body) = raw_get(addr, &target(hostile), None).await;
            assert!(
                !body.starts_with(PROTECTED),
                "{name}: {hostile} reached a protected handler without a token ({status})"
            );
            if status == 200 {
                // Only an exempt handler answers 200 without a token.
                assert!(
                    body == "health" || body == "public",
                    "{name}: {hostile}: {body}"
                );
            }
        }
        let (status, body) = raw_get(addr, &target("{p}/admin"), Some(&token)).await;
        assert_eq!(
            (status, body.as_str()),
            (200, "PROTECTED admin"),
            "{name}: a good token passes"
        );
        let (status, body) = raw_get(addr, &target("{p}//health"), Some(&token)).await;
        assert_eq!(
            status, 200,
            "{name}: a good token passes on any path: {body}"
        );
    }
}

/// The paths that were a bypass before issue 22, named: an empty segment folded into a nested
/// router's prefix, and dot segments kept under an exempt prefix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nested_router_bypasses_are_closed() {
    let nested = serve(Router::new().nest("/api", api().layer(layer()))).await;
    let (status, body) = raw_get(nested, "/api//health", None).await;
    assert_eq!(
        (status, body.as_str()),
        (401, ""),
        "/api//health routes to the wildcard: it needs a token"
    );
    let (status, _) = raw_get(nested, "/api//public/../admin", None).await;
    assert_eq!(status, 401);
    let (status, _) = raw_get(nested, "/api/public/../admin", None).await;
    assert_eq!(status, 401);
    assert_eq!(
        raw_get(nested, "/api/health", None).await,
        (200, "health".to_owned())
    );
}

/// Request targets made of segments that routers and handlers read differently.
fn targets() -> impl Strategy<Value = String> {
    let segment = prop::sample::select(vec![
        "",
        ".",
        "..",
        "%2e",
        "%2E%2e",
        ".%2e",
        "%2f",
        "%2F..",
        "%5c",
        "health",
        "public",
        "api",
        "v1",
        "admin",
        "x",
        "%41",
        "health%2F",
        "?q=1",
    ]);
    let scheme = prop::sample::select(vec!["", "", "", "http://localhost"]);
    (scheme, prop::collection::vec(segment, 0..7))
        .prop_map(|(scheme, segments)| format!("{scheme}/{}", segments.join("/")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Random targets, in-process, through a nested and a whole-router layout (and the
    /// others): without a token, never a protected handler.
    #[test]
    fn random_targets_never_reach_a_protected_handler(target in targets()) {
        use tower::ServiceExt as _;
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        runtime.block_on(async {
            for Layout { name, app, .. } in layouts() {
                // A target that is no URI never reaches a router (hyper answers 400).
                let Ok(request) = http::Request::get(target.as_str()).body(axum::body::Body::empty())
                else {
                    return Ok(());
                };
                let response = app.oneshot(request).await.expect("infallible");
                let body = axum::body::to_bytes(response.into_body(), 1 << 16)
                    .await
                    .expect("a body");
                prop_assert!(
                    !body.starts_with(PROTECTED.as_bytes()),
                    "{}: {} reached {:?}",
                    name,
                    target,
                    String::from_utf8_lossy(&body)
                );
            }
            Ok(())
        })?;
    }
}

/// `exempt_cors_preflight` exempts a real preflight only: `OPTIONS` with a non-empty `Origin`
/// and an `Access-Control-Request-Method` that is a method token. Over real HTTP, on a
/// router whose OPTIONS handler answers anyone the layer lets through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_real_preflight_is_exempt() {
    let layer = BearerAuthLayer::new(BearerAuth::new(common::verifier(&["rsa2048-a"])))
        .exempt_cors_preflight();
    let app = Router::new()
        .route(
            "/{*rest}",
            get(|| async { "PROTECTED get" }).options(|| async { "PROTECTED options" }),
        )
        .layer(layer);
    let addr = serve(app).await;
    let origin = "Origin: https://app.example\r\n";
    for (method, headers, exempt) in [
        (
            "OPTIONS",
            format!("{origin}Access-Control-Request-Method: GET\r\n"),
            true,
        ),
        (
            "OPTIONS",
            format!("{origin}Access-Control-Request-Method: PATCH\r\n"),
            true,
        ),
        (
            "OPTIONS",
            "Origin: null\r\nAccess-Control-Request-Method: PUT\r\n".into(),
            true,
        ),
        // Not a preflight: each needs a token.
        (
            "OPTIONS",
            "Origin: \r\nAccess-Control-Request-Method: GET\r\n".into(),
            false,
        ),
        (
            "OPTIONS",
            format!("{origin}Access-Control-Request-Method: \r\n"),
            false,
        ),
        (
            "OPTIONS",
            format!("{origin}Access-Control-Request-Method: GET, POST\r\n"),
            false,
        ),
        (
            "OPTIONS",
            format!("{origin}Access-Control-Request-Method: G(E)T\r\n"),
            false,
        ),
        ("OPTIONS", origin.to_owned(), false),
        (
            "OPTIONS",
            "Access-Control-Request-Method: GET\r\n".into(),
            false,
        ),
        ("OPTIONS", String::new(), false),
        (
            "GET",
            format!("{origin}Access-Control-Request-Method: GET\r\n"),
            false,
        ),
    ] {
        let (status, body) = raw(addr, method, "/things", &headers).await;
        if exempt {
            assert_eq!(
                (status, body.as_str()),
                (200, "PROTECTED options"),
                "{headers:?}"
            );
        } else {
            assert_eq!((status, body.as_str()), (401, ""), "{method} {headers:?}");
        }
    }
}
