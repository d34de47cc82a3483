//! The party-type claim found on a real token, not guessed (issue 23): a token whose party
//! type is under another top-level name, under `sub`, or under a claim URI is refused by a
//! party-type route with a message that names the claim it is under, and admitted once the
//! policy names it; `inspect` reads it likewise.
#![cfg(all(feature = "axum", feature = "testing"))]

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use facilioo_jwt::axum::{FaciliooToken, only};
use facilioo_jwt::http::BearerAuth;
use facilioo_jwt::inspect::{PartyTypeReading, inspect};
use facilioo_jwt::testing::{TestIssuer, TestToken};
use facilioo_jwt::{PartyType, Policy, Verifier};
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, Request, StatusCode};
use tower::ServiceExt as _;

/// Where facilioo may put the party type, in the syntax every surface takes.
const CLAIMS: [&str; 4] = [
    "roleId",
    "/sub/partyTypeId",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    "/sub/party~1type",
];

/// A contractor's token with its party type under `claim`.
fn token_under(claim: &str) -> (TestIssuer, TestToken) {
    let policy = Policy::facilioo_dev()
        .with_party_type_claim(claim)
        .expect("a claim");
    let issuer = TestIssuer::for_policy(&policy);
    let token = issuer
        .token()
        .account(9)
        .party_type(PartyType::Contractor)
        .sign();
    (issuer, token)
}

/// The service's verifier: the issuer's keys, facilioo's dev policy with `claim` (if any).
fn verifier(issuer: &TestIssuer, claim: Option<&str>) -> Verifier {
    let policy = match claim {
        Some(claim) => Policy::facilioo_dev()
            .with_party_type_claim(claim)
            .expect("a claim"),
        None => Policy::facilioo_dev(),
    };
    Verifier::new(issuer.key_set(), policy)
}

/// GET on a route only contractors may call: the status and the challenge.
async fn contractors_route(auth: BearerAuth, token: &TestToken) -> (StatusCode, String) {
    async fn contractors(token: FaciliooToken<only::Contractor>) -> String {
        token.subject().account_id().to_string()
    }
    let app = Router::new()
        .route("/contractors", get(contractors))
        .with_state(auth);
    let request = Request::get("/contractors")
        .header(AUTHORIZATION, token.authorization())
        .body(Body::empty())
        .expect("a request");
    let response = app.oneshot(request).await.expect("infallible");
    let challenge = response
        .headers()
        .get(WWW_AUTHENTICATE)
        .map(|v| v.to_str().expect("ASCII").to_owned())
        .unwrap_or_default();
    (response.status(), challenge)
}

/// What a refusal names for a token whose party type is under `claim`.
fn hint(claim: &str) -> String {
    format!(
        "the token has no partyType claim; {claim} (5: Contractor) looks like one: set the \
         party-type claim to {claim}"
    )
}

#[tokio::test]
async fn a_route_names_the_claim_and_admits_once_the_policy_does() {
    for claim in CLAIMS {
        let (issuer, token) = token_under(claim);
        let (status, challenge) =
            contractors_route(BearerAuth::new(verifier(&issuer, None)), &token).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{claim}");
        assert!(
            challenge.contains(&format!(
                "this route requires party type Contractor (5); {}",
                hint(claim)
            )),
            "{claim}: {challenge}"
        );
        let (status, _) =
            contractors_route(BearerAuth::new(verifier(&issuer, Some(claim))), &token).await;
        assert_eq!(status, StatusCode::OK, "{claim}");
    }
}

/// A policy that requires a party type refuses the same way (its description is the
/// verifier's message, then the hint), and admits once it names the claim.
#[test]
fn a_policy_names_the_claim_and_admits_once_it_does() {
    for claim in CLAIMS {
        let (issuer, token) = token_under(claim);
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            token.authorization().parse().expect("a header value"),
        );
        let requiring = |claim| {
            let verifier = verifier(&issuer, claim);
            let policy = verifier
                .policy()
                .clone()
                .with_allowed_party_types([PartyType::Contractor]);
            BearerAuth::new(Verifier::new(issuer.key_set(), policy))
        };
        let denial = requiring(None)
            .authenticate(&headers)
            .expect_err("no partyType claim");
        assert_eq!(denial.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            denial.description(),
            Some(
                format!(
                    "token carries no party type and the policy requires one: {}",
                    hint(claim)
                )
                .as_str()
            ),
            "{claim}"
        );
        let admitted = requiring(Some(claim))
            .authenticate(&headers)
            .expect("admitted once the policy names it");
        assert_eq!(admitted.party_type(), Some(PartyType::Contractor));
    }
}

#[test]
fn inspect_names_the_candidates_and_reads_the_named_claim() {
    for claim in CLAIMS {
        let (issuer, token) = token_under(claim);
        let seen = inspect(&token, &issuer.key_set(), &Policy::facilioo_dev()).expect("a JWT");
        assert_eq!(seen.signed_by(), Ok(0));
        match seen.party_type() {
            PartyTypeReading::Missing {
                claim: name,
                candidates,
            } => {
                assert_eq!(name, "partyType");
                let named: Vec<&str> = candidates.iter().map(|c| c.claim()).collect();
                assert_eq!(named, [claim]);
                assert_eq!(candidates[0].party_type(), Some(PartyType::Contractor));
            }
            other => panic!("{claim}: {other:?}"),
        }
        let policy = Policy::facilioo_dev()
            .with_party_type_claim(claim)
            .expect("a claim");
        let seen = inspect(&token, &issuer.key_set(), &policy).expect("a JWT");
        assert_eq!(
            seen.party_type(),
            &PartyTypeReading::Found {
                claim: claim.to_owned(),
                party_type: PartyType::Contractor
            }
        );
        assert_eq!(seen.expires_at().map(|t| t.as_secs() > 0), Some(true));
    }
}

/// Only a token whose signature verified has its claims named: a forged one is refused as
/// forged, before any claim is looked at.
#[tokio::test]
async fn a_forged_token_has_no_candidates_named() {
    let (issuer, _) = token_under("roleId");
    let forged = TestIssuer::for_policy(
        &Policy::facilioo_dev()
            .with_party_type_claim("roleId")
            .expect("a claim"),
    )
    .token()
    .party_type(PartyType::Contractor)
    .bad_signature()
    .sign();
    let (status, challenge) =
        contractors_route(BearerAuth::new(verifier(&issuer, None)), &forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!challenge.contains("roleId"), "{challenge}");
}

/// What `inspect` says beside the party type: the header and claims as the token has them,
/// and which key signs it, or why none does.
#[test]
fn inspect_says_which_key_signs_it() {
    use facilioo_jwt::Error;
    use facilioo_jwt::testing::TestKey;
    let issuer = TestIssuer::new();
    let keys = issuer.key_set();
    let policy = Policy::facilioo_dev();
    let by_key_2 = issuer.token().signed_by(TestKey::Two).sign();
    let seen = inspect(&by_key_2, &keys, &policy).expect("a JWT");
    assert_eq!(seen.signed_by(), Ok(1));
    assert_eq!(seen.header()["alg"], "RS256");
    assert_eq!(seen.claims()["sub"]["accountId"], 1);
    let (nbf, exp) = (
        seen.not_before().expect("nbf").as_secs(),
        seen.expires_at().expect("exp").as_secs(),
    );
    assert_eq!(exp - nbf, 3600, "a test token lives an hour from its nbf");
    let forged = issuer.token().bad_signature().sign();
    assert_eq!(
        inspect(&forged, &keys, &policy).map(|s| s.signed_by()),
        Ok(Err(Error::InvalidSignature))
    );
    assert!(inspect("not a token", &keys, &policy).is_err());
}
