//! Properties: the time-window oracle, tamper resistance, and no panics on any input.

mod common;

use common::{HEADER, NOW, at, claims, sign, signer};
use facilioo_jwt::keys::PublicKey;
use facilioo_jwt::{Error, KeySet, PartyType, Verifier, insecure};
use proptest::prelude::*;
use std::sync::LazyLock;
use std::time::Duration;

static SIGNER: LazyLock<ring::signature::RsaKeyPair> = LazyLock::new(|| signer("rsa2048-a"));
static VERIFIER: LazyLock<Verifier> =
    LazyLock::new(|| common::verifier(&["rsa2048-b", "rsa2048-a"]));
/// One valid token (account 2, company 2, valid around NOW) for the mutation property.
static TOKEN: LazyLock<String> =
    LazyLock::new(|| sign(HEADER, &claims(NOW - 10, NOW + 3600, 2, Some(2)), &SIGNER));

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Signed tokens verify to exactly their ids, iff `nbf - L <= now < exp + L`.
    #[test]
    fn verifies_to_its_claims_within_the_window(
        account in any::<u64>(),
        company in proptest::option::of(any::<u64>()),
        nbf in -100_000i64..100_000,
        life in -1_000i64..100_000,
        now in -200_000i64..200_000,
        leeway in 0u64..600,
    ) {
        let (nbf, exp, now) = (NOW + nbf, NOW + nbf + life, NOW + now);
        let token = sign(HEADER, &claims(nbf, exp, account, company), &SIGNER);
        let verifier = Verifier::new(
            VERIFIER.keys().clone(),
            common::policy().with_leeway(Duration::from_secs(leeway)),
        );
        let l = i64::try_from(leeway).expect("small");
        let got = verifier.verify(&token, at(now));
        if now >= exp + l {
            prop_assert_eq!(got, Err(Error::Expired { exp: at(exp), now: at(now) }));
        } else if now < nbf - l {
            prop_assert_eq!(got, Err(Error::NotYetValid { nbf: at(nbf), now: at(now) }));
        } else {
            let v = got.expect("valid inside the window");
            prop_assert_eq!(v.subject().account_id().0, account);
            prop_assert_eq!(v.subject().company_id().map(|c| c.0), company);
            prop_assert_eq!(v.not_before(), Some(at(nbf)));
            prop_assert_eq!(v.expires_at(), at(exp));
            prop_assert_eq!(v.key_index(), 1);
        }
    }

    /// Changing any one byte of a valid token never yields a valid token with other claims
    /// (in fact it never yields a valid token at all).
    #[test]
    fn one_changed_byte_is_never_accepted(index in 0usize..1000, byte in 0x20u8..0x7f) {
        let token = &*TOKEN;
        let index = index % token.len();
        prop_assume!(token.as_bytes()[index] != byte);
        let mut bytes = token.clone().into_bytes();
        bytes[index] = byte;
        let mutated = String::from_utf8(bytes).expect("ASCII");
        let result = VERIFIER.verify(&mutated, at(NOW));
        prop_assert!(result.is_err(), "accepted with byte {} at {}", byte, index);
    }

    /// Appending, truncating or repeating never yields acceptance either.
    #[test]
    fn truncation_and_extension_are_refused(cut in 1usize..600, tail in "[A-Za-z0-9_.=-]{1,8}") {
        let token = &*TOKEN;
        let cut = cut.min(token.len());
        prop_assert!(VERIFIER.verify(&token[..token.len() - cut], at(NOW)).is_err());
        let extended = format!("{token}{tail}");
        prop_assert!(VERIFIER.verify(&extended, at(NOW)).is_err());
    }

    /// Arbitrary strings never panic anywhere a caller can hand them.
    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,600}") {
        let _ = VERIFIER.verify(&s, at(NOW));
        let _ = insecure::decode_unverified(&s);
        let _ = KeySet::from_pem(&s);
        let _ = KeySet::from_jwk(&s);
        let _ = KeySet::load(s.as_bytes());
        let _ = PublicKey::from_der(s.as_bytes());
    }

    /// Token-shaped strings (base64url alphabet and dots) never panic and are never accepted.
    #[test]
    fn token_shaped_strings_are_refused(s in "[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,200}\\.[A-Za-z0-9_-]{0,400}") {
        prop_assert!(VERIFIER.verify(&s, at(NOW)).is_err());
        let _ = insecure::decode_unverified(&s);
    }

    /// Arbitrary bytes as key material never panic.
    #[test]
    fn arbitrary_key_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = KeySet::load(&bytes);
        let _ = PublicKey::from_pkcs1_der(&bytes);
        let _ = PublicKey::from_spki_der(&bytes);
    }

    /// Party type ids round-trip, known or not.
    #[test]
    fn party_type_ids_round_trip(id in any::<u32>()) {
        let p = PartyType::from_id(id);
        prop_assert_eq!(p.id(), id);
        if let Some(name) = p.name() {
            prop_assert_eq!(PartyType::from_name(name), Some(p));
        } else {
            prop_assert_eq!(p, PartyType::Unknown(id));
        }
    }
}

/// Signing real claims JSON from arbitrary values: any claims object with valid core members
/// and arbitrary extra members verifies, whatever the extras hold.
#[test]
fn extra_members_of_any_shape_are_ignored() {
    let extras = [
        r#""x":null"#,
        r#""x":[1,{"a":[]}]"#,
        r#""x":"\ud83d\ude00""#,
        r#""x":{"exp":"not mine"}"#,
        r#""iat":1.5"#,
    ];
    for extra in extras {
        let base = claims(NOW - 10, NOW + 60, 1, None);
        let claims = format!("{},{extra}}}", &base[..base.len() - 1]);
        let token = sign(HEADER, &claims, &SIGNER);
        assert!(VERIFIER.verify(&token, at(NOW)).is_ok(), "{extra}");
    }
}
