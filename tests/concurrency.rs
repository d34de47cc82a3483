//! One shared verifier, two threads, a mixed stream of valid and invalid tokens: every verdict
//! equals the single-threaded one.

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
    let verifier = common::verifier(&["rsa2048-a", "rsa2048-b"]);
    let expected: Vec<Verdict> = stream.iter().map(|t| verdict(&verifier, t)).collect();
    assert!(expected.iter().filter(|v| v.is_ok()).count() == 40);
    assert!(
        expected
            .iter()
            .any(|v| v.as_ref().is_ok_and(|(_, _, key)| *key == 1))
    );

    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|t| {
                let (verifier, stream, expected) = (&verifier, &stream, &expected);
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
