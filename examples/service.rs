//! A service protected by facilioo tokens, run as in production: axum, keys reloaded on
//! `SIGHUP` and on an interval, refusals logged and counted, an OpenAPI document.
//!
//! ```sh
//! cargo run --example service --features axum,tokio,metrics,tracing,utoipa -- \
//!     --iss dev-api.facilioo.de --aud dev-app.facilioo.de [--keys PEM_FILE] [--reload-every SECS] [--listen ADDR]
//! ```
//!
//! Every flag can come from the environment instead: `FACILIOO_ISSUER`, `FACILIOO_AUDIENCE`
//! (comma-separated lists), `FACILIOO_KEYS`, `FACILIOO_RELOAD_EVERY`, `LISTEN`.
//!
//! - `GET /me`: the caller's subject and party type, as JSON;
//! - `GET /companies/{company_id}/admin`: the same, for property management companies of
//!   that company only (another party type or another company gets 403);
//! - `GET /hello`: for anyone; a token, if sent, must be good;
//! - `GET /health`, `GET /metrics` (Prometheus text), `GET /openapi.json`: no token.
//!
//! Keys default to facilioo's published ones. With `--keys`, the file is reloaded on `SIGHUP`
//! and every `--reload-every` seconds (300 by default); a file that does not load leaves the
//! keys in use, and the log says why. Logs (refusals with their code, reloads) go to stderr;
//! the address it listens on (loopback unless told otherwise) goes to stdout.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::extract::{FromRef, Path, State};
use axum::routing::get;
use axum::{Json, Router};
use clap::Parser;
use facilioo_jwt::axum::FaciliooToken;
use facilioo_jwt::http::{BearerAuth, Denial};
use facilioo_jwt::live::LiveVerifier;
use facilioo_jwt::openapi::FaciliooSecurity;
use facilioo_jwt::{KeySet, Policy, VerifiedToken, Verifier, party_types};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::{Value, json};
use tokio::signal::unix::{SignalKind, signal};
use utoipa::OpenApi;

#[derive(Parser)]
struct Args {
    /// Issuers to trust (repeat, or comma-separate).
    #[arg(
        long = "iss",
        env = "FACILIOO_ISSUER",
        value_delimiter = ',',
        required = true
    )]
    issuers: Vec<String>,
    /// Audiences to accept (repeat, or comma-separate).
    #[arg(
        long = "aud",
        env = "FACILIOO_AUDIENCE",
        value_delimiter = ',',
        required = true
    )]
    audiences: Vec<String>,
    /// A key file (PEM, DER or JWK Set); facilioo's published keys if absent.
    #[arg(long, env = "FACILIOO_KEYS")]
    keys: Option<PathBuf>,
    /// Seconds between reloads of the key file, 1 to 604800 (it is also reloaded on SIGHUP).
    #[arg(long, env = "FACILIOO_RELOAD_EVERY", default_value_t = 300,
        value_parser = clap::value_parser!(u64).range(1..=604_800))]
    reload_every: u64,
    /// The address to listen on.
    #[arg(long, env = "LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

#[derive(Clone, FromRef)]
struct App {
    auth: BearerAuth,
    metrics: PrometheusHandle,
}

party_types!(Managers = [PropertyManagementCompany]);

/// The caller's account.
#[utoipa::path(get, path = "/me", responses((status = 200, description = "the caller's subject")),
    security(("facilioo" = [])))]
async fn me(token: FaciliooToken) -> Json<Value> {
    Json(identity(&token))
}

/// For the property management companies of one company.
#[utoipa::path(get, path = "/companies/{company_id}/admin",
    params(("company_id" = u64, Path, description = "the company")),
    responses((status = 200, description = "the caller's subject")), security(("facilioo" = [])))]
async fn company_admin(
    token: FaciliooToken<Managers>,
    Path(company_id): Path<u64>,
) -> Result<Json<Value>, Denial> {
    token.require_company(company_id)?;
    Ok(Json(identity(&token)))
}

/// For anyone; a token, if sent, must be good.
#[utoipa::path(get, path = "/hello", responses((status = 200, description = "a greeting")),
    security((), ("facilioo" = [])))]
async fn hello(token: Option<FaciliooToken>) -> String {
    match token {
        Some(token) => format!("hello, account {}\n", token.subject().account_id()),
        None => "hello, stranger\n".to_owned(),
    }
}

fn identity(token: &VerifiedToken) -> Value {
    let subject = token.subject();
    json!({
        "accountId": subject.account_id().get(),
        "companyId": subject.company_id().map(|c| c.get()),
        "partyType": token.party_type().map(|p| p.to_string()),
    })
}

const SECURITY: FaciliooSecurity = FaciliooSecurity::new();

#[derive(OpenApi)]
#[openapi(paths(me, company_admin, hello), modifiers(&SECURITY))]
struct Api;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(e) = serve(args).await {
        eprintln!("service: {e}");
        std::process::exit(1);
    }
}

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let metrics = PrometheusBuilder::new().install_recorder()?;

    let keys = match &args.keys {
        Some(path) => KeySet::from_file(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => KeySet::facilioo(),
    };
    let policy = Policy::new(args.issuers, args.audiences)?;
    let verifier = Verifier::new(keys, policy);
    let live = LiveVerifier::new(verifier.with_cache(10_000));
    if let Some(path) = &args.keys {
        let every = Duration::from_secs(args.reload_every);
        live.reload_task(path).on_sighup().every(every).spawn()?;
    } else {
        // Nothing to reload, but a SIGHUP (a service manager's reload) must not end it.
        let mut hangups = signal(SignalKind::hangup())?;
        tokio::spawn(async move { while hangups.recv().await.is_some() {} });
    }

    let app = Router::new()
        .route("/me", get(me))
        .route("/companies/{company_id}/admin", get(company_admin))
        .route("/hello", get(hello))
        .route("/health", get(|| async { "ok\n" }))
        .route(
            "/metrics",
            get(|State(m): State<PrometheusHandle>| async move { m.render() }),
        )
        .route("/openapi.json", get(|| async { Json(Api::openapi()) }))
        .with_state(App {
            auth: BearerAuth::live(live),
            metrics,
        });
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
