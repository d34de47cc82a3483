//! What one verification costs, by key size and by how many keys are tried.
//!
//! `verify_rs256_{bits}_{n}keys_{position}`: a valid token, the signing key at `position` in a
//! set of `n` (facilioo tokens carry no `kid`, so the last position pays `n` RSA operations).
//! `rsa_pkcs1_verify_{bits}` is the raw RSA operation: the floor the verifier is measured against.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "../tests/common/mod.rs"]
mod common;

fn bench(c: &mut Criterion) {
    let now = common::at(common::NOW);
    let claims = common::claims(common::NOW - 10, common::NOW + 3600, 2, Some(2));

    for (bits, name) in [(2048, "rsa2048-a"), (4096, "rsa4096")] {
        let key = common::public(name);
        let token = common::sign(common::HEADER, &claims, &common::signer(name));
        let (input, sig) = token.rsplit_once('.').expect("three segments");
        let sig = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig)
            .expect("signature");
        c.bench_function(&format!("rsa_pkcs1_verify_{bits}"), |b| {
            b.iter(|| key.verify_rs256(black_box(input.as_bytes()), black_box(&sig)))
        });
        let verifier = common::verifier(&[name]);
        c.bench_function(&format!("verify_rs256_{bits}_1keys_first"), |b| {
            b.iter(|| verifier.verify(black_box(&token), now).expect("valid"))
        });
    }

    // Three keys like facilioo's set, the signer last: the worst case without a kid.
    let token = common::sign(common::HEADER, &claims, &common::signer("rsa2048-a"));
    let verifier = common::verifier(&["rsa2048-b", "rsa4096", "rsa2048-a"]);
    c.bench_function("verify_rs256_2048_3keys_last", |b| {
        b.iter(|| verifier.verify(black_box(&token), now).expect("valid"))
    });

    // Refusals that must cost no RSA operation at all.
    let facilioo = facilioo_jwt::Verifier::new(
        facilioo_jwt::KeySet::facilioo(),
        facilioo_jwt::Policy::facilioo_dev(),
    );
    let none = format!(
        "{}.{}.",
        common::b64(r#"{"alg":"none"}"#),
        common::b64(&claims)
    );
    c.bench_function("reject_alg_none", |b| {
        b.iter(|| facilioo.verify(black_box(&none), now).expect_err("refused"))
    });
    let oversized = "a".repeat(64 * 1024);
    c.bench_function("reject_too_large_64k", |b| {
        b.iter(|| {
            facilioo
                .verify(black_box(&oversized), now)
                .expect_err("refused")
        })
    });
    // A bad signature against facilioo's three keys: three RSA operations.
    let example = include_str!("../tests/data/example-token.txt").trim();
    c.bench_function("reject_bad_signature_2048_3keys", |b| {
        b.iter(|| {
            facilioo
                .verify(black_box(example), now)
                .expect_err("refused")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
