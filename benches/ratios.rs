//! The speed targets as ratios within one interleaved run: every case is timed once per round,
//! round after round, and each ratio is the median of its per-round ratios, so that the
//! machine's clock drifting between benchmarks cannot move it (criterion times each
//! benchmark in its own minutes). `cargo bench --bench ratios`; `-- --test` runs one short
//! round to check that it works.
//!
//! Besides the targets' cases it times the parts: the RSA call plus decoding the signature
//! (what any verifier must do), the JWS layer with and without RSA, and the claims alone.

use std::hint::black_box;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use facilioo_jwt::keys::BACKEND;
use facilioo_jwt::{UnixTime, Verifier};

#[path = "../tests/common/mod.rs"]
mod common;

const KEYS: [&str; 3] = ["rsa2048-a", "rsa2048-b", "rsa2048-c"];

type Case<'a> = (&'static str, Box<dyn Fn() + 'a>);

fn main() {
    let test_mode = std::env::args().any(|a| a == "--test");
    let (rounds, iterations) = if test_mode { (1, 5) } else { (30, 400) };

    let now: UnixTime = common::at(common::NOW);
    let claims = common::claims(common::NOW - 10, common::NOW + 3600, 2, Some(2));
    let key1 = common::sign(common::HEADER, &claims, &common::signer(KEYS[0]));
    let key3 = common::sign(common::HEADER, &claims, &common::signer(KEYS[2]));
    let (input, sig) = key1.rsplit_once('.').expect("3 segments");
    let sig = URL_SAFE_NO_PAD.decode(sig).expect("signature");
    let der = common::data("keys/rsa2048-a.pkcs1.der");
    let n_e = {
        let key = ring::signature::RsaPublicKeyComponents {
            n: der[9..9 + 256].to_vec(),
            e: vec![1, 0, 1],
        };
        assert!(
            key.verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                input.as_bytes(),
                &sig
            )
            .is_ok()
        );
        key
    };
    let awslc = aws_lc_rs::signature::ParsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        &der,
    )
    .expect("key");
    let verifier = || -> Verifier { common::verifier(&KEYS) };
    let (v1, v3) = (verifier(), verifier());
    v3.verify(&key3, now).expect("warm the key-order memory");
    let cached = verifier().with_cache(100);
    cached.verify(&key1, now).expect("cached");
    let one = common::keys(&["rsa2048-a"]);
    let policy = common::policy();
    let big = common::keys(&["rsa4096"]);
    let none = format!(
        "{}.{}.",
        common::b64(r#"{"alg":"none"}"#),
        common::b64(&claims)
    );
    let malformed = key1.replacen('.', "", 1);

    let cases: Vec<Case<'_>> = vec![
        (
            "floor ring",
            Box::new(|| {
                black_box(
                    n_e.verify(
                        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                        black_box(input.as_bytes()),
                        &sig,
                    )
                    .is_ok(),
                );
            }),
        ),
        (
            "floor aws-lc-rs",
            Box::new(|| {
                black_box(awslc.verify_sig(black_box(input.as_bytes()), &sig).is_ok());
            }),
        ),
        (
            "ring + decode",
            Box::new(|| {
                let sig_b64 = black_box(key1.rsplit_once('.').map_or("", |(_, s)| s));
                let mut buf = [0u8; 256];
                let n = URL_SAFE_NO_PAD.decode_slice(sig_b64, &mut buf).unwrap_or(0);
                black_box(
                    n_e.verify(
                        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                        black_box(input.as_bytes()),
                        &buf[..n],
                    )
                    .is_ok(),
                );
            }),
        ),
        (
            "aws-lc-rs + decode",
            Box::new(|| {
                let sig_b64 = black_box(key1.rsplit_once('.').map_or("", |(_, s)| s));
                let mut buf = [0u8; 256];
                let n = URL_SAFE_NO_PAD.decode_slice(sig_b64, &mut buf).unwrap_or(0);
                black_box(
                    awslc
                        .verify_sig(black_box(input.as_bytes()), &buf[..n])
                        .is_ok(),
                );
            }),
        ),
        (
            "key1_of_3",
            Box::new(|| {
                black_box(v1.verify(black_box(&key1), now).is_ok());
            }),
        ),
        (
            "key3_of_3_steady",
            Box::new(|| {
                black_box(v3.verify(black_box(&key3), now).is_ok());
            }),
        ),
        (
            "jws key1 only",
            Box::new(|| {
                black_box(one.verify_jws(black_box(&key1), 8192).is_ok());
            }),
        ),
        (
            "check_claims",
            Box::new(|| {
                black_box(
                    facilioo_jwt::insecure::check_claims(
                        black_box(claims.as_bytes()),
                        &policy,
                        now,
                    )
                    .is_ok(),
                );
            }),
        ),
        (
            "jws no rsa",
            Box::new(|| {
                black_box(big.verify_jws(black_box(&key1), 8192).is_err());
            }),
        ),
        (
            "cache hit",
            Box::new(|| {
                black_box(cached.verify(black_box(&key1), now).is_ok());
            }),
        ),
        (
            "alg none",
            Box::new(|| {
                black_box(v1.verify(black_box(&none), now).is_err());
            }),
        ),
        (
            "malformed",
            Box::new(|| {
                black_box(v1.verify(black_box(&malformed), now).is_err());
            }),
        ),
    ];

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for ((_, run), samples) in cases.iter().zip(&mut times) {
            let start = Instant::now();
            for _ in 0..iterations {
                run();
            }
            samples.push(start.elapsed().as_secs_f64() * 1e9 / f64::from(iterations));
        }
    }
    let index = |name: &str| cases.iter().position(|(n, _)| *n == name).expect("case");
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ratio = |a: &str, b: &str| {
        median(
            times[index(a)]
                .iter()
                .zip(&times[index(b)])
                .map(|(x, y)| x / y)
                .collect(),
        )
    };
    println!("backend: {BACKEND}; medians of {rounds} rounds of {iterations} each");
    for ((name, _), samples) in cases.iter().zip(&times) {
        println!("{name:>18}: {:>10.1} ns", median(samples.clone()));
    }
    let floor = if BACKEND == "ring" {
        "floor ring"
    } else {
        "floor aws-lc-rs"
    };
    println!(
        "key1_of_3 / {floor}: {:.3} (target <= 1.03)",
        ratio("key1_of_3", floor)
    );
    let decode = if BACKEND == "ring" {
        "ring + decode"
    } else {
        "aws-lc-rs + decode"
    };
    println!("key1_of_3 / ({decode}): {:.3}", ratio("key1_of_3", decode));
    println!(
        "key3_of_3_steady / key1_of_3: {:.3} (target <= 1.05)",
        ratio("key3_of_3_steady", "key1_of_3")
    );
}
