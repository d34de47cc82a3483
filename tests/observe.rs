//! Features `metrics` and `tracing`: what a verifier reports, captured with a Prometheus
//! recorder and a tracing subscriber local to each test.
#![cfg(all(feature = "metrics", feature = "tracing"))]

#[path = "common/client.rs"]
mod client;
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use client::sample;
use common::{AUD, HEADER, ISS, NOW, at, good_claims, sign, signer};
use facilioo_jwt::stats::names;
use facilioo_jwt::{Error, Verifier};
use metrics_exporter_prometheus::PrometheusBuilder;

/// Runs `f` with a Prometheus recorder of its own and returns the text it renders.
fn metrics_of(f: impl FnOnce()) -> String {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, f);
    handle.render()
}

/// A `Write` into a shared buffer, for a subscriber local to one test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("not poisoned").clone()).expect("UTF-8 logs")
    }
}

/// Runs `f` with a subscriber that writes every event at `level` and above to the buffer.
fn logs_of(level: tracing::Level, f: impl FnOnce()) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    captured.text()
}

fn expired_claims() -> String {
    format!(
        r#"{{"nbf":{},"exp":{},"iss":"{ISS}","aud":"{AUD}","sub":{{"accountId":2}}}}"#,
        NOW - 7200,
        NOW - 3600
    )
}

#[test]
fn metrics_count_outcomes_keys_rsa_operations_and_the_cache() {
    let verifier: Verifier = common::verifier(&["rsa2048-a", "rsa2048-b"]).with_cache(8);
    let good = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
    let expired = sign(HEADER, &expired_claims(), &signer("rsa2048-a"));
    let forged = sign(HEADER, &good_claims(), &signer("rsa4096"));
    let text = metrics_of(|| {
        for _ in 0..3 {
            assert!(verifier.verify(&good, at(NOW)).is_ok());
        }
        assert!(verifier.verify(&expired, at(NOW)).is_err());
        for _ in 0..2 {
            assert_eq!(
                verifier.verify(&forged, at(NOW)),
                Err(Error::InvalidSignature)
            );
        }
        assert!(verifier.verify("not a token", at(NOW)).is_err());
    });
    let outcome = |o: &str| {
        sample(
            &text,
            &format!("{}{{outcome=\"{o}\"}}", names::VERIFICATIONS),
        )
    };
    assert_eq!(outcome("ok"), 3.0, "{text}");
    assert_eq!(outcome("expired"), 1.0);
    assert_eq!(outcome("invalid_signature"), 2.0);
    assert_eq!(outcome("malformed"), 1.0);
    let stats = verifier.stats();
    for key in &stats.keys {
        let series = format!("{}{{key=\"{}\"}}", names::KEY_VERIFICATIONS, key.label());
        // Both counted the same way: b three times, a once (the expired token).
        assert_eq!(sample(&text, &series), key.verified as f64, "{series}");
    }
    assert_eq!(
        stats.keys.iter().map(|k| k.verified).collect::<Vec<_>>(),
        [1, 3]
    );
    assert_eq!(
        sample(&text, names::SIGNATURE_CHECKS),
        stats.signature_checks as f64
    );
    let cache = stats.cache.expect("a cache");
    let hits = |entry: &str| {
        sample(
            &text,
            &format!("{}{{entry=\"{entry}\"}}", names::CACHE_HITS),
        )
    };
    assert_eq!((hits("verified"), hits("forged")), (2.0, 1.0));
    assert_eq!(
        (cache.hits, cache.refusal_hits, cache.misses),
        (2, 1, 4),
        "good, expired, forged and malformed each missed once"
    );
    assert_eq!(sample(&text, names::CACHE_MISSES), 4.0);
    assert_eq!(sample(&text, names::CACHE_EVICTIONS), 0.0);
    // No label anywhere holds token bytes.
    for token in [&good, &expired, &forged] {
        let signature = token.rsplit('.').next().expect("three segments");
        assert!(!text.contains(&signature[..16]));
    }
}

#[test]
fn evictions_are_counted() {
    // Capacity 1: the second token evicts the first.
    let verifier = common::verifier(&["rsa2048-a"]).with_cache(1);
    let one = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    let two = sign(
        HEADER,
        &common::claims_plus(r#""x":1"#),
        &signer("rsa2048-a"),
    );
    let text = metrics_of(|| {
        assert!(verifier.verify(&one, at(NOW)).is_ok());
        assert!(verifier.verify(&two, at(NOW)).is_ok());
    });
    let evictions = verifier.stats().cache.expect("a cache").evictions;
    assert_eq!(evictions, 1);
    assert_eq!(sample(&text, names::CACHE_EVICTIONS), 1.0, "{text}");
}

#[test]
fn a_refusal_is_one_event_with_its_code_status_and_key_and_no_token_bytes() {
    let verifier = common::verifier(&["rsa2048-a", "rsa2048-b"]);
    let expired = sign(HEADER, &expired_claims(), &signer("rsa2048-b"));
    let forged = sign(HEADER, &good_claims(), &signer("rsa4096"));
    let good = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    let logs = logs_of(tracing::Level::INFO, || {
        assert!(verifier.verify(&expired, at(NOW)).is_err());
        assert!(verifier.verify(&forged, at(NOW)).is_err());
        assert!(verifier.verify(&good, at(NOW)).is_ok());
    });
    let lines: Vec<&str> = logs.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one event per refusal, none for a success: {logs}"
    );
    let key_b = verifier.keys().get(1).expect("two keys").label().to_owned();
    assert!(lines[0].contains("INFO"), "{}", lines[0]);
    assert!(
        lines[0].contains("facilioo_jwt"),
        "the target: {}",
        lines[0]
    );
    assert!(lines[0].contains("code=\"expired\""), "{}", lines[0]);
    assert!(lines[0].contains("status=401"), "{}", lines[0]);
    assert!(lines[0].contains("key_index=1"), "{}", lines[0]);
    assert!(
        lines[0].contains(&format!("key=\"{key_b}\"")),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("code=\"invalid_signature\""),
        "{}",
        lines[1]
    );
    assert!(
        !lines[1].contains("key=") && !lines[1].contains("key_index="),
        "no key verified a forgery: {}",
        lines[1]
    );
    for token in [&expired, &forged, &good] {
        for segment in token.split('.') {
            assert!(!logs.contains(&segment[..12]), "token bytes in the logs");
        }
    }
    // A service filtering to warnings sees none of them.
    let quiet = logs_of(tracing::Level::WARN, || {
        assert!(verifier.verify(&forged, at(NOW)).is_err());
    });
    assert_eq!(quiet, "");
}

#[test]
fn reloads_are_counted_and_logged() {
    use facilioo_jwt::live::LiveVerifier;
    let dir = std::env::temp_dir().join(format!("facilioo-jwt-observe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join("keys.pem");
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let mut text = String::new();
    let logs = logs_of(tracing::Level::DEBUG, || {
        text = metrics_of(|| {
            std::fs::write(&path, common::data_str("keys/rsa2048-b.pkcs1.pem")).expect("write");
            assert!(live.reload_keys(&path).expect("loads").changed());
            assert!(!live.reload_keys(&path).expect("loads").changed());
            std::fs::write(&path, "not a key").expect("write");
            assert!(live.reload_keys(&path).is_err());
        });
    });
    let result = |r: &str| sample(&text, &format!("{}{{result=\"{r}\"}}", names::RELOADS));
    assert_eq!(
        (result("ok"), result("unchanged"), result("error")),
        (1.0, 1.0, 1.0),
        "{text}"
    );
    assert_eq!(sample(&text, names::KEYS), 1.0);
    let lines: Vec<&str> = logs.lines().collect();
    assert_eq!(lines.len(), 3, "{logs}");
    assert!(
        lines[0].contains("INFO")
            && lines[0].contains("keys=1")
            && lines[0].contains("changed=true")
    );
    assert!(
        lines[1].contains("DEBUG") && lines[1].contains("changed=false"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("WARN") && lines[2].contains("keys in use stay"),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains("keys.pem"), "the path: {}", lines[2]);
    std::fs::remove_dir_all(&dir).ok();
}

/// A reload that puts a shipped test key in use, under a policy that does not refuse its
/// tokens, is warned about every time, counted, and shown in a gauge; under a policy that
/// refuses them, it is an ordinary reload.
#[test]
fn a_reload_that_trusts_test_keys_is_warned_about() {
    use facilioo_jwt::live::LiveVerifier;
    let dir = std::env::temp_dir().join(format!(
        "facilioo-jwt-observe-test-keys-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let (test_keys, ours) = (dir.join("test.pem"), dir.join("ours.pem"));
    std::fs::write(&test_keys, include_str!("../keys/testing/trusted.pem")).expect("write");
    std::fs::write(&ours, common::data_str("keys/rsa2048-b.pkcs1.pem")).expect("write");
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let mut during = String::new();
    let mut after = String::new();
    let logs = logs_of(tracing::Level::WARN, || {
        during = metrics_of(|| {
            assert!(live.reload_keys(&test_keys).expect("loads").changed());
        });
        after = metrics_of(|| {
            assert!(live.reload_keys(&ours).expect("loads").changed());
        });
    });
    assert_eq!(sample(&during, names::TEST_KEYS_TRUSTED), 3.0, "{during}");
    assert_eq!(sample(&during, names::KEYS), 3.0);
    assert_eq!(sample(&after, names::TEST_KEYS_TRUSTED), 0.0, "{after}");
    assert!(
        after.contains(names::TEST_KEYS_TRUSTED),
        "set to 0: {after}"
    );
    let warnings: Vec<&str> = logs.lines().collect();
    assert_eq!(warnings.len(), 1, "{logs}");
    assert!(
        warnings[0].contains("WARN")
            && warnings[0].contains("test.pem include 3 of this crate's test keys")
            && warnings[0].contains("test_keys=3"),
        "{}",
        warnings[0]
    );
    let stats = live.stats().reloads.expect("counted");
    assert_eq!((stats.ok, stats.test_keys), (2, 1));

    let refusing = LiveVerifier::new(Verifier::new(
        common::keys(&["rsa2048-a"]),
        common::policy().refuse_test_keys(),
    ));
    let mut text = String::new();
    let logs = logs_of(tracing::Level::WARN, || {
        text = metrics_of(|| {
            assert!(refusing.reload_keys(&test_keys).expect("loads").changed());
        });
    });
    assert_eq!(logs, "", "their tokens are refused: nothing to warn about");
    assert_eq!(sample(&text, names::TEST_KEYS_TRUSTED), 0.0);
    assert_eq!(refusing.stats().reloads.map(|r| r.test_keys), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

/// A refusal for want of the party-type claim is logged with the claims that look like one
/// (the HTTP layer has the token; the verifier's own event has only the code).
#[cfg(feature = "http")]
#[test]
fn a_missing_party_type_is_logged_with_its_candidates() {
    use facilioo_jwt::http::BearerAuth;
    use facilioo_jwt::{PartyType, Policy};
    let token = sign(
        HEADER,
        &common::claims_plus(r#""roleId":5"#),
        &signer("rsa2048-a"),
    );
    let policy: Policy = common::policy().with_allowed_party_types([PartyType::Contractor]);
    let auth = BearerAuth::new(Verifier::new(common::keys(&["rsa2048-a"]), policy));
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("a value"),
    );
    let logs = logs_of(tracing::Level::INFO, || {
        assert!(auth.authenticate_at(&headers, at(NOW)).is_err());
    });
    assert!(
        logs.contains(
            "request refused: token carries no party type and the policy requires one: the \
             token has no partyType claim; roleId (5: Contractor) looks like one: set the \
             party-type claim to roleId"
        ),
        "{logs}"
    );
    // Any other refused token is the verifier's event alone.
    let forged = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
    headers.insert(
        http::header::AUTHORIZATION,
        format!("Bearer {forged}").parse().expect("a value"),
    );
    let logs = logs_of(tracing::Level::INFO, || {
        assert!(auth.authenticate_at(&headers, at(NOW)).is_err());
    });
    assert_eq!(logs.lines().count(), 1, "{logs}");
    assert!(
        logs.contains("token refused: ") && !logs.contains("request refused"),
        "{logs}"
    );
}
