//! Parsing the command line's values: ids, names, durations, times, claims.

use facilioo_jwt::limits::{MAX_NUMERIC_DATE, MIN_NUMERIC_DATE};
use facilioo_jwt::testing::{Refusal, TestKey};
use facilioo_jwt::{PartyType, Policy, UnixTime};

pub(crate) fn parse_party_type(text: &str) -> Result<PartyType, String> {
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
pub(crate) fn parse_duration(text: &str) -> Result<i64, String> {
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

pub(crate) fn parse_test_key(text: &str) -> Result<TestKey, String> {
    TestKey::from_name(text).ok_or_else(|| "1, 2, 3 or untrusted".into())
}

pub(crate) fn parse_refusal(text: &str) -> Result<Refusal, String> {
    Refusal::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Refusal::ALL.iter().map(|r| r.name()).collect();
        format!("one of {}", names.join(", "))
    })
}

/// A party-type claim the policy takes ([`Policy::with_party_type_claim`]).
pub(crate) fn parse_party_type_claim(text: &str) -> Result<String, String> {
    not_a_token(text)?;
    Policy::facilioo_dev()
        .with_party_type_claim(text)
        .map(|_| text.to_owned())
        .map_err(|e| e.to_string())
}

/// `--now`: Unix seconds or an RFC 3339 time (`2026-05-01T12:00:00Z`), within the range of
/// NumericDates a token may carry, years -9999 to 9999. A number of milliseconds (what
/// JavaScript's `Date.now()` gives) is refused as such.
pub(crate) fn parse_now(text: &str) -> Result<UnixTime, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(secs) = text.parse::<i64>() {
        return checked_now(secs);
    }
    time::OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| {
            "Unix seconds (1651761000) or an RFC 3339 time (2022-05-05T14:30:00Z)".to_owned()
        })
        .and_then(|t| checked_now(t.unix_timestamp()))
}

/// Unix seconds within years -9999 to 9999.
fn checked_now(secs: i64) -> Result<UnixTime, String> {
    if (MIN_NUMERIC_DATE..=MAX_NUMERIC_DATE).contains(&secs) {
        Ok(UnixTime::from_secs(secs))
    } else if (MIN_NUMERIC_DATE..=MAX_NUMERIC_DATE).contains(&(secs / 1000)) {
        Err(format!(
            "{secs} looks like milliseconds: --now takes seconds ({})",
            secs / 1000
        ))
    } else {
        Err("out of range (years -9999 to 9999)".to_owned())
    }
}

/// The longest `--leeway`: a day. A longer one would make `exp` meaningless.
const MAX_LEEWAY: u64 = 86_400;

/// `--leeway`: seconds, or a number with s, m, h or d; from 0 to a day.
pub(crate) fn parse_leeway(text: &str) -> Result<u64, String> {
    let why = "from 0 to a day: seconds, or a number with s, m, h or d (e.g. 90s, 2m)";
    parse_duration(text)
        .ok()
        .and_then(|secs| u64::try_from(secs).ok())
        .filter(|secs| *secs <= MAX_LEEWAY)
        .ok_or_else(|| why.to_owned())
}

/// `--iss`, `--aud`: any text but a token, which belongs elsewhere (and would be repeated in
/// a refusal's list of accepted values).
pub(crate) fn parse_name(text: &str) -> Result<String, String> {
    not_a_token(text).map(|()| text.to_owned())
}

/// Refuses a value that looks like a token (the usage error cuts it, and says so).
fn not_a_token(text: &str) -> Result<(), String> {
    if crate::input::looks_like_token(text) {
        Err(format!("{text} is a token, not this option's value"))
    } else {
        Ok(())
    }
}
