//! What `inspect` shows, and how values and refusals are put on a terminal.

use std::process::ExitCode;

use facilioo_jwt::inspect::{self, PartyTypeReading, terminal_safe};
use facilioo_jwt::limits::{MAX_NUMERIC_DATE, MIN_NUMERIC_DATE};
use facilioo_jwt::policy::DEFAULT_MAX_TOKEN_LEN;
use facilioo_jwt::{Error, Policy, UnixTime, insecure};

use crate::input::{Input, read_token};
use crate::{Common, TEST_KEY_NOTE, UsageError};

pub(crate) fn inspect(token: Option<String>, common: &Common) -> Result<ExitCode, UsageError> {
    let keys = common.keys()?;
    let now = common.now();
    let token = match read_token(token)? {
        Input::Token(token) => token,
        Input::Oversized => {
            println!("not a JWT: {}", Input::oversized_message());
            return Ok(ExitCode::from(1));
        }
    };
    let decoded = match insecure::decode_unverified(&token) {
        Ok(d) => d,
        Err(e) => {
            println!("not a JWT: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let n = keys.len();
    let plural = if n == 1 { "key" } else { "keys" };
    match keys.verify_jws(&token, DEFAULT_MAX_TOKEN_LEN) {
        Ok(jws) => println!(
            "signature: verified by key {} of {n} (thumbprint {}){}",
            jws.key_index() + 1,
            jws.key().thumbprint(),
            if jws.key().is_test_key() {
                TEST_KEY_NOTE
            } else {
                ""
            }
        ),
        Err(Error::InvalidSignature) => println!(
            "signature: NOT verified by any of the {n} {plural} — claims below are untrusted"
        ),
        Err(e) => println!(
            "signature: NOT verified by any of the {n} {plural} ({e}) — claims below are untrusted"
        ),
    }
    println!("header: {}", pretty(&decoded.header));
    println!("claims: {}", pretty(&decoded.claims));
    for (name, label) in [("nbf", "not before"), ("exp", "expires")] {
        match decoded.claims.get(name) {
            None => println!("{label}: (none)"),
            Some(v) => println!("{label}: {}", describe_time(name, v, now)),
        }
    }
    let sub = &decoded.claims["sub"];
    println!(
        "subject: account {}, company {}",
        sub.get("accountId")
            .map_or("(none)".into(), ToString::to_string),
        sub.get("companyId")
            .map_or("(none)".into(), ToString::to_string)
    );
    let policy = Policy::facilioo_dev()
        .with_party_type_claim(&common.party_type_claim)
        .map_err(|e| UsageError(e.to_string()))?;
    match inspect::read_party_type(&decoded.claims, &policy) {
        PartyTypeReading::Found { claim, party_type } => {
            println!(
                "party type: {party_type} (id {}, claim {claim})",
                party_type.id()
            );
        }
        PartyTypeReading::NotAPartyType { claim, value } => {
            println!("party type: {value} (claim {claim}: not a party type)");
        }
        PartyTypeReading::Missing { claim, candidates } => {
            println!("party type: (none: no {claim} claim)");
            for candidate in &candidates {
                println!(
                    "  looks like one: {candidate}: --party-type-claim {}",
                    shell_quoted(candidate.claim())
                );
            }
        }
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// `text` in single quotes for a POSIX shell.
pub(crate) fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

pub(crate) fn pretty(v: &serde_json::Value) -> String {
    terminal_safe(&serde_json::to_string_pretty(v).unwrap_or_default())
}

/// `2022-05-05T15:17:22Z (expired 4 years ago)`.
pub(crate) fn describe_time(name: &str, v: &serde_json::Value, now: UnixTime) -> String {
    let Some(t) = v
        .as_i64()
        .filter(|s| (MIN_NUMERIC_DATE..=MAX_NUMERIC_DATE).contains(s))
    else {
        return format!("{v} (not a NumericDate)");
    };
    // Both are within years ±9999, so the difference fits easily.
    let diff = t - now.as_secs();
    let span = human_span(diff.unsigned_abs());
    let when = match (name, diff <= 0) {
        ("exp", true) => format!("expired {span} ago"),
        ("exp", false) => format!("expires in {span}"),
        (_, true) => format!("{span} ago"),
        (_, false) => format!("not valid yet, starts in {span}"),
    };
    format!("{} ({when})", UnixTime::from_secs(t))
}

/// The largest whole unit: "3 days", "1 hour", "42 seconds".
pub(crate) fn human_span(secs: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (365 * 86_400, "year"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let (size, unit) = UNITS
        .iter()
        .find(|(size, _)| secs >= *size)
        .copied()
        .unwrap_or((1, "second"));
    let count = secs / size;
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

/// The error's message; for `invalid_signature` with the keys tried, and for
/// `invalid_issuer` and `invalid_audience` with the token's value and the accepted ones. The library's errors echo nothing of a token; this operator's tool may,
/// because these errors come only after the signature verified (claims are read after it),
/// and it shows the values JSON-escaped and cut to a bounded length.
pub(crate) fn explain(error: &Error, token: &str, policy: &Policy, keys_tried: &str) -> String {
    let (claim, accepted): (&str, Vec<&str>) = match error {
        Error::InvalidIssuer => ("iss", policy.issuers().collect()),
        Error::InvalidAudience => ("aud", policy.audiences().collect()),
        Error::InvalidSignature => return format!("{error} (tried {keys_tried})"),
        _ => return error.to_string(),
    };
    let found = insecure::decode_unverified(token)
        .ok()
        .and_then(|d| d.claims.get(claim).map(shown))
        .unwrap_or_else(|| "(unreadable)".to_owned());
    let accepted: Vec<String> = accepted.iter().map(|a| shown(&(*a).into())).collect();
    format!(
        "{error}: the token has {found}, accepted: {}",
        accepted.join(", ")
    )
}

/// A JSON value as JSON text (so control characters are escaped), at most 200 characters.
pub(crate) fn shown(v: &serde_json::Value) -> String {
    const MAX: usize = 200;
    let text = terminal_safe(&serde_json::to_string(v).unwrap_or_default());
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
