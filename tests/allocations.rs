//! Counts heap allocations on the verification path. This crate's own work (splitting,
//! base64, header and claims parsing, policy checks, the owned verified token) allocates
//! nothing for ordinary tokens; what remains is inside the backend's RSA verification (ring
//! parses the key on every call; aws-lc-rs parsed it at load). A cache hit allocates nothing
//! at all. The counts are exact, so they are asserted exactly.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::{HEADER, NOW, at, claims, good_claims, sign, signer};
use facilioo_jwt::{Error, insecure};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator unchanged; only counts calls on this thread.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A verifier of `names` that has verified once: with feature `metrics`, a verifier registers
/// its counters with the recorder on its first verification, which allocates, once; every
/// verification after that allocates as counted here.
fn warm_verifier(names: &[&str]) -> facilioo_jwt::Verifier {
    let verifier = common::verifier(names);
    assert!(verifier.verify("a.b", at(NOW)).is_err());
    verifier
}

/// Allocations made on this thread while `f` runs.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    (ALLOCATIONS.with(Cell::get) - before, r)
}

#[test]
fn claims_check_allocates_nothing() {
    let policy = common::policy();
    let payload = good_claims();
    let (n, r) =
        allocations(|| insecure::check_claims(payload.as_bytes(), &policy, at(NOW)).map(|_| ()));
    assert_eq!(r, Ok(()));
    assert_eq!(n, 0);
    // With a party type, an aud array and unknown nested members: still nothing.
    let base = claims(NOW - 10, NOW + 60, 7, None);
    let payload = format!(
        r#"{},"aud":["x","{}"],"partyType":5,"roles":[{{"a":[1,2]}}]}}"#,
        &base[..base.len() - 1].replace(r#","aud":"app.test""#, ""),
        common::AUD
    );
    let (n, r) = allocations(|| {
        insecure::check_claims(payload.as_bytes(), &policy, at(NOW)).map(|c| c.party_type())
    });
    assert_eq!(r, Ok(Some(facilioo_jwt::PartyType::Contractor)));
    assert_eq!(n, 0);
}

#[test]
fn refusals_before_the_signature_allocate_nothing() {
    let verifier = warm_verifier(&["rsa2048-a"]);
    let none = sign(r#"{"alg":"none"}"#, &good_claims(), &signer("rsa2048-a"));
    let long = "a".repeat(10_000);
    for (token, want) in [
        (none.as_str(), Error::UnsupportedAlgorithm),
        (
            long.as_str(),
            Error::TooLarge {
                len: 10_000,
                max: 8192,
            },
        ),
        (
            "a.b",
            Error::Malformed(facilioo_jwt::error::Malformed::SegmentCount),
        ),
    ] {
        let (n, r) = allocations(|| verifier.verify(token, at(NOW)).map(|_| ()));
        assert_eq!(r, Err(want));
        assert_eq!(n, 0, "{want:?}");
    }
}

#[test]
fn a_full_verification_allocates_only_inside_the_backend() {
    let verifier = warm_verifier(&["rsa2048-a"]);
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    let key = verifier.keys().get(0).expect("key");
    let (input, sig) = token.rsplit_once('.').expect("3");
    let sig = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig)
        .expect("sig");
    // The raw RSA operation alone, and the whole verification: the same count.
    let (rsa, r) = allocations(|| key.verify_rs256(input.as_bytes(), &sig));
    assert_eq!(r, Ok(()));
    let (total, r) = allocations(|| verifier.verify(&token, at(NOW)).map(|_| ()));
    assert_eq!(r, Ok(()));
    assert_eq!(
        total, rsa,
        "verification allocates {total}, ring's RSA alone {rsa}"
    );
    eprintln!("allocations per verification: {total} (all in ring's RSA operation)");
}

#[test]
fn a_cache_hit_allocates_nothing() {
    let verifier = common::verifier(&["rsa2048-a"]).with_cache(64);
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    assert!(verifier.verify(&token, at(NOW)).is_ok());
    let (n, r) = allocations(|| verifier.verify(&token, at(NOW)).map(|_| ()));
    assert_eq!(r, Ok(()));
    assert_eq!(n, 0);
    // A remembered forgery, likewise.
    let forged = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
    assert!(verifier.verify(&forged, at(NOW)).is_err());
    let (n, r) = allocations(|| verifier.verify(&forged, at(NOW)).map(|_| ()));
    assert_eq!(r, Err(Error::InvalidSignature));
    assert_eq!(n, 0);
}
