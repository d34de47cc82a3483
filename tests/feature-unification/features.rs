//! The dependency features really are on in this build, and the limits they would lift hold.

use facilioo_jwt::error::Claim;
use facilioo_jwt::{Error, Policy, insecure};
use time::OffsetDateTime;

/// Proof that the features this crate exists for are active; without it the other tests
/// could pass for the wrong reason.
#[test]
fn the_unified_features_are_on() {
    // time/large-dates: years beyond ±9999 are representable.
    assert!(time::Date::MAX.year() > 9999);
    assert!(OffsetDateTime::from_unix_timestamp(253_402_300_800).is_ok());
    // serde_json/arbitrary_precision: 1e400 is a number, not an error.
    assert!(serde_json::from_str::<serde_json::Value>("1e400").is_ok());
    // ... and a float keeps its text, so it is handed over as serde_json's private number map.
    let float: serde_json::Value = serde_json::from_str("1.50").expect("json");
    assert_eq!(float.to_string(), "1.50");
    // serde_json/float_roundtrip: a decimal within a rounding step of f64::MAX is read as
    // f64::MAX, correctly rounded (the default parser overflows to an error on it).
    assert_eq!(
        serde_json::from_str::<f64>("1.7976931348623158e308").ok(),
        Some(f64::MAX)
    );
    // serde_json/preserve_order: members keep their order.
    let v: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":2}"#).expect("json");
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["b", "a"]);
    // serde_json/unbounded_depth: the switch exists (this only compiles with the feature).
    let mut de = serde_json::Deserializer::from_str("[]");
    de.disable_recursion_limit();
}

/// The reproduction from the hardening review: a year-10000 `exp` under `time/large-dates`.
#[test]
fn numeric_dates_beyond_year_9999_are_refused() {
    let policy = Policy::new(["i"], ["a"]).expect("policy");
    let now = OffsetDateTime::from_unix_timestamp(1_767_225_600).expect("now");
    for exp in ["253402300800", "6311390400000"] {
        let claims = format!(r#"{{"exp":{exp},"iss":"i","aud":"a","sub":{{"accountId":1}}}}"#);
        assert_eq!(
            insecure::check_claims(claims.as_bytes(), &policy, now).map(|_| ()),
            Err(Error::InvalidClaim(Claim::Exp)),
            "exp {exp}"
        );
    }
}
