//! Project Wycheproof vectors (tests/data/wycheproof, see its README for provenance and the
//! upstream entries known to be wrong) through the crate's own key loading and verification.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use facilioo_jwt::KeySet;
use facilioo_jwt::keys::{KeyErrorKind, PublicKey};
use serde_json::Value;

fn load(name: &str) -> Value {
    serde_json::from_str(&common::data_str(&format!("wycheproof/{name}"))).expect("vector JSON")
}

fn hex(s: &Value) -> Vec<u8> {
    let s = s.as_str().expect("hex string");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[derive(Debug, Default, PartialEq)]
struct Tally {
    verified: usize,
    refused: usize,
    key_refused: usize,
}

/// RSASSA-PKCS1-v1_5 with SHA-256: every `valid` verifies, every `invalid` is refused, and
/// only keys with e = 3 are refused at load.
fn rsa_file(name: &str, bits: usize) -> Tally {
    let file = load(name);
    let mut tally = Tally::default();
    for group in file["testGroups"].as_array().expect("groups") {
        assert_eq!(group["keySize"], bits);
        let key = PublicKey::from_pkcs1_der(&hex(&group["publicKeyAsn"]));
        let key = match key {
            Ok(key) => key,
            Err(e) => {
                assert_eq!(
                    e.kind(),
                    KeyErrorKind::ExponentTooSmall,
                    "{name}: only e=3 keys may be refused"
                );
                assert_eq!(group["publicKey"]["publicExponent"], "03");
                tally.key_refused += group["tests"].as_array().expect("tests").len();
                continue;
            }
        };
        // The same key as SPKI DER, SPKI PEM and JWK: one thumbprint.
        let spki = PublicKey::from_spki_der(&hex(&group["publicKeyDer"])).expect("SPKI");
        let pem = KeySet::from_pem(group["publicKeyPem"].as_str().expect("pem")).expect("PEM");
        let jwk = PublicKey::from_jwk(&group["keyJwk"].to_string()).expect("JWK");
        assert_eq!(spki.thumbprint(), key.thumbprint());
        assert_eq!(pem.as_slice()[0].thumbprint(), key.thumbprint());
        assert_eq!(jwk.thumbprint(), key.thumbprint());
        assert_eq!(key.modulus_bits(), bits);

        for test in group["tests"].as_array().expect("tests") {
            let ok = key
                .verify_rs256(&hex(&test["msg"]), &hex(&test["sig"]))
                .is_ok();
            let id = &test["tcId"];
            match test["result"].as_str().expect("result") {
                "valid" => assert!(ok, "{name} tcId {id} must verify"),
                "invalid" => assert!(!ok, "{name} tcId {id} must be refused"),
                _ => {} // "acceptable" (MissingNull): either outcome is fine
            }
            if ok {
                tally.verified += 1;
            } else {
                tally.refused += 1;
            }
        }
    }
    tally
}

#[test]
fn rsa_2048() {
    // 259 tests: 9 valid of which 2 are under e=3 keys, 1 acceptable (refused by ring).
    let t = rsa_file("rsa_signature_2048_sha256_test.json", 2048);
    assert_eq!(
        t,
        Tally {
            verified: 7,
            refused: 250,
            key_refused: 2
        }
    );
}

#[test]
fn rsa_3072() {
    let t = rsa_file("rsa_signature_3072_sha256_test.json", 3072);
    assert_eq!(t.verified + t.refused + t.key_refused, 259);
    assert!(t.verified >= 7, "{t:?}");
}

#[test]
fn rsa_4096() {
    let t = rsa_file("rsa_signature_4096_sha256_test.json", 4096);
    assert_eq!(
        t,
        Tally {
            verified: 7,
            refused: 251,
            key_refused: 0
        }
    );
}

/// The tcIds the vectors' README flags as wrong upstream (HS256 base64 group).
const KNOWN_BAD: [u64; 4] = [367, 370, 372, 373];

fn header_alg(jws: &str) -> Option<String> {
    let header = URL_SAFE_NO_PAD.decode(jws.split('.').next()?).ok()?;
    let header: Value = serde_json::from_slice(&header).ok()?;
    header["alg"].as_str().map(str::to_owned)
}

/// Every JWS case of the file against an RS256-only verifier: a token is accepted iff it is
/// `valid`, its header says RS256, and its group's key loads as an RS256 key. Groups whose key
/// does not load (HMAC, EC, RS384, PS256, `use: enc`, …) are checked against the RS256 group's
/// key instead, and must all be refused.
#[test]
fn json_web_signature() {
    let file = load("json_web_signature_test.json");
    let groups = file["testGroups"].as_array().expect("groups");
    let rs256 = groups
        .iter()
        .find(|g| g["public"]["kid"] == "kid-rsa-sign")
        .expect("rs256 group");
    let fallback = KeySet::from_jwk(&rs256["public"].to_string()).expect("rs256 key");

    let (mut accepted, mut expected_accepts, mut cases) = (0, 0, 0);
    for group in groups {
        let jwk = group.get("public").unwrap_or(&group["private"]).to_string();
        let own = KeySet::from_jwk(&jwk).ok();
        let keys = own.as_ref().unwrap_or(&fallback);
        // A refused key that is the fallback's key marked for another use (`use: enc`,
        // `key_ops` without verify): refusing it at load is the answer, nothing to verify.
        let refused_by_use = own.is_none()
            && group["public"]
                .get("n")
                .is_some_and(|n| *n == rs256["public"]["n"]);
        for test in group["tests"].as_array().expect("tests") {
            let id = test["tcId"].as_u64().expect("tcId");
            if KNOWN_BAD.contains(&id) {
                continue;
            }
            let Some(jws) = test["jws"].as_str() else {
                // JSON serialization: not a compact token, nothing for this crate to accept.
                continue;
            };
            cases += 1;
            let want = test["result"] == "valid"
                && own.is_some()
                && header_alg(jws).as_deref() == Some("RS256");
            let got = !refused_by_use && keys.verify_jws(jws, 1 << 20).is_ok();
            assert_eq!(
                got, want,
                "tcId {id} ({}): want accepted={want}",
                test["comment"]
            );
            accepted += usize::from(got);
            expected_accepts += usize::from(want);
        }
    }
    // tcId 33, 259–263, 345 and 349 are the valid RS256 tokens.
    assert_eq!(accepted, 8);
    assert_eq!(expected_accepts, 8);
    assert!(cases > 350, "{cases}");
}
