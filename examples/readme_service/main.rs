//! A service whose routes take facilioo tokens: `GET /me` for any account, `GET /admin` for
//! property management companies only. Its tests are in `tests.rs`, next to it.
use axum::routing::get;
use axum::{Json, Router};
use facilioo_jwt::axum::{FaciliooToken, only};
use facilioo_jwt::http::{BearerAuth, Realm};
use facilioo_jwt::{KeySet, Policy, Subject, Verifier};

/// The routes, given how to authenticate: `main` trusts facilioo's keys, the tests the test
/// kit's.
fn app(auth: BearerAuth) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/admin", get(admin))
        .with_state(auth)
}

/// A handler that takes a `FaciliooToken` runs only for a valid token; every other request
/// gets 401 (or 400) with its `WWW-Authenticate` challenge and a JSON body.
async fn me(token: FaciliooToken) -> Json<Subject> {
    Json(token.subject())
}

/// The type says who may call: a property management company's token, else 403.
async fn admin(_token: FaciliooToken<only::PropertyManagementCompany>) -> &'static str {
    "welcome, property manager"
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // facilioo documents only its dev issuer and audience; name yours with Policy::new.
    let verifier = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev()).with_cache(10_000);
    let auth = BearerAuth::new(verifier).with_realm(Realm::new("my-service")?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app(auth)).await?;
    Ok(())
}

#[cfg(test)]
mod tests;
