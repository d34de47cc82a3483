//! The public API as a service uses it: an owned verified token that goes wherever a request
//! goes, times from every common source, and (feature `serde`) facilioo's own JSON.

mod common;

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{HEADER, NOW, at, good_claims, sign, signer};
use facilioo_jwt::{AccountId, CompanyId, PartyType, UnixTime, VerifiedToken, Verifier};

fn verified() -> (Verifier, VerifiedToken) {
    let verifier = common::verifier(&["rsa2048-a"]);
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    let verified = verifier.verify(&token, at(NOW)).expect("valid");
    (verifier, verified)
}

/// The token outlives the verifier and goes into a map, a channel to another task, and
/// `http::Extensions` (which requires `Clone + Send + Sync + 'static`).
#[test]
fn the_verified_token_is_owned() {
    let (verifier, token) = verified();
    drop(verifier);
    let mut sessions: HashMap<String, VerifiedToken> = HashMap::new();
    sessions.insert("s1".into(), token.clone());
    assert_eq!(sessions["s1"].subject().account_id(), 2);

    let mut extensions = http::Extensions::new();
    extensions.insert(token.clone());
    assert_eq!(
        extensions.get::<VerifiedToken>().map(|t| t.issuer()),
        Some(common::ISS)
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let received = runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<VerifiedToken>(1);
        let sender = tokio::spawn(async move { tx.send(token).await.is_ok() });
        let received = rx.recv().await;
        assert!(sender.await.expect("task"));
        received
    });
    let received = received.expect("a token");
    assert_eq!(received.audience(), common::AUD);
    assert_eq!(received.key_index(), 0);
    assert_eq!(
        *received.key_thumbprint(),
        *common::public("rsa2048-a").thumbprint()
    );
    assert_eq!(received.clone().into_claims(), *received.claims());
}

#[test]
fn ids_read_as_numbers() {
    let (_, token) = verified();
    let sub = token.subject();
    assert_eq!(sub.account_id().get(), 2);
    assert_eq!(u64::from(sub.account_id()), 2);
    assert_eq!(sub.account_id(), 2);
    assert_eq!(sub.company_id().map(CompanyId::get), Some(2));
    assert_eq!(
        format!("{} {}", sub.account_id(), CompanyId(7)),
        "2 7".to_owned()
    );
    assert_ne!(AccountId(3), 2);
}

/// `verify` takes the current time in every common form, and they agree.
#[test]
fn time_at_the_boundary() {
    let verifier = common::verifier(&["rsa2048-a"]);
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    let system = UNIX_EPOCH + Duration::from_secs(u64::try_from(NOW).expect("positive"));
    let offset = time::OffsetDateTime::from_unix_timestamp(NOW).expect("in range");
    let via_reexport = facilioo_jwt::time::OffsetDateTime::from_unix_timestamp(NOW).expect("ok");
    let want = verifier.verify(&token, UnixTime::from_secs(NOW));
    assert!(want.is_ok());
    assert_eq!(verifier.verify(&token, system), want);
    assert_eq!(verifier.verify(&token, offset), want);
    assert_eq!(verifier.verify(&token, via_reexport), want);
    // One hour and one minute later (the leeway), every form says expired.
    let later = NOW + 3600 + 60;
    let err = verifier.verify(&token, UnixTime::from_secs(later));
    assert!(err.as_ref().is_err_and(facilioo_jwt::Error::is_expired));
    assert_eq!(
        verifier.verify(&token, system + Duration::from_secs(3660)),
        err
    );
}

#[test]
fn unix_time_conversions() {
    let t = |secs| UnixTime::from_secs(secs);
    // Sub-second parts round down, before the epoch too.
    assert_eq!(
        UnixTime::from(UNIX_EPOCH + Duration::from_millis(1_500)),
        t(1)
    );
    assert_eq!(
        UnixTime::from(UNIX_EPOCH - Duration::from_millis(1_500)),
        t(-2)
    );
    assert_eq!(UnixTime::from(UNIX_EPOCH - Duration::from_secs(2)), t(-2));
    assert_eq!(UnixTime::from(UNIX_EPOCH), t(0));
    let now = UnixTime::now().as_secs();
    let system = UnixTime::from(SystemTime::now()).as_secs();
    assert!((system - now).abs() <= 1);
    // To and from time's OffsetDateTime.
    let odt = time::OffsetDateTime::try_from(t(1_651_763_842)).expect("in range");
    assert_eq!(odt.unix_timestamp(), 1_651_763_842);
    assert_eq!(UnixTime::from(odt), t(1_651_763_842));
    assert!(time::OffsetDateTime::try_from(t(i64::MAX)).is_err());
    // RFC 3339 within years ±9999, the seconds beyond.
    assert_eq!(t(0).to_string(), "1970-01-01T00:00:00Z");
    assert_eq!(t(-1).to_string(), "1969-12-31T23:59:59Z");
    assert_eq!(t(253_402_300_799).to_string(), "9999-12-31T23:59:59Z");
    assert_eq!(t(253_402_300_800).to_string(), "@253402300800");
    assert_eq!(t(-377_705_116_801).to_string(), "@-377705116801");
    assert!(t(1) < t(2));
}

#[test]
fn party_type_names_and_ids() {
    assert_eq!(PartyType::from_name("Guest"), Some(PartyType::Guest));
    assert_eq!(PartyType::from_name("guest"), None);
    assert_eq!(PartyType::Guest.name(), Some("Guest"));
    assert_eq!(PartyType::Unknown(8).name(), None);
    assert_eq!(PartyType::Unknown(8).to_string(), "Unknown(8)");
}

#[cfg(feature = "serde")]
mod serde_json_forms {
    use super::*;
    use facilioo_jwt::{Claims, Subject};
    use serde_json::json;

    fn round_trip<T>(value: &T, want: serde_json::Value)
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + core::fmt::Debug,
    {
        let json = serde_json::to_value(value).expect("serializes");
        assert_eq!(json, want);
        let back: T = serde_json::from_value(json).expect("deserializes");
        assert_eq!(&back, value);
    }

    #[test]
    fn subjects_ids_and_party_types() {
        round_trip(&AccountId(2), json!(2));
        round_trip(&CompanyId(7), json!(7));
        round_trip(
            &Subject::new(AccountId(2), Some(CompanyId(2))),
            json!({"accountId": 2, "companyId": 2}),
        );
        round_trip(&Subject::new(AccountId(9), None), json!({"accountId": 9}));
        // As tokens carry them: a null or absent companyId, other members ignored.
        let sub: Subject =
            serde_json::from_value(json!({"accountId": 9, "companyId": null, "x": 1}))
                .expect("subject");
        assert_eq!(sub, Subject::new(AccountId(9), None));
        assert!(serde_json::from_value::<Subject>(json!({"companyId": 1})).is_err());

        round_trip(&PartyType::Contractor, json!(5));
        round_trip(&PartyType::Unknown(99), json!(99));
        let by_name: PartyType = serde_json::from_value(json!("Contractor")).expect("name");
        assert_eq!(by_name, PartyType::Contractor);
        for bad in [
            json!("Landlord"),
            json!(-5),
            json!(4_294_967_296u64),
            json!(true),
        ] {
            let err = serde_json::from_value::<PartyType>(bad.clone()).expect_err("refused");
            assert!(
                err.to_string()
                    .ends_with("expected a facilioo party type id or name"),
                "{bad}: {err}"
            );
        }
        round_trip(&UnixTime::from_secs(1_651_763_842), json!(1_651_763_842));
    }

    #[test]
    fn claims_and_the_verified_token() {
        let (_, token) = verified();
        let claims_json = json!({
            "sub": {"accountId": 2, "companyId": 2},
            "iss": common::ISS,
            "aud": common::AUD,
            "nbf": NOW - 10,
            "exp": NOW + 3600,
        });
        round_trip::<Claims>(token.claims(), claims_json.clone());

        let mut token_json = claims_json;
        token_json["keyIndex"] = json!(0);
        token_json["keyThumbprint"] = json!(common::public("rsa2048-a").thumbprint().to_string());
        assert_eq!(serde_json::to_value(&token).expect("token"), token_json);

        // With a party type, and without nbf.
        let verifier = common::verifier(&["rsa2048-a"]);
        let claims = common::claims_with("nbf", "").replace('}', "") + r#"},"partyType":"Guest"}"#;
        let guest = verifier
            .verify(&sign(HEADER, &claims, &signer("rsa2048-a")), at(NOW))
            .expect("valid");
        let json = serde_json::to_value(guest.claims()).expect("claims");
        assert_eq!(json["partyType"], json!(11));
        assert!(json.get("nbf").is_none());
        round_trip::<Claims>(guest.claims(), json);
    }
}

/// Claims compare and hash by their values, issuer and audience included.
#[test]
fn claims_compare_by_value() {
    use std::collections::HashSet;
    let policy = facilioo_jwt::Policy::new([common::ISS, "https://other.test"], [common::AUD])
        .expect("policy");
    let verifier = Verifier::new(common::keys(&["rsa2048-a"]), policy);
    let token = |iss: &str| {
        let claims = common::claims_with("iss", &format!("\"{iss}\""));
        verifier
            .verify(&sign(HEADER, &claims, &signer("rsa2048-a")), at(NOW))
            .expect("valid")
            .into_claims()
    };
    let (one, other) = (token(common::ISS), token("https://other.test"));
    assert_ne!(one, other);
    assert_eq!(one, token(common::ISS));
    let hash = |claims: &facilioo_jwt::Claims| {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        BuildHasherDefault::<DefaultHasher>::default().hash_one(claims)
    };
    assert_ne!(hash(&one), hash(&other));
    assert_eq!(hash(&one), hash(&token(common::ISS)));
    let set: HashSet<_> = [one.clone(), other, one].into_iter().collect();
    assert_eq!(set.len(), 2);
}

#[cfg(feature = "live")]
#[test]
fn a_live_verifier_can_be_replaced_whole() {
    use facilioo_jwt::live::LiveVerifier;
    let live = LiveVerifier::from(common::verifier(&["rsa2048-a"]));
    let token = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    assert!(live.verify(&token, at(NOW)).is_ok());
    // Another policy altogether: the same token has the wrong audience there.
    let elsewhere = facilioo_jwt::Policy::new([common::ISS], ["elsewhere"]).expect("policy");
    live.replace(Verifier::new(common::keys(&["rsa2048-a"]), elsewhere));
    assert_eq!(
        live.verify(&token, at(NOW)),
        Err(facilioo_jwt::Error::InvalidAudience)
    );
    assert_eq!(
        live.current().policy().audiences().collect::<Vec<_>>(),
        ["elsewhere"]
    );
}

/// `KeySet::verify_jws`, the signature layer alone: every accessor of the `Jws` it returns,
/// exactly, for a token the second key of the set signed.
#[test]
fn the_jws_layer_reports_key_and_payload() {
    let keys = common::keys(&["rsa2048-b", "rsa2048-a"]);
    let claims = good_claims();
    let token = sign(HEADER, &claims, &signer("rsa2048-a"));
    let payload_b64 = token.split('.').nth(1).expect("three segments");
    assert_eq!(payload_b64, common::b64(&claims));
    let jws = keys.verify_jws(&token, 8192).expect("signature valid");
    assert_eq!(jws.payload_b64(), payload_b64);
    assert_eq!(jws.payload().expect("payload"), claims.as_bytes());
    assert_eq!(jws.key_index(), 1);
    assert_eq!(jws.key(), &keys.as_slice()[1]);
    assert_ne!(jws.key(), &keys.as_slice()[0]);
    // Signed by the first key instead: index 0.
    let token = sign(HEADER, &claims, &signer("rsa2048-b"));
    let jws = keys.verify_jws(&token, 8192).expect("signature valid");
    assert_eq!((jws.key_index(), jws.key()), (0, &keys.as_slice()[0]));
}
