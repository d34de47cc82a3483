//! One shared verifier, two threads, a mixed stream of valid and invalid tokens: every verdict
//! equals the single-threaded one, with and without the cache and the key-order memory at
//! work; and keys swapped while two threads verify never cause a verdict of their own.

mod common;

use common::{HEADER, NOW, at, claims, claims_with, sign, signer};
use facilioo_jwt::{Error, Verifier};

type Verdict = Result<(u64, Option<u64>, usize), Error>;

fn verdict(verifier: &Verifier, token: &str) -> Verdict {
    verifier.verify(token, at(NOW)).map(|v| {
        (
            v.subject().account_id().0,
            v.subject().company_id().map(|c| c.0),
            v.key_index(),
        )
    })
}

#[test]
fn two_threads_agree_with_one() {
    let (a, b) = (signer("rsa2048-a"), signer("rsa2048-b"));
    let mut stream = Vec::new();
    for i in 0..40u64 {
        let key = if i % 2 == 0 { &a } else { &b };
        stream.push(sign(
            HEADER,
            &claims(NOW - 10, NOW + 3600, i, Some(i + 1)),
            key,
        ));
        stream.push(sign(HEADER, &claims(NOW - 7200, NOW - 3600, i, None), key));
        stream.push(sign(HEADER, &claims_with("aud", "[]"), key));
        stream.push(sign(
            r#"{"alg":"none"}"#,
            &claims(NOW, NOW + 60, i, None),
            key,
        ));
        stream.push(sign(
            HEADER,
            &claims(NOW - 10, NOW + 3600, i, None),
            &signer("rsa4096"),
        ));
    }
    // Keys A and B are trusted; 4096 is not. Mixed: valid under either key, expired,
    // invalid claim, wrong algorithm, untrusted signer.
    let plain = common::verifier(&["rsa2048-a", "rsa2048-b"]);
    let expected: Vec<Verdict> = stream.iter().map(|t| verdict(&plain, t)).collect();
    for verifier in [
        plain.clone().with_cache(1000),
        plain.clone().with_cache(8),
        plain,
    ] {
        run_two_threads(&verifier, &stream, &expected);
    }
}

fn run_two_threads(verifier: &Verifier, stream: &[String], expected: &[Verdict]) {
    assert!(expected.iter().filter(|v| v.is_ok()).count() == 40);
    assert!(
        expected
            .iter()
            .any(|v| v.as_ref().is_ok_and(|(_, _, key)| *key == 1))
    );

    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|t| {
                scope.spawn(move || {
                    for round in 0..10 {
                        // Each thread walks the stream in its own order.
                        for i in 0..stream.len() {
                            let j = if (t + round) % 2 == 0 {
                                i
                            } else {
                                stream.len() - 1 - i
                            };
                            assert_eq!(verdict(verifier, &stream[j]), expected[j], "token {j}");
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker");
        }
    });
}

#[cfg(feature = "live")]
/// Two threads verify tokens of keys A and B while the set swaps between {A} and {A, B}: every
/// verdict is that of one of the two sets, never a failure of the swap itself.
#[test]
fn keys_swapped_while_two_threads_verify() {
    use facilioo_jwt::live::LiveVerifier;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (a, b) = (
        sign(
            HEADER,
            &claims(NOW - 10, NOW + 3600, 1, None),
            &signer("rsa2048-a"),
        ),
        sign(
            HEADER,
            &claims(NOW - 10, NOW + 3600, 2, None),
            &signer("rsa2048-b"),
        ),
    );
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]).with_cache(100));
    let stop = AtomicBool::new(false);
    let (valid_b, refused_b) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let (mut valid_b, mut refused_b) = (0, 0);
                    while !stop.load(Ordering::Relaxed) {
                        // A is in both sets: always valid.
                        assert_eq!(verdict_live(&live, &a), Ok(1));
                        match verdict_live(&live, &b) {
                            Ok(2) => valid_b += 1,
                            Err(Error::InvalidSignature) => refused_b += 1,
                            other => panic!("not a verdict of either set: {other:?}"),
                        }
                    }
                    (valid_b, refused_b)
                })
            })
            .collect();
        for round in 0..200 {
            let names: &[&str] = if round % 2 == 0 {
                &["rsa2048-a", "rsa2048-b"]
            } else {
                &["rsa2048-a"]
            };
            live.replace_keys(common::keys(names));
            std::thread::yield_now();
        }
        stop.store(true, Ordering::Relaxed);
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .fold((0, 0), |(v, r), (v2, r2)| (v + v2, r + r2))
    });
    assert!(valid_b + refused_b > 0);
    // The last set is {A}: B's tokens are refused now.
    assert_eq!(verdict_live(&live, &b), Err(Error::InvalidSignature));
}

#[cfg(feature = "live")]
fn verdict_live(live: &facilioo_jwt::live::LiveVerifier, token: &str) -> Result<u64, Error> {
    live.verify(token, at(NOW))
        .map(|v| v.subject().account_id().get())
}
