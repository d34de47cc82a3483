//! A service whose routes take facilioo tokens: `GET /me` for any account, `GET /admin` for
//! property management companies only. Its tests are in `tests.rs`, next to it.
use axum::routing::get;
use axum::{Json, Router};
use facilioo_jwt::axum::FaciliooToken;
use facilioo_jwt::http::{BearerAuth, Denial};
use facilioo_jwt::{KeySet, PartyType, Policy, Subject, Verifier};

/// The routes, given how to authenticate: `main` trusts facilioo's keys, the tests the test
/// kit's.
fn app(auth: BearerAuth) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/admin", get(admin))
        .with_state(auth)
}

/// A handler that takes a `FaciliooToken` runs only for a valid token; every other request
/// gets 401 (or 400) with its `WWW-Authenticate` challenge.
async fn me(token: FaciliooToken) -> Json<Subject> {
    Json(token.subject())
}

async fn admin(token: FaciliooToken) -> Result<&'static str, Denial> {
    token.require_party_type(&[PartyType::PropertyManagementCompany])?; // else 403
    Ok("welcome, property manager")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // facilioo documents only its dev issuer and audience; name yours with Policy::new.
    let verifier = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()).with_cache(10_000);
    let auth = BearerAuth::new(verifier, "my-service")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app(auth)).await?;
    Ok(())
}

#[cfg(test)]
mod tests;
