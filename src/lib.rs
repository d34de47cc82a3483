//! Verify [facilioo](https://www.facilioo.de) access tokens: RS256 JWTs whose `sub` is an
//! object (`{"accountId":2,"companyId":2}`) and whose signing key is not named (no `kid`).
//!
//! A pure core: no I/O, no global state, and time is an argument.
//!
//! # What a [`Verifier`] checks, in order
//!
//! 1. The token is at most [`Policy::max_token_len`] bytes (default 8 KiB), before anything
//!    is decoded.
//! 2. Exactly three segments of strict unpadded base64url (no padding, whitespace, `+`, `/`,
//!    or non-canonical trailing bits).
//! 3. The header is a JSON object without duplicate members; `alg` is exactly `RS256`; it has
//!    no `crit`; `typ` is absent or `JWT`. `kid`, `jku`, `jwk`, `x5u`, `x5c` are never
//!    trusted: a `kid` that names a key of the set only moves that key to the front.
//! 4. The signature is exactly as long as a key's modulus and verifies (RSASSA-PKCS1-v1_5,
//!    SHA-256) over the ASCII `header.payload` under one key of the [`KeySet`], tried in order.
//! 5. Only then are the claims parsed: a JSON object without duplicate members. `exp`
//!    (required) and `nbf` (optional) are integer NumericDates and
//!    `nbf − leeway ≤ now < exp + leeway`; `iss` is exactly one of the configured issuers;
//!    `aud`, a string or non-empty array of strings, names a configured audience; `sub` is a
//!    [`Subject`]; the [`PartyType`] claim, if the policy requires one, is allowed.
//!
//! # Example
//!
//! ```
//! use facilioo_jwt::{KeySet, Policy, Verifier};
//! use time::macros::datetime;
//!
//! let verifier = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
//! let token = include_str!("../tests/data/example-token.txt").trim();
//! match verifier.verify(token, datetime!(2022-05-05 14:30 UTC)) {
//!     Ok(verified) => println!("account {}", verified.subject().account_id()),
//!     Err(e) if e.is_expired() => println!("401: refresh the token"),
//!     Err(e) => println!("{} {}: {e}", e.http_status(), e.code()),
//! }
//! ```
//!
//! # Errors
//!
//! Every refusal is an [`Error`] with a stable [`code`](Error::code); none echoes token or
//! key bytes. Key files that cannot be loaded give a [`KeyError`] naming the block and reason.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub, unused_qualifications)]

mod der;
mod error;
pub mod insecure;
mod json;
mod jws;
mod key;
mod policy;
mod subject;
mod verify;

pub use error::{Claim, Error, Malformed, Segment};
pub use json::{MAX_DEPTH, MAX_MEMBERS, MAX_NUMERIC_DATE, MIN_NUMERIC_DATE};
pub use jws::Jws;
pub use key::{
    JwkProblem, KeyError, KeyErrorKind, KeySet, MAX_EXPONENT, MAX_KEY_FILE_LEN, MAX_KEYS,
    MAX_MODULUS_BITS, MIN_EXPONENT, MIN_MODULUS_BITS, PemLabel, PublicKey, Thumbprint,
};
pub use policy::{
    DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, DEFAULT_PARTY_TYPE_CLAIM, FACILIOO_DEV_AUDIENCE,
    FACILIOO_DEV_ISSUER, Policy, PolicyError,
};
pub use subject::{AccountId, CompanyId, PartyType, Subject};
pub use verify::{CheckedClaims, VerifiedToken, Verifier};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
