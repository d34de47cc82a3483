//! `facilioo-jwt`: inspect and verify facilioo access tokens from the command line, and mint
//! test tokens signed with the crate's shipped test keys.
//!
//! Exit codes, every subcommand: 2 for a usage error (a bad argument, a `--keys` file that
//! cannot be loaded, a `--now` out of range, unreadable stdin), with the message on stderr
//! (and, for `verify --json`, as one JSON object on stdout). Otherwise `inspect` exits 0 when
//! the token decodes (verified or not) and 1 when it is not a JWT; `verify` exits 0 for a
//! valid token and 1 for a rejected one; `mint` exits 0. `--help` and `--version` exit 0.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use facilioo_jwt::limits::{MAX_NUMERIC_DATE, MIN_NUMERIC_DATE};
use facilioo_jwt::policy::{DEFAULT_LEEWAY, DEFAULT_PARTY_TYPE_CLAIM};
use facilioo_jwt::policy::{FACILIOO_DEV_AUDIENCE, FACILIOO_DEV_ISSUER};
use facilioo_jwt::testing::{Refusal, TestIssuer, TestKey};
use facilioo_jwt::{KeySet, PartyType, Policy, UnixTime, Verifier};
use serde::Serialize;

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

mod args;
mod input;
mod show;

use args::{
    parse_duration, parse_leeway, parse_name, parse_now, parse_party_type, parse_party_type_claim,
    parse_refusal, parse_test_key,
};
use input::{Input, read_token, without_tokens};
use show::{explain, inspect};

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
        /// An accepted issuer (repeatable, or several separated by commas), e.g.
        /// dev-api.facilioo.de.
        #[arg(
            long = "iss",
            required = true,
            value_name = "ISS",
            value_delimiter = ',',
            value_parser = parse_name
        )]
        issuers: Vec<String>,
        /// An accepted audience (repeatable, or several separated by commas), e.g.
        /// dev-app.facilioo.de.
        #[arg(
            long = "aud",
            required = true,
            value_name = "AUD",
            value_delimiter = ',',
            value_parser = parse_name
        )]
        audiences: Vec<String>,
        /// Clock-skew leeway, at most a day: seconds, or a number with s, m, h or d (90s, 2m).
        #[arg(long, value_name = "DURATION", default_value_t = DEFAULT_LEEWAY.as_secs(),
              value_parser = parse_leeway, allow_negative_numbers = true)]
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
    #[arg(long, value_name = "ISS", default_value = FACILIOO_DEV_ISSUER, value_parser = parse_name)]
    iss: String,
    /// aud (repeatable, or separated by commas: several make an array).
    #[arg(long = "aud", value_name = "AUD", default_values_t = [FACILIOO_DEV_AUDIENCE.to_owned()],
          value_delimiter = ',')]
    audiences: Vec<String>,
    /// The test key that signs: 1, 2 or 3 (keys/testing/trusted.pem), or untrusted
    /// (keys/testing/untrusted.pem).
    #[arg(long, value_name = "KEY", default_value = "1", value_parser = parse_test_key)]
    key: TestKey,
    /// nbf, and what --expires-in counts from: Unix seconds or an RFC 3339 time
    /// (default: the system clock).
    #[arg(long, value_name = "TIME", allow_negative_numbers = true, value_parser = parse_now)]
    now: Option<UnixTime>,
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

#[derive(clap::Args)]
struct Common {
    /// Trusted keys: PEM bundle, JWK, JWK Set or DER (default: facilioo's published keys).
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// Check as of this time instead of the system clock: Unix seconds (1651761000) or an
    /// RFC 3339 time (2022-05-05T14:30:00Z).
    #[arg(long, value_name = "TIME", allow_negative_numbers = true, value_parser = parse_now)]
    now: Option<UnixTime>,
    /// The claim carrying the party type: a top-level claim's name, or a JSON Pointer such
    /// as /sub/partyTypeId (facilioo does not publish it: `inspect` shows candidates).
    #[arg(long, value_name = "CLAIM", default_value = DEFAULT_PARTY_TYPE_CLAIM,
          value_parser = parse_party_type_claim)]
    party_type_claim: String,
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
        Err(e) if e.use_stderr() => return usage_error(UsageError(e.to_string()), json),
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
    // A token given where an argument belongs must not be repeated whole, on stderr or in
    // the JSON a script may log.
    let message = without_tokens(&message);
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
    let now = mint.now.unwrap_or_else(UnixTime::now);
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

    fn now(&self) -> UnixTime {
        self.now.unwrap_or_else(UnixTime::now)
    }

    /// Which keys a token was checked against, for a refusal: `facilioo's 3 published
    /// keys; --keys FILE for others`, or `the 1 key in keys.pem`.
    fn keys_tried(&self, count: usize) -> String {
        match &self.keys {
            None => format!("facilioo's {count} published keys; --keys FILE for others"),
            Some(path) => {
                let noun = if count == 1 { "key" } else { "keys" };
                format!("the {count} {noun} in {}", path.display())
            }
        }
    }
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

fn verify(
    token: Option<String>,
    common: &Common,
    policy: Policy,
    json: bool,
) -> Result<ExitCode, UsageError> {
    let keys = common.keys()?;
    let now = common.now();
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
                message: explain(
                    &e,
                    &token,
                    verifier.policy(),
                    &common.keys_tried(verifier.keys().len()),
                ),
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
