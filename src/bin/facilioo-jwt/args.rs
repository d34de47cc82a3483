//! Parsing the command line's values: ids, names, durations, times, claims.

use facilioo_jwt::limits::{MAX_NUMERIC_DATE, MIN_NUMERIC_DATE};
use facilioo_jwt::testing::{Refusal, TestKey};
use facilioo_jwt::{PartyType, Policy, UnixTime};

use crate::UsageError;

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
    Policy::facilioo_dev()
        .with_party_type_claim(text)
        .map(|_| text.to_owned())
        .map_err(|e| e.to_string())
}

/// `--now`: the range of NumericDates a token may carry, years -9999 to 9999.
pub(crate) fn checked_now(s: i64) -> Result<UnixTime, UsageError> {
    if (MIN_NUMERIC_DATE..=MAX_NUMERIC_DATE).contains(&s) {
        Ok(UnixTime::from_secs(s))
    } else {
        Err(UsageError(format!(
            "--now {s} is out of range (years -9999 to 9999)"
        )))
    }
}
