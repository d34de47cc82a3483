//! Claims in the compact shape issuers write, read without serde_json: one object, no
//! whitespace, keys and strings without escapes, integers of up to 18 digits, `null`, `true`,
//! `false`, and `sub` an object of such values. facilioo's tokens have exactly this shape
//! (`{"nbf":…,"exp":…,"iss":"…","aud":"…","sub":{"accountId":2,"companyId":2}}`), and reading
//! it directly is what keeps a verification at the cost of its RSA operation.
//!
//! This reader only ever accepts: for anything outside the shape (whitespace, escapes,
//! floats, big or negative-zero numbers, arrays, deeper objects, duplicate or too many
//! members, a claim of the wrong type) it answers `None`, and the full parser reads the same
//! bytes and gives the verdict. What it does accept, it reads into exactly what the full
//! parser would (the claim rules are shared: [`RawClaims::take`], [`subject`]); the tests and
//! the `claims` fuzz target compare the two on every input.

use std::borrow::Cow;

use super::{Header, RawClaims, SubjectMembers, Value};
use crate::Policy;

/// The most members this reader takes; more go to the full parser.
const MAX_MEMBERS: usize = 16;
/// The most digits of an integer this reader takes: every such integer is an `i64` and a
/// `u64` alike, as serde_json reads it. Longer ones go to the full parser.
const MAX_DIGITS: usize = 18;

/// The claims, if `bytes` are in the compact shape and every claim the policy reads is
/// acceptable; `None` otherwise.
pub(super) fn claims(bytes: &[u8], policy: &Policy) -> Option<RawClaims> {
    let mut claims = RawClaims::default();
    object(bytes, |c, name| {
        let value = if name == "sub" {
            c.subject(policy.party_type_sub_member())?
        } else {
            c.value()?
        };
        claims.take(name, value, policy).ok()
    })?;
    Some(claims)
}

/// The header, if `bytes` are in the compact shape (all values simple: a `crit` array, say,
/// goes to the full parser) and nothing is refused while reading; `None` otherwise. The
/// header rules are applied afterwards, the same way for both readers.
pub(super) fn header(bytes: &[u8]) -> Option<Header<'_>> {
    let mut header = Header::EMPTY;
    object(bytes, |c, name| header.take(name, c.value()?).ok())?;
    Some(header)
}

/// Reads all of `bytes` as one compact object with distinct member names (a duplicate is
/// refused, by the full parser), handing each member to `take` with the cursor on its value.
fn object<'a>(
    bytes: &'a [u8],
    mut take: impl FnMut(&mut Compact<'a>, &'a str) -> Option<()>,
) -> Option<()> {
    let mut c = Compact {
        text: core::str::from_utf8(bytes).ok()?,
        at: 0,
    };
    let mut names = [""; MAX_MEMBERS];
    let mut seen = 0;
    c.object(|c, name| {
        // Compared byte by byte in place: names are short, and a comparison call per pair
        // costs more than the comparison.
        let same = |seen: &&str| {
            seen.len() == name.len() && seen.bytes().zip(name.bytes()).all(|(a, b)| a == b)
        };
        if names[..seen].iter().any(same) {
            return None;
        }
        *names.get_mut(seen)? = name;
        seen += 1;
        take(c, name)
    })?;
    c.at_end().then_some(())
}

struct Compact<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Compact<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn eat_word(&mut self, word: &str) -> Option<()> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| self.at += word.len())
    }

    fn at_end(&self) -> bool {
        self.at == self.text.len()
    }

    /// `{"name":value,…}`, calling `member` for each name with the cursor on its value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let name = self.string()?;
            self.eat(b':')?;
            member(self, name)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A string without escapes or control characters (the text is valid UTF-8 already, and
    /// a quote is always at a character boundary).
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = self.text.as_bytes().get(start..)?;
        let len = rest
            .iter()
            .position(|b| matches!(b, b'"' | b'\\') || *b < 0x20)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// `-?(0|[1-9][0-9]*)` with at most [`MAX_DIGITS`] digits, not followed by a fraction or
    /// an exponent, and not `-0` (which serde_json reads as a float).
    fn integer(&mut self) -> Option<i128> {
        let negative = self.eat(b'-').is_some();
        let digits = self
            .text
            .as_bytes()
            .get(self.at..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let text = self.text.get(self.at..self.at + digits)?;
        let leading_zero = text.starts_with('0') && (digits > 1 || negative);
        if digits == 0 || digits > MAX_DIGITS || leading_zero {
            return None;
        }
        self.at += digits;
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        // At most 18 digits: the magnitude fits a u64 as it is built.
        let magnitude = i128::from(text.bytes().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')));
        Some(if negative { -magnitude } else { magnitude })
    }

    /// An integer, a string, `null`, `true` or `false`.
    fn value(&mut self) -> Option<Value<'a>> {
        Some(match self.peek()? {
            b'"' => Value::Str(Cow::Borrowed(self.string()?)),
            b'-' | b'0'..=b'9' => Value::Int(self.integer()?),
            b'n' => self.eat_word("null").map(|()| Value::Null)?,
            b't' => self.eat_word("true").map(|()| Value::Bool)?,
            b'f' => self.eat_word("false").map(|()| Value::Bool)?,
            _ => return None,
        })
    }

    /// `sub`: an object of simple values, read as the full parser reads it (`party_member`
    /// names its member that holds the party type, if one does).
    fn subject(&mut self, party_member: Option<&str>) -> Option<Value<'a>> {
        let mut sub = SubjectMembers::new(party_member);
        let mut members = 0;
        self.object(|c, name| {
            members += 1;
            sub.take(name, c.value()?);
            (members <= MAX_MEMBERS).then_some(())
        })?;
        Some(sub.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PartyType;
    use crate::json::{PartyTypeClaim, RawClaims};

    fn policy() -> Policy {
        Policy::new(["i"], ["a"])
            .expect("policy")
            .with_party_type_claim("pt")
            .expect("a claim")
    }

    /// Both readers on `text`, with the party type read at the top level (`pt`) and in `sub`
    /// (`/sub/pt`): the compact one either declines or agrees with the full one, and it
    /// declines or reads alike under both.
    fn agree(text: &str) -> bool {
        let read = [
            policy(),
            policy().with_party_type_claim("/sub/pt").expect("a claim"),
        ]
        .map(|policy| {
            let full = RawClaims::parse_in_full(text.as_bytes(), &policy);
            let compact = claims(text.as_bytes(), &policy);
            if let Some(compact) = &compact {
                assert_eq!(full.as_ref().ok(), Some(compact), "{text}");
            }
            compact.is_some()
        });
        assert_eq!(read[0], read[1], "{text}");
        read[0]
    }

    #[test]
    fn the_party_type_is_read_in_sub_by_both() {
        let sub = policy().with_party_type_claim("/sub/pt").expect("a claim");
        for (text, want) in [
            (
                r#"{"sub":{"accountId":2,"pt":5}}"#,
                PartyTypeClaim::Read(PartyType::Contractor),
            ),
            (
                r#"{"sub":{"pt":"Guest","accountId":2}}"#,
                PartyTypeClaim::Read(PartyType::Guest),
            ),
            (
                r#"{"sub":{"accountId":2,"pt":null}}"#,
                PartyTypeClaim::Absent,
            ),
            (r#"{"sub":{"accountId":2}}"#, PartyTypeClaim::Absent),
            (
                r#"{"sub":{"accountId":2,"pt":"x"}}"#,
                PartyTypeClaim::Unreadable,
            ),
            // Twice is ambiguous.
            (
                r#"{"sub":{"accountId":2,"pt":5,"pt":5}}"#,
                PartyTypeClaim::Unreadable,
            ),
            // A top-level pt is not the one in sub.
            (r#"{"pt":5,"sub":{"accountId":2}}"#, PartyTypeClaim::Absent),
        ] {
            assert!(agree(text), "declined {text}");
            let read = claims(text.as_bytes(), &sub).expect("compact");
            assert_eq!(read.party_type, want, "{text}");
        }
        // Deeper than sub's members, only the full parser reads; it never finds it there.
        let nested = r#"{"sub":{"accountId":2,"x":{"pt":5}}}"#;
        let full = RawClaims::parse_in_full(nested.as_bytes(), &sub).expect("claims");
        assert_eq!(full.party_type, PartyTypeClaim::Absent);
        assert_eq!(
            RawClaims::parse_in_full(br#"{"sub":{"accountId":2,"pt":[5]}}"#, &sub)
                .expect("claims")
                .party_type,
            PartyTypeClaim::Unreadable
        );
    }

    #[test]
    fn reads_the_facilioo_shape() {
        for text in [
            r#"{"nbf":1651760242,"exp":1651763842,"iss":"dev-api.facilioo.de","aud":"dev-app.facilioo.de","sub":{"accountId":2,"companyId":2}}"#,
            r#"{"exp":1,"iss":"i","aud":"a","sub":{"accountId":2}}"#,
            r#"{"exp":1,"iss":"x","aud":"y","sub":{"accountId":2,"companyId":null,"name":"é"},"pt":5}"#,
            r#"{"exp":-5,"iss":"i","aud":"a","sub":{"accountId":0},"pt":"Guest","ok":true,"no":false}"#,
            // The edges of what it reads: 18 digits, a space and a tilde in a string.
            r#"{"exp":1,"x":999999999999999999,"iss":"a b~","aud":"a","sub":{"accountId":1}}"#,
            r#"{}"#,
        ] {
            assert!(agree(text), "declined {text}");
        }
    }

    #[test]
    fn declines_everything_else() {
        for text in [
            r#" {"exp":1}"#,
            r#"{"exp": 1}"#,
            r#"{"exp":1} "#,
            r#"{"exp":1.0}"#,
            r#"{"exp":1e3}"#,
            r#"{"exp":-0}"#,
            r#"{"exp":01}"#,
            r#"{"exp":1234567890123456789}"#,
            r#"{"exp":"1"}"#,
            r#"{"iss":"\u0069"}"#,
            r#"{"\u0065xp":1}"#,
            r#"{"aud":["a"]}"#,
            r#"{"x":{"y":1}}"#,
            r#"{"sub":{"accountId":2,"accountId":3}}"#,
            r#"{"sub":{"accountId":[2]}}"#,
            r#"{"sub":"2"}"#,
            r#"{"exp":1,"exp":1}"#,
            "{\"iss\":\"a\tb\"}",
            r#"{"exp":1,}"#,
            r#"{"exp":1"#,
            r#"{"exp":nul}"#,
            r#"[]"#,
            "",
        ] {
            assert!(!agree(text), "read {text}");
        }
        // Over 16 members.
        let many: Vec<String> = (0..17).map(|i| format!(r#""m{i}":{i}"#)).collect();
        assert!(!agree(&format!("{{{}}}", many.join(","))));
        let sixteen: Vec<String> = (0..16).map(|i| format!(r#""m{i}":{i}"#)).collect();
        assert!(agree(&format!("{{{}}}", sixteen.join(","))));
        assert!(!agree(&format!(
            r#"{{"sub":{{"accountId":1,{}}}}}"#,
            many.join(",")
        )));
        // Not UTF-8.
        assert!(claims(b"{\"iss\":\"\xff\"}", &policy()).is_none());
    }

    #[test]
    fn headers_agree_with_the_full_parser() {
        for (text, read) in [
            (r#"{"alg":"none"}"#, true),
            (
                r#"{"alg":"RS256","kid":"k1","typ":"JWT","x5t":"abc"}"#,
                true,
            ),
            (r#"{"alg":"HS256","b64":false,"cty":"JWT"}"#, true),
            (r#"{"alg":"RS256","kid":7}"#, false),
            (r#"{"alg":"RS256","crit":["b64"]}"#, false),
            (r#"{"alg":"RS256","alg":"RS256"}"#, false),
            (r#"{"alg":"RS\u0032\u0035\u0036"}"#, false),
        ] {
            let compact = header(text.as_bytes());
            assert_eq!(compact.is_some(), read, "{text}");
            if let Some(compact) = compact {
                assert_eq!(
                    Some(compact),
                    Header::parse_in_full(text.as_bytes()).ok(),
                    "{text}"
                );
            }
        }
    }

    /// Random claims built from the pieces both readers meet: whenever the compact reader
    /// accepts, it agrees with the full parser. (`agree` asserts that.)
    #[test]
    fn agrees_with_the_full_parser_on_random_claims() {
        use proptest::prelude::*;
        let name = prop::sample::select(vec![
            "exp",
            "nbf",
            "iss",
            "aud",
            "sub",
            "pt",
            "x",
            "accountId",
            "companyId",
            "",
            "\\u0065xp",
            "e\\\"x",
        ]);
        let scalar = prop::sample::select(vec![
            "0",
            "1",
            "-1",
            "-0",
            "01",
            "1651763842",
            "253402300800",
            "999999999999999999",
            "1000000000000000000",
            "1.5",
            "1e3",
            "\"i\"",
            "\"a\"",
            "\"Guest\"",
            "\"é\"",
            "\"\\u0069\"",
            "null",
            "true",
            "false",
            "nul",
            "[\"a\"]",
            "[]",
            "{}",
        ]);
        let value = prop_oneof![
            scalar.clone().prop_map(str::to_owned),
            prop::collection::vec((name.clone(), scalar.clone()), 0..4).prop_map(|members| {
                let body: Vec<String> = members
                    .iter()
                    .map(|(n, v)| format!("\"{n}\":{v}"))
                    .collect();
                format!("{{{}}}", body.join(","))
            }),
        ];
        let claims = prop::collection::vec((name, value), 0..8);
        let separator = prop::sample::select(vec![",", ",", ",", ", ", ",,"]);
        let accepted = std::sync::atomic::AtomicUsize::new(0);
        proptest!(ProptestConfig::with_cases(2000), |(members in claims, sep in separator)| {
            let body: Vec<String> = members.iter().map(|(n, v)| format!("\"{n}\":{v}")).collect();
            if agree(&format!("{{{}}}", body.join(sep))) {
                accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        // Both ways are exercised: a good share is read by the compact reader.
        let accepted = accepted.into_inner();
        assert!(
            (100..1900).contains(&accepted),
            "{accepted} of 2000 accepted"
        );
    }
}
