//! The HTTP glue: bearer parsing (RFC 6750 §2.1), the answers (§3), the axum extractor and
//! the tower layer over real HTTP on 127.0.0.1, and the example service with a key reload
//! while two clients send requests.
#![cfg(all(feature = "axum", feature = "tower"))]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Extension, Json, Router};
use common::{HEADER, NOW, claims, sign, signer};
use facilioo_jwt::axum::{FaciliooToken, only};
use facilioo_jwt::http::{BearerAuth, BearerError, Denial, Realm, bearer_token};
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
        Err("a realm is at most 100 characters of printable ASCII without '\"' or '\\'".to_owned())
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

struct Reply {
    status: StatusCode,
    challenge: Option<String>,
    content_type: Option<String>,
    body: String,
}

async fn get_with(url: &str, authorization: Option<&str>) -> Reply {
    let client = reqwest::Client::new();
    let mut request = client.get(url);
    if let Some(a) = authorization {
        request = request.header(AUTHORIZATION, a);
    }
    let response = request.send().await.expect("a response");
    Reply {
        status: response.status(),
        challenge: response
            .headers()
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        content_type: response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: response.text().await.expect("body"),
    }
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

// ---- the example service, with a key reload under load --------------------------------------

/// `examples/service.rs`, built by `cargo test --all-features` next to the test binaries.
fn example_service() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let debug = exe
        .parent()
        .and_then(std::path::Path::parent)
        .expect("target/debug");
    let path = debug.join("examples").join("service");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build --example service --features axum`",
        path.display()
    );
    path
}

struct Service {
    child: std::process::Child,
    base: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_service(keys: &std::path::Path) -> Service {
    start_service_for(keys, common::ISS, common::AUD)
}

fn start_service_for(keys: &std::path::Path, iss: &str, aud: &str) -> Service {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(example_service())
        .args(["--keys"])
        .arg(keys)
        .args(["--iss", iss, "--aud", aud, "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the example starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("a line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    Service { child, base }
}

fn hang_up(service: &Service) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &service.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// The README's walk-through: the example service with the shipped test keys answers minted
/// tokens (feature `testing`, through `cli`).
#[cfg(feature = "testing")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_service_with_the_test_keys() {
    use facilioo_jwt::testing::TestIssuer;
    use std::io::BufRead as _;
    let keys = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keys/testing/trusted.pem");
    let mut service = start_service_for(&keys, "dev-api.facilioo.de", "dev-app.facilioo.de");
    let mut warning = String::new();
    std::io::BufReader::new(service.child.stderr.take().expect("stderr"))
        .read_line(&mut warning)
        .expect("a line");
    assert!(
        warning.contains("trusts this crate's test keys, whose private halves are public"),
        "{warning}"
    );
    let issuer = TestIssuer::new();
    let contractor = issuer
        .token()
        .account(42)
        .party_type(PartyType::Contractor)
        .sign();
    let pmc = issuer
        .token()
        .account(7)
        .party_type(PartyType::PropertyManagementCompany)
        .sign();
    let at = |path: &str| format!("{}{path}", service.base);
    let reply = get_with(&at("/me"), Some(&contractor.authorization())).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&reply.body).ok(),
        Some(json!({"accountId": 42, "companyId": 1, "partyType": "Contractor"}))
    );
    let reply = get_with(&at("/admin"), Some(&contractor.authorization())).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        get_with(&at("/admin"), Some(&pmc.authorization()))
            .await
            .status,
        StatusCode::OK
    );
    let expired = issuer.token().expired().sign();
    assert_eq!(
        get_with(&at("/me"), Some(&expired.authorization()))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_service_reloads_keys_under_load() {
    let dir = std::env::temp_dir().join(format!("facilioo-jwt-service-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let keys = dir.join("keys.pem");
    let pem = |names: &[&str]| -> String {
        names
            .iter()
            .map(|n| common::data_str(&format!("keys/{n}.pkcs1.pem")))
            .collect()
    };
    // Replace the file the way deployments do: write aside, then rename over it.
    let replace = |contents: &str| {
        let aside = dir.join("keys.pem.new");
        std::fs::write(&aside, contents).expect("write");
        std::fs::rename(&aside, &keys).expect("rename");
    };
    replace(&pem(&["rsa2048-a", "rsa2048-b"]));
    let service = start_service(&keys);
    let me = format!("{}/me", service.base);

    let now = now();
    let token = |key: &str, party: u32| {
        let c = claims_plus_at(now, party);
        format!("Bearer {}", sign(HEADER, &c, &signer(key)))
    };
    let (a, b) = (token("rsa2048-a", 2), token("rsa2048-b", 5));
    let reply = get_with(&me, Some(&a)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        serde_json::from_str::<Value>(&reply.body).ok(),
        Some(json!({"accountId": 7, "companyId": 3, "partyType": "PropertyManagementCompany"}))
    );
    let admin = format!("{}/admin", service.base);
    assert_eq!(get_with(&admin, Some(&a)).await.status, StatusCode::OK);
    assert_eq!(
        get_with(&admin, Some(&b)).await.status,
        StatusCode::FORBIDDEN
    );

    // Two clients, one per key, send requests the whole time.
    let stop = Arc::new(AtomicBool::new(false));
    let client = |authorization: String| {
        let (me, stop) = (me.clone(), Arc::clone(&stop));
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                statuses.push(get_with(&me, Some(&authorization)).await.status);
            }
            statuses
        })
    };
    let (client_a, client_b) = (client(a.clone()), client(b.clone()));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    // A damaged file is refused: both keys stay.
    replace(&pem(&["rsa2048-a", "rsa2048-b"]).replacen(
        "-----END RSA PUBLIC KEY-----",
        "-----END RSA PUBLIC KEY----",
        1,
    ));
    hang_up(&service);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(get_with(&me, Some(&b)).await.status, StatusCode::OK);

    // Key B is removed: once reloaded, its tokens are refused.
    replace(&pem(&["rsa2048-a"]));
    hang_up(&service);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while get_with(&me, Some(&b)).await.status == StatusCode::OK {
        assert!(
            std::time::Instant::now() < deadline,
            "the reload never took effect"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let (statuses_a, statuses_b) = (client_a.await.expect("a"), client_b.await.expect("b"));

    // No request failed that was valid under either set: A's all succeeded; B's succeeded
    // until the reload and were refused after it, never anything else, never back.
    assert!(statuses_a.len() > 10 && statuses_b.len() > 10);
    assert!(
        statuses_a.iter().all(|s| *s == StatusCode::OK),
        "{statuses_a:?}"
    );
    let switched = statuses_b
        .iter()
        .position(|s| *s != StatusCode::OK)
        .expect("B refused at last");
    assert!(switched > 0, "B was valid before the reload");
    assert!(
        statuses_b[switched..]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses_b:?}"
    );
    let reply = get_with(&me, Some(&b)).await;
    assert!(
        reply
            .challenge
            .is_some_and(|c| c.contains("signature not verified"))
    );

    drop(service);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Claims valid now, account 7 of company 3, with a party type.
fn claims_plus_at(now: i64, party: u32) -> String {
    let c = claims(now - 10, now + 3600, 7, Some(3));
    format!("{},\"partyType\":{party}}}", &c[..c.len() - 1])
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
