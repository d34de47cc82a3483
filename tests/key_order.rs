//! Key-order memory: the key that verified last is tried first (after one a `kid` names), so
//! a steady stream from any key costs one RSA operation; a token signed by any key of the set
//! is accepted whatever the memory says; a forged one costs at most one try per key.

mod common;

use common::{HEADER, NOW, at, good_claims, sign, signature_checks as checks, signer};
use facilioo_jwt::Error;

const NAMES: [&str; 3] = ["rsa2048-a", "rsa2048-b", "rsa2048-c"];

/// Every order of three 2048-bit keys.
fn orders() -> Vec<[&'static str; 3]> {
    let [a, b, c] = NAMES;
    vec![
        [a, b, c],
        [a, c, b],
        [b, a, c],
        [b, c, a],
        [c, a, b],
        [c, b, a],
    ]
}

#[test]
fn every_order_every_memory_every_signer() {
    let tokens: Vec<String> = NAMES
        .iter()
        .map(|n| sign(HEADER, &good_claims(), &signer(n)))
        .collect();
    let forged = common::replace_segment(&tokens[0], 2, &common::b64(vec![0x5a; 256]));
    for order in orders() {
        let position = |name: &str| order.iter().position(|n| *n == name).expect("in set");
        for remembered in NAMES {
            for (signer_index, signer_name) in NAMES.iter().enumerate() {
                let verifier = common::verifier(&order);
                // Teach the memory: a token of `remembered` verifies first.
                let teach = &tokens[NAMES.iter().position(|n| *n == remembered).expect("n")];
                verifier.verify(teach, at(NOW)).expect("teaching token");

                let (cost, verdict) = checks(&verifier, || {
                    verifier.verify(&tokens[signer_index], at(NOW))
                });
                let verified = verdict.expect("any key of the set verifies");
                assert_eq!(verified.key_index(), position(signer_name));
                // The remembered key first, then the set's order, each key once.
                let want = if *signer_name == remembered {
                    1
                } else {
                    let skipped = usize::from(position(remembered) < position(signer_name));
                    u64::try_from(position(signer_name) + 2 - skipped).expect("small")
                };
                assert_eq!(
                    cost, want,
                    "{order:?} remembered {remembered} signer {signer_name}"
                );

                // Steady state: the signer's next token costs one operation.
                let (cost, verdict) = checks(&verifier, || {
                    verifier.verify(&tokens[signer_index], at(NOW))
                });
                assert!(verdict.is_ok());
                assert_eq!(cost, 1, "steady state, {order:?}, signer {signer_name}");

                // A forgery is tried against each key exactly once.
                let (cost, verdict) = checks(&verifier, || verifier.verify(&forged, at(NOW)));
                assert_eq!(verdict, Err(Error::InvalidSignature));
                assert_eq!(cost, 3);
            }
        }
    }
}

/// A `kid` naming a key of the set goes before the memory; one naming the wrong key costs one
/// extra try and changes nothing else.
#[test]
fn a_kid_goes_first() {
    let verifier = common::verifier(&NAMES);
    let c = sign(HEADER, &good_claims(), &signer("rsa2048-c"));
    verifier.verify(&c, at(NOW)).expect("teach: key c");
    let thumbprint = |name| common::public(name).thumbprint().to_string();

    // Signed by a, kid names a: one operation although the memory says c.
    let header = format!(r#"{{"alg":"RS256","kid":"{}"}}"#, thumbprint("rsa2048-a"));
    let a_with_kid = sign(&header, &good_claims(), &signer("rsa2048-a"));
    let (cost, verdict) = checks(&verifier, || verifier.verify(&a_with_kid, at(NOW)));
    assert_eq!(verdict.map(|v| v.key_index()), Ok(0));
    assert_eq!(cost, 1);

    // Signed by a, kid names b (a lie or a mistake): b, then the memory (now a): two.
    let header = format!(r#"{{"alg":"RS256","kid":"{}"}}"#, thumbprint("rsa2048-b"));
    let a_kid_b = sign(&header, &good_claims(), &signer("rsa2048-a"));
    let (cost, verdict) = checks(&verifier, || verifier.verify(&a_kid_b, at(NOW)));
    assert_eq!(verdict.map(|v| v.key_index()), Ok(0));
    assert_eq!(cost, 2);

    // A kid naming no key of the set is no hint at all: the memory (a) first.
    let a_unknown_kid = sign(
        r#"{"alg":"RS256","kid":"no-such-key"}"#,
        &good_claims(),
        &signer("rsa2048-a"),
    );
    let (cost, verdict) = checks(&verifier, || verifier.verify(&a_unknown_kid, at(NOW)));
    assert_eq!(verdict.map(|v| v.key_index()), Ok(0));
    assert_eq!(cost, 1);
}

/// Keys whose modulus differs in length from the signature cost nothing.
#[test]
fn keys_of_another_length_are_not_tried() {
    let verifier = common::verifier(&["rsa4096", "rsa2048-b", "rsa2048-a"]);
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    let (cost, verdict) = checks(&verifier, || verifier.verify(&token, at(NOW)));
    assert_eq!(verdict.map(|v| v.key_index()), Ok(2));
    assert_eq!(cost, 2, "b and a; the 4096-bit key is skipped");
    // Refusals before the signature cost no operation.
    let none = sign(r#"{"alg":"none"}"#, &good_claims(), &signer("rsa2048-a"));
    let (cost, _) = checks(&verifier, || verifier.verify(&none, at(NOW)));
    assert_eq!(cost, 0);
}

/// Clones share the memory and the count; a new key set starts its memory afresh (the count
/// of RSA operations goes on).
#[test]
fn clones_share_the_memory_and_with_keys_forgets_it() {
    let verifier = common::verifier(&NAMES);
    let c = sign(HEADER, &good_claims(), &signer("rsa2048-c"));
    let clone = verifier.clone();
    verifier.verify(&c, at(NOW)).expect("c");
    let (cost, _) = checks(&verifier, || clone.verify(&c, at(NOW)));
    assert_eq!(cost, 1, "the clone tries c first");
    let fresh = verifier.with_keys(common::keys(&NAMES));
    assert_eq!(fresh.signature_checks(), verifier.signature_checks());
    let (cost, verdict) = checks(&fresh, || fresh.verify(&c, at(NOW)));
    assert!(verdict.is_ok());
    assert_eq!(cost, 3, "a new key set has no memory");
}
