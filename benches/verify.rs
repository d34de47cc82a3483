//! What one verification costs against the floor (the RSA operation alone) and a peer.
//!
//! The crate is built with one backend at a time, so each run measures that backend's crate
//! paths (named `…/<backend>`) beside both floors and the jsonwebtoken peer:
//!
//! ```sh
//! cargo bench --bench verify                                               # ring
//! cargo bench --bench verify --no-default-features --features aws-lc-rs   # aws-lc-rs
//! ```
//!
//! Three 2048-bit fixture keys stand in for facilioo's three (whose private halves nobody
//! here has); the tokens have facilioo's shape and size. `key1_of_3` is signed by the first
//! key of the set, `key3_of_3` by the last; `_steady` with the key-order memory warmed up,
//! `_cold` with a fresh verifier (no memory) for every verification.

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use facilioo_jwt::keys::BACKEND;
use facilioo_jwt::{UnixTime, Verifier, insecure};

#[path = "../tests/common/mod.rs"]
mod common;

const KEYS: [&str; 3] = ["rsa2048-a", "rsa2048-b", "rsa2048-c"];

struct Fixture {
    now: UnixTime,
    key1: String,
    key3: String,
    forged: String,
    malformed: String,
    alg_none: String,
    oversized: String,
}

fn fixture() -> Fixture {
    let claims = common::claims(common::NOW - 10, common::NOW + 3600, 2, Some(2));
    let key1 = common::sign(common::HEADER, &claims, &common::signer(KEYS[0]));
    let key3 = common::sign(common::HEADER, &claims, &common::signer(KEYS[2]));
    let forged = common::replace_segment(&key1, 2, &common::b64([0x5a; 256]));
    Fixture {
        now: common::at(common::NOW),
        malformed: key1.replacen('.', "", 1),
        alg_none: format!(
            "{}.{}.",
            common::b64(r#"{"alg":"none"}"#),
            common::b64(&claims)
        ),
        oversized: "a".repeat(64 * 1024),
        key1,
        key3,
        forged,
    }
}

fn verifier() -> Verifier {
    common::verifier(&KEYS)
}

/// The RSA operation alone on key 1's signing input, with each backend used directly.
fn floors(c: &mut Criterion, f: &Fixture) {
    let (input, sig) = f.key1.rsplit_once('.').expect("3 segments");
    let sig = URL_SAFE_NO_PAD.decode(sig).expect("signature");
    let der = common::data("keys/rsa2048-a.pkcs1.der");
    let mut g = c.benchmark_group("floor");
    // ring has no parsed public key type; its cheapest call takes the key's components (the
    // modulus follows `30 82 01 0a 02 82 01 01 00` in the PKCS#1 DER).
    let ring_key = ring::signature::RsaPublicKeyComponents {
        n: der[9..9 + 256].to_vec(),
        e: vec![1, 0, 1],
    };
    g.bench_function("ring_verify", |b| {
        b.iter(|| {
            ring_key.verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                black_box(input.as_bytes()),
                black_box(&sig),
            )
        })
    });
    let awslc_key = aws_lc_rs::signature::ParsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        &der,
    )
    .expect("key");
    g.bench_function("awslc_parsed_verify", |b| {
        b.iter(|| awslc_key.verify_sig(black_box(input.as_bytes()), black_box(&sig)))
    });
    g.finish();
}

/// This crate, with the backend of this build.
fn crate_paths(c: &mut Criterion, f: &Fixture) {
    let now = f.now;
    let id = |name: &str| BenchmarkId::new(name, BACKEND);

    // Everything but the RSA operation: segments, base64, header, signature decoding (a
    // 4096-bit key set, so no RSA operation is tried), then the claims and the policy.
    let other_size = common::keys(&["rsa4096"]);
    let policy = common::policy();
    let payload = URL_SAFE_NO_PAD
        .decode(f.key1.split('.').nth(1).expect("payload"))
        .expect("payload");
    c.bench_function(&format!("parse_only/{BACKEND}"), |b| {
        b.iter(|| {
            let jws = other_size.verify_jws(black_box(&f.key1), 8192);
            let claims = insecure::check_claims(black_box(&payload), &policy, now);
            (jws.is_err(), claims.is_ok())
        })
    });

    let mut g = c.benchmark_group("verify");
    let v = verifier();
    g.bench_function(id("key1_of_3"), |b| {
        b.iter(|| v.verify(black_box(&f.key1), now).expect("valid"))
    });
    let v = verifier();
    v.verify(&f.key3, now).expect("warm the memory");
    g.bench_function(id("key3_of_3_steady"), |b| {
        b.iter(|| v.verify(black_box(&f.key3), now).expect("valid"))
    });
    g.bench_function(id("key3_of_3_cold"), |b| {
        b.iter_batched(
            verifier,
            |v| v.verify(black_box(&f.key3), now).expect("valid"),
            BatchSize::SmallInput,
        )
    });
    let v = verifier();
    g.bench_function(id("bad_signature"), |b| {
        b.iter(|| v.verify(black_box(&f.forged), now).expect_err("forged"))
    });
    g.finish();

    let mut g = c.benchmark_group("reject");
    let v = verifier();
    for (name, token) in [
        ("malformed", &f.malformed),
        ("alg_none", &f.alg_none),
        ("oversized", &f.oversized),
    ] {
        g.bench_function(id(name), |b| {
            b.iter(|| v.verify(black_box(token), now).expect_err("refused"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("cache");
    let v = verifier().with_cache(10_000);
    v.verify(&f.key1, now).expect("cached");
    g.bench_function(id("hit"), |b| {
        b.iter(|| v.verify(black_box(&f.key1), now).expect("valid"))
    });
    // A miss: a token not seen before, verified in full and inserted (the cache is kept
    // small, so inserting evicts, as it does in a full cache).
    let signer = common::signer(KEYS[0]);
    let fresh: Vec<String> = (0..64)
        .map(|i| {
            let claims = common::claims(common::NOW - 10, common::NOW + 3600, 100 + i, None);
            common::sign(common::HEADER, &claims, &signer)
        })
        .collect();
    let v = verifier().with_cache(16);
    let mut next = 0;
    g.bench_function(id("miss"), |b| {
        b.iter(|| {
            next = (next + 1) % fresh.len();
            v.verify(black_box(&fresh[next]), now).expect("valid")
        })
    });
    g.finish();

    // Throughput: two threads against one, each iteration two verifications. With the memory
    // and the cache on: a hit (the same token) and a stream of distinct tokens (misses).
    let mut g = c.benchmark_group("throughput");
    let hit = verifier().with_cache(10_000);
    hit.verify(&f.key3, now).expect("cached");
    let hits = verifier().with_cache(10_000);
    for token in &fresh {
        hits.verify(token, now).expect("cached");
    }
    // The same work with nothing shared: each thread its own cache (the machine's own
    // scaling, which the shared cases are measured against).
    let own = [hit.clone(), verifier().with_cache(10_000)];
    own[1].verify(&f.key3, now).expect("cached");
    let stream = verifier().with_cache(16);
    for (name, v, tokens) in [
        (
            "cache_hit_same_token",
            std::slice::from_ref(&hit),
            std::slice::from_ref(&f.key3),
        ),
        (
            "cache_hit_own_caches",
            &own[..],
            std::slice::from_ref(&f.key3),
        ),
        (
            "cache_hit_many_tokens",
            std::slice::from_ref(&hits),
            &fresh[..],
        ),
        ("distinct_tokens", std::slice::from_ref(&stream), &fresh[..]),
    ] {
        for threads in [1usize, 2] {
            g.bench_function(
                BenchmarkId::new(format!("{name}_{threads}_threads"), BACKEND),
                |b| b.iter_custom(|iters| two_verifications(v, tokens, now, threads, iters)),
            );
        }
    }
    g.finish();
}

/// Time for `iters` rounds of two verifications: both on one thread, or one on each of two
/// (thread `t` using verifier `t`, or the only one).
fn two_verifications(
    verifiers: &[Verifier],
    tokens: &[String],
    now: UnixTime,
    threads: usize,
    iters: u64,
) -> Duration {
    let per_thread = iters * 2 / u64::try_from(threads).expect("1 or 2");
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let v = &verifiers[t % verifiers.len()];
            scope.spawn(move || {
                for i in 0..per_thread {
                    let index = usize::try_from(i).expect("fits") * threads + t;
                    let token = &tokens[index % tokens.len()];
                    black_box(v.verify(token, now).expect("valid"));
                }
            });
        }
    });
    start.elapsed()
}

/// The peer: jsonwebtoken cannot decode a facilioo token (an object `sub`), so it does what a
/// user of it would: its `crypto::verify` over each key in turn, then its own claim checks.
fn peer(c: &mut Criterion, f: &Fixture) {
    use jsonwebtoken::{Algorithm, DecodingKey};
    #[derive(serde::Deserialize)]
    struct Claims {
        exp: i64,
        nbf: Option<i64>,
        iss: String,
        aud: String,
        sub: Sub,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Sub {
        account_id: u64,
        company_id: Option<u64>,
    }
    let keys: Vec<DecodingKey> = KEYS
        .iter()
        .map(|k| DecodingKey::from_rsa_der(&common::data(&format!("keys/{k}.pkcs1.der"))))
        .collect();
    let now = f.now.as_secs();
    let check = |token: &str| -> Option<u64> {
        // The structure first, as jsonwebtoken's own decode does: three segments.
        if token.split('.').count() != 3 {
            return None;
        }
        let (input, sig) = token.rsplit_once('.')?;
        keys.iter().position(|k| {
            jsonwebtoken::crypto::verify(sig, input.as_bytes(), k, Algorithm::RS256)
                .unwrap_or(false)
        })?;
        let payload = URL_SAFE_NO_PAD.decode(input.split_once('.')?.1).ok()?;
        let claims: Claims = serde_json::from_slice(&payload).ok()?;
        let current = claims.nbf.is_none_or(|nbf| nbf - 60 <= now) && now < claims.exp + 60;
        (current && claims.iss == common::ISS && claims.aud == common::AUD)
            .then_some(claims.sub.account_id)
    };
    assert_eq!(check(&f.key1), Some(2));
    assert_eq!(check(&f.key3), Some(2));
    assert_eq!(check(&f.forged), None);
    let mut g = c.benchmark_group("peer_jsonwebtoken");
    for (name, token) in [
        ("key1_of_3", &f.key1),
        ("key3_of_3", &f.key3),
        ("bad_signature", &f.forged),
        ("malformed", &f.malformed),
    ] {
        g.bench_function(name, |b| b.iter(|| check(black_box(token))));
    }
    g.finish();
}

/// With feature `metrics` or `tracing`, what a service runs: a Prometheus recorder, and a
/// subscriber taking INFO events (refusals; a valid token emits none) into a sink. So the
/// benches built with a feature measure what that feature costs in production.
fn install_observers() {
    #[cfg(feature = "metrics")]
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .expect("the only recorder");
    #[cfg(feature = "tracing")]
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(std::io::sink)
            .finish(),
    )
    .expect("the only subscriber");
}

fn bench(c: &mut Criterion) {
    install_observers();
    let f = fixture();
    floors(c, &f);
    crate_paths(c, &f);
    peer(c, &f);
}

criterion_group!(benches, bench);
criterion_main!(benches);
