//! The example service (`examples/service.rs`) as a process over real HTTP: the README's
//! walk-through with the test keys, a scripted mix of tokens against its `/metrics` and its
//! logs, its route guard, its OpenAPI document, and its key reloads (SIGHUP, the interval, a
//! damaged file, and a reload while two clients send requests).
#![cfg(all(
    feature = "axum",
    feature = "tokio",
    feature = "metrics",
    feature = "tracing",
    feature = "utoipa",
    feature = "testing"
))]

#[path = "common/client.rs"]
mod client;
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use client::{get_with, sample};
use common::{HEADER, claims, sign, signer};
use facilioo_jwt::testing::{TestIssuer, TestKey};
use facilioo_jwt::{PartyType, UnixTime};
use http::StatusCode;
use serde_json::{Value, json};

/// Valid tokens in the test clock's window would be expired on the real clock the server
/// checks against: these are valid now.
fn now() -> i64 {
    UnixTime::now().as_secs()
}

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
    /// Everything it wrote to stderr so far (a thread drains the pipe, so that logging never
    /// blocks the service).
    logs: Arc<Mutex<String>>,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Service {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn logs(&self) -> String {
        self.logs.lock().expect("not poisoned").clone()
    }

    /// Its `/metrics`: the value of `name{labels}`, 0 when absent.
    async fn metric(&self, series: &str) -> f64 {
        sample(&get_with(&self.url("/metrics"), None).await.body, series)
    }

    /// Waits (up to 10 s) until `series` reaches `at_least`.
    async fn await_metric(&self, series: &str, at_least: f64) {
        for _ in 0..200 {
            if self.metric(series).await >= at_least {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{series} never reached {at_least}; logs:\n{}", self.logs());
    }
}

fn start_service(keys: &std::path::Path) -> Service {
    start_service_with(keys, common::ISS, common::AUD, &[])
}

fn start_service_with(keys: &std::path::Path, iss: &str, aud: &str, extra: &[&str]) -> Service {
    use std::io::{BufRead as _, Read as _};
    let mut child = std::process::Command::new(example_service())
        .args(["--keys"])
        .arg(keys)
        .args(["--iss", iss, "--aud", aud, "--listen", "127.0.0.1:0"])
        .args(extra)
        .env_remove("FACILIOO_ISSUER")
        .env_remove("FACILIOO_AUDIENCE")
        .env_remove("FACILIOO_KEYS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the example starts");
    let logs = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("stderr");
    let sink = Arc::clone(&logs);
    std::thread::spawn(move || {
        let mut buf = [0; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("not poisoned")
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
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
    Service { child, base, logs }
}

fn hang_up(service: &Service) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &service.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

fn test_keys() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keys/testing/trusted.pem")
}

const DEV_ISS: &str = "dev-api.facilioo.de";
const DEV_AUD: &str = "dev-app.facilioo.de";

/// The README's walk-through: the example service with the shipped test keys answers minted
/// tokens (feature `testing`, through `cli`).
#[cfg(feature = "testing")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_service_with_the_test_keys() {
    let service = start_service_with(&test_keys(), DEV_ISS, DEV_AUD, &[]);
    let issuer = TestIssuer::new();
    let contractor = issuer
        .token()
        .account(42)
        .company(1)
        .party_type(PartyType::Contractor)
        .sign();
    let pmc = issuer
        .token()
        .account(7)
        .company(1)
        .party_type(PartyType::PropertyManagementCompany)
        .sign();
    let reply = get_with(&service.url("/me"), Some(&contractor.authorization())).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&reply.body).ok(),
        Some(json!({"accountId": 42, "companyId": 1, "partyType": "Contractor"}))
    );
    // The guarded route: the right party type of the company in the path, nothing else.
    let admin = service.url("/companies/1/admin");
    let reply = get_with(&admin, Some(&contractor.authorization())).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply
            .challenge
            .is_some_and(|c| c.contains("insufficient_scope"))
    );
    assert_eq!(
        get_with(&admin, Some(&pmc.authorization())).await.status,
        StatusCode::OK
    );
    let other_company = get_with(
        &service.url("/companies/2/admin"),
        Some(&pmc.authorization()),
    )
    .await;
    assert_eq!(other_company.status, StatusCode::FORBIDDEN);
    assert_eq!(
        serde_json::from_str::<Value>(&other_company.body).ok(),
        Some(json!({
            "error": "insufficient_scope",
            "error_description": "this route is for company 2; the token's is company 1",
            "reason": "company_not_allowed",
        }))
    );
    let expired = issuer.token().expired().sign();
    assert_eq!(
        get_with(&service.url("/me"), Some(&expired.authorization()))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Routes without a token.
    for path in ["/health", "/hello", "/metrics", "/openapi.json"] {
        assert_eq!(
            get_with(&service.url(path), None).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    assert!(
        service
            .logs()
            .contains("trusts this crate's test keys, whose private halves are public"),
        "{}",
        service.logs()
    );
}

/// The OpenAPI document declares the scheme and documents the protected routes' refusals.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_service_serves_its_openapi_document() {
    let service = start_service_with(&test_keys(), DEV_ISS, DEV_AUD, &[]);
    let doc: Value =
        serde_json::from_str(&get_with(&service.url("/openapi.json"), None).await.body)
            .expect("JSON");
    assert_eq!(
        doc["components"]["securitySchemes"]["facilioo"]["scheme"],
        "bearer"
    );
    for path in ["/me", "/companies/{company_id}/admin", "/hello"] {
        let responses = &doc["paths"][path]["get"]["responses"];
        for status in ["200", "400", "401", "403"] {
            assert!(responses[status].is_object(), "{path} {status}");
        }
    }
}

/// A scripted mix of tokens: the counters on `/metrics` equal the mix by code, and the logs
/// hold every refusal's code and no token bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counters_and_logs_equal_a_scripted_mix() {
    let service = start_service_with(&test_keys(), DEV_ISS, DEV_AUD, &[]);
    let issuer = TestIssuer::new();
    let valid: Vec<_> = (0..5)
        .map(|i| issuer.token().account(100 + i).sign())
        .collect();
    let expired: Vec<_> = (0..3)
        .map(|i| issuer.token().account(200 + i).expired().sign())
        .collect();
    let forged: Vec<_> = (0..2)
        .map(|i| {
            issuer
                .token()
                .account(300 + i)
                .signed_by(TestKey::Untrusted)
                .sign()
        })
        .collect();
    let malformed = ["a.b.c", "not-a-jwt", "a.b.c.d", "x.y"];
    let me = service.url("/me");
    let mut sent = Vec::new();
    for token in valid.iter().chain(&expired).chain(&forged) {
        let _ = get_with(&me, Some(&token.authorization())).await;
        sent.push(token.to_string());
    }
    // The valid ones again: answered from the cache, counted all the same.
    for token in &valid {
        assert_eq!(
            get_with(&me, Some(&token.authorization())).await.status,
            StatusCode::OK
        );
    }
    for token in malformed {
        let reply = get_with(&me, Some(&format!("Bearer {token}"))).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token}");
    }
    assert_eq!(get_with(&me, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get_with(&me, Some("Bearer two tokens")).await.status,
        StatusCode::BAD_REQUEST
    );

    let outcomes = [
        ("ok", 10.0),
        ("expired", 3.0),
        ("invalid_signature", 2.0),
        ("malformed", 4.0),
        ("missing_token", 1.0),
        ("malformed_bearer", 1.0),
    ];
    for (outcome, n) in outcomes {
        let series = format!("facilioo_jwt_http_outcomes_total{{outcome=\"{outcome}\"}}");
        assert_eq!(service.metric(&series).await, n, "{series}");
    }
    for (outcome, n) in &outcomes[..4] {
        let series = format!("facilioo_jwt_verifications_total{{outcome=\"{outcome}\"}}");
        assert_eq!(service.metric(&series).await, *n, "{series}");
    }
    // Every key verified one of them, so the per-key counts add up to the verified ones
    // and the expired ones (whose signatures verified too).
    let text = get_with(&service.url("/metrics"), None).await.body;
    let per_key: f64 = text
        .lines()
        .filter(|l| l.starts_with("facilioo_jwt_key_verifications_total{"))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum();
    assert_eq!(per_key, 13.0, "{text}");
    assert_eq!(
        service
            .metric("facilioo_jwt_cache_hits_total{entry=\"verified\"}")
            .await,
        5.0
    );
    assert_eq!(service.metric("facilioo_jwt_keys").await, 3.0);

    let logs = service.logs();
    for (code, n) in [
        ("expired", 3),
        ("invalid_signature", 2),
        ("malformed", 4),
        ("missing_token", 1),
        ("malformed_bearer", 1),
    ] {
        let lines = logs
            .lines()
            .filter(|l| l.contains(&format!("code=\"{code}\"")))
            .count();
        assert_eq!(lines, n, "{code} in the logs:\n{logs}");
    }
    for token in sent.iter().map(String::as_str).chain(malformed) {
        for segment in token.split('.').filter(|s| s.len() >= 8) {
            assert!(
                !logs.contains(segment),
                "token bytes in the logs: {segment}"
            );
        }
    }
    for segment in ["BEGIN", "MIIB", "PRIVATE"] {
        assert!(!logs.contains(segment), "key bytes in the logs");
    }
}

/// The reload task in the service: the interval picks up a new file by itself, SIGHUP at
/// once, and a damaged file leaves the keys in use (counted and logged).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_reloads_on_its_interval_and_on_sighup() {
    let dir = std::env::temp_dir().join(format!("facilioo-jwt-interval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let keys = dir.join("keys.pem");
    let pem = |name: &str| common::data_str(&format!("keys/{name}.pkcs1.pem"));
    let replace = |contents: &str| {
        let aside = dir.join("keys.pem.new");
        std::fs::write(&aside, contents).expect("write");
        std::fs::rename(&aside, &keys).expect("rename");
    };
    replace(&pem("rsa2048-a"));
    // A long interval first: only SIGHUP can reload.
    let service = start_service_with(&keys, common::ISS, common::AUD, &["--reload-every", "3600"]);
    let me = service.url("/me");
    let now = now();
    let token = |key: &str| {
        format!(
            "Bearer {}",
            sign(HEADER, &claims_plus_at(now, 2), &signer(key))
        )
    };
    let (a, b) = (token("rsa2048-a"), token("rsa2048-b"));
    assert_eq!(get_with(&me, Some(&a)).await.status, StatusCode::OK);

    replace(&pem("rsa2048-b"));
    hang_up(&service);
    service
        .await_metric("facilioo_jwt_reloads_total{result=\"ok\"}", 1.0)
        .await;
    assert_eq!(get_with(&me, Some(&b)).await.status, StatusCode::OK);
    assert_eq!(
        get_with(&me, Some(&a)).await.status,
        StatusCode::UNAUTHORIZED
    );

    replace("-----BEGIN RSA PUBLIC KEY-----\ndamaged\n");
    hang_up(&service);
    service
        .await_metric("facilioo_jwt_reloads_total{result=\"error\"}", 1.0)
        .await;
    assert_eq!(
        get_with(&me, Some(&b)).await.status,
        StatusCode::OK,
        "the keys in use stay"
    );
    assert!(
        service
            .logs()
            .contains("keys not reloaded, the keys in use stay"),
        "{}",
        service.logs()
    );
    drop(service);

    // An interval of a second: a new file is in use within a few seconds, untouched.
    replace(&pem("rsa2048-a"));
    let service = start_service_with(&keys, common::ISS, common::AUD, &["--reload-every", "1"]);
    let me = service.url("/me");
    assert_eq!(get_with(&me, Some(&a)).await.status, StatusCode::OK);
    replace(&format!("{}{}", pem("rsa2048-a"), pem("rsa2048-b")));
    service
        .await_metric("facilioo_jwt_reloads_total{result=\"ok\"}", 1.0)
        .await;
    assert_eq!(get_with(&me, Some(&b)).await.status, StatusCode::OK);
    assert_eq!(service.metric("facilioo_jwt_keys").await, 2.0);
    // And the same file again is no change.
    service
        .await_metric("facilioo_jwt_reloads_total{result=\"unchanged\"}", 1.0)
        .await;
    drop(service);
    let _ = std::fs::remove_dir_all(&dir);
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
    let admin = format!("{}/companies/3/admin", service.base);
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
