//! Known answers from the seed material (facilioo's example token and the key that really
//! signed it) and from RFC 7515 A.2 and RFC 7520 4.1.

mod common;

use common::{at, data_str};
use facilioo_jwt::error::{Claim, Malformed, Segment};
use facilioo_jwt::keys::PublicKey;
use facilioo_jwt::{Error, KeySet, Policy, UnixTime, Verifier, insecure};
use std::time::Duration;
use time::macros::datetime;

fn example_token() -> String {
    data_str("example-token.txt").trim().to_owned()
}

fn retired() -> KeySet {
    KeySet::from_pem(&data_str("retired-key-2022.pem")).expect("retired key loads")
}

/// Inside the example token's window [nbf, exp) = [14:17:22, 15:17:22) UTC.
const INSIDE: time::OffsetDateTime = datetime!(2022-05-05 14:30:00 UTC);

#[test]
fn example_token_is_not_signed_by_the_current_keys() {
    let verifier = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
    assert_eq!(
        verifier.verify(&example_token(), INSIDE),
        Err(Error::InvalidSignature)
    );
    // The real clock changes nothing: the signature is checked first.
    assert_eq!(
        verifier.verify_now(&example_token()),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn example_token_verifies_against_the_retired_key_inside_its_window() {
    let verifier = Verifier::new(retired(), Policy::facilioo_dev());
    let token = example_token();
    let v = verifier.verify(&token, INSIDE).expect("valid");
    assert_eq!(v.subject().account_id().0, 2);
    assert_eq!(v.subject().company_id().map(|c| c.0), Some(2));
    assert_eq!(v.party_type(), None);
    assert_eq!(v.issuer(), "dev-api.facilioo.de");
    assert_eq!(v.audience(), "dev-app.facilioo.de");
    assert_eq!(
        v.not_before(),
        Some(datetime!(2022-05-05 14:17:22 UTC).into())
    );
    assert_eq!(v.expires_at(), datetime!(2022-05-05 15:17:22 UTC).into());
    assert_eq!(
        v.expires_at().as_secs() - v.not_before().map_or(0, UnixTime::as_secs),
        3600
    );
    assert_eq!(v.key_index(), 0);
    // RFC 7638 thumbprint, computed independently (Python hashlib over OpenSSL's modulus).
    assert_eq!(
        v.key_thumbprint().to_string(),
        "2RVxIIayJl_A7ECs_tHU0sore9NXh3yGM8kNAP1g-dY"
    );
}

#[test]
fn example_token_is_expired_on_the_real_clock() {
    let verifier = Verifier::new(retired(), Policy::facilioo_dev());
    let err = verifier.verify_now(&example_token()).expect_err("expired");
    assert!(
        matches!(err, Error::Expired { exp, .. } if exp == datetime!(2022-05-05 15:17:22 UTC).into())
    );
    assert_eq!(err.code(), "expired");
    assert!(
        err.to_string()
            .starts_with("token expired at 2022-05-05T15:17:22Z"),
        "{err}"
    );
}

#[test]
fn example_token_window_edges_with_default_leeway() {
    let verifier = Verifier::new(retired(), Policy::facilioo_dev());
    let token = example_token();
    let (nbf, exp) = (1_651_760_242, 1_651_763_842);
    assert!(verifier.verify(&token, at(nbf - 60)).is_ok());
    assert_eq!(
        verifier.verify(&token, at(nbf - 61)),
        Err(Error::NotYetValid {
            nbf: at(nbf),
            now: at(nbf - 61)
        })
    );
    assert!(verifier.verify(&token, at(exp + 59)).is_ok());
    assert_eq!(
        verifier.verify(&token, at(exp + 60)),
        Err(Error::Expired {
            exp: at(exp),
            now: at(exp + 60)
        })
    );
}

#[test]
fn example_token_against_the_wrong_environment() {
    let prod_guess = Policy::new(["api.facilioo.de"], ["app.facilioo.de"]).expect("policy");
    let verifier = Verifier::new(retired(), prod_guess);
    assert_eq!(
        verifier.verify(&example_token(), INSIDE),
        Err(Error::InvalidIssuer)
    );
}

#[test]
fn example_token_decodes_unverified() {
    let d = insecure::decode_unverified(&example_token()).expect("decodes");
    assert_eq!(d.header, serde_json::json!({"alg": "RS256", "typ": "JWT"}));
    assert_eq!(d.claims["nbf"], 1_651_760_242);
    assert_eq!(
        d.claims["sub"],
        serde_json::json!({"accountId": 2, "companyId": 2})
    );
    assert_eq!(d.signature_len, 256);
}

#[test]
fn retired_key_with_the_old_pages_broken_footer_is_a_clear_error() {
    // The older docs page printed the footer one dash short.
    let broken = data_str("retired-key-2022.pem").replace(
        "-----END RSA PUBLIC KEY-----",
        "-----END RSA PUBLIC KEY----",
    );
    let err = KeySet::from_pem(&broken).expect_err("refused");
    assert_eq!(
        err.kind(),
        facilioo_jwt::keys::KeyErrorKind::BadPemFooter {
            label: facilioo_jwt::keys::PemLabel::RsaPublicKey,
            dashes: (5, 4)
        }
    );
    assert_eq!(err.block(), 1);
    assert!(
        err.to_string().contains("`-----END RSA PUBLIC KEY-----`"),
        "{err}"
    );
}

fn rfc(name: &str) -> serde_json::Value {
    serde_json::from_str(&data_str(&format!("rfc/{name}"))).expect("vector JSON")
}

/// The RFC's key loaded from its JWK, PKCS#1 PEM and SPKI PEM: one key, one thumbprint.
fn rfc_key(v: &serde_json::Value) -> KeySet {
    let jwk = PublicKey::from_jwk(&v["jwk"].to_string()).expect("JWK");
    for pem in ["public_key_pkcs1_pem", "public_key_spki_pem"] {
        let set = KeySet::from_pem(v[pem].as_str().expect("pem")).expect("PEM");
        assert_eq!(set.as_slice()[0].thumbprint(), jwk.thumbprint(), "{pem}");
    }
    KeySet::new(vec![jwk]).expect("set")
}

#[test]
fn rfc7515_a2_signature_and_claims() {
    let v = rfc("rfc7515_a2_rs256.json");
    let keys = rfc_key(&v);
    let token = v["compact"].as_str().expect("compact");
    let jws = keys.verify_jws(token, 8192).expect("signature valid");
    assert_eq!(
        jws.payload().expect("payload"),
        v["payload_decoded_utf8"]
            .as_str()
            .expect("payload")
            .as_bytes()
    );

    // exp 1300819380, iss "joe", no aud: the signature passes and the missing audience is
    // refused, before the time window, at any clock (the window is checked last, so that
    // `expired` only ever tells a client to refresh an otherwise good token).
    let exp = 1_300_819_380;
    for leeway in [0, 60] {
        let policy = Policy::new(["joe"], ["any"])
            .expect("policy")
            .with_leeway(Duration::from_secs(leeway));
        let verifier = Verifier::new(keys.clone(), policy);
        let l = i64::try_from(leeway).expect("small");
        for now in [exp + l - 1, exp + l] {
            assert_eq!(
                verifier.verify(token, at(now)),
                Err(Error::MissingClaim(Claim::Aud))
            );
        }
    }
    // Any changed byte of the payload breaks the signature.
    let tampered = token.replacen("eyJpc3Mi", "eyJpc3Ni", 1);
    assert_ne!(tampered, token);
    assert_eq!(
        keys.verify_jws(&tampered, 8192).map(|_| ()),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn rfc7520_4_1_signature_layer_only() {
    let v = rfc("rfc7520_4_1_rs256.json");
    let keys = rfc_key(&v);
    assert_eq!(
        keys.as_slice()[0].kid(),
        Some("bilbo.baggins@hobbiton.example")
    );
    let token = v["compact"].as_str().expect("compact");
    let jws = keys.verify_jws(token, 8192).expect("signature valid");
    assert_eq!(jws.key_index(), 0);
    assert!(
        String::from_utf8(jws.payload().expect("payload"))
            .expect("utf8")
            .starts_with("It’s a dangerous business")
    );
    // The payload is prose, not a claims set: a JWT verifier refuses it after the signature.
    let verifier = Verifier::new(keys, Policy::new(["x"], ["y"]).expect("policy"));
    assert_eq!(
        verifier.verify(token, at(0)),
        Err(Error::Malformed(Malformed::Json(Segment::Payload)))
    );
}
