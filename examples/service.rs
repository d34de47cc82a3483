//! A service protected by facilioo tokens, on axum:
//!
//! ```sh
//! cargo run --example service --features axum -- [--keys PEM_FILE] --iss ISS --aud AUD [--listen 127.0.0.1:8080]
//! ```
//!
//! - `GET /me`: the caller's subject and party type, as JSON;
//! - `GET /admin`: the same, for property management companies only (others get 403);
//! - `GET /hello`: for anyone; a token, if sent, must be good.
//!
//! Keys default to facilioo's published ones. With `--keys`, the file is reloaded on
//! `SIGHUP`; a file that does not load leaves the keys in use, and the service says why.
//! It listens on loopback unless told otherwise, and prints the address it listens on.

use std::net::SocketAddr;

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Json, Router};
use facilioo_jwt::axum::{FaciliooToken, only};
use facilioo_jwt::http::BearerAuth;
use facilioo_jwt::live::LiveVerifier;
use facilioo_jwt::{KeySet, Policy, VerifiedToken, Verifier};
use serde_json::{Value, json};

#[derive(Clone, FromRef)]
struct App {
    auth: BearerAuth,
}

async fn me(token: FaciliooToken) -> Json<Value> {
    Json(identity(&token))
}

async fn admin(token: FaciliooToken<only::PropertyManagementCompany>) -> Json<Value> {
    Json(identity(&token))
}

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

struct Args {
    keys: Option<String>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    listen: SocketAddr,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        keys: None,
        issuers: Vec::new(),
        audiences: Vec::new(),
        listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--keys" => args.keys = Some(value()?),
            "--iss" => args.issuers.push(value()?),
            "--aud" => args.audiences.push(value()?),
            "--listen" => args.listen = value()?.parse().map_err(|e| format!("--listen: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args().map_err(|e| {
        format!("{e}\nusage: service [--keys PEM_FILE] --iss ISS --aud AUD [--listen ADDR]")
    })?;
    let keys = match &args.keys {
        Some(path) => KeySet::from_file(path).map_err(|e| format!("{path}: {e}"))?,
        None => KeySet::facilioo(),
    };
    let policy = Policy::new(args.issuers, args.audiences)?;
    let live = LiveVerifier::new(Verifier::new(keys, policy).with_cache(10_000));
    if let Some(path) = args.keys.clone() {
        tokio::spawn(reload_on_sighup(live.clone(), path));
    }
    let app = Router::new()
        .route("/me", get(me))
        .route("/admin", get(admin))
        .route("/hello", get(hello))
        .with_state(App {
            auth: BearerAuth::live(live),
        });
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Reloads the key file on every SIGHUP, keeping the keys in use when it does not load.
async fn reload_on_sighup(live: LiveVerifier, path: String) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        eprintln!("cannot listen for SIGHUP: keys will not be reloaded");
        return;
    };
    while hangups.recv().await.is_some() {
        match live.reload_keys(&path) {
            Ok(reload) => eprintln!("reloaded {path}: {reload}"),
            Err(e) => eprintln!("{path} not reloaded, the keys in use stay: {e}"),
        }
    }
}
