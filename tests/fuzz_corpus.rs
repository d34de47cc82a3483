//! Replays the committed fuzz seeds (`fuzz/seeds/<target>/`, where crash inputs are committed
//! as regressions too) through the same public entry points on stable Rust, with the targets'
//! invariants, so a regression shows in `cargo test` without the fuzzer.

mod common;

use facilioo_jwt::{KeySet, Policy, Verifier, insecure};
use std::path::PathBuf;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("seed");
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{target}: too few seeds");
    files
}

#[test]
fn verify_seeds_are_never_accepted_without_a_trusted_signature() {
    let verifiers = [
        Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()),
        common::verifier(&["rsa2048-b", "rsa4096"]),
    ];
    for (path, bytes) in seeds("verify") {
        let token = String::from_utf8_lossy(&bytes);
        for v in &verifiers {
            assert!(
                v.verify(&token, common::at(common::NOW)).is_err(),
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn inspect_seeds_decode_or_fail_cleanly() {
    let mut decoded = 0;
    for (_, bytes) in seeds("inspect") {
        if let Ok(d) = insecure::decode_unverified(&String::from_utf8_lossy(&bytes)) {
            assert!(d.header.is_object() && d.claims.is_object());
            decoded += 1;
        }
    }
    assert!(decoded >= 2, "the example and RFC 7515 tokens decode");
}

#[test]
fn key_seeds_load_within_bounds_or_fail_cleanly() {
    let mut loaded = 0;
    for (_, bytes) in seeds("keys") {
        if let Ok(set) = KeySet::load(&bytes) {
            loaded += 1;
            assert!(
                set.iter()
                    .all(|k| (2048..=8192).contains(&k.modulus_bits()))
            );
        }
    }
    assert!(loaded >= 10, "{loaded}");
}

#[test]
fn claims_seeds_check_or_fail_cleanly() {
    let policy = Policy::new(["iss.test", "other.test"], ["aud.test", "app.test"]).expect("policy");
    let mut accepted = 0;
    for (_, bytes) in seeds("claims") {
        if let Ok(c) = insecure::check_claims(&bytes, &policy, common::at(common::NOW)) {
            accepted += 1;
            assert!(["iss.test", "other.test"].contains(&c.issuer()));
        }
    }
    assert!(accepted >= 2, "the crafted valid claims pass: {accepted}");
}
