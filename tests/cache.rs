//! The verified-token cache: hits cost no RSA operation; every hit re-checks the time window
//! against the call's `now`; only forged signatures are remembered as refusals; it is bounded
//! and never outlives its key set.

mod common;

use common::{
    HEADER, NOW, at, claims, claims_with, good_claims, sign, signature_checks as checks, signer,
};
use facilioo_jwt::{Error, Verifier};

const L: i64 = 60; // the default leeway

fn cached(names: &[&str], capacity: usize) -> Verifier {
    common::verifier(names).with_cache(capacity)
}

#[test]
fn a_hit_costs_no_rsa_operation_and_gives_the_same_token() {
    let verifier = cached(&["rsa2048-a"], 100);
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    let (cost, first) = checks(&verifier, || verifier.verify(&token, at(NOW)));
    assert_eq!(cost, 1);
    let (cost, again) = checks(&verifier, || verifier.verify(&token, at(NOW)));
    assert_eq!(cost, 0);
    assert_eq!(again, first);
    let stats = verifier.cache_stats().expect("cache");
    assert_eq!((stats.hits, stats.misses, stats.len), (1, 1, 1));
    assert!((stats.hit_ratio() - 0.5).abs() < 1e-9);
    // Clones share it.
    let (cost, _) = checks(&verifier, || verifier.clone().verify(&token, at(NOW)));
    assert_eq!(cost, 0);
}

/// fast-jwt's cache (GHSA-rp4f-8xh8-wjw4 class) returned a saved payload after `exp` when its
/// cache deadline was not tied to `exp`. Here a hit is checked against the call's own `now`.
#[test]
fn a_cached_token_that_has_since_expired_is_expired() {
    let verifier = cached(&["rsa2048-a"], 100);
    let token = sign(
        HEADER,
        &claims(NOW - 10, NOW + 60, 2, None),
        &signer("rsa2048-a"),
    );
    assert!(verifier.verify(&token, at(NOW)).is_ok());
    let later = NOW + 60 + L;
    assert_eq!(
        verifier.verify(&token, at(later)),
        Err(Error::Expired {
            exp: at(NOW + 60),
            now: at(later)
        })
    );
    assert!(verifier.verify(&token, at(later - 1)).is_ok());
    assert_eq!(verifier.cache_stats().expect("cache").hits, 2);
    assert_eq!(
        verifier.signature_checks(),
        1,
        "all answered from the cache"
    );
}

#[test]
fn a_cached_token_looked_up_before_its_nbf_is_not_yet_valid() {
    let verifier = cached(&["rsa2048-a"], 100);
    let token = sign(
        HEADER,
        &claims(NOW, NOW + 3600, 2, None),
        &signer("rsa2048-a"),
    );
    assert!(verifier.verify(&token, at(NOW)).is_ok());
    let early = NOW - L - 1;
    assert_eq!(
        verifier.verify(&token, at(early)),
        Err(Error::NotYetValid {
            nbf: at(NOW),
            now: at(early)
        })
    );
    // And a token first seen after its expiry is cached too: its time is checked per call.
    let old = sign(
        HEADER,
        &claims(NOW - 100, NOW - 90, 3, None),
        &signer("rsa2048-a"),
    );
    assert!(
        verifier
            .verify(&old, at(NOW))
            .is_err_and(|e| e.is_expired())
    );
    let (cost, verdict) = checks(&verifier, || verifier.verify(&old, at(NOW - 95)));
    assert_eq!(
        (cost, verdict.map(|v| v.subject().account_id().get())),
        (0, Ok(3))
    );
}

#[test]
fn a_forged_signature_is_remembered_and_nothing_else_is() {
    let verifier = cached(&["rsa2048-a", "rsa2048-b"], 100);
    let forged = sign(HEADER, &good_claims(), &signer("rsa2048-c"));
    let (cost, verdict) = checks(&verifier, || verifier.verify(&forged, at(NOW)));
    assert_eq!((cost, verdict), (2, Err(Error::InvalidSignature)));
    let (cost, verdict) = checks(&verifier, || verifier.verify(&forged, at(NOW)));
    assert_eq!((cost, verdict), (0, Err(Error::InvalidSignature)));
    let stats = verifier.cache_stats().expect("cache");
    assert_eq!(
        (stats.refusal_hits, stats.refusals_len, stats.len),
        (1, 1, 0)
    );

    // Genuine signatures with a claim the policy refuses: refused every time, at full cost.
    for bad in [
        claims_with("iss", r#""https://evil.test""#),
        claims_with("aud", "[]"),
        claims_with("exp", r#""soon""#),
    ] {
        let token = sign(HEADER, &bad, &signer("rsa2048-a"));
        for _ in 0..2 {
            let (cost, verdict) = checks(&verifier, || verifier.verify(&token, at(NOW)));
            assert!(verdict.is_err());
            assert_eq!(cost, 1, "{bad}");
        }
    }
    // Structural refusals are cheap and not remembered either.
    let none = sign(r#"{"alg":"none"}"#, &good_claims(), &signer("rsa2048-a"));
    for _ in 0..2 {
        assert_eq!(
            verifier.verify(&none, at(NOW)),
            Err(Error::UnsupportedAlgorithm)
        );
    }
    let stats = verifier.cache_stats().expect("cache");
    assert_eq!((stats.len, stats.refusals_len), (0, 1));
}

#[test]
fn bounded_with_evictions() {
    let verifier = cached(&["rsa2048-a"], 16);
    let key = signer("rsa2048-a");
    let tokens: Vec<String> = (0..64)
        .map(|i| sign(HEADER, &claims(NOW - 10, NOW + 3600, i, None), &key))
        .collect();
    for (i, token) in tokens.iter().enumerate() {
        let verified = verifier.verify(token, at(NOW)).expect("valid");
        assert_eq!(
            verified.subject().account_id(),
            u64::try_from(i).expect("i")
        );
    }
    let stats = verifier.cache_stats().expect("cache");
    assert_eq!(stats.capacity, 16);
    assert!(stats.len <= 16, "{stats:?}");
    assert_eq!(stats.evictions, 64 - u64::try_from(stats.len).expect("len"));
    // Every token still verifies, from the cache or in full, as itself.
    for (i, token) in tokens.iter().enumerate() {
        let verified = verifier.verify(token, at(NOW)).expect("valid");
        assert_eq!(
            verified.subject().account_id(),
            u64::try_from(i).expect("i")
        );
    }
}

#[test]
fn long_tokens_are_verified_but_not_cached() {
    use facilioo_jwt::limits::MAX_CACHED_TOKEN_LEN;
    let verifier = cached(&["rsa2048-a"], 100);
    let padding = "x".repeat(MAX_CACHED_TOKEN_LEN);
    let long = sign(
        HEADER,
        &common::claims_plus(&format!(r#""pad":"{padding}""#)),
        &signer("rsa2048-a"),
    );
    assert!(long.len() > MAX_CACHED_TOKEN_LEN && long.len() <= 8192);
    for _ in 0..2 {
        let (cost, verdict) = checks(&verifier, || verifier.verify(&long, at(NOW)));
        assert_eq!(cost, 1);
        assert!(verdict.is_ok());
    }
    let stats = verifier.cache_stats().expect("cache");
    assert_eq!((stats.bypassed, stats.len, stats.misses), (2, 0, 0));
}

/// An entry never outlives the key set it was verified under: a swap starts a new cache, so
/// a removed key's tokens are refused at once, cached or not.
#[cfg(feature = "live")]
#[test]
fn a_new_key_set_starts_with_an_empty_cache() {
    let live = facilioo_jwt::live::LiveVerifier::new(cached(&["rsa2048-a"], 100));
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    assert!(live.verify(&token, at(NOW)).is_ok());
    assert!(live.verify(&token, at(NOW)).is_ok());
    assert_eq!(live.current().cache_stats().expect("cache").hits, 1);
    live.replace_keys(common::keys(&["rsa2048-b"]));
    assert_eq!(live.verify(&token, at(NOW)), Err(Error::InvalidSignature));
    let stats = live
        .current()
        .cache_stats()
        .expect("the options carry over");
    assert_eq!((stats.hits, stats.capacity), (0, 100), "{stats:?}");
    // And the forged signature remembered under b is forgotten when a comes back.
    live.replace_keys(common::keys(&["rsa2048-a"]));
    assert!(live.verify(&token, at(NOW)).is_ok());
}

#[test]
fn the_capacity_is_bounded() {
    use facilioo_jwt::limits::MAX_CACHE_CAPACITY;
    for (asked, got) in [
        (MAX_CACHE_CAPACITY, MAX_CACHE_CAPACITY),
        (MAX_CACHE_CAPACITY + 1, MAX_CACHE_CAPACITY),
        (usize::MAX, MAX_CACHE_CAPACITY),
    ] {
        let stats = cached(&["rsa2048-a"], asked)
            .cache_stats()
            .expect("a cache");
        assert_eq!(stats.capacity, got, "asked for {asked}");
    }
}

#[test]
fn without_a_cache_there_are_no_stats_and_capacity_zero_is_none() {
    assert!(common::verifier(&["rsa2048-a"]).cache_stats().is_none());
    assert!(cached(&["rsa2048-a"], 0).cache_stats().is_none());
}

#[test]
fn forged_signatures_evict_only_their_own_region() {
    // Capacity 8: one slot for forged signatures.
    let verifier = cached(&["rsa2048-a"], 8);
    let good = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    assert!(verifier.verify(&good, at(NOW)).is_ok());
    for account in 0..3 {
        let forged = sign(
            HEADER,
            &claims(NOW - 10, NOW + 60, account, None),
            &signer("rsa2048-b"),
        );
        assert_eq!(
            verifier.verify(&forged, at(NOW)),
            Err(Error::InvalidSignature)
        );
    }
    let stats = verifier.cache_stats().expect("cache");
    assert_eq!(
        (stats.refusals_capacity, stats.refusals_len, stats.evictions),
        (1, 1, 2)
    );
    // The verified token is still there.
    let (cost, verdict) = checks(&verifier, || verifier.verify(&good, at(NOW)));
    assert_eq!((cost, verdict.is_ok()), (0, true));
}

/// Exactly the longest cached length is cached; one byte more is not.
#[test]
fn the_cache_length_limit_is_exact() {
    use facilioo_jwt::limits::MAX_CACHED_TOKEN_LEN;
    let key = signer("rsa2048-a");
    // A token of exactly `len` bytes: n bytes of claims are ceil(4n / 3) characters of
    // base64url, so pad the claims to the length that fits, then sign once.
    let padded = |k: usize| common::claims_plus(&format!(r#""pad":"{}""#, "x".repeat(k)));
    let b64_len = |n: usize| (4 * n).div_ceil(3);
    let fixed = sign(HEADER, &padded(0), &key).len() - b64_len(padded(0).len());
    let token_of = |len: usize| {
        let k = (0..len).find(|k| fixed + b64_len(padded(0).len() + k) == len)?;
        let token = sign(HEADER, &padded(k), &key);
        (token.len() == len).then_some(token)
    };
    let at_limit = token_of(MAX_CACHED_TOKEN_LEN).expect("a token of exactly the limit");
    let over = token_of(MAX_CACHED_TOKEN_LEN + 3).expect("a token just over the limit");
    let verifier = cached(&["rsa2048-a"], 100);
    for _ in 0..2 {
        assert!(verifier.verify(&at_limit, at(NOW)).is_ok());
        assert!(verifier.verify(&over, at(NOW)).is_ok());
    }
    let stats = verifier.cache_stats().expect("cache");
    assert_eq!((stats.hits, stats.bypassed, stats.len), (1, 2, 1));
}

#[test]
fn a_cached_verifier_debugs_without_tokens() {
    let verifier = cached(&["rsa2048-a"], 64);
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    assert!(verifier.verify(&token, at(NOW)).is_ok());
    let debug = format!("{verifier:?}");
    assert!(
        debug.contains("len: 1") && debug.contains("capacity:"),
        "{debug}"
    );
    let signature = token.rsplit_once('.').map_or("", |(_, s)| s);
    assert!(
        !debug.contains(signature) && !debug.contains(&token[..20]),
        "{debug}"
    );
}
