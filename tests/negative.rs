//! One table of refusals: every error code and every rule, each with the exact error expected.

mod common;

use common::{
    AUD, HEADER, ISS, NOW, at, b64, claims, claims_plus, claims_with, good_claims, replace_segment,
    sign, sign_segments, signer,
};
use facilioo_jwt::error::{Claim, Malformed, Segment};
use facilioo_jwt::{Error, PartyType, Policy, Verifier};
use std::time::Duration;

const L: i64 = 60; // the default leeway

struct Case {
    name: &'static str,
    token: String,
    now: i64,
    policy: Policy,
    want: Result<(), Error>,
}

fn case(name: &'static str, token: String, want: Result<(), Error>) -> Case {
    Case {
        name,
        token,
        now: NOW,
        policy: common::policy(),
        want,
    }
}

/// A token with the standard header and these claims, signed by fixture key A.
fn with_claims(claims: &str) -> String {
    sign(HEADER, claims, &signer("rsa2048-a"))
}

/// A token with this header and valid claims, signed by fixture key A.
fn with_header(header: &str) -> String {
    sign(header, &good_claims(), &signer("rsa2048-a"))
}

/// A token whose header's base64url has `-` or `_`, re-encoded in the standard alphabet.
fn standard_alphabet_header() -> String {
    let header = ["?", "??", "???", ">", ">>", ">>>"]
        .iter()
        .map(|kid| b64(format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#)))
        .find(|h| h.contains(['-', '_']))
        .expect("some kid encodes with - or _");
    let token = sign_segments(&header, &b64(good_claims()), &signer("rsa2048-a"));
    replace_segment(&token, 0, &header.replace('-', "+").replace('_', "/"))
}

/// `n` distinct members `"m0":0,"m1":1,…` to splice into an object.
fn members(n: usize) -> String {
    (0..n)
        .map(|i| format!(r#""m{i}":{i}"#))
        .collect::<Vec<_>>()
        .join(",")
}

/// 2^1024 − 2^970 − 1: the largest integer that a correctly rounding parser reads as
/// `f64::MAX` (the midpoint 2^1024 − 2^970 and above round to infinity).
const BELOW_F64_ROUNDING_MIDPOINT: &str = concat!(
    "17976931348623158079372897140530341507993413271003782693617377898044496829276475094664",
    "90179775872070963302864166928879109465555478519404026306574886715058206819089020007083",
    "83676273854845817711531764475730270069855571366959622842914819860834936475292719074168",
    "444365510704342711559699508093042880177904174497791",
);

fn malformed(m: Malformed) -> Result<(), Error> {
    Err(Error::Malformed(m))
}

fn cases() -> Vec<Case> {
    let key_a = signer("rsa2048-a");
    let good = with_claims(&good_claims());
    let [gh, gp, gs]: [&str; 3] = good.split('.').collect::<Vec<_>>().try_into().expect("3");
    let big = Policy::new([ISS], [AUD])
        .expect("policy")
        .with_max_token_len(1 << 21);
    let zero = common::policy().with_leeway(Duration::ZERO);
    let contractors = common::policy().with_allowed_party_types([PartyType::Contractor]);
    // Valid claims but `exp`, a string, which comes last.
    let exp_soon = claims_with("exp", r#""soon""#);

    // Attack classes (alg none and its spellings, duplicate alg, mistyped exp, hostile
    // iss/aud, payload encoding, deep nesting, non-canonical base64url, a forged expired
    // token) are in tests/attacks.rs; together the two tables cover every refusal.
    let cases = vec![
        case("valid token", good.clone(), Ok(())),
        // size and shape
        case(
            "one byte over the cap",
            "a".repeat(8193),
            Err(Error::TooLarge {
                len: 8193,
                max: 8192,
            }),
        ),
        Case {
            policy: common::policy().with_max_token_len(100),
            ..case(
                "valid token over a configured cap",
                good.clone(),
                Err(Error::TooLarge {
                    len: good.len(),
                    max: 100,
                }),
            )
        },
        Case {
            policy: common::policy().with_max_token_len(good.len()),
            ..case("valid token of exactly the cap", good.clone(), Ok(()))
        },
        Case {
            policy: common::policy().with_max_token_len(good.len() - 1),
            ..case(
                "valid token one byte over the cap",
                good.clone(),
                Err(Error::TooLarge {
                    len: good.len(),
                    max: good.len() - 1,
                }),
            )
        },
        case("empty", String::new(), malformed(Malformed::SegmentCount)),
        case(
            "two segments",
            format!("{gh}.{gp}"),
            malformed(Malformed::SegmentCount),
        ),
        case(
            "four segments",
            format!("{good}.{gs}"),
            malformed(Malformed::SegmentCount),
        ),
        Case {
            policy: big.clone(),
            ..case(
                "100 000 dots",
                ".".repeat(100_000),
                malformed(Malformed::SegmentCount),
            )
        },
        // strict base64url
        case(
            "padded header",
            replace_segment(&good, 0, &format!("{gh}=")),
            malformed(Malformed::Base64(Segment::Header)),
        ),
        case(
            "space in header",
            replace_segment(&good, 0, &format!(" {gh}")),
            malformed(Malformed::Base64(Segment::Header)),
        ),
        case(
            "standard alphabet header",
            standard_alphabet_header(),
            malformed(Malformed::Base64(Segment::Header)),
        ),
        case(
            "standard alphabet signature",
            replace_segment(&good, 2, &gs.replace('_', "/").replace('-', "+")),
            malformed(Malformed::Base64(Segment::Signature)),
        ),
        case(
            "padded signature",
            format!("{good}=="),
            malformed(Malformed::Base64(Segment::Signature)),
        ),
        case(
            "newline in signature",
            format!("{gh}.{gp}.{}\n{}", &gs[..10], &gs[10..]),
            malformed(Malformed::Base64(Segment::Signature)),
        ),
        case(
            "signature length 1 mod 4",
            format!("{good}AAA"),
            malformed(Malformed::Base64(Segment::Signature)),
        ),
        // header rules
        case(
            "header not JSON",
            with_header("{alg:RS256}"),
            malformed(Malformed::Json(Segment::Header)),
        ),
        case(
            "header an array",
            with_header(r#"["RS256"]"#),
            malformed(Malformed::NotAnObject(Segment::Header)),
        ),
        case(
            "header a string",
            with_header(r#""RS256""#),
            malformed(Malformed::NotAnObject(Segment::Header)),
        ),
        case(
            "kid not a string",
            with_header(r#"{"alg":"RS256","kid":7}"#),
            malformed(Malformed::HeaderMember),
        ),
        case(
            "alg HS256",
            with_header(r#"{"alg":"HS256"}"#),
            Err(Error::UnsupportedAlgorithm),
        ),
        case(
            "alg RS512",
            with_header(r#"{"alg":"RS512"}"#),
            Err(Error::UnsupportedAlgorithm),
        ),
        case(
            "alg PS256",
            with_header(r#"{"alg":"PS256"}"#),
            Err(Error::UnsupportedAlgorithm),
        ),
        case(
            "alg rs256",
            with_header(r#"{"alg":"rs256"}"#),
            Err(Error::UnsupportedAlgorithm),
        ),
        case(
            "alg missing",
            with_header(r#"{"typ":"JWT"}"#),
            Err(Error::UnsupportedAlgorithm),
        ),
        case(
            "alg not a string",
            with_header(r#"{"alg":256}"#),
            Err(Error::UnsupportedAlgorithm),
        ),
        case(
            "crit",
            with_header(r#"{"alg":"RS256","crit":["exp"],"exp":1}"#),
            Err(Error::UnsupportedCritical),
        ),
        case(
            "crit empty",
            with_header(r#"{"alg":"RS256","crit":[]}"#),
            Err(Error::UnsupportedCritical),
        ),
        case(
            "typ at+jwt",
            with_header(r#"{"alg":"RS256","typ":"at+jwt"}"#),
            Err(Error::InvalidType),
        ),
        case(
            "typ lower case",
            with_header(r#"{"alg":"RS256","typ":"jwt"}"#),
            Err(Error::InvalidType),
        ),
        case(
            "typ null",
            with_header(r#"{"alg":"RS256","typ":null}"#),
            Err(Error::InvalidType),
        ),
        case("typ absent", with_header(r#"{"alg":"RS256"}"#), Ok(())),
        case(
            "cty JWT: a nested token",
            with_header(r#"{"alg":"RS256","typ":"JWT","cty":"JWT"}"#),
            Err(Error::InvalidType),
        ),
        case(
            "cty of another content type",
            with_header(r#"{"alg":"RS256","cty":"application/json"}"#),
            Err(Error::InvalidType),
        ),
        case(
            "b64 false (RFC 7797)",
            with_header(r#"{"alg":"RS256","b64":false}"#),
            Err(Error::UnsupportedCritical),
        ),
        case(
            "b64 true",
            with_header(r#"{"alg":"RS256","b64":true}"#),
            Err(Error::UnsupportedCritical),
        ),
        case(
            "x5t and x5t#S256 ignored",
            with_header(r#"{"alg":"RS256","x5t":"abc","x5t#S256":"def"}"#),
            Ok(()),
        ),
        case(
            "unknown kid is only a hint",
            with_header(r#"{"alg":"RS256","kid":"../../etc/passwd"}"#),
            Ok(()),
        ),
        // signature
        case(
            "signed by another key",
            sign(HEADER, &good_claims(), &signer("rsa2048-b")),
            Err(Error::InvalidSignature),
        ),
        case(
            "signature empty",
            format!("{gh}.{gp}."),
            Err(Error::InvalidSignature),
        ),
        case(
            "signature one byte short",
            format!("{gh}.{gp}.{}", b64([7u8; 255])),
            Err(Error::InvalidSignature),
        ),
        case(
            "signature one byte long",
            format!("{gh}.{gp}.{}", b64([7u8; 257])),
            Err(Error::InvalidSignature),
        ),
        case(
            "signature over 8192 bits",
            format!("{gh}.{gp}.{}", b64(vec![1u8; 1100])),
            Err(Error::InvalidSignature),
        ),
        case(
            "payload swapped",
            replace_segment(&good, 1, &b64(claims(NOW - 10, NOW + 3600, 3, Some(2)))),
            Err(Error::InvalidSignature),
        ),
        // payload structure (signed, so these are reached)
        case(
            "payload not base64url",
            sign_segments(gh, &format!("{gp}+"), &key_a),
            malformed(Malformed::Base64(Segment::Payload)),
        ),
        case(
            "payload not JSON",
            with_claims("{\"exp\":"),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "payload an array",
            with_claims("[1]"),
            malformed(Malformed::NotAnObject(Segment::Payload)),
        ),
        case(
            "duplicate exp",
            with_claims(&claims_plus(&format!("\"exp\":{}", NOW + 10))),
            malformed(Malformed::DuplicateMember(Segment::Payload)),
        ),
        case(
            "duplicate unknown claim",
            with_claims(&claims_plus(r#""x":1,"x":2"#)),
            malformed(Malformed::DuplicateMember(Segment::Payload)),
        ),
        case(
            "duplicate escaped name",
            with_claims(&claims_plus(r#""\u0065xp":1"#)),
            malformed(Malformed::DuplicateMember(Segment::Payload)),
        ),
        // Duplicates are refused at the top level of the header and of the claims, and, for
        // the subject ids, in `sub`; deeper objects are not checked.
        case(
            "duplicate member in a nested ignored object",
            with_claims(&claims_plus(r#""x":{"a":1,"a":2,"y":[{"b":1,"b":1}]}"#)),
            Ok(()),
        ),
        case(
            "duplicate member in a nested object in the header",
            with_header(r#"{"alg":"RS256","x":{"a":1,"a":2}}"#),
            Ok(()),
        ),
        case(
            "duplicate member in sub other than the ids",
            with_claims(&claims_with(
                "sub",
                r#"{"accountId":2,"name":"a","name":"b"}"#,
            )),
            Ok(()),
        ),
        case(
            "trailing garbage",
            with_claims(&format!("{} x", good_claims())),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        // exp and nbf types
        case(
            "exp missing",
            with_claims(&claims_with("exp", "")),
            Err(Error::MissingClaim(Claim::Exp)),
        ),
        case(
            "exp array",
            with_claims(&claims_with("exp", &format!("[{}]", NOW + 60))),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        case(
            "exp i64::MAX",
            with_claims(&claims_with("exp", "9223372036854775807")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        case(
            "nbf string",
            with_claims(&claims_with("nbf", "\"0\"")),
            Err(Error::InvalidClaim(Claim::Nbf)),
        ),
        case(
            "nbf absent is fine",
            with_claims(&claims_with("nbf", "")),
            Ok(()),
        ),
        // NumericDate range, enforced by the crate itself: years -9999 to 9999, whatever
        // `time` can represent in the user's build (time/large-dates lifts its own limit).
        case(
            "exp 9999-12-31T23:59:59Z, the latest",
            with_claims(&claims_with("exp", "253402300799")),
            Ok(()),
        ),
        case(
            "exp in year 10000",
            with_claims(&claims_with("exp", "253402300800")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        case(
            "exp in year 201970",
            with_claims(&claims_with("exp", "6311390400000")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        case(
            "nbf -9999-01-01T00:00:00Z, the earliest",
            with_claims(&claims_with("nbf", "-377705116800")),
            Ok(()),
        ),
        case(
            "nbf one second before year -9999",
            with_claims(&claims_with("nbf", "-377705116801")),
            Err(Error::InvalidClaim(Claim::Nbf)),
        ),
        case(
            "nbf in year 10000",
            with_claims(&claims_with("nbf", "253402300800")),
            Err(Error::InvalidClaim(Claim::Nbf)),
        ),
        // Numbers: one reading whatever serde_json's features (arbitrary_precision hands big
        // numbers over differently, float_roundtrip rounds differently). A number whose
        // magnitude is 10^308 or more cannot be read anywhere, decided from its text.
        case(
            "exp 1e400",
            with_claims(&claims_with("exp", "1e400")),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim 1e400",
            with_claims(&claims_plus(r#""x":1e400"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim of 400 digits",
            with_claims(&claims_plus(&format!(r#""x":{}"#, "9".repeat(400)))),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim -1e400",
            with_claims(&claims_plus(r#""x":[-1e400]"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored big numbers below 10^308",
            with_claims(&claims_plus(
                r#""x":[18446744073709551616,-9223372036854775809,9.999e307,-0,0.5,1e-400]"#,
            )),
            Ok(()),
        ),
        case(
            "ignored claim 1e308",
            with_claims(&claims_plus(r#""x":1e308"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim -1e308",
            with_claims(&claims_plus(r#""x":-1e308"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim 1.7976931348623158e308, within a rounding step of f64::MAX",
            with_claims(&claims_plus(r#""x":1.7976931348623158e308"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim -1.7976931348623158e308",
            with_claims(&claims_plus(r#""x":[-1.7976931348623158e308]"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim 1797693134862315800e290",
            with_claims(&claims_plus(r#""x":1797693134862315800e290"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim of 309 digits just below 2^1024 - 2^970",
            with_claims(&claims_plus(&format!(
                r#""x":{BELOW_F64_ROUNDING_MIDPOINT}"#
            ))),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim 9.99999999999999999e307, below 10^308",
            with_claims(&claims_plus(r#""x":9.99999999999999999e307"#)),
            Ok(()),
        ),
        case(
            "ignored claim -9.99999999999999999e307",
            with_claims(&claims_plus(r#""x":-9.99999999999999999e307"#)),
            Ok(()),
        ),
        case(
            "ignored claim of 308 digits, below 10^308",
            with_claims(&claims_plus(&format!(r#""x":{}"#, "9".repeat(308)))),
            Ok(()),
        ),
        case(
            "ignored claim of 309 digits, 10^308",
            with_claims(&claims_plus(&format!(r#""x":1{}"#, "0".repeat(308)))),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim 0.001e310 = 1e307",
            with_claims(&claims_plus(r#""x":0.001e310"#)),
            Ok(()),
        ),
        case(
            "ignored claim 0.01e310 = 1e308",
            with_claims(&claims_plus(r#""x":0.01e310"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim 0.0000999e312 = 9.99e307",
            with_claims(&claims_plus(r#""x":0.0000999e312"#)),
            Ok(()),
        ),
        case(
            "ignored claim 10.0E+307 = 1e308",
            with_claims(&claims_plus(r#""x":10.0E+307"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "ignored claim 1000e-0305 = 1e-302",
            with_claims(&claims_plus(r#""x":1000e-0305"#)),
            Ok(()),
        ),
        case(
            "ignored claim -0",
            with_claims(&claims_plus(r#""x":-0"#)),
            Ok(()),
        ),
        case(
            "ignored claim zero with a huge exponent",
            with_claims(&claims_plus(
                r#""x":[0e999999999999999999999,-0.000E+99999]"#,
            )),
            Ok(()),
        ),
        case(
            "ignored claim with a hugely negative exponent",
            with_claims(&claims_plus(r#""x":1e-99999999999999999999"#)),
            Ok(()),
        ),
        case(
            "ignored claim with a huge exponent",
            with_claims(&claims_plus(r#""x":1e99999999999999999999"#)),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "number-like text in a string is no number",
            with_claims(&claims_plus(r#""x":"1e400","y\"1e400":"\\","z":1"#)),
            Ok(()),
        ),
        case(
            "1.7976931348623158e308 before an invalid claim",
            with_claims(&format!(
                r#"{{"x":1.7976931348623158e308,{}"#,
                &exp_soon[1..]
            )),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "1.7976931348623158e308 after an invalid claim",
            with_claims(&format!(
                r#"{},"x":1.7976931348623158e308}}"#,
                exp_soon.strip_suffix('}').expect("an object")
            )),
            malformed(Malformed::Json(Segment::Payload)),
        ),
        case(
            "1e308 in the header",
            with_header(r#"{"alg":"RS256","x":1e308}"#),
            malformed(Malformed::Json(Segment::Header)),
        ),
        case(
            "1.7976931348623158e308 in the header after an unsupported alg",
            with_header(r#"{"alg":"none","x":1.7976931348623158e308}"#),
            malformed(Malformed::Json(Segment::Header)),
        ),
        case(
            "exp 2^70",
            with_claims(&claims_with("exp", "1180591620717411303424")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        case(
            "exp -0",
            with_claims(&claims_with("exp", "-0")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        // serde_json (arbitrary_precision) hands big numbers over as a one-member map named
        // `$serde_json::private::Number`; an object of that shape in the input is no number but
        // an ordinary object, in every build: read as an object, counted as a nesting level.
        case(
            "an object that looks like serde_json's private number",
            with_claims(&claims_plus(r#""x":{"$serde_json::private::Number":"1"}"#)),
            Ok(()),
        ),
        case(
            "that object holding 1e400 as a string",
            with_claims(&claims_plus(
                r#""x":{"$serde_json::private::Number":"1e400"}"#,
            )),
            Ok(()),
        ),
        case(
            "that object holding -1e400 as a string, in an array",
            with_claims(&claims_plus(
                r#""x":[{"$serde_json::private::Number":"-1e400"}]"#,
            )),
            Ok(()),
        ),
        case(
            "that object holding inf",
            with_claims(&claims_plus(
                r#""x":{"$serde_json::private::Number":"inf"}"#,
            )),
            Ok(()),
        ),
        case(
            "that object holding nothing",
            with_claims(&claims_plus(r#""x":{"$serde_json::private::Number":""}"#)),
            Ok(()),
        ),
        case(
            "that object with a second member",
            with_claims(&claims_plus(
                r#""x":{"$serde_json::private::Number":"1e400","y":1}"#,
            )),
            Ok(()),
        ),
        case(
            "that object with its name escaped",
            with_claims(&claims_plus(
                r#""x":{"$serde_json::private::Numbe\u0072":"1"}"#,
            )),
            Ok(()),
        ),
        case(
            "exp as that object",
            with_claims(&claims_with(
                "exp",
                &format!(r#"{{"$serde_json::private::Number":"{}"}}"#, NOW + 60),
            )),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        case(
            "that object at level 32",
            with_claims(&claims_plus(&format!(
                r#""x":{}{{"$serde_json::private::Number":"1"}}{}"#,
                "[".repeat(30),
                "]".repeat(30)
            ))),
            Ok(()),
        ),
        case(
            "that object at level 33",
            with_claims(&claims_plus(&format!(
                r#""x":{}{{"$serde_json::private::Number":"1"}}{}"#,
                "[".repeat(31),
                "]".repeat(31)
            ))),
            malformed(Malformed::TooDeep(Segment::Payload)),
        ),
        case(
            "that object at level 33, its name escaped",
            with_claims(&claims_plus(&format!(
                r#""x":{}{{"$serde_json::private::Numbe\u0072":"1"}}{}"#,
                "[".repeat(31),
                "]".repeat(31)
            ))),
            malformed(Malformed::TooDeep(Segment::Payload)),
        ),
        case(
            "that object at level 32 in the header",
            with_header(&format!(
                r#"{{"alg":"RS256","x":{}{{"$serde_json::private::Number":"1"}}{}}}"#,
                "[".repeat(30),
                "]".repeat(30)
            )),
            Ok(()),
        ),
        case(
            "that object at level 33 in the header",
            with_header(&format!(
                r#"{{"alg":"RS256","x":{}{{"$serde_json::private::Number":"1"}}{}}}"#,
                "[".repeat(31),
                "]".repeat(31)
            )),
            malformed(Malformed::TooDeep(Segment::Header)),
        ),
        case(
            "floats and big integers inside 32 levels (arbitrary_precision's maps)",
            with_claims(&claims_plus(&format!(
                r#""x":{}1.5,18446744073709551616,-1e-400{}"#,
                "[".repeat(31),
                "]".repeat(31)
            ))),
            Ok(()),
        ),
        case(
            "floats and big integers inside 32 levels in the header",
            with_header(&format!(
                r#"{{"alg":"RS256","x":{}1.5,18446744073709551616,9.99e307{}}}"#,
                "[".repeat(31),
                "]".repeat(31)
            )),
            Ok(()),
        ),
        // Nesting: the header or claims object is level 1; at most 32 levels.
        case(
            "claims nested 32 levels",
            with_claims(&claims_plus(&format!(
                r#""x":{}{}"#,
                "[".repeat(31),
                "]".repeat(31)
            ))),
            Ok(()),
        ),
        case(
            "claims nested 33 levels",
            with_claims(&claims_plus(&format!(
                r#""x":{}{}"#,
                "[".repeat(32),
                "]".repeat(32)
            ))),
            malformed(Malformed::TooDeep(Segment::Payload)),
        ),
        case(
            "sub nested 33 levels",
            with_claims(&claims_with(
                "sub",
                &format!(
                    r#"{{"accountId":2,"x":{}{}}}"#,
                    "{\"a\":".repeat(31),
                    "}".repeat(31)
                ),
            )),
            malformed(Malformed::TooDeep(Segment::Payload)),
        ),
        case(
            "header nested 32 levels",
            with_header(&format!(
                r#"{{"alg":"RS256","x":{}{}}}"#,
                "[".repeat(31),
                "]".repeat(31)
            )),
            Ok(()),
        ),
        case(
            "header nested 33 levels",
            with_header(&format!(
                r#"{{"alg":"RS256","x":{}{}}}"#,
                "[".repeat(32),
                "]".repeat(32)
            )),
            malformed(Malformed::TooDeep(Segment::Header)),
        ),
        // Members: the header and the claims object hold at most 64 each.
        case(
            "claims with 64 members",
            with_claims(&claims_plus(&members(59))),
            Ok(()),
        ),
        case(
            "claims with 65 members",
            with_claims(&claims_plus(&members(60))),
            malformed(Malformed::TooManyMembers(Segment::Payload)),
        ),
        case(
            "header with 64 members",
            with_header(&format!(r#"{{"alg":"RS256",{}}}"#, members(63))),
            Ok(()),
        ),
        case(
            "header with 65 members",
            with_header(&format!(r#"{{"alg":"RS256",{}}}"#, members(64))),
            malformed(Malformed::TooManyMembers(Segment::Header)),
        ),
        case(
            "nested objects are not member-limited",
            with_claims(&claims_plus(&format!(r#""x":{{{}}}"#, members(200)))),
            Ok(()),
        ),
        // time window, leeway L = 60: valid iff nbf - L <= now < exp + L
        case(
            "exp = now - L: expired",
            with_claims(&claims(NOW - 100, NOW - L, 2, None)),
            Err(Error::Expired {
                exp: at(NOW - L),
                now: at(NOW),
            }),
        ),
        case(
            "exp = now - L + 1: valid",
            with_claims(&claims(NOW - 100, NOW - L + 1, 2, None)),
            Ok(()),
        ),
        case(
            "exp = now + L: valid",
            with_claims(&claims(NOW - 100, NOW + L, 2, None)),
            Ok(()),
        ),
        case(
            "nbf = now + L: valid",
            with_claims(&claims(NOW + L, NOW + 3600, 2, None)),
            Ok(()),
        ),
        case(
            "nbf = now + L + 1: not yet valid",
            with_claims(&claims(NOW + L + 1, NOW + 3600, 2, None)),
            Err(Error::NotYetValid {
                nbf: at(NOW + L + 1),
                now: at(NOW),
            }),
        ),
        Case {
            policy: zero.clone(),
            ..case(
                "L = 0, exp = now: expired",
                with_claims(&claims(NOW - 100, NOW, 2, None)),
                Err(Error::Expired {
                    exp: at(NOW),
                    now: at(NOW),
                }),
            )
        },
        Case {
            policy: zero.clone(),
            ..case(
                "L = 0, exp = now + 1: valid",
                with_claims(&claims(NOW - 100, NOW + 1, 2, None)),
                Ok(()),
            )
        },
        Case {
            policy: zero.clone(),
            ..case(
                "L = 0, nbf = now: valid",
                with_claims(&claims(NOW, NOW + 100, 2, None)),
                Ok(()),
            )
        },
        Case {
            policy: zero.clone(),
            ..case(
                "L = 0, nbf = now + 1: not yet valid",
                with_claims(&claims(NOW + 1, NOW + 100, 2, None)),
                Err(Error::NotYetValid {
                    nbf: at(NOW + 1),
                    now: at(NOW),
                }),
            )
        },
        // iss
        case(
            "iss missing",
            with_claims(&claims_with("iss", "")),
            Err(Error::MissingClaim(Claim::Iss)),
        ),
        case(
            "iss other",
            with_claims(&claims_with("iss", "\"https://evil.test\"")),
            Err(Error::InvalidIssuer),
        ),
        case(
            "iss escaped but equal",
            with_claims(&claims_with("iss", r#""https:\/\/issuer\u002etest""#)),
            Ok(()),
        ),
        case(
            "iss number",
            with_claims(&claims_with("iss", "1")),
            Err(Error::InvalidClaim(Claim::Iss)),
        ),
        case(
            "iss array",
            with_claims(&claims_with("iss", &format!("[\"{ISS}\"]"))),
            Err(Error::InvalidClaim(Claim::Iss)),
        ),
        // aud
        case(
            "aud missing",
            with_claims(&claims_with("aud", "")),
            Err(Error::MissingClaim(Claim::Aud)),
        ),
        case(
            "aud other",
            with_claims(&claims_with("aud", "\"other\"")),
            Err(Error::InvalidAudience),
        ),
        case(
            "aud array without ours",
            with_claims(&claims_with("aud", "[\"a\",\"b\"]")),
            Err(Error::InvalidAudience),
        ),
        case(
            "aud array with ours",
            with_claims(&claims_with("aud", &format!("[\"a\",\"{AUD}\"]"))),
            Ok(()),
        ),
        case(
            "aud [1, ours]",
            with_claims(&claims_with("aud", &format!("[1,\"{AUD}\"]"))),
            Err(Error::InvalidClaim(Claim::Aud)),
        ),
        case(
            "aud [ours, null]",
            with_claims(&claims_with("aud", &format!("[\"{AUD}\",null]"))),
            Err(Error::InvalidClaim(Claim::Aud)),
        ),
        case(
            "aud object",
            with_claims(&claims_with("aud", &format!("{{\"{AUD}\":1}}"))),
            Err(Error::InvalidClaim(Claim::Aud)),
        ),
        // sub
        case(
            "sub missing",
            with_claims(&claims_with("sub", "")),
            Err(Error::MissingClaim(Claim::Sub)),
        ),
        case(
            "sub a string",
            with_claims(&claims_with("sub", "\"2\"")),
            Err(Error::InvalidClaim(Claim::Sub)),
        ),
        case(
            "sub without accountId",
            with_claims(&claims_with("sub", r#"{"companyId":2}"#)),
            Err(Error::InvalidClaim(Claim::Sub)),
        ),
        case(
            "accountId negative",
            with_claims(&claims_with("sub", r#"{"accountId":-2}"#)),
            Err(Error::InvalidClaim(Claim::Sub)),
        ),
        case(
            "accountId a string",
            with_claims(&claims_with("sub", r#"{"accountId":"2"}"#)),
            Err(Error::InvalidClaim(Claim::Sub)),
        ),
        case(
            "accountId over u64",
            with_claims(&claims_with("sub", r#"{"accountId":18446744073709551616}"#)),
            Err(Error::InvalidClaim(Claim::Sub)),
        ),
        case(
            "accountId twice",
            with_claims(&claims_with("sub", r#"{"accountId":2,"accountId":3}"#)),
            Err(Error::InvalidClaim(Claim::Sub)),
        ),
        case(
            "companyId twice",
            with_claims(&claims_with(
                "sub",
                r#"{"accountId":2,"companyId":2,"companyId":2}"#,
            )),
            Err(Error::InvalidClaim(Claim::Sub)),
        ),
        case(
            "companyId twice, null then a number",
            with_claims(&claims_with(
                "sub",
                r#"{"accountId":2,"companyId":null,"companyId":2}"#,
            )),
            Err(Error::InvalidClaim(Claim::Sub)),
        ),
        case(
            "companyId a string",
            with_claims(&claims_with("sub", r#"{"accountId":2,"companyId":"2"}"#)),
            Err(Error::InvalidClaim(Claim::Sub)),
        ),
        case(
            "companyId null is absent",
            with_claims(&claims_with("sub", r#"{"accountId":2,"companyId":null}"#)),
            Ok(()),
        ),
        case(
            "other sub members ignored",
            with_claims(&claims_with("sub", r#"{"accountId":2,"name":{"x":[1]}}"#)),
            Ok(()),
        ),
        // party type: its claim name is a guess, so unless the policy requires a party type,
        // nothing about the claim refuses a token (absent, null and unreadable all read None).
        case(
            "party type unknown name, not required",
            with_claims(&claims_plus(r#""partyType":"Landlord""#)),
            Ok(()),
        ),
        case(
            "party type negative, not required",
            with_claims(&claims_plus(r#""partyType":-5"#)),
            Ok(()),
        ),
        case(
            "party type bool, not required",
            with_claims(&claims_plus(r#""partyType":true"#)),
            Ok(()),
        ),
        case(
            "party type null, not required",
            with_claims(&claims_plus(r#""partyType":null"#)),
            Ok(()),
        ),
        case(
            "party type an object, not required",
            with_claims(&claims_plus(r#""partyType":{"id":5}"#)),
            Ok(()),
        ),
        case(
            "party type \"5\", not required",
            with_claims(&claims_plus(r#""partyType":"5""#)),
            Ok(()),
        ),
        case(
            "party type over u32, not required",
            with_claims(&claims_plus(r#""partyType":4294967296"#)),
            Ok(()),
        ),
        case(
            "party type unknown id kept",
            with_claims(&claims_plus(r#""partyType":99"#)),
            Ok(()),
        ),
        Case {
            policy: contractors.clone(),
            ..case(
                "party type unknown name, required",
                with_claims(&claims_plus(r#""partyType":"Landlord""#)),
                Err(Error::InvalidClaim(Claim::PartyType)),
            )
        },
        Case {
            policy: contractors.clone(),
            ..case(
                "party type negative, required",
                with_claims(&claims_plus(r#""partyType":-5"#)),
                Err(Error::InvalidClaim(Claim::PartyType)),
            )
        },
        Case {
            policy: contractors.clone(),
            ..case(
                "party type an object, required",
                with_claims(&claims_plus(r#""partyType":{"id":5}"#)),
                Err(Error::InvalidClaim(Claim::PartyType)),
            )
        },
        Case {
            policy: contractors.clone(),
            ..case(
                "party type \"5\", required",
                with_claims(&claims_plus(r#""partyType":"5""#)),
                Err(Error::InvalidClaim(Claim::PartyType)),
            )
        },
        Case {
            policy: contractors.clone(),
            ..case(
                "party type null, required",
                with_claims(&claims_plus(r#""partyType":null"#)),
                Err(Error::PartyTypeNotAllowed(None)),
            )
        },
        Case {
            policy: contractors.clone(),
            ..case(
                "party type unknown id, required",
                with_claims(&claims_plus(r#""partyType":99"#)),
                Err(Error::PartyTypeNotAllowed(Some(PartyType::Unknown(99)))),
            )
        },
        Case {
            policy: contractors.clone(),
            ..case(
                "party type not allowed",
                with_claims(&claims_plus(r#""partyType":2"#)),
                Err(Error::PartyTypeNotAllowed(Some(
                    PartyType::PropertyManagementCompany,
                ))),
            )
        },
        Case {
            policy: contractors.clone(),
            ..case(
                "party type required but absent",
                with_claims(&good_claims()),
                Err(Error::PartyTypeNotAllowed(None)),
            )
        },
        Case {
            policy: contractors.clone(),
            ..case(
                "party type allowed by name",
                with_claims(&claims_plus(r#""partyType":"Contractor""#)),
                Ok(()),
            )
        },
        Case {
            policy: contractors
                .clone()
                .with_party_type_claim("pt")
                .expect("a claim"),
            ..case(
                "party type under a configured name",
                with_claims(&claims_plus(r#""pt":5"#)),
                Ok(()),
            )
        },
    ];

    cases
}

#[test]
fn every_refusal_is_exact() {
    let keys = common::keys(&["rsa2048-a"]);
    let mut failures = Vec::new();
    for c in cases() {
        let verifier = Verifier::new(keys.clone(), c.policy);
        let got = verifier.verify(&c.token, at(c.now)).map(|_| ());
        if got != c.want {
            failures.push(format!("{}: want {:?}, got {:?}", c.name, c.want, got));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The table as the Python package's tests read it (`python/tests/data/negative-table.json`):
/// every case's token, time, policy and expected code and message, and the key. The Python
/// package must give the same verdict, code and message on each; this test keeps the copy
/// equal to the table (`FACILIOO_JWT_BLESS=1 cargo test --test negative` rewrites it).
#[test]
fn the_python_copy_of_the_table_is_current() {
    use serde_json::{Value, json};
    let cases: Vec<Value> = cases()
        .into_iter()
        .map(|c| {
            let p = &c.policy;
            json!({
                "name": c.name,
                "token": c.token,
                "now": c.now,
                "policy": {
                    "issuers": p.issuers().collect::<Vec<_>>(),
                    "audiences": p.audiences().collect::<Vec<_>>(),
                    "leeway": p.leeway().as_secs(),
                    "max_token_len": p.max_token_len(),
                    "party_types": p.allowed_party_types()
                        .map(|t| t.iter().map(PartyType::id).collect::<Vec<_>>()),
                    "party_type_claim": p.party_type_claim(),
                },
                "want": c.want.err().map(|e| json!({"code": e.code(), "message": e.to_string()})),
            })
        })
        .collect();
    let table = json!({
        "about": "tests/negative.rs's table, written by its test the_python_copy_of_the_table_is_current",
        "keys_pem": common::data_str("keys/rsa2048-a.pkcs1.pem"),
        "cases": cases,
    });
    // tests/data/../../python: the repository's python/, from this crate or the
    // feature-unification one.
    let path = common::data_dir().join("../../python/tests/data/negative-table.json");
    if std::env::var_os("FACILIOO_JWT_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&table).expect("JSON") + "\n";
        std::fs::write(&path, text).expect("write the Python copy");
    }
    // Compared as JSON values, not text: the member order of `json!` follows the build's
    // serde_json features.
    let committed: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    assert!(
        committed == table,
        "{} differs from the table: FACILIOO_JWT_BLESS=1 cargo test --test negative rewrites it",
        path.display()
    );
}

#[test]
fn every_error_code_is_covered() {
    let mut codes: Vec<&str> = cases()
        .iter()
        .filter_map(|c| c.want.err().map(|e| e.code()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "expired",
            "invalid_audience",
            "invalid_claim",
            "invalid_issuer",
            "invalid_signature",
            "invalid_type",
            "malformed",
            "missing_claim",
            "not_yet_valid",
            "party_type_not_allowed",
            "too_large",
            "unsupported_algorithm",
            "unsupported_critical",
        ]
    );
}

#[test]
fn messages_never_echo_the_token() {
    let secret = "SECRET-MARKER";
    for token in [
        with_header(&format!(r#"{{"alg":"{secret}"}}"#)),
        with_claims(&claims_with("iss", &format!("\"{secret}\""))),
        with_claims(&claims_with("aud", &format!("\"{secret}\""))),
        format!("{secret}.{secret}.{secret}"),
    ] {
        let err = common::verifier(&["rsa2048-a"])
            .verify(&token, at(NOW))
            .expect_err("refused");
        assert!(!err.to_string().contains(secret), "{err}");
        assert!(!format!("{err:?}").contains(secret), "{err:?}");
    }
}

#[test]
fn http_status_and_expired_flag() {
    assert_eq!(Error::InvalidSignature.http_status(), 401);
    assert_eq!(Error::PartyTypeNotAllowed(None).http_status(), 403);
    let expired = Error::Expired {
        exp: at(0),
        now: at(1),
    };
    assert!(expired.is_expired());
    assert!(!Error::InvalidSignature.is_expired());
    assert_eq!(
        expired.to_string(),
        "token expired at 1970-01-01T00:00:00Z (checked at 1970-01-01T00:00:01Z)"
    );
}

/// `KeySet::verify_jws` keeps its own contract: three strict base64url segments, the payload
/// included, even when the signature over the segment as it stands is valid.
#[test]
fn verify_jws_checks_the_payload_segment() {
    let keys = common::keys(&["rsa2048-a"]);
    let key_a = signer("rsa2048-a");
    let good = with_claims(&good_claims());
    let [gh, gp, _]: [&str; 3] = good.split('.').collect::<Vec<_>>().try_into().expect("3");
    let bent = common::non_canonical(&b64("{}")).expect("a 3-character segment");
    for (name, payload) in [
        ("padded", format!("{gp}==")),
        ("standard alphabet", format!("{gp}+/")),
        ("trailing space", format!("{gp} ")),
        ("non-ASCII", format!("{gp}é")),
        (
            "length 1 mod 4",
            format!("{}A", &gp[..gp.len() - gp.len() % 4]),
        ),
        ("non-zero trailing bits", bent),
    ] {
        let token = sign_segments(gh, &payload, &key_a);
        assert_eq!(
            keys.verify_jws(&token, 1 << 16).map(|_| ()),
            malformed(Malformed::Base64(Segment::Payload)),
            "{name}"
        );
        // And the same through the verifier.
        assert_eq!(
            Verifier::new(keys.clone(), common::policy())
                .verify(&token, at(NOW))
                .map(|_| ()),
            malformed(Malformed::Base64(Segment::Payload)),
            "{name}"
        );
    }
}

/// A segment outside the base64url alphabet, or padded, is `malformed` whatever its length;
/// a well-formed signature of the wrong length for every key is `invalid_signature`.
#[test]
fn signature_characters_are_checked_before_its_length() {
    let keys = common::keys(&["rsa2048-a"]);
    let good = with_claims(&good_claims());
    let [gh, gp, _]: [&str; 3] = good.split('.').collect::<Vec<_>>().try_into().expect("3");
    for (name, sig, want) in [
        (
            "1368 '+'",
            "+".repeat(1368),
            malformed(Malformed::Base64(Segment::Signature)),
        ),
        (
            "1364 'A' and '=='",
            format!("{}==", "A".repeat(1364)),
            malformed(Malformed::Base64(Segment::Signature)),
        ),
        (
            "1366 'A' (1024 bytes: no key that long)",
            "A".repeat(1366),
            Err(Error::InvalidSignature),
        ),
        (
            "1368 'A' (1026 bytes, over 8192 bits)",
            "A".repeat(1368),
            Err(Error::InvalidSignature),
        ),
    ] {
        let token = format!("{gh}.{gp}.{sig}");
        assert_eq!(keys.verify_jws(&token, 1 << 16).map(|_| ()), want, "{name}");
    }
}

/// The largest keys accepted work end to end: an 8192-bit key's 1024-byte signature is the
/// longest the JWS layer lets through to RSA.
#[test]
fn an_8192_bit_key_verifies_and_one_byte_more_is_no_signature() {
    let verifier = common::verifier(&["rsa2048-a", "rsa8192"]);
    // Signed by tests/data/keys/generate.sh (ring signs with at most 4096 bits), with the
    // test clock's valid claims.
    let token = common::data_str("keys/rsa8192.token").trim().to_owned();
    assert_eq!(
        token.split('.').nth(1),
        Some(b64(good_claims()).as_str()),
        "the fixture carries good_claims()"
    );
    let verified = verifier.verify(&token, at(NOW)).expect("8192-bit token");
    assert_eq!(verified.key_index(), 1);
    let (input, sig) = token.rsplit_once('.').expect("3");
    assert_eq!(sig.len(), 1366, "1024 bytes");
    // 1025 bytes of well-formed base64url: no key is that long.
    let longer = format!("{input}.{}", b64([1u8; 1025]));
    assert_eq!(
        verifier.verify(&longer, at(NOW)).map(|_| ()),
        Err(Error::InvalidSignature)
    );
}

/// Every message says what failed and where, and nothing of the token.
#[test]
fn every_message_exactly() {
    use facilioo_jwt::policy::PolicyError;
    let t = |unix| at(unix);
    for (error, message) in [
        (
            Error::Malformed(Malformed::SegmentCount),
            "malformed token: expected exactly three dot-separated segments",
        ),
        (
            Error::Malformed(Malformed::Base64(Segment::Signature)),
            "malformed token: signature is not strict unpadded base64url",
        ),
        (
            Error::Malformed(Malformed::Json(Segment::Header)),
            "malformed token: header is not valid JSON",
        ),
        (
            Error::Malformed(Malformed::TooDeep(Segment::Payload)),
            "malformed token: payload nests too deep",
        ),
        (
            Error::Malformed(Malformed::NotAnObject(Segment::Payload)),
            "malformed token: payload is not a JSON object",
        ),
        (
            Error::Malformed(Malformed::DuplicateMember(Segment::Header)),
            "malformed token: header has a duplicate member name",
        ),
        (
            Error::Malformed(Malformed::TooManyMembers(Segment::Payload)),
            "malformed token: payload has too many members",
        ),
        (
            Error::Malformed(Malformed::HeaderMember),
            "malformed token: header member kid is not a string",
        ),
        (
            Error::TooLarge {
                len: 9000,
                max: 8192,
            },
            "token is 9000 bytes, more than the limit of 8192",
        ),
        (
            Error::UnsupportedAlgorithm,
            "unsupported algorithm: only RS256 is accepted",
        ),
        (
            Error::UnsupportedCritical,
            "the header uses an extension (crit or b64), none are supported",
        ),
        (
            Error::InvalidType,
            "header typ is not JWT, or the header has a cty",
        ),
        (
            Error::InvalidSignature,
            "signature not verified by any trusted key",
        ),
        (
            Error::Expired {
                exp: t(0),
                now: t(1),
            },
            "token expired at 1970-01-01T00:00:00Z (checked at 1970-01-01T00:00:01Z)",
        ),
        (
            Error::NotYetValid {
                nbf: t(1_767_225_600),
                now: t(0),
            },
            "token not valid before 2026-01-01T00:00:00Z (checked at 1970-01-01T00:00:00Z)",
        ),
        (Error::InvalidIssuer, "issuer (iss) is not trusted"),
        (
            Error::InvalidAudience,
            "audience (aud) names none of the accepted audiences",
        ),
        (
            Error::MissingClaim(Claim::Exp),
            "required claim exp is missing",
        ),
        (
            Error::InvalidClaim(Claim::Nbf),
            "claim nbf has an invalid type or value",
        ),
        (
            Error::InvalidClaim(Claim::PartyType),
            "claim partyType has an invalid type or value",
        ),
        (
            Error::PartyTypeNotAllowed(Some(PartyType::Unknown(99))),
            "party type Unknown(99) is not allowed",
        ),
        (
            Error::PartyTypeNotAllowed(None),
            "token carries no party type and the policy requires one",
        ),
    ] {
        assert_eq!(error.to_string(), message, "{error:?}");
    }
    for (claim, name) in [
        (Claim::Exp, "exp"),
        (Claim::Nbf, "nbf"),
        (Claim::Iss, "iss"),
        (Claim::Aud, "aud"),
        (Claim::Sub, "sub"),
        (Claim::PartyType, "partyType"),
    ] {
        assert_eq!(claim.name(), name);
    }
    assert_eq!(
        PolicyError::NoIssuer.to_string(),
        "a policy needs at least one non-empty issuer"
    );
    assert_eq!(
        PolicyError::NoAudience.to_string(),
        "a policy needs at least one non-empty audience"
    );
}

#[test]
fn a_policy_reports_what_it_was_built_with() {
    let policy = Policy::new(["i1", "i2"], ["a1"])
        .expect("policy")
        .with_leeway(Duration::from_millis(30_999))
        .with_max_token_len(1234)
        .with_party_type_claim("pt")
        .expect("a claim")
        .with_allowed_party_types([PartyType::Guest]);
    assert_eq!(policy.issuers().collect::<Vec<_>>(), ["i1", "i2"]);
    assert_eq!(policy.audiences().collect::<Vec<_>>(), ["a1"]);
    assert_eq!(policy.leeway(), Duration::from_secs(30));
    assert_eq!(policy.max_token_len(), 1234);
    assert_eq!(policy.party_type_claim(), "pt");
    assert_eq!(policy.allowed_party_types(), Some(&[PartyType::Guest][..]));
    assert_eq!(
        Policy::new(Vec::<String>::new(), ["a"]),
        Err(facilioo_jwt::policy::PolicyError::NoIssuer)
    );
    assert_eq!(
        Policy::new(["i"], Vec::<String>::new()),
        Err(facilioo_jwt::policy::PolicyError::NoAudience)
    );
    // Party type ids, known and not.
    for (p, id) in [
        (PartyType::PropertyManagementCompany, 2),
        (PartyType::Insurer, 14),
        (PartyType::Unknown(0), 0),
        (PartyType::Unknown(99), 99),
    ] {
        assert_eq!(p.id(), id);
    }
}

/// Signatures of every key size class the JWS layer decodes into: 2048 and 4096 bits (and
/// 8192 above).
#[test]
fn a_4096_bit_key_verifies() {
    let verifier = common::verifier(&["rsa2048-a", "rsa4096"]);
    let token = sign(HEADER, &good_claims(), &signer("rsa4096"));
    assert_eq!(token.rsplit_once('.').map(|(_, s)| s.len()), Some(683));
    assert_eq!(
        verifier.verify(&token, at(NOW)).map(|v| v.key_index()),
        Ok(1)
    );
}

/// Headers and payloads of every size around the decoder's stack buffers (256 and 2048
/// bytes) verify: the buffers hold the bytes and the slack their fast loop writes.
#[test]
fn segments_at_every_buffer_size() {
    let verifier = Verifier::new(
        common::keys(&["rsa2048-a"]),
        common::policy().with_max_token_len(1 << 16),
    );
    let key = signer("rsa2048-a");
    for size in [254, 255, 256, 257, 2046, 2047, 2048, 2049, 3000] {
        // A payload of exactly `size` bytes: valid claims padded by an ignored member.
        let base = claims_plus(r#""pad":"""#);
        let payload = claims_plus(&format!(r#""pad":"{}""#, "x".repeat(size - base.len())));
        assert_eq!(payload.len(), size);
        let token = sign(HEADER, &payload, &key);
        assert!(
            verifier.verify(&token, at(NOW)).is_ok(),
            "payload of {size} bytes"
        );
        // A header of exactly `size` bytes.
        let base = r#"{"alg":"RS256","pad":""}"#.len();
        let header = format!(r#"{{"alg":"RS256","pad":"{}"}}"#, "y".repeat(size - base));
        assert_eq!(header.len(), size);
        let token = sign(&header, &good_claims(), &key);
        assert!(
            verifier.verify(&token, at(NOW)).is_ok(),
            "header of {size} bytes"
        );
    }
}
