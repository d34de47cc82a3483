//! The test kit (feature `testing`): what a minted token says is exactly what verifies; each
//! named refusal is refused with its code by the library, the axum extractor, the tower
//! layer and the CLI; the shipped test keys are recognised and never facilioo's.
#![cfg(feature = "testing")]

use std::time::Duration;

use facilioo_jwt::testing::{Refusal, TestIssuer, TestKey, WRONG_AUDIENCE, WRONG_ISSUER};
use facilioo_jwt::{Error, KeySet, PartyType, Policy, UnixTime, Verifier};
use proptest::prelude::*;
use serde_json::{Value, json};

/// 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;

fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

/// Decodes a token's claims without verifying, to see what was signed.
fn claims_of(token: &str) -> Value {
    let decoded = facilioo_jwt::insecure::decode_unverified(token).expect("decodes");
    decoded.claims
}

#[test]
fn default_tokens_have_facilioos_shape_and_verify() {
    let issuer = TestIssuer::new();
    let token = issuer.token().at(now()).sign();
    assert_eq!(
        claims_of(&token),
        json!({"nbf": NOW, "exp": NOW + 3600, "iss": "dev-api.facilioo.de",
               "aud": "dev-app.facilioo.de", "sub": {"accountId": 1, "companyId": 1}})
    );
    // facilioo's member order, byte for byte.
    let (header, claims) = issuer.token().at(now()).json();
    assert_eq!(header, r#"{"alg":"RS256","typ":"JWT"}"#);
    assert!(claims.starts_with(r#"{"nbf":"#), "{claims}");
    let verified = issuer.verifier().verify(&token, now()).expect("valid");
    assert_eq!(verified.key_index(), 0);
    assert!(verified.is_test_key());
    assert_eq!(verified.party_type(), None);
    assert_eq!(issuer.policy(), Policy::facilioo_dev());
    // Without `at`, relative to the system clock, which the verifier checks against too.
    assert!(issuer.verifier().verify_now(&issuer.token().sign()).is_ok());
    assert_eq!(
        issuer.token().at(now()).sign().authorization(),
        format!("Bearer {token}")
    );
}

#[test]
fn facilioos_keys_refuse_every_test_token() {
    let issuer = TestIssuer::new();
    let facilioo = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
    for key in TestKey::ALL {
        let token = issuer.token().at(now()).signed_by(key).sign();
        assert_eq!(
            facilioo.verify(&token, now()),
            Err(Error::InvalidSignature),
            "{key}"
        );
    }
    assert_eq!(KeySet::facilioo().test_key_count(), 0);
}

#[test]
fn each_trusted_key_signs_and_the_untrusted_one_is_refused() {
    let issuer = TestIssuer::new();
    let verifier = issuer.verifier();
    for (index, key) in TestKey::TRUSTED.into_iter().enumerate() {
        let token = issuer.token().at(now()).signed_by(key).sign();
        let verified = verifier.verify(&token, now()).expect("a trusted key");
        assert_eq!(verified.key_index(), index);
        assert_eq!(verified.key_thumbprint(), key.public_key().thumbprint());
    }
    let token = issuer.token().at(now()).untrusted_key().sign();
    assert_eq!(verifier.verify(&token, now()), Err(Error::InvalidSignature));
    // Trusting the untrusted key's public half makes it verify: it is a real key pair.
    let untrusted = Verifier::new(
        KeySet::from_pem(TestKey::Untrusted.public_pem()).expect("loads"),
        issuer.policy(),
    );
    assert!(untrusted.verify(&token, now()).is_ok());
}

#[test]
fn shipped_key_files_are_the_kits_keys() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/keys/testing");
    let trusted = KeySet::from_file(format!("{dir}/trusted.pem")).expect("trusted.pem");
    assert_eq!(trusted.as_slice(), TestIssuer::new().key_set().as_slice());
    assert_eq!(trusted.test_key_count(), 3);
    for (n, key) in TestKey::ALL.into_iter().enumerate() {
        let name = if n < 3 {
            format!("test-{}", n + 1)
        } else {
            "untrusted".into()
        };
        let public = std::fs::read_to_string(format!("{dir}/{name}.pem")).expect("public");
        let private =
            std::fs::read_to_string(format!("{dir}/{name}.private.pem")).expect("private");
        assert_eq!(public, key.public_pem());
        assert_eq!(private, key.private_pem());
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(key.public_key().modulus_bits(), 2048);
    }
}

#[test]
fn every_refusal_is_refused_by_the_library_with_its_code() {
    let issuer = TestIssuer::new();
    let verifier = issuer.verifier();
    for refusal in Refusal::ALL {
        let token = issuer.token().at(now()).refused_as(refusal).sign();
        let error = verifier.verify(&token, now()).expect_err(refusal.name());
        assert_eq!(error.code(), refusal.code(), "{refusal}");
        assert_eq!(error.http_status(), refusal.http_status(), "{refusal}");
        // The convenience does the same.
        assert_eq!(
            verifier
                .verify_now(&issuer.refused_token(refusal))
                .map_err(|e| e.code()),
            Err(refusal.code())
        );
    }
    // The wrong values are the documented ones.
    let wrong = claims_of(&issuer.token().wrong_issuer().wrong_audience().sign());
    assert_eq!(
        (wrong["iss"].as_str(), wrong["aud"].as_str()),
        (Some(WRONG_ISSUER), Some(WRONG_AUDIENCE))
    );
}

#[test]
fn refusals_are_what_they_say_and_nothing_else() {
    let issuer = TestIssuer::new();
    let verifier = issuer.verifier();
    let base = || issuer.token().at(now());
    // Expired by an hour: still expired with a leeway of 59 minutes, valid at its own time.
    let expired = base().expired().sign();
    let claims = claims_of(&expired);
    assert_eq!(
        (claims["nbf"].as_i64(), claims["exp"].as_i64()),
        (Some(NOW - 7200), Some(NOW - 3600))
    );
    assert!(
        verifier
            .verify(&expired, UnixTime::from_secs(NOW - 3601))
            .is_ok()
    );
    let lenient = Verifier::new(
        issuer.key_set(),
        issuer.policy().with_leeway(Duration::from_secs(3540)),
    );
    assert!(lenient.verify(&expired, now()).unwrap_err().is_expired());
    let early = base().not_yet_valid().sign();
    let claims = claims_of(&early);
    assert_eq!(
        (claims["nbf"].as_i64(), claims["exp"].as_i64()),
        (Some(NOW + 3600), Some(NOW + 7200))
    );
    assert!(
        verifier
            .verify(&early, UnixTime::from_secs(NOW + 3600))
            .is_ok()
    );
    // A flipped signature bit: the same token otherwise, one character apart or more.
    let good = base().sign();
    let forged = base().bad_signature().sign();
    let (g, f) = (
        good.rsplit_once('.').expect("3"),
        forged.rsplit_once('.').expect("3"),
    );
    assert_eq!(g.0, f.0);
    assert_ne!(g.1, f.1);
    assert_eq!(g.1.len(), f.1.len());
    // Malformed: two segments.
    assert_eq!(base().malformed().sign().matches('.').count(), 1);
    // Another alg: HS256 in the header, refused before any key is tried.
    let hs = base().other_alg().sign();
    assert_eq!(
        facilioo_jwt::insecure::decode_unverified(&hs)
            .expect("decodes")
            .header["alg"],
        "HS256"
    );
    let before = verifier.signature_checks();
    assert_eq!(
        verifier.verify(&hs, now()),
        Err(Error::UnsupportedAlgorithm)
    );
    assert_eq!(verifier.signature_checks(), before);
}

#[test]
fn every_claim_can_be_set_removed_or_replaced() {
    let issuer = TestIssuer::new();
    let verifier = issuer.verifier();
    let base = || issuer.token().at(now());
    let refused = |t: &str| verifier.verify(t, now()).map_err(|e| e.code());
    for claim in ["exp", "iss", "aud", "sub"] {
        assert_eq!(
            refused(&base().without_claim(claim).sign()).err(),
            Some("missing_claim"),
            "{claim}"
        );
    }
    assert!(refused(&base().without_claim("nbf").sign()).is_ok());
    assert_eq!(
        refused(&base().claim("exp", "soon").sign()).err(),
        Some("invalid_claim")
    );
    assert_eq!(
        refused(&base().claim("sub", json!({"accountId": "2"})).sign()).err(),
        Some("invalid_claim")
    );
    // `account` on a replaced, non-object `sub` makes an object of it again.
    let fixed = base().claim("sub", 5).account(9).sign();
    assert_eq!(claims_of(&fixed)["sub"], json!({"accountId": 9}));
    // Absolute times.
    let t = base()
        .not_before(UnixTime::from_secs(NOW - 5))
        .expires_at(UnixTime::from_secs(NOW + 5))
        .sign();
    let v = verifier.verify(&t, now()).expect("valid");
    assert_eq!(
        (
            v.not_before().map(UnixTime::as_secs),
            v.expires_at().as_secs()
        ),
        (Some(NOW - 5), NOW + 5)
    );
    let t = base().not_before_in(Duration::from_secs(30)).sign();
    assert_eq!(claims_of(&t)["nbf"], NOW + 30);
    // Audiences as an array; the matching one is reported.
    let t = base().audiences(["other", "dev-app.facilioo.de"]).sign();
    assert_eq!(
        verifier.verify(&t, now()).expect("valid").audience(),
        "dev-app.facilioo.de"
    );
    // Extra claims never refuse; extra header members go through the header rules.
    assert!(refused(&base().claim("scope", json!(["a", "b"])).sign()).is_ok());
    assert!(
        refused(
            &base()
                .header("kid", "whatever")
                .header("jku", "https://x")
                .sign()
        )
        .is_ok()
    );
    assert_eq!(
        refused(&base().header("crit", json!(["exp"])).sign()).err(),
        Some("unsupported_critical")
    );
    assert_eq!(
        refused(&base().header("kid", 5).sign()).err(),
        Some("malformed")
    );
    assert_eq!(
        refused(&base().without_header("alg").sign()).err(),
        Some("unsupported_algorithm")
    );
    assert!(refused(&base().without_header("typ").sign()).is_ok());
}

#[test]
fn party_types_by_id_name_raw_or_absent() {
    let issuer = TestIssuer::new();
    let verifier = issuer.verifier();
    let strict = Verifier::new(
        issuer.key_set(),
        issuer
            .policy()
            .with_allowed_party_types([PartyType::Contractor]),
    );
    let base = || issuer.token().at(now());
    let party = |t: &str| verifier.verify(t, now()).expect("valid").party_type();
    assert_eq!(
        party(&base().party_type(PartyType::Contractor).sign()),
        Some(PartyType::Contractor)
    );
    assert_eq!(
        claims_of(&base().party_type(PartyType::Contractor).sign())["partyType"],
        5
    );
    assert_eq!(
        party(&base().party_type(PartyType::Unknown(99)).sign()),
        Some(PartyType::Unknown(99))
    );
    assert_eq!(
        party(&base().party_type_name("Contractor").sign()),
        Some(PartyType::Contractor)
    );
    assert_eq!(party(&base().party_type_json(json!([5])).sign()), None);
    assert_eq!(
        party(
            &base()
                .party_type(PartyType::User)
                .without_party_type()
                .sign()
        ),
        None
    );
    // A policy that requires party types tells the cases apart.
    let code = |t: &str| strict.verify(t, now()).map(|_| ()).map_err(|e| e.code());
    assert_eq!(
        code(&base().party_type(PartyType::Contractor).sign()),
        Ok(())
    );
    assert_eq!(code(&base().sign()), Err("party_type_not_allowed"));
    assert_eq!(
        code(&base().party_type_json(Value::Null).sign()),
        Err("party_type_not_allowed")
    );
    assert_eq!(
        code(&base().party_type_json(-1).sign()),
        Err("invalid_claim")
    );
    assert_eq!(
        code(&base().party_type(PartyType::User).sign()),
        Err("party_type_not_allowed")
    );
}

#[test]
fn a_policys_own_issuer_audience_and_claim_name() {
    let policy = Policy::new(["api.example.org"], ["app.example.org", "other"])
        .expect("policy")
        .with_party_type_claim("pt")
        .expect("a claim");
    let issuer = TestIssuer::for_policy(&policy);
    assert_eq!(
        (issuer.issuer(), issuer.audience()),
        ("api.example.org", "app.example.org")
    );
    let token = issuer.token().at(now()).party_type(PartyType::Guest).sign();
    assert_eq!(claims_of(&token)["pt"], 11);
    let verified = Verifier::new(issuer.key_set(), policy)
        .verify(&token, now())
        .expect("the service's policy accepts it");
    assert_eq!(verified.party_type(), Some(PartyType::Guest));
}

/// The issuer's policy is the service's, every rule kept, but for refusing the test keys;
/// its default token satisfies it.
#[test]
fn for_policy_keeps_every_rule_but_the_test_key_refusal() {
    let service = Policy::new(["api.example.org"], ["app.example.org"])
        .expect("policy")
        .with_leeway(Duration::from_secs(5))
        .with_max_token_len(4000)
        .with_allowed_party_types([PartyType::User, PartyType::Guest])
        .refuse_test_keys();
    let issuer = TestIssuer::for_policy(&service);
    let policy = issuer.policy();
    assert_eq!(
        (
            policy.leeway(),
            policy.max_token_len(),
            policy.allowed_party_types()
        ),
        (
            Duration::from_secs(5),
            4000,
            Some(&[PartyType::User, PartyType::Guest][..])
        )
    );
    assert!(policy.issuers().eq(service.issuers()) && policy.audiences().eq(service.audiences()));
    assert!(service.refuses_test_keys() && !policy.refuses_test_keys());
    let token = issuer.token().at(now()).sign();
    assert_eq!(
        claims_of(&token)["partyType"],
        7,
        "the first allowed party type"
    );
    let verified = issuer
        .verifier()
        .verify(&token, now())
        .expect("its default token");
    assert_eq!(verified.party_type(), Some(PartyType::User));
    // The leeway is the service's: 5 s, not 60.
    let late = UnixTime::from_secs(NOW + 3600 + 5);
    assert!(
        issuer
            .verifier()
            .verify(&token, late)
            .unwrap_err()
            .is_expired()
    );
    // The service's own verifier refuses the test keys, as it was told to.
    assert_eq!(
        Verifier::new(issuer.key_set(), service).verify(&token, now()),
        Err(Error::TestKey)
    );
    // A party type the policy does not allow is still refused.
    let contractor = issuer
        .token()
        .at(now())
        .party_type(PartyType::Contractor)
        .sign();
    assert_eq!(
        issuer
            .verifier()
            .verify(&contractor, now())
            .map_err(|e| e.code())
            .err(),
        Some("party_type_not_allowed")
    );
}

#[test]
fn a_policy_can_refuse_the_test_keys() {
    let issuer = TestIssuer::new();
    let refusing = Verifier::new(issuer.key_set(), issuer.policy().refuse_test_keys());
    let token = issuer.token().at(now()).sign();
    let error = refusing.verify(&token, now()).expect_err("refused");
    assert_eq!(
        (error, error.code(), error.http_status()),
        (Error::TestKey, "test_key", 401)
    );
    // The signature is still checked first: a forged token is a forged token.
    assert_eq!(
        refusing.verify(&issuer.token().at(now()).bad_signature().sign(), now()),
        Err(Error::InvalidSignature)
    );
    // Other keys of the same set are unaffected.
    let retired = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/retired-key-2022.pem"
    ))
    .expect("fixture");
    let mixed = format!("{retired}{}", TestKey::One.public_pem());
    let mixed = Verifier::new(
        KeySet::from_pem(&mixed).expect("two keys"),
        Policy::facilioo_dev().refuse_test_keys(),
    );
    assert_eq!(mixed.keys().test_key_count(), 1);
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/example-token.txt"
    ))
    .expect("fixture");
    let verified = mixed
        .verify(example.trim(), UnixTime::from_secs(1_651_761_000))
        .expect("the retired key still verifies");
    assert!(!verified.is_test_key());
    assert_eq!(mixed.verify(&token, now()), Err(Error::TestKey));
}

/// Builder settings a test could choose.
#[derive(Debug, Clone)]
struct Settings {
    account: u64,
    company: Option<u64>,
    party: Option<u32>,
    party_by_name: bool,
    iss: String,
    aud: Vec<String>,
    nbf: Option<i64>,
    lifetime: i64,
    key: usize,
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        any::<u64>(),
        proptest::option::of(any::<u64>()),
        proptest::option::of(prop_oneof![Just(2u32), Just(5), Just(7), any::<u32>()]),
        any::<bool>(),
        "[a-z][a-z.-]{0,30}",
        proptest::collection::vec("[a-z][a-z0-9.:/-]{0,20}", 1..4),
        proptest::option::of(-100_000i64..100_000),
        1i64..10_000_000,
        0usize..3,
    )
        .prop_map(
            |(account, company, party, party_by_name, iss, aud, nbf, lifetime, key)| Settings {
                account,
                company,
                party,
                party_by_name,
                iss,
                aud,
                nbf,
                lifetime,
                key,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever a test sets, verifying the minted token gives back exactly that.
    #[test]
    fn a_minted_token_verifies_as_exactly_what_was_set(s in settings()) {
        let policy = Policy::new([s.iss.as_str()], [s.aud[s.aud.len() - 1].as_str()]).expect("policy");
        let issuer = TestIssuer::for_policy(&policy);
        let mut b = issuer.token().at(now()).account(s.account).expires_in(Duration::from_secs(s.lifetime.unsigned_abs()));
        b = match s.company { Some(c) => b.company(c), None => b.without_company() };
        let party = s.party.map(PartyType::from_id);
        b = match (party, party.and_then(|p| p.name())) {
            (Some(_), Some(name)) if s.party_by_name => b.party_type_name(name),
            (Some(p), _) => b.party_type(p),
            (None, _) => b.without_party_type(),
        };
        b = if s.aud.len() == 1 { b.audience(&s.aud[0]) } else { b.audiences(s.aud.clone()) };
        b = match s.nbf {
            Some(nbf) => b.not_before(UnixTime::from_secs(NOW + nbf)),
            None => b.without_claim("nbf"),
        };
        let key = TestKey::TRUSTED[s.key];
        let token = b.signed_by(key).sign();
        // At a moment inside the window (the later of now and nbf).
        let at = UnixTime::from_secs(NOW.max(s.nbf.map_or(NOW, |n| NOW + n)).min(NOW + s.lifetime - 1));
        let verified = Verifier::new(issuer.key_set(), policy).verify(&token, at);
        let inside = s.nbf.is_none_or(|n| NOW + n - 60 <= at.as_secs());
        prop_assume!(inside);
        let verified = verified.expect("valid");
        prop_assert_eq!(verified.subject().account_id().get(), s.account);
        prop_assert_eq!(verified.subject().company_id().map(|c| c.get()), s.company);
        prop_assert_eq!(verified.party_type(), party);
        prop_assert_eq!(verified.issuer(), s.iss.as_str());
        prop_assert_eq!(Some(verified.audience()), s.aud.last().map(String::as_str));
        prop_assert_eq!(verified.not_before().map(UnixTime::as_secs), s.nbf.map(|n| NOW + n));
        prop_assert_eq!(verified.expires_at().as_secs(), NOW + s.lifetime);
        prop_assert_eq!(verified.key_index(), s.key);
        prop_assert!(verified.is_test_key());
    }
}

/// The axum extractor and the tower layer answer every refusal with its code, and a route's
/// party-type check with 403.
#[cfg(all(feature = "axum", feature = "tower"))]
mod over_http {
    use super::*;
    use ::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
    use ::http::{Request, StatusCode};
    use axum::Router;
    use axum::body::Body;
    use axum::routing;
    use facilioo_jwt::axum::FaciliooToken;
    use facilioo_jwt::http::{BearerAuth, Denial, Realm};
    use facilioo_jwt::tower::BearerAuthLayer;
    use tower::ServiceExt as _;

    async fn me(token: FaciliooToken) -> String {
        token.subject().account_id().to_string()
    }

    async fn admin(token: FaciliooToken) -> Result<String, Denial> {
        token.require_party_types([PartyType::PropertyManagementCompany])?;
        Ok("admin".into())
    }

    /// The issuer's verifier, in realm `test`.
    fn test_auth(issuer: &TestIssuer) -> BearerAuth {
        BearerAuth::new(issuer.verifier()).with_realm(Realm::new("test").expect("realm"))
    }

    /// Status, the challenge's `error`, and the body of `GET path` with `authorization`.
    async fn get(
        app: &Router,
        path: &str,
        authorization: Option<String>,
    ) -> (StatusCode, String, String) {
        let mut request = Request::builder().uri(path);
        if let Some(a) = authorization {
            request = request.header(AUTHORIZATION, a);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let challenge = response
            .headers()
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        (
            status,
            challenge,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    #[tokio::test]
    async fn the_extractor_and_the_layer_refuse_every_refusal_with_its_code() {
        let issuer = TestIssuer::new();
        let auth = test_auth(&issuer);
        assert!(auth.trusts_test_keys());
        // facilioo's keys, or test keys whose tokens the policy refuses, are no such trust.
        let facilioo = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
        assert!(!BearerAuth::new(facilioo).trusts_test_keys());
        let refusing = Verifier::new(issuer.key_set(), issuer.policy().refuse_test_keys());
        assert!(!BearerAuth::new(refusing).trusts_test_keys());
        let extractor = Router::new()
            .route("/me", routing::get(me))
            .route("/admin", routing::get(admin))
            .with_state(auth.clone());
        let layered = Router::new()
            .route("/me", routing::get(|| async { "layered" }))
            .layer(BearerAuthLayer::new(auth));
        for app in [&extractor, &layered] {
            let (status, _, _) = get(app, "/me", Some(issuer.token().sign().authorization())).await;
            assert_eq!(status, StatusCode::OK);
            for refusal in Refusal::ALL {
                let token = issuer.refused_token(refusal);
                // The library's error for it, whose message the answer carries (up to the
                // time it was checked at, which moves).
                let error = issuer.verifier().verify_now(&token).expect_err("refused");
                assert_eq!(error.code(), refusal.code());
                let message = error.to_string();
                let message = message.split(" (checked at").next().unwrap_or_default();
                let (status, challenge, _) = get(app, "/me", Some(token.authorization())).await;
                assert_eq!(status.as_u16(), refusal.http_status(), "{refusal}");
                let want = format!(r#"error="invalid_token", error_description="{message}"#);
                assert!(challenge.contains(&want), "{refusal}: {challenge}");
            }
            let (status, challenge, _) = get(app, "/me", None).await;
            assert_eq!(
                (status, challenge.as_str()),
                (StatusCode::UNAUTHORIZED, r#"Bearer realm="test""#)
            );
        }
        // The JSON body of the extractor names the code's meaning; the code itself is the
        // library's, checked above through the same verifier.
        let (_, _, body) = get(
            &extractor,
            "/me",
            Some(issuer.refused_token(Refusal::Expired).authorization()),
        )
        .await;
        assert!(body.contains("expired"), "{body}");
    }

    #[tokio::test]
    async fn a_routes_party_type_check_says_what_the_route_requires() {
        let issuer = TestIssuer::new();
        let auth = test_auth(&issuer);
        let app = Router::new()
            .route("/admin", routing::get(admin))
            .with_state(auth);
        let pmc = issuer
            .token()
            .party_type(PartyType::PropertyManagementCompany)
            .sign();
        assert_eq!(
            get(&app, "/admin", Some(pmc.authorization())).await.0,
            StatusCode::OK
        );
        let cases = [
            (
                issuer.token().party_type(PartyType::Contractor).sign(),
                "the token's is Contractor (5)",
            ),
            (
                issuer.token().party_type(PartyType::Unknown(99)).sign(),
                "the token's is with id 99",
            ),
            (issuer.token().sign(), "the token has no partyType claim"),
            (
                issuer.token().party_type_json(Value::Null).sign(),
                "the token has no partyType claim",
            ),
            (
                issuer.token().party_type_json("boss").sign(),
                "the token's partyType claim is not a party type",
            ),
        ];
        for (token, has) in cases {
            let (status, challenge, body) = get(&app, "/admin", Some(token.authorization())).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{has}");
            let want =
                format!("this route requires party type PropertyManagementCompany (2); {has}");
            assert!(
                challenge.contains(r#"error="insufficient_scope""#),
                "{challenge}"
            );
            assert!(challenge.contains(&want), "{challenge}");
            assert!(body.contains(&want), "{body}");
        }
    }
}

/// With `serde`, a test key's token says so when serialized; other tokens carry no such key.
#[cfg(feature = "serde")]
#[test]
fn a_serialized_test_key_token_says_so() {
    let issuer = TestIssuer::new();
    let verified = issuer
        .verifier()
        .verify(&issuer.token().at(now()).sign(), now())
        .expect("valid");
    let json = serde_json::to_value(&verified).expect("serializes");
    assert_eq!(json["testKey"], true);
    assert_eq!(json["keyIndex"], 0);
}

/// Every view of a test token is the same compact token; the named keys and the issuer say
/// what they are and never print key material.
#[test]
fn views_and_names() {
    let issuer = TestIssuer::new();
    let token = issuer.token().at(now()).sign();
    let compact = token.to_string();
    assert_eq!(compact.matches('.').count(), 2);
    assert_eq!(token.as_str(), compact);
    assert_eq!(AsRef::<str>::as_ref(&token), compact);
    assert_eq!(&*token, compact);
    assert_eq!(String::from(token.clone()), compact);
    assert_eq!(token.clone().into_string(), compact);
    assert_eq!(token.authorization(), format!("Bearer {compact}"));
    let names: Vec<String> = TestKey::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "test key 1",
            "test key 2",
            "test key 3",
            "the untrusted test key"
        ]
    );
    let debug = format!("{issuer:?}");
    assert!(
        debug.starts_with(
            r#"TestIssuer { issuer: "dev-api.facilioo.de", audience: "dev-app.facilioo.de""#
        ),
        "{debug}"
    );
    assert!(!debug.contains("PRIVATE"), "{debug}");
}

/// `bad_signature` flips exactly one bit of the signature.
#[test]
fn a_bad_signature_is_one_bit_off() {
    use base64::Engine as _;
    let issuer = TestIssuer::new();
    let decode = |t: &str| {
        let sig = t.rsplit('.').next().expect("a signature");
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sig)
            .expect("base64url")
    };
    let good = decode(&issuer.token().at(now()).sign());
    let bad = decode(&issuer.token().at(now()).bad_signature().sign());
    let diff: Vec<u8> = good.iter().zip(&bad).map(|(a, b)| a ^ b).collect();
    assert_eq!(diff[0], 1);
    assert!(diff[1..].iter().all(|d| *d == 0));
}

/// Without a `sub`, setting an id makes one.
#[test]
fn ids_make_a_subject_when_there_is_none() {
    let issuer = TestIssuer::new();
    let token = issuer
        .token()
        .at(now())
        .without_claim("sub")
        .claim("scope", "x")
        .account(5)
        .sign();
    let claims = claims_of(&token);
    assert_eq!(claims["sub"], json!({"accountId": 5}));
    assert_eq!(claims["scope"], "x");
    let (_, text) = issuer
        .token()
        .at(now())
        .without_claim("sub")
        .claim("scope", "x")
        .company(3)
        .json();
    assert!(
        text.ends_with(r#""scope":"x","sub":{"companyId":3}}"#),
        "{text}"
    );
}
