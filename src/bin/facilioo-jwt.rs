//! `facilioo-jwt`: inspect and verify facilioo access tokens from the command line.
//!
//! Exit codes, both subcommands: 2 for a usage error (a bad argument, a `--keys` file that
//! cannot be loaded, a `--now` out of range, unreadable stdin), with the message on stderr.
//! Otherwise `inspect` exits 0 when the token decodes (verified or not) and 1 when it is not a
//! JWT; `verify` exits 0 for a valid token and 1 for a rejected one. `--help` and `--version`
//! exit 0.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use facilioo_jwt::limits::{MAX_NUMERIC_DATE, MIN_NUMERIC_DATE};
use facilioo_jwt::policy::{DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, DEFAULT_PARTY_TYPE_CLAIM};
use facilioo_jwt::{Error, KeySet, PartyType, Policy, UnixTime, Verifier, insecure};
use serde::Serialize;

/// Inspect and verify facilioo access tokens (RS256 JWTs).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show a token's header and claims and whether a trusted key signed it.
    Inspect {
        /// The token; `-` or nothing reads it from stdin. Surrounding whitespace, a `Bearer `
        /// scheme or a whole `Authorization: Bearer …` line are stripped (and said so).
        token: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Verify a token: signature, time window, issuer, audience, subject.
    Verify {
        /// The token; `-` or nothing reads it from stdin. Surrounding whitespace, a `Bearer `
        /// scheme or a whole `Authorization: Bearer …` line are stripped (and said so).
        token: Option<String>,
        #[command(flatten)]
        common: Common,
        /// An accepted issuer (repeatable), e.g. dev-api.facilioo.de.
        #[arg(long = "iss", required = true, value_name = "ISS")]
        issuers: Vec<String>,
        /// An accepted audience (repeatable), e.g. dev-app.facilioo.de.
        #[arg(long = "aud", required = true, value_name = "AUD")]
        audiences: Vec<String>,
        /// Clock-skew leeway in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_LEEWAY.as_secs())]
        leeway: u64,
        /// Print exactly one JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
struct Common {
    /// Trusted keys: PEM bundle, JWK, JWK Set or DER (default: facilioo's published keys).
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// Check as of this time (Unix seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// Name of the claim carrying the party type.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_PARTY_TYPE_CLAIM)]
    party_type_claim: String,
}

/// A failure that is the caller's, not the token's: exit code 2.
struct UsageError(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { token, common } => inspect(token, &common),
        Command::Verify {
            token,
            common,
            issuers,
            audiences,
            leeway,
            json,
        } => Policy::new(issuers, audiences)
            .map_err(|e| UsageError(e.to_string()))
            .and_then(|policy| {
                let policy = policy
                    .with_leeway(Duration::from_secs(leeway))
                    .with_party_type_claim(common.party_type_claim.clone());
                verify(token, &common, policy, json)
            }),
    };
    result.unwrap_or_else(|UsageError(message)| {
        eprintln!("facilioo-jwt: {message}");
        ExitCode::from(2)
    })
}

impl Common {
    fn keys(&self) -> Result<KeySet, UsageError> {
        let Some(path) = &self.keys else {
            return Ok(KeySet::facilioo());
        };
        KeySet::from_file(path).map_err(|e| UsageError(format!("{}: {e}", path.display())))
    }

    fn now(&self) -> Result<UnixTime, UsageError> {
        match self.now {
            None => Ok(UnixTime::now()),
            // The range of NumericDates a token may carry: years -9999 to 9999.
            Some(s) if (MIN_NUMERIC_DATE..=MAX_NUMERIC_DATE).contains(&s) => {
                Ok(UnixTime::from_secs(s))
            }
            Some(s) => Err(UsageError(format!(
                "--now {s} is out of range (years -9999 to 9999)"
            ))),
        }
    }
}

/// The token from the argument, or stdin for `-` or none (bytes that are not UTF-8 become
/// U+FFFD, which no token contains), cleaned of what operators paste around it.
fn read_token(arg: Option<String>) -> Result<String, UsageError> {
    let raw = match arg {
        Some(t) if t != "-" => t,
        _ => {
            // Read a little past the size cap so an oversized token is still reported as one.
            let cap = u64::try_from(DEFAULT_MAX_TOKEN_LEN * 2).unwrap_or(u64::MAX);
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(cap)
                .read_to_end(&mut bytes)
                .map_err(|e| UsageError(format!("reading stdin: {e}")))?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    let (token, stripped) = clean_token(&raw);
    if !stripped.is_empty() {
        eprintln!(
            "facilioo-jwt: read the token without {}",
            stripped.join(", ")
        );
    }
    Ok(token.to_owned())
}

/// Strips what operators paste around a token from logs and requests: surrounding whitespace,
/// a `Bearer ` scheme, or a whole `Authorization: Bearer …` line (names case-insensitive).
/// Returns the token and what was stripped, in order.
fn clean_token(raw: &str) -> (&str, Vec<&'static str>) {
    fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
        let head = text.get(..word.len())?;
        head.eq_ignore_ascii_case(word).then(|| &text[word.len()..])
    }
    let mut stripped = Vec::new();
    let mut token = raw.trim();
    if token.len() != raw.len() {
        stripped.push("surrounding whitespace");
    }
    if let Some(rest) = strip_word(token, "authorization:") {
        token = rest.trim_start();
        stripped.push("the `Authorization:` header name");
    }
    if let Some(rest) = strip_word(token, "bearer")
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_whitespace()))
    {
        token = rest.trim_start();
        stripped.push("the `Bearer` scheme");
    }
    (token, stripped)
}

fn inspect(token: Option<String>, common: &Common) -> Result<ExitCode, UsageError> {
    let keys = common.keys()?;
    let now = common.now()?;
    let token = read_token(token)?;
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
            "signature: verified by key {} of {n} (thumbprint {})",
            jws.key_index() + 1,
            jws.key().thumbprint()
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
    let party = decoded.claims.get(&common.party_type_claim);
    println!(
        "party type: {}",
        match party {
            None => "(none)".to_owned(),
            Some(v) => match (v.as_u64().and_then(|i| u32::try_from(i).ok()), v.as_str()) {
                (Some(id), _) => format!("{} (id {id})", PartyType::from_id(id)),
                (None, Some(name)) => match PartyType::from_name(name) {
                    Some(p) => format!("{p} (id {})", p.id()),
                    None => format!("{v} (not a known party type)"),
                },
                _ => format!("{v} (not a party type)"),
            },
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// `2022-05-05T15:17:22Z (expired 4 years ago)`.
fn describe_time(name: &str, v: &serde_json::Value, now: UnixTime) -> String {
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
fn human_span(secs: u64) -> String {
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

/// The JSON `verify --json` prints; scripts depend on these names.
#[derive(Serialize)]
#[serde(untagged)]
enum Report {
    Valid {
        valid: bool,
        subject: SubjectReport,
        #[serde(rename = "partyType")]
        party_type: Option<u32>,
        iss: String,
        aud: [String; 1],
        nbf: Option<i64>,
        exp: i64,
        key: usize,
    },
    Invalid {
        valid: bool,
        error: &'static str,
        message: String,
    },
}

#[derive(Serialize)]
struct SubjectReport {
    #[serde(rename = "accountId")]
    account_id: u64,
    #[serde(rename = "companyId")]
    company_id: Option<u64>,
}

/// The error's message; for `invalid_issuer` and `invalid_audience` with the token's value and
/// the accepted ones. The library's errors echo nothing of a token; this operator's tool may,
/// because these errors come only after the signature verified (claims are read after it),
/// and it shows the values JSON-escaped and cut to a bounded length.
fn explain(error: &Error, token: &str, policy: &Policy) -> String {
    let (claim, accepted): (&str, Vec<&str>) = match error {
        Error::InvalidIssuer => ("iss", policy.issuers().collect()),
        Error::InvalidAudience => ("aud", policy.audiences().collect()),
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
fn shown(v: &serde_json::Value) -> String {
    const MAX: usize = 200;
    let text = serde_json::to_string(v).unwrap_or_default();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn verify(
    token: Option<String>,
    common: &Common,
    policy: Policy,
    json: bool,
) -> Result<ExitCode, UsageError> {
    let keys = common.keys()?;
    let now = common.now()?;
    let verifier = Verifier::new(keys, policy);
    let token = read_token(token)?;
    let (report, code) = match verifier.verify(&token, now) {
        Ok(v) => (
            Report::Valid {
                valid: true,
                subject: SubjectReport {
                    account_id: v.subject().account_id().0,
                    company_id: v.subject().company_id().map(|c| c.0),
                },
                party_type: v.party_type().map(|p| p.id()),
                iss: v.issuer().to_owned(),
                aud: [v.audience().to_owned()],
                nbf: v.not_before().map(UnixTime::as_secs),
                exp: v.expires_at().as_secs(),
                key: v.key_index(),
            },
            ExitCode::SUCCESS,
        ),
        Err(e) => (
            Report::Invalid {
                valid: false,
                error: e.code(),
                message: explain(&e, &token, verifier.policy()),
            },
            ExitCode::from(1),
        ),
    };
    if json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        match report {
            Report::Valid {
                subject,
                party_type,
                iss,
                key,
                ..
            } => println!(
                "valid: account {}, company {}, party type {}, iss {iss}, verified by key {} of {}",
                subject.account_id,
                subject
                    .company_id
                    .map_or("(none)".into(), |c| c.to_string()),
                party_type.map_or("(none)".into(), |p| PartyType::from_id(p).to_string()),
                key + 1,
                verifier.keys().len()
            ),
            Report::Invalid { error, message, .. } => println!("rejected ({error}): {message}"),
        }
    }
    Ok(code)
}
