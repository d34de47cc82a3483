use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header::AUTHORIZATION};
use facilioo_jwt::PartyType;
use facilioo_jwt::http::BearerAuth;
use facilioo_jwt::testing::{TestIssuer, TestToken};
use tower::ServiceExt as _; // oneshot

/// Sends `GET path` to the app, with `token` as its bearer token if there is one.
async fn get(path: &str, token: Option<&TestToken>) -> (StatusCode, String) {
    // The app as main builds it, but trusting the test issuer's keys.
    let auth = BearerAuth::new(TestIssuer::new().verifier());
    let mut request = Request::builder().uri(path);
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, token.authorization());
    }
    let response = super::app(auth)
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), 64 * 1024).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_minted_token_gets_in() {
    let token = TestIssuer::new().token().account(42).company(7).sign();
    let (status, body) = get("/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"accountId":42,"companyId":7}"#);
}

#[tokio::test]
async fn expired_forged_or_absent_tokens_get_401() {
    let issuer = TestIssuer::new();
    let expired = issuer.token().expired().sign();
    let forged = issuer.token().bad_signature().sign();
    let untrusted = issuer.token().untrusted_key().sign();
    for token in [Some(&expired), Some(&forged), Some(&untrusted), None] {
        assert_eq!(get("/me", token).await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn admin_is_for_property_management_companies() {
    let issuer = TestIssuer::new();
    let contractor = issuer.token().party_type(PartyType::Contractor).sign();
    assert_eq!(
        get("/admin", Some(&contractor)).await.0,
        StatusCode::FORBIDDEN
    );
    let manager = issuer
        .token()
        .party_type(PartyType::PropertyManagementCompany)
        .sign();
    assert_eq!(get("/admin", Some(&manager)).await.0, StatusCode::OK);
}
