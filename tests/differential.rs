//! Differential tests: the same random tokens through this crate and through an independent
//! verifier, with every disagreement either a bug or one of the intended, documented
//! differences below.
//!
//! The first choice was jsonwebtoken (dev-dependency only), but it cannot read a facilioo token
//! at all: its `sub` check parses `sub` as a string, and when that fails on an object it
//! swallows the error mid-value and the whole payload fails to parse
//! (`jsonwebtoken_cannot_read_an_object_sub` pins this). So the random comparison runs against
//! `reference`, a minimal verifier written in this file straight from RFC 7515 §5.2 and RFC 7519
//! §7.2 with ring's own key parsing, base64 with the RFC's (lenient) reading, and
//! `serde_json::Value`. jsonwebtoken still checks the one behaviour both can see: the exp
//! boundary, where the two differ on purpose.

mod common;

use common::{AUD, ISS, NOW, b64, sign, sign_segments, signer};
use facilioo_jwt::Verifier;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use proptest::prelude::*;
use proptest::sample::select;
use serde::Deserialize;
use std::sync::LazyLock;
use time::OffsetDateTime;

static OURS: LazyLock<Verifier> = LazyLock::new(|| common::verifier(&["rsa2048-a"]));
static SIGNER: LazyLock<ring::signature::RsaKeyPair> = LazyLock::new(|| signer("rsa2048-a"));

fn ours(token: &str, now: i64) -> Result<(u64, Option<u64>), facilioo_jwt::Error> {
    let v = OURS.verify(token, common::at(now))?;
    Ok((
        v.subject().account_id().0,
        v.subject().company_id().map(|c| c.0),
    ))
}

/// A minimal JWT verifier written from the RFCs, for comparison only: RFC 7515 §5.2 (JWS
/// validation) and RFC 7519 §7.2 (JWT validation), RS256 only, plus the facilioo `sub` profile
/// and this crate's iss/aud configuration. Where the RFCs are lenient it is lenient.
mod reference {
    use base64::Engine as _;
    use base64::alphabet::URL_SAFE;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
    use serde_json::Value;

    /// RFC 7515 §2: base64url without padding; it says nothing of the unused bits.
    const B64: GeneralPurpose = GeneralPurpose::new(
        &URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );

    pub(super) fn verify(
        token: &str,
        pkcs1_der: &[u8],
        now: i64,
        leeway: i64,
        iss: &str,
        aud: &str,
    ) -> Result<(u64, Option<u64>), &'static str> {
        // §5.2 steps 1-4: three parts, a JSON object header (a parser that keeps the last of
        // duplicate members is allowed).
        let parts: Vec<&str> = token.split('.').collect();
        let [h, p, s] = parts.as_slice() else {
            return Err("not three parts");
        };
        let header: Value = serde_json::from_slice(&B64.decode(h).map_err(|_| "header base64")?)
            .map_err(|_| "header JSON")?;
        let header = header.as_object().ok_or("header not an object")?;
        // §4.1.11: no extension is understood, so any crit is refused.
        if header.contains_key("crit") {
            return Err("crit");
        }
        // RFC 8725 §3.1: the algorithm is the verifier's choice.
        if header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return Err("alg");
        }
        // §5.2 step 8: the signature over the ASCII header.payload.
        let sig = B64.decode(s).map_err(|_| "signature base64")?;
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1_der)
            .verify(format!("{h}.{p}").as_bytes(), &sig)
            .map_err(|_| "signature")?;
        // RFC 7519 §7.2 step 10: the claims are a JSON object.
        let claims: Value = serde_json::from_slice(&B64.decode(p).map_err(|_| "payload base64")?)
            .map_err(|_| "claims JSON")?;
        let claims = claims.as_object().ok_or("claims not an object")?;
        // §4.1.4, §4.1.5: NumericDate, which may be non-integer.
        let date = |name| {
            claims
                .get(name)
                .map(|v: &Value| v.as_f64().ok_or("date not a number"))
                .transpose()
        };
        let (exp, nbf) = (date("exp")?.ok_or("no exp")?, date("nbf")?);
        let now = now as f64;
        if now >= exp + leeway as f64 {
            return Err("expired");
        }
        if nbf.is_some_and(|nbf| now < nbf - leeway as f64) {
            return Err("not yet valid");
        }
        // §4.1.1: iss is a StringOrURI, compared exactly.
        if claims.get("iss").and_then(Value::as_str) != Some(iss) {
            return Err("iss");
        }
        // §4.1.3: aud is a StringOrURI or an array of them, and must name us.
        match claims.get("aud") {
            Some(Value::String(a)) if a == aud => {}
            Some(Value::Array(items))
                if items.iter().all(Value::is_string) && items.iter().any(|a| a == aud) => {}
            _ => return Err("aud"),
        }
        // The facilioo profile: sub = {accountId: u64, companyId: u64 | null | absent}.
        let sub = claims.get("sub").and_then(Value::as_object).ok_or("sub")?;
        let account = sub
            .get("accountId")
            .and_then(Value::as_u64)
            .ok_or("accountId")?;
        let company = match sub.get("companyId") {
            None | Some(Value::Null) => None,
            Some(c) => Some(c.as_u64().ok_or("companyId")?),
        };
        Ok((account, company))
    }
}

fn reference(token: &str, now: i64) -> Result<(u64, Option<u64>), &'static str> {
    reference::verify(
        token,
        &common::data("keys/rsa2048-a.pkcs1.der"),
        now,
        60,
        ISS,
        AUD,
    )
}

#[derive(Clone, Copy, Debug)]
enum Header {
    Plain,
    NoTyp,
    Kid,
    Crit,
    /// Intended difference: `typ` other than `JWT` is refused here; for the RFC `typ` is the
    /// application's business.
    TypOther,
    /// Intended difference: duplicate members are refused here; RFC 7515 §5.2 also allows a
    /// parser that keeps the last.
    DuplicateUnknown,
    /// Intended difference, as above: the last `alg` is RS256.
    DuplicateAlg,
    AlgNone,
    AlgHs256,
}

#[derive(Clone, Copy, Debug)]
enum Exp {
    Hour,
    /// Valid only thanks to the leeway.
    ThirtySecondsAgo,
    /// `exp + leeway == now`: refused by both (RFC 7519 §4.1.4 "on or after").
    AtBoundary,
    /// One second before the boundary.
    JustInside,
    LongAgo,
    Absent,
    String,
    /// Intended difference: a NumericDate may be non-integer for the RFC; integers only here.
    Float,
    Negative,
    /// Intended difference: beyond year 9999 `time` cannot represent it, so it is refused
    /// here as invalid_claim; for the RFC it is just far in the future.
    Year10000,
}

#[derive(Clone, Copy, Debug)]
enum Nbf {
    Absent,
    Past,
    /// `nbf - leeway == now`: valid for both.
    AtBoundary,
    JustOutside,
    InTwoMinutes,
    String,
}

#[derive(Clone, Copy, Debug)]
enum Iss {
    Ours,
    Escaped,
    Other,
    TrailingSpace,
    Upper,
    Absent,
    Number,
    ArrayWithOurs,
}

#[derive(Clone, Copy, Debug)]
enum Aud {
    Ours,
    Other,
    ArrayWithOurs,
    ArrayWithoutOurs,
    Empty,
    Mixed,
    Null,
    Absent,
}

#[derive(Clone, Copy, Debug)]
enum SubShape {
    Both,
    AccountOnly,
    CompanyNull,
    NoAccount,
    AccountString,
    NotAnObject,
    Absent,
}

#[derive(Clone, Copy, Debug)]
enum Extra {
    None,
    Unknown,
    Deep,
    /// Intended difference, as for the header.
    DuplicateUnknown,
    /// Intended difference, as for the header: the last `exp` is valid.
    DuplicateExp,
}

#[derive(Clone, Copy, Debug)]
enum Tamper {
    None,
    SignatureByte,
    PayloadByte,
    ResignedByOtherKey,
    PaddedSignature,
    /// Intended difference: non-canonical trailing bits are refused here (one signature, two
    /// strings); RFC 7515 does not say.
    NonCanonicalSignature,
    /// Intended difference, as above, in a payload signed as it stands.
    NonCanonicalPayload,
}

#[derive(Clone, Debug)]
struct Case {
    header: Header,
    exp: Exp,
    nbf: Nbf,
    iss: Iss,
    aud: Aud,
    sub: SubShape,
    extra: Extra,
    tamper: Tamper,
    account: u64,
    company: u64,
}

impl Case {
    /// Why the two implementations may disagree on this case, if they may.
    fn intended_difference(&self) -> Option<&'static str> {
        match (self.header, self.exp, self.extra, self.tamper) {
            (Header::TypOther, ..) => Some("typ other than JWT refused"),
            (Header::DuplicateUnknown | Header::DuplicateAlg, ..)
            | (_, _, Extra::DuplicateUnknown, _) => Some("duplicate member refused"),
            // A second `exp` is only a duplicate when there is a first.
            (_, exp, Extra::DuplicateExp, _) if !matches!(exp, Exp::Absent) => {
                Some("duplicate member refused")
            }
            (_, Exp::Float, ..) => Some("non-integer NumericDate refused"),
            (_, Exp::Year10000, ..) => Some("exp beyond year 9999 refused"),
            (.., Tamper::NonCanonicalSignature | Tamper::NonCanonicalPayload) => {
                Some("non-canonical base64url refused")
            }
            _ => None,
        }
    }

    fn token(&self, now: i64) -> String {
        let header = match self.header {
            Header::Plain => r#"{"alg":"RS256","typ":"JWT"}"#,
            Header::NoTyp => r#"{"alg":"RS256"}"#,
            Header::Kid => r#"{"alg":"RS256","typ":"JWT","kid":"some-key"}"#,
            Header::Crit => r#"{"alg":"RS256","crit":["exp"],"exp":1}"#,
            Header::TypOther => r#"{"alg":"RS256","typ":"at+jwt"}"#,
            Header::DuplicateUnknown => r#"{"alg":"RS256","x":1,"x":2}"#,
            Header::DuplicateAlg => r#"{"alg":"none","alg":"RS256"}"#,
            Header::AlgNone => r#"{"alg":"none"}"#,
            Header::AlgHs256 => r#"{"alg":"HS256"}"#,
        };
        let mut m: Vec<String> = Vec::new();
        let mut date = |name: &str, value: String| m.push(format!(r#""{name}":{value}"#));
        match self.exp {
            Exp::Hour => date("exp", (now + 3600).to_string()),
            Exp::ThirtySecondsAgo => date("exp", (now - 30).to_string()),
            Exp::AtBoundary => date("exp", (now - 60).to_string()),
            Exp::JustInside => date("exp", (now - 59).to_string()),
            Exp::LongAgo => date("exp", (now - 7200).to_string()),
            Exp::Absent => {}
            Exp::String => date("exp", format!("\"{}\"", now + 3600)),
            Exp::Float => date("exp", format!("{}.5", now + 3600)),
            Exp::Negative => date("exp", "-5".into()),
            Exp::Year10000 => date("exp", "253402300800".into()),
        }
        match self.nbf {
            Nbf::Absent => {}
            Nbf::Past => date("nbf", (now - 3600).to_string()),
            Nbf::AtBoundary => date("nbf", (now + 60).to_string()),
            Nbf::JustOutside => date("nbf", (now + 61).to_string()),
            Nbf::InTwoMinutes => date("nbf", (now + 120).to_string()),
            Nbf::String => date("nbf", format!("\"{}\"", now - 3600)),
        }
        match self.iss {
            Iss::Ours => m.push(format!(r#""iss":"{ISS}""#)),
            Iss::Escaped => m.push(format!(r#""iss":"{}""#, ISS.replace('/', "\\/"))),
            Iss::Other => m.push(r#""iss":"https://evil.test""#.into()),
            Iss::TrailingSpace => m.push(format!(r#""iss":"{ISS} ""#)),
            Iss::Upper => m.push(format!(r#""iss":"{}""#, ISS.to_uppercase())),
            Iss::Absent => {}
            Iss::Number => m.push(r#""iss":7"#.into()),
            Iss::ArrayWithOurs => m.push(format!(r#""iss":["{ISS}"]"#)),
        }
        match self.aud {
            Aud::Ours => m.push(format!(r#""aud":"{AUD}""#)),
            Aud::Other => m.push(r#""aud":"other""#.into()),
            Aud::ArrayWithOurs => m.push(format!(r#""aud":["x","{AUD}"]"#)),
            Aud::ArrayWithoutOurs => m.push(r#""aud":["x","y"]"#.into()),
            Aud::Empty => m.push(r#""aud":[]"#.into()),
            Aud::Mixed => m.push(format!(r#""aud":[1,"{AUD}"]"#)),
            Aud::Null => m.push(r#""aud":null"#.into()),
            Aud::Absent => {}
        }
        let (a, c) = (self.account, self.company);
        match self.sub {
            SubShape::Both => m.push(format!(r#""sub":{{"accountId":{a},"companyId":{c}}}"#)),
            SubShape::AccountOnly => m.push(format!(r#""sub":{{"accountId":{a}}}"#)),
            SubShape::CompanyNull => {
                m.push(format!(r#""sub":{{"accountId":{a},"companyId":null}}"#))
            }
            SubShape::NoAccount => m.push(format!(r#""sub":{{"companyId":{c}}}"#)),
            SubShape::AccountString => m.push(format!(r#""sub":{{"accountId":"{a}"}}"#)),
            SubShape::NotAnObject => m.push(format!(r#""sub":"{a}""#)),
            SubShape::Absent => {}
        }
        match self.extra {
            Extra::None => {}
            Extra::Unknown => m.push(r#""roles":["admin"],"iat":1.5"#.into()),
            Extra::Deep => m.push(format!(r#""x":{}{}"#, "[".repeat(200), "]".repeat(200))),
            Extra::DuplicateUnknown => m.push(r#""x":1,"x":2"#.into()),
            Extra::DuplicateExp => m.push(format!(r#""exp":{}"#, now + 60)),
        }
        let mut claims = format!("{{{}}}", m.join(","));
        if matches!(self.tamper, Tamper::NonCanonicalPayload) {
            // Trailing JSON whitespace until the encoding leaves unused bits to bend.
            while b64(&claims).len() % 4 == 0 {
                claims.push(' ');
            }
        }
        let (h, p) = (b64(header), b64(&claims));
        let token = match self.tamper {
            Tamper::ResignedByOtherKey => sign_segments(&h, &p, &signer("rsa2048-b")),
            Tamper::NonCanonicalPayload => sign_segments(
                &h,
                &common::non_canonical(&p).expect("unused bits"),
                &SIGNER,
            ),
            _ => sign_segments(&h, &p, &SIGNER),
        };
        let (input, sig) = token.rsplit_once('.').expect("three segments");
        match self.tamper {
            Tamper::None | Tamper::ResignedByOtherKey | Tamper::NonCanonicalPayload => token,
            Tamper::SignatureByte => {
                let flipped = if sig.starts_with('A') { 'B' } else { 'A' };
                format!("{input}.{flipped}{}", &sig[1..])
            }
            Tamper::PayloadByte => {
                let flipped = if p.starts_with('e') { 'f' } else { 'e' };
                format!("{h}.{flipped}{}.{sig}", &p[1..])
            }
            Tamper::PaddedSignature => format!("{token}=="),
            Tamper::NonCanonicalSignature => {
                format!(
                    "{input}.{}",
                    common::non_canonical(sig).expect("342 characters leave 4 bits")
                )
            }
        }
    }
}

fn cases() -> impl Strategy<Value = Case> {
    use Aud as A;
    use Exp as E;
    use Header as H;
    use Iss as I;
    use Nbf as N;
    use SubShape as S;
    use Tamper as T;
    // Each feature is valid 70 % of the time, so about one case in six is valid but for one
    // feature, which is where implementations are most likely to part.
    fn mostly<T: Clone + core::fmt::Debug + 'static>(
        valid: T,
        others: Vec<T>,
    ) -> impl Strategy<Value = T> {
        prop_oneof![7 => Just(valid), 3 => select(others)]
    }
    (
        (
            mostly(
                H::Plain,
                vec![
                    H::NoTyp,
                    H::Kid,
                    H::Crit,
                    H::TypOther,
                    H::DuplicateUnknown,
                    H::DuplicateAlg,
                    H::AlgNone,
                    H::AlgHs256,
                ],
            ),
            mostly(
                E::Hour,
                vec![
                    E::ThirtySecondsAgo,
                    E::AtBoundary,
                    E::JustInside,
                    E::LongAgo,
                    E::Absent,
                    E::String,
                    E::Float,
                    E::Negative,
                    E::Year10000,
                ],
            ),
            mostly(
                N::Past,
                vec![
                    N::Absent,
                    N::AtBoundary,
                    N::JustOutside,
                    N::InTwoMinutes,
                    N::String,
                ],
            ),
            mostly(
                I::Ours,
                vec![
                    I::Escaped,
                    I::Other,
                    I::TrailingSpace,
                    I::Upper,
                    I::Absent,
                    I::Number,
                    I::ArrayWithOurs,
                ],
            ),
        ),
        (
            mostly(
                A::Ours,
                vec![
                    A::Other,
                    A::ArrayWithOurs,
                    A::ArrayWithoutOurs,
                    A::Empty,
                    A::Mixed,
                    A::Null,
                    A::Absent,
                ],
            ),
            mostly(
                S::Both,
                vec![
                    S::AccountOnly,
                    S::CompanyNull,
                    S::NoAccount,
                    S::AccountString,
                    S::NotAnObject,
                    S::Absent,
                ],
            ),
            mostly(
                Extra::None,
                vec![
                    Extra::Unknown,
                    Extra::Deep,
                    Extra::DuplicateUnknown,
                    Extra::DuplicateExp,
                ],
            ),
            mostly(
                T::None,
                vec![
                    T::SignatureByte,
                    T::PayloadByte,
                    T::ResignedByOtherKey,
                    T::PaddedSignature,
                    T::NonCanonicalSignature,
                    T::NonCanonicalPayload,
                ],
            ),
            any::<u64>(),
            any::<u64>(),
        ),
    )
        .prop_map(
            |((header, exp, nbf, iss), (aud, sub, extra, tamper, account, company))| Case {
                header,
                exp,
                nbf,
                iss,
                aud,
                sub,
                extra,
                tamper,
                account,
                company,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn same_verdict_as_the_rfc_reference(case in cases()) {
        let token = case.token(NOW);
        let (mine, other) = (ours(&token, NOW), reference(&token, NOW));
        match case.intended_difference() {
            // Where the two may differ, this crate is the stricter one.
            Some(why) => prop_assert!(mine.is_err(), "{}: accepted {:?}", why, case),
            None => match (&mine, &other) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                _ => prop_assert!(false, "disagreement on {:?}: ours {:?}, reference {:?}", case, mine, other),
            },
        }
    }
}

fn valid_case() -> Case {
    Case {
        header: Header::Plain,
        exp: Exp::Hour,
        nbf: Nbf::Past,
        iss: Iss::Ours,
        aud: Aud::Ours,
        sub: SubShape::Both,
        extra: Extra::None,
        tamper: Tamper::None,
        account: 2,
        company: 3,
    }
}

/// Each intended difference really is one: on an otherwise valid token the reference accepts
/// and this crate refuses.
#[test]
fn intended_differences_are_real() {
    let valid = valid_case();
    assert_eq!(ours(&valid.token(NOW), NOW), Ok((2, Some(3))));
    assert_eq!(reference(&valid.token(NOW), NOW), Ok((2, Some(3))));
    let variants = [
        Case {
            header: Header::TypOther,
            ..valid.clone()
        },
        Case {
            header: Header::DuplicateUnknown,
            ..valid.clone()
        },
        Case {
            header: Header::DuplicateAlg,
            ..valid.clone()
        },
        Case {
            extra: Extra::DuplicateUnknown,
            ..valid.clone()
        },
        Case {
            extra: Extra::DuplicateExp,
            ..valid.clone()
        },
        Case {
            exp: Exp::Float,
            ..valid.clone()
        },
        Case {
            exp: Exp::Year10000,
            ..valid.clone()
        },
        Case {
            tamper: Tamper::NonCanonicalSignature,
            ..valid.clone()
        },
        Case {
            tamper: Tamper::NonCanonicalPayload,
            ..valid.clone()
        },
    ];
    for case in variants {
        let token = case.token(NOW);
        assert!(case.intended_difference().is_some());
        assert!(ours(&token, NOW).is_err(), "{case:?}");
        assert_eq!(reference(&token, NOW), Ok((2, Some(3))), "{case:?}");
    }
}

/// jsonwebtoken's view of a facilioo token: its `sub` object, typed.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: Option<Sub>,
}

#[derive(Debug, Deserialize)]
struct Sub {
    #[serde(rename = "accountId")]
    account_id: u64,
}

fn jsonwebtoken(token: &str) -> Result<Option<u64>, jsonwebtoken::errors::Error> {
    let key = DecodingKey::from_rsa_der(&common::data("keys/rsa2048-a.pkcs1.der"));
    let mut v = Validation::new(Algorithm::RS256);
    v.leeway = 60; // the same as ours
    v.set_issuer(&[ISS]);
    v.set_audience(&[AUD]);
    let data = jsonwebtoken::decode::<Claims>(token, &key, &v)?;
    Ok(data.claims.sub.map(|s| s.account_id))
}

/// Why jsonwebtoken is not the random oracle: a valid facilioo token, `sub` object and all,
/// fails to parse there (its `sub` check reads a string and leaves serde_json mid-object).
#[test]
fn jsonwebtoken_cannot_read_an_object_sub() {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let token = valid_case().token(now);
    assert_eq!(ours(&token, now), Ok((2, Some(3))));
    let err = jsonwebtoken(&token).expect_err("jsonwebtoken refuses");
    assert!(
        matches!(err.kind(), jsonwebtoken::errors::ErrorKind::Json(_)),
        "{err:?}"
    );
    // Without `sub` it reads the same claims fine.
    let claims =
        common::claims(now - 10, now + 3600, 2, None).replace(r#","sub":{"accountId":2}"#, "");
    assert_eq!(
        jsonwebtoken(&sign(common::HEADER, &claims, &SIGNER)).map_err(|e| e.to_string()),
        Ok(None)
    );
}

/// The exp boundary against jsonwebtoken (which reads the system clock): RFC 7519 §4.1.4 says
/// "on or after" exp the token MUST NOT be accepted, so at `now == exp + leeway` this crate
/// refuses; jsonwebtoken (`exp < now - leeway`) still accepts. jsonwebtoken gets the same
/// claims without `sub` (it cannot read an object `sub`, see above). Retried if the clock
/// ticks.
#[test]
fn exp_boundary_differs_from_jsonwebtoken_as_documented() {
    let without_sub = |claims: String| claims.replace(r#","sub":{"accountId":2}"#, "");
    for _ in 0..5 {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims = common::claims(now - 3600, now - 60, 2, None);
        let (mine, other) = (
            OURS.verify(&sign(common::HEADER, &claims, &SIGNER), common::at(now))
                .map(|_| ()),
            jsonwebtoken(&sign(common::HEADER, &without_sub(claims), &SIGNER)),
        );
        if OffsetDateTime::now_utc().unix_timestamp() != now {
            continue;
        }
        assert!(
            matches!(mine, Err(facilioo_jwt::Error::Expired { .. })),
            "{mine:?}"
        );
        assert_eq!(other.map_err(|e| e.to_string()), Ok(None));
        // One second earlier this crate accepts too.
        let claims = common::claims(now - 3600, now - 59, 2, None);
        let token = sign(common::HEADER, &claims, &SIGNER);
        assert_eq!(OURS.verify(&token, common::at(now)).map(|_| ()), Ok(()));
        return;
    }
    panic!("the clock kept ticking");
}

/// The random comparison is only worth something if it compares acceptances too: a
/// deterministic sample of the same strategy must contain enough valid tokens.
#[test]
fn random_cases_include_acceptances() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = cases();
    let accepted = (0..300)
        .filter(|_| {
            let case = strategy.new_tree(&mut runner).expect("case").current();
            ours(&case.token(NOW), NOW).is_ok()
        })
        .count();
    assert!(
        accepted >= 10,
        "only {accepted} of 300 cases are valid tokens"
    );
}
