//! Verify [facilioo](https://www.facilioo.de) access tokens: RS256 JWTs whose `sub` is an
//! object (`{"accountId":2,"companyId":2}`) and whose signing key is not named (no `kid`).
//!
//! Start from four types: a [`KeySet`] (facilioo's published keys, or yours), a [`Policy`]
//! (issuer, audience, leeway, party types), the [`Verifier`] built from both, and the
//! [`Error`] it refuses with. A token that passes is a [`VerifiedToken`]: owned, its
//! [`Claims`] typed ([`Subject`], [`PartyType`]). The core is pure: no I/O, no global state,
//! and time is an argument ([`UnixTime`], from [`std::time::SystemTime`] or
//! [`time::OffsetDateTime`]; `time` is re-exported).
//!
//! # What a [`Verifier`] checks, in order
//!
//! 1. The token is at most [`Policy::max_token_len`] bytes (default 8 KiB), before anything
//!    is decoded, and has exactly three `.`-separated segments.
//! 2. The header is strict unpadded base64url (no padding, whitespace, `+`, `/`, or
//!    non-canonical trailing bits) of a JSON object without duplicate top-level members;
//!    `alg` is exactly `RS256`; it has no `crit`, `b64` or `cty`; `typ` is absent or `JWT`.
//!    `kid`, `jku`, `jwk`, `x5u`, `x5c` are never trusted: a `kid` that names a key of the set
//!    only moves that key to the front.
//! 3. The payload is strict base64url (it is decoded once, here).
//! 4. The signature is strict base64url, exactly as long as a key's modulus, and verifies
//!    (RSASSA-PKCS1-v1_5, SHA-256) over the ASCII `header.payload` under one key of the
//!    [`KeySet`]: the key a `kid` names, then the key that verified last, then the rest.
//! 5. Only then are the claims parsed: a JSON object without duplicate top-level members.
//!    `exp` (required) and `nbf` (optional) are integer NumericDates; `iss` is exactly one of
//!    the configured issuers; `aud`, a string or non-empty array of strings, names a
//!    configured audience; `sub` is a [`Subject`]; the [`PartyType`] claim, if the policy
//!    requires one, is allowed.
//! 6. Last, the time window: `nbf − leeway ≤ now < exp + leeway`.
//!
//! With [`Verifier::with_cache`], a token seen before skips steps 1 to 5 (what they found
//! cannot change for the verifier's keys and policy); step 6 runs on every call.
//!
//! Every limit is in [`limits`], enforced in this crate's own code.
//!
//! # Example
//!
//! ```
//! use facilioo_jwt::{KeySet, Policy, Verifier};
//!
//! let verifier = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
//! let token = include_str!("../tests/data/example-token.txt").trim();
//! match verifier.verify_now(token) {
//!     Ok(verified) => println!("account {}", verified.subject().account_id()),
//!     Err(e) if e.is_expired() => println!("401: refresh the token"),
//!     Err(e) => println!("{} {}: {e}", e.http_status(), e.code()),
//! }
//! ```
//!
//! # Features
//!
//! | feature | what it adds |
//! | --- | --- |
//! | `serde` | `Serialize`/`Deserialize` for [`Subject`], the ids, [`PartyType`], [`Claims`], [`UnixTime`]; `Serialize` for [`VerifiedToken`] |
//! | `live` | `live::LiveVerifier`: keys swapped and reloaded from a file while a service runs |
//! | `http` | module `http`: the bearer token of a request, the `FaciliooToken` both frameworks yield, route guards (`party_types!`), and refusals as RFC 6750 answers with a replaceable body (the `http` crate only) |
//! | `axum` | `axum::FaciliooToken`, an extractor whose type says which party types a route admits (with `http` and `live`) |
//! | `tower` | `tower::BearerAuthLayer`, a layer for tower and hyper services, optional or with exemptions (with `http` and `live`) |
//! | `aws-lc-rs` | the aws-lc-rs backend: keys parsed once, faster RSA (ring is the default) |
//! | `testing` | module `testing`: tokens signed with shipped test keys, for testing a protected service |
//! | `metrics` | counts to the [`metrics`](https://docs.rs/metrics) facade, named in [`stats::names`]; [`Verifier::stats`] gives them without it |
//! | `tracing` | events to [`tracing`](https://docs.rs/tracing): refusals, reloads, admitted subjects (target `facilioo_jwt`) |
//! | `tokio` | `live::ReloadTask`: keys reloaded on `SIGHUP` and/or an interval (with `live`) |
//! | `utoipa` | `openapi::FaciliooSecurity`: the bearer (JWT) scheme and the 400/401/403 answers in a utoipa 6 OpenAPI document |
//! | `cli` | the `facilioo-jwt` command-line tool (with `testing`, for `mint`) |

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub, unused_qualifications)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod backend;
pub mod cache;
mod claims;
pub mod error;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
pub mod insecure;
pub mod inspect;
mod json;
pub mod jws;
pub mod keys;
pub mod limits;
#[cfg(feature = "live")]
#[cfg_attr(docsrs, doc(cfg(feature = "live")))]
pub mod live;
mod observe;
#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub mod openapi;
pub mod policy;
pub mod stats;
mod subject;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod text;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;
mod unix_time;
mod verify;

pub use claims::Claims;
pub use error::Error;
pub use keys::KeySet;
pub use policy::Policy;
pub use stats::Stats;
pub use subject::{AccountId, CompanyId, PartyType, Subject};
pub use unix_time::UnixTime;
pub use verify::{VerifiedToken, Verifier};

/// The `time` crate this crate's API uses ([`UnixTime`] converts from and to its
/// `OffsetDateTime`), so callers need not depend on it themselves.
pub use time;
