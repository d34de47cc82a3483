//! `facilioo-jwt`: inspect and verify facilioo access tokens from the command line, and mint
//! test tokens signed with the crate's shipped test keys.
//!
//! Exit codes, every subcommand: 2 for a usage error (a bad argument, a `--keys` file that
//! cannot be loaded, a `--now` out of range, unreadable stdin), with the message on stderr
//! (and, for `verify --json`, as one JSON object on stdout). Otherwise `inspect` exits 0 when
//! the token decodes (verified or not) and 1 when it is not a JWT; `verify` exits 0 for a
//! valid token and 1 for a rejected one; `mint` exits 0. `--help` and `--version` exit 0.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use facilioo_jwt::inspect::{self, PartyTypeReading, terminal_safe};
use facilioo_jwt::limits::{MAX_NUMERIC_DATE, MIN_NUMERIC_DATE};
use facilioo_jwt::policy::{DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, DEFAULT_PARTY_TYPE_CLAIM};
use facilioo_jwt::policy::{FACILIOO_DEV_AUDIENCE, FACILIOO_DEV_ISSUER};
use facilioo_jwt::testing::{Refusal, TestIssuer, TestKey};
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
        /// Print exactly one JSON object on stdout, usage errors included.
        #[arg(long)]
        json: bool,
    },
    /// Print a test token signed with one of this crate's shipped test keys (their private
    /// halves are public: only a service that trusts keys/testing/trusted.pem accepts it).
    Mint(Mint),
}

#[derive(clap::Args)]
struct Mint {
    /// sub.accountId.
    #[arg(long, value_name = "ID")]
    account: u64,
    /// sub.companyId (none without it: a private user).
    #[arg(long, value_name = "ID")]
    company: Option<u64>,
    /// The party type: a facilioo id (2, 5, …) or a name (PropertyManagementCompany,
    /// Contractor, …), written as its id.
    #[arg(long, value_name = "ID|NAME", value_parser = parse_party_type)]
    party_type: Option<PartyType>,
    /// Lifetime from now (or --now): seconds, or a number with s, m, h or d; negative for a
    /// token that has already expired.
    #[arg(long, value_name = "DURATION", default_value = "1h", allow_hyphen_values = true,
          value_parser = parse_duration)]
    expires_in: i64,
    /// iss.
    #[arg(long, value_name = "ISS", default_value = FACILIOO_DEV_ISSUER)]
    iss: String,
    /// aud (repeatable: several make an array).
    #[arg(long = "aud", value_name = "AUD", default_values_t = [FACILIOO_DEV_AUDIENCE.to_owned()])]
    audiences: Vec<String>,
    /// The test key that signs: 1, 2 or 3 (keys/testing/trusted.pem), or untrusted
    /// (keys/testing/untrusted.pem).
    #[arg(long, value_name = "KEY", default_value = "1", value_parser = parse_test_key)]
    key: TestKey,
    /// nbf, and what --expires-in counts from (Unix seconds; default: the system clock).
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// The claim carrying the party type: a top-level claim's name, or a JSON Pointer such
    /// as /sub/partyTypeId.
    #[arg(long, value_name = "CLAIM", default_value = DEFAULT_PARTY_TYPE_CLAIM,
          value_parser = parse_party_type_claim)]
    party_type_claim: String,
    /// Spoil the token as a service must refuse it: expired, not_yet_valid, wrong_issuer,
    /// wrong_audience, untrusted_key, bad_signature, other_alg or malformed.
    #[arg(long, value_name = "REFUSAL", value_parser = parse_refusal)]
    refused: Option<Refusal>,
}

fn parse_party_type(text: &str) -> Result<PartyType, String> {
    if let Ok(id) = text.parse::<u32>() {
        return Ok(PartyType::from_id(id));
    }
    PartyType::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = PartyType::KNOWN
            .iter()
            .filter_map(PartyType::name)
            .collect();
        format!("not a facilioo id or one of {}", names.join(", "))
    })
}

/// Seconds, or a number with `s`, `m`, `h` or `d`; may be negative.
fn parse_duration(text: &str) -> Result<i64, String> {
    let (number, unit) = match text.char_indices().last() {
        Some((i, 's')) => (&text[..i], 1),
        Some((i, 'm')) => (&text[..i], 60),
        Some((i, 'h')) => (&text[..i], 3600),
        Some((i, 'd')) => (&text[..i], 86_400),
        _ => (text, 1),
    };
    number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| "a whole number of seconds, or one with s, m, h or d (e.g. 30m, -1h)".into())
}

fn parse_test_key(text: &str) -> Result<TestKey, String> {
    TestKey::from_name(text).ok_or_else(|| "1, 2, 3 or untrusted".into())
}

fn parse_refusal(text: &str) -> Result<Refusal, String> {
    Refusal::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Refusal::ALL.iter().map(|r| r.name()).collect();
        format!("one of {}", names.join(", "))
    })
}

#[derive(clap::Args)]
struct Common {
    /// Trusted keys: PEM bundle, JWK, JWK Set or DER (default: facilioo's published keys).
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// Check as of this time (Unix seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// The claim carrying the party type: a top-level claim's name, or a JSON Pointer such
    /// as /sub/partyTypeId (facilioo does not publish it: `inspect` shows candidates).
    #[arg(long, value_name = "CLAIM", default_value = DEFAULT_PARTY_TYPE_CLAIM,
          value_parser = parse_party_type_claim)]
    party_type_claim: String,
}

/// A party-type claim the policy takes ([`Policy::with_party_type_claim`]).
fn parse_party_type_claim(text: &str) -> Result<String, String> {
    Policy::facilioo_dev()
        .with_party_type_claim(text)
        .map(|_| text.to_owned())
        .map_err(|e| e.to_string())
}

// Output goes to a pipe that may close early (`| head`): a closed stdout ends the output, not
// the program with a panic, as the standard `println!` would. Any other write error (a full
// disk) is a failure: exit code 2, and stderr says why.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("facilioo-jwt: writing to stdout: {e}");
                std::process::exit(2);
            }
        }
    }};
}

/// A failure that is the caller's, not the token's: exit code 2.
struct UsageError(String);

fn main() -> ExitCode {
    // `verify --json` answers with one JSON object on every exit, a usage error too.
    let json = {
        let args: Vec<_> = std::env::args_os().skip(1).collect();
        args.first().is_some_and(|a| a == "verify") && args.iter().any(|a| a == "--json")
    };
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if json && e.use_stderr() => return usage_error(UsageError(e.to_string()), true),
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Inspect { token, common } => inspect(token, &common),
        Command::Mint(mint) => mint_token(&mint),
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
                    .with_party_type_claim(&common.party_type_claim)
                    .map_err(|e| UsageError(e.to_string()))?;
                verify(token, &common, policy, json)
            }),
    };
    result.unwrap_or_else(|e| usage_error(e, json))
}

/// Says `error` on stderr and, for `verify --json`, as `{"valid":false,"error":"usage",…}`
/// on stdout (its first paragraph, on one line); exit code 2.
fn usage_error(UsageError(message): UsageError, json: bool) -> ExitCode {
    eprintln!("facilioo-jwt: {}", message.trim_end());
    if json {
        let paragraph = message.split("\n\n").next().unwrap_or_default();
        let paragraph = paragraph.strip_prefix("error: ").unwrap_or(paragraph);
        let report = Report::Invalid {
            valid: false,
            error: "usage",
            message: paragraph.split_whitespace().collect::<Vec<_>>().join(" "),
        };
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    }
    ExitCode::from(2)
}

/// A key set that holds shipped test keys says so, on stderr.
fn warn_test_keys(keys: &KeySet) {
    match keys.test_key_count() {
        0 => {}
        n => eprintln!(
            "facilioo-jwt: warning: the key set holds {n} of this crate's test keys, whose \
             private halves are public: anyone can mint tokens it accepts"
        ),
    }
}

/// `mint`: the token alone on stdout.
fn mint_token(mint: &Mint) -> Result<ExitCode, UsageError> {
    let now = match mint.now {
        Some(s) => checked_now(s)?,
        None => UnixTime::now(),
    };
    let exp = now
        .as_secs()
        .checked_add(mint.expires_in)
        .filter(|e| (MIN_NUMERIC_DATE..=MAX_NUMERIC_DATE).contains(e))
        .ok_or_else(|| {
            UsageError(format!(
                "--expires-in {} puts exp outside years -9999 to 9999",
                mint.expires_in
            ))
        })?;
    let policy = Policy::new(
        [mint.iss.as_str()],
        mint.audiences.iter().map(String::as_str),
    )
    .and_then(|p| p.with_party_type_claim(&mint.party_type_claim))
    .map_err(|e| UsageError(e.to_string()))?;
    let mut token = TestIssuer::for_policy(&policy)
        .token()
        .at(now)
        .account(mint.account)
        .expires_at(UnixTime::from_secs(exp))
        .signed_by(mint.key);
    token = match mint.company {
        Some(c) => token.company(c),
        None => token.without_company(),
    };
    if let Some(p) = mint.party_type {
        token = token.party_type(p);
    }
    if mint.audiences.len() > 1 {
        token = token.audiences(mint.audiences.iter().cloned());
    }
    if let Some(refusal) = mint.refused {
        token = token.refused_as(refusal);
    }
    println!("{}", token.sign());
    Ok(ExitCode::SUCCESS)
}

/// `--now`: the range of NumericDates a token may carry, years -9999 to 9999.
fn checked_now(s: i64) -> Result<UnixTime, UsageError> {
    if (MIN_NUMERIC_DATE..=MAX_NUMERIC_DATE).contains(&s) {
        Ok(UnixTime::from_secs(s))
    } else {
        Err(UsageError(format!(
            "--now {s} is out of range (years -9999 to 9999)"
        )))
    }
}

impl Common {
    fn keys(&self) -> Result<KeySet, UsageError> {
        let Some(path) = &self.keys else {
            return Ok(KeySet::facilioo());
        };
        let keys =
            KeySet::from_file(path).map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
        warn_test_keys(&keys);
        Ok(keys)
    }

    fn now(&self) -> Result<UnixTime, UsageError> {
        self.now.map_or_else(|| Ok(UnixTime::now()), checked_now)
    }
}

/// The most the CLI reads from stdin: twice the token cap, so that an oversized token is still
/// reported with its length, and nothing past it is read.
const STDIN_CAP: usize = DEFAULT_MAX_TOKEN_LEN * 2;

/// What was read as the token.
enum Input {
    Token(String),
    /// stdin held more than [`STDIN_CAP`] bytes (the rest was not read).
    Oversized,
}

impl Input {
    fn oversized_message() -> String {
        format!(
            "token is more than {STDIN_CAP} bytes, more than the limit of {DEFAULT_MAX_TOKEN_LEN}"
        )
    }
}

/// The token from the argument, or stdin for `-` or none (bytes that are not UTF-8 become
/// U+FFFD, which no token contains), cleaned of what operators paste around it. No token at
/// all is a usage error.
fn read_token(arg: Option<String>) -> Result<Input, UsageError> {
    let (raw, source) = match arg {
        Some(t) if t != "-" => (t, "the argument"),
        _ => {
            let cap = u64::try_from(STDIN_CAP)
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(cap)
                .read_to_end(&mut bytes)
                .map_err(|e| UsageError(format!("reading stdin: {e}")))?;
            if bytes.len() > STDIN_CAP {
                return Ok(Input::Oversized);
            }
            (String::from_utf8_lossy(&bytes).into_owned(), "stdin")
        }
    };
    let (token, stripped) = clean_token(&raw);
    if !stripped.is_empty() {
        eprintln!(
            "facilioo-jwt: read the token without {}",
            stripped.join(", ")
        );
    }
    if token.is_empty() {
        return Err(UsageError(format!("no token: {source} is empty")));
    }
    Ok(Input::Token(token.to_owned()))
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
fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn pretty(v: &serde_json::Value) -> String {
    terminal_safe(&serde_json::to_string_pretty(v).unwrap_or_default())
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

/// What the output adds when a shipped test key verified the token.
const TEST_KEY_NOTE: &str = " — a TEST key shipped with facilioo-jwt: its private half is public, never trust it in production";

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
        #[serde(rename = "testKey")]
        test_key: bool,
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
    let text = terminal_safe(&serde_json::to_string(v).unwrap_or_default());
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
    let token = match read_token(token)? {
        Input::Token(token) => token,
        Input::Oversized => String::new(),
    };
    let verdict = if token.is_empty() {
        Err(None)
    } else {
        verifier.verify(&token, now).map_err(Some)
    };
    let (report, code) = match verdict {
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
                test_key: v.is_test_key(),
            },
            ExitCode::SUCCESS,
        ),
        Err(Some(e)) => (
            Report::Invalid {
                valid: false,
                error: e.code(),
                message: explain(&e, &token, verifier.policy()),
            },
            ExitCode::from(1),
        ),
        // Only an oversized stdin leaves no token: refused before anything is decoded.
        Err(None) => (
            Report::Invalid {
                valid: false,
                error: "too_large",
                message: Input::oversized_message(),
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
                test_key,
                ..
            } => println!(
                "valid: account {}, company {}, party type {}, iss {iss}, verified by key {} of {}{}",
                subject.account_id,
                subject
                    .company_id
                    .map_or("(none)".into(), |c| c.to_string()),
                party_type.map_or("(none)".into(), |p| PartyType::from_id(p).to_string()),
                key + 1,
                verifier.keys().len(),
                if test_key { TEST_KEY_NOTE } else { "" }
            ),
            Report::Invalid { error, message, .. } => println!("rejected ({error}): {message}"),
        }
    }
    Ok(code)
}
