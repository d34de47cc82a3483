//! `Verifier::stats()` (every build) and `LiveVerifier::stats()` (feature `live`): the counts
//! a service reads without any metrics feature.

mod common;

use common::{AUD, HEADER, ISS, NOW, at, good_claims, sign, signer};
use facilioo_jwt::stats::{KEY_LABEL_LEN, OUTCOME_CODES};
use facilioo_jwt::{Error, Verifier};

fn claims_expiring(exp: i64) -> String {
    format!(
        r#"{{"nbf":{},"exp":{exp},"iss":"{ISS}","aud":"{AUD}","sub":{{"accountId":2}}}}"#,
        NOW - 60
    )
}

#[test]
fn verifications_are_counted_by_outcome_and_key() {
    let verifier = common::verifier(&["rsa2048-a", "rsa2048-b"]);
    let by_b = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
    let expired_by_a = sign(HEADER, &claims_expiring(NOW - 3600), &signer("rsa2048-a"));
    let forged = sign(HEADER, &good_claims(), &signer("rsa4096"));
    let wrong_issuer = sign(
        HEADER,
        &good_claims().replace(ISS, "https://other.test"),
        &signer("rsa2048-a"),
    );
    assert!(verifier.verify(&by_b, at(NOW)).is_ok());
    assert!(verifier.verify(&by_b, at(NOW)).is_ok());
    assert!(verifier.verify(&expired_by_a, at(NOW)).is_err());
    assert_eq!(
        verifier.verify(&forged, at(NOW)),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        verifier.verify(&wrong_issuer, at(NOW)),
        Err(Error::InvalidIssuer)
    );
    assert!(verifier.verify("a.b", at(NOW)).is_err());

    let stats = verifier.stats();
    assert_eq!(stats.outcomes.verified(), 2);
    assert_eq!(stats.outcomes.refused(), 4);
    for (code, n) in [
        ("expired", 1),
        ("invalid_signature", 1),
        ("invalid_issuer", 1),
        ("malformed", 1),
        ("ok", 2),
    ] {
        assert_eq!(stats.outcomes.get(code), n, "{code}");
    }
    assert_eq!(stats.outcomes.iter().map(|(_, n)| n).sum::<u64>(), 6);
    assert_eq!(stats.outcomes.iter().count(), OUTCOME_CODES.len());
    // A key is credited whenever its signature verified, the claims then failing or not:
    // b twice, a for the expired and the wrong-issuer tokens; the forgery for neither.
    let per_key: Vec<(usize, u64)> = stats.keys.iter().map(|k| (k.index, k.verified)).collect();
    assert_eq!(per_key, [(0, 2), (1, 2)]);
    let key_b = verifier.keys().get(1).expect("two keys");
    assert_eq!(stats.keys[1].thumbprint, *key_b.thumbprint());
    assert_eq!(stats.keys[1].label().len(), KEY_LABEL_LEN);
    assert_eq!(stats.keys[1].label(), key_b.label());
    assert!(
        key_b
            .thumbprint()
            .to_string()
            .starts_with(&stats.keys[1].label())
    );
    assert_eq!(stats.signature_checks, verifier.signature_checks());
    assert!(stats.cache.is_none() && stats.reloads.is_none());
}

#[test]
fn counts_are_exact_from_many_threads_and_shared_by_clones() {
    let verifier = common::verifier(&["rsa2048-a"]).with_cache(100);
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    std::thread::scope(|s| {
        for _ in 0..4 {
            let (verifier, token) = (verifier.clone(), &token);
            s.spawn(move || {
                for _ in 0..250 {
                    assert!(verifier.verify(token, at(NOW)).is_ok());
                    assert!(verifier.verify("x.y.z", at(NOW)).is_err());
                }
            });
        }
    });
    let stats = verifier.stats();
    assert_eq!(stats.outcomes.verified(), 1000);
    assert_eq!(stats.outcomes.get("malformed"), 1000);
    assert_eq!(stats.keys[0].verified, 1000);
    let cache = stats.cache.expect("a cache");
    // Every call looked up: the good token hit after its first verification; the malformed
    // one is never remembered, so it misses every time.
    assert_eq!(cache.hits + cache.misses, 2000);
    assert!(cache.misses >= 1000);
}

/// Verifications and RSA operations count on across a key change; the per-key counts are
/// those of the new set.
#[test]
fn lifetime_counts_survive_new_keys_and_a_cache() {
    let verifier = common::verifier(&["rsa2048-a"]);
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    assert!(verifier.verify(&token, at(NOW)).is_ok());
    let cached: Verifier = verifier.clone().with_cache(10);
    assert!(cached.verify(&token, at(NOW)).is_ok());
    let rotated = cached.with_keys(common::keys(&["rsa2048-b", "rsa2048-a"]));
    assert!(rotated.verify(&token, at(NOW)).is_ok());
    let stats = rotated.stats();
    assert_eq!(stats.outcomes.verified(), 3);
    assert_eq!(stats.signature_checks, rotated.signature_checks());
    assert!(stats.signature_checks >= 3);
    let per_key: Vec<u64> = stats.keys.iter().map(|k| k.verified).collect();
    assert_eq!(per_key, [0, 1]);
    // A verifier made afresh starts at zero.
    let fresh = common::verifier(&["rsa2048-a"]);
    assert_eq!(fresh.stats().outcomes.verified(), 0);
    assert_eq!(fresh.stats().signature_checks, 0);
}

#[cfg(feature = "live")]
mod live {
    use super::*;
    use facilioo_jwt::live::LiveVerifier;
    use facilioo_jwt::stats::ReloadStats;

    fn write_keys(path: &std::path::Path, names: &[&str]) {
        let pem: String = names
            .iter()
            .map(|n| common::data_str(&format!("keys/{n}.pkcs1.pem")))
            .collect();
        std::fs::write(path, pem).expect("write the key file");
    }

    #[test]
    fn reloads_are_counted_by_result_and_the_same_keys_change_nothing() {
        let dir = std::env::temp_dir().join(format!("facilioo-jwt-stats-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let path = dir.join("keys.pem");
        write_keys(&path, &["rsa2048-a"]);
        let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]).with_cache(10));
        let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
        assert!(live.verify(&token, at(NOW)).is_ok());

        // The same key: nothing swapped, so the cache still answers.
        let same = live.reload_keys(&path).expect("loads");
        assert_eq!((same.keys(), same.changed()), (1, false));
        assert_eq!(same.to_string(), "1 key, unchanged");
        assert!(live.verify(&token, at(NOW)).is_ok());
        assert_eq!(live.stats().cache.expect("cache").hits, 1);

        // New keys: swapped, the cache starts afresh, the lifetime counts go on.
        write_keys(&path, &["rsa2048-b", "rsa2048-a"]);
        let changed = live.reload_keys(&path).expect("loads");
        assert_eq!((changed.keys(), changed.changed()), (2, true));
        assert_eq!(changed.to_string(), "2 keys, now in use");
        // The same keys in another order are a change (the order decides the tries).
        write_keys(&path, &["rsa2048-a", "rsa2048-b"]);
        assert!(live.reload_keys(&path).expect("loads").changed());

        // A damaged file: the keys in use stay.
        std::fs::write(&path, "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n").expect("write");
        assert!(live.reload_keys(&path).is_err());
        assert!(live.verify(&token, at(NOW)).is_ok());
        let stats = live.stats();
        let reloads: ReloadStats = stats.reloads.expect("a live verifier counts reloads");
        assert_eq!((reloads.ok, reloads.unchanged, reloads.error), (2, 1, 1));
        assert_eq!(stats.outcomes.verified(), 3);
        assert_eq!(stats.keys.len(), 2);
        assert_eq!(stats.cache.expect("cache").hits, 0);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn replace_puts_a_whole_verifier_in_use() {
        let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
        let by_b = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
        assert!(live.verify(&by_b, at(NOW)).is_err());
        live.replace(common::verifier(&["rsa2048-b"]));
        assert!(live.verify(&by_b, at(NOW)).is_ok());
        assert_eq!(live.stats().keys.len(), 1);
    }

    #[test]
    fn replace_keys_says_whether_the_keys_changed() {
        let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
        assert!(!live.replace_keys(common::keys(&["rsa2048-a"])));
        assert!(live.replace_keys(common::keys(&["rsa2048-b"])));
        assert!(live.replace_keys(common::keys(&["rsa2048-a", "rsa2048-b"])));
        assert!(live.replace_keys(common::keys(&["rsa2048-a"])));
    }
}
