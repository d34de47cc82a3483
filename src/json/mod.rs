//! Strict, borrowing JSON readers for the JOSE header and the claims.
//!
//! Both walk the object once with serde_json, keep nothing but what they check (strings are
//! borrowed from the decoded segment unless they contain escapes), refuse duplicate member
//! names at the object's top level, and report typed errors.
//!
//! Every limit is enforced here, in this crate's own code, so that no dependency feature that
//! another crate in a user's build turns on (Cargo unifies them) can lift it:
//! - nesting: [`MAX_DEPTH`] levels, counted by the visitors themselves. serde_json's own
//!   recursion limit (128) is a backstop this limit always reaches first; its
//!   `unbounded_depth` feature only adds a switch to disable it, which this crate never calls.
//!   Every value, even an ignored one, is walked through `deserialize_any` so that the count
//!   sees it (serde_json's `IgnoredAny` skips values without any depth count, so it is only
//!   used to classify input that already failed).
//! - members: [`MAX_MEMBERS`] per header or claims object.
//! - numbers: every number's magnitude is below 10^308 ([`MAX_NUMBER_DECIMAL_EXPONENT`]), or
//!   the segment is unreadable JSON. This module decides it from the numbers' text, in one
//!   pass before serde_json parses ([`numbers_in_range`]), rather than leaving it to serde_json:
//!   its default float parser is not correctly rounded while its `float_roundtrip` and
//!   `arbitrary_precision` builds are, so near `f64::MAX` they disagree on what is out of
//!   range (`1.7976931348623158e308`), and it stops at the first error, so its verdict would
//!   also depend on member order. Every build reads every number below 10^308, so its own
//!   range error can only fire on numbers already refused. With `arbitrary_precision`, a
//!   number that does not fit `u64`/`i64` arrives as a one-member map (see
//!   [`PRIVATE_NUMBER`]) instead of an `f64`; the visitors read both forms alike, as a float,
//!   and an object of that shape in the input as an ordinary object.
//! - NumericDates: [`MIN_NUMERIC_DATE`] to [`MAX_NUMERIC_DATE`], checked on the integer
//!   before `time` sees it (`time/large-dates` widens what `time` accepts).

use core::cell::Cell;
use core::fmt;
use core::ops::Range;
use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{Claim, Malformed, Segment};
use crate::limits::{
    MAX_DEPTH, MAX_MEMBERS, MAX_NUMBER_DECIMAL_EXPONENT, MAX_NUMERIC_DATE, MIN_NUMERIC_DATE,
};
use crate::{AccountId, CompanyId, Error, PartyType, Policy, Subject, UnixTime};

mod compact;

/// The member name under which serde_json (feature `arbitrary_precision`) hands over a number
/// it keeps as text, as a one-member map. Such a map is read as a float, like the `f64` the
/// default build gives (its text is a number below 10^308: [`numbers_in_range`] saw it).
///
/// It is told from an object in the input that has a member of this name by where the name
/// lives: serde_json hands its own name over as a `&'static str`, borrowed but from outside
/// the input, while a name in the input arrives borrowed from inside the input (or owned, if
/// it has escapes). Such an object is an ordinary object in every build: read as an object,
/// and counted as a nesting level.
const PRIVATE_NUMBER: &str = "$serde_json::private::Number";

/// What the header says, as far as verification cares.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Header<'a> {
    pub(crate) alg_rs256: bool,
    pub(crate) typ_ok: bool,
    /// `crit` or `b64` is present: an extension this crate does not implement.
    pub(crate) extension: bool,
    /// `cty` is present: the payload is declared to be something other than plain claims.
    pub(crate) cty: bool,
    pub(crate) kid: Option<Cow<'a, str>>,
}

impl<'a> Header<'a> {
    /// Parses a decoded header and applies the header rules, in order: `alg`, then `crit` and
    /// `b64`, then `typ` and `cty`.
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        // The headers facilioo (and most issuers) send, byte for byte: what parsing them would
        // give is known, so no parser runs. Other compact headers are read directly; anything
        // else by the full parser.
        if CANONICAL_HEADERS.contains(&bytes) {
            return Ok(Self::RS256);
        }
        let header = match compact::header(bytes) {
            Some(header) => header,
            None => Self::parse_in_full(bytes)?,
        };
        if !header.alg_rs256 {
            Err(Error::UnsupportedAlgorithm)
        } else if header.extension {
            Err(Error::UnsupportedCritical)
        } else if !header.typ_ok || header.cty {
            Err(Error::InvalidType)
        } else {
            Ok(header)
        }
    }

    /// Parses a decoded header with serde_json, whatever its shape; no rules applied yet.
    pub(crate) fn parse_in_full(bytes: &'a [u8]) -> Result<Self, Error> {
        let cx = Context::new(Segment::Header, bytes);
        parse_object(bytes, &cx, HeaderVisitor { cx: &cx })
    }

    /// A header before any member is read.
    const EMPTY: Self = Self {
        alg_rs256: false,
        typ_ok: true,
        extension: false,
        cty: false,
        kid: None,
    };

    /// Takes member `name`'s value; the only refusal while reading is a `kid` that is no
    /// string.
    fn take(&mut self, name: &str, value: Value<'a>) -> Result<(), Error> {
        match name {
            "alg" => self.alg_rs256 = matches!(value, Value::Str(s) if s == "RS256"),
            "typ" => self.typ_ok = matches!(value, Value::Str(s) if s == "JWT"),
            // RFC 7515 §4.1.11: no extension is understood, so any `crit` is refused;
            // RFC 7797 `b64` changes what the signature covers, so it is refused too.
            "crit" | "b64" => self.extension = true,
            // RFC 7519 §5.2: `cty` announces a nested JWT (or other content), whose claims
            // this crate would never read.
            "cty" => self.cty = true,
            "kid" => match value {
                Value::Str(s) => self.kid = Some(s),
                _ => return Err(Error::Malformed(Malformed::HeaderMember)),
            },
            // jku, jwk, x5u, x5c, … are never used: the caller's key set is the only trust.
            _ => {}
        }
        Ok(())
    }
}

/// Headers known in advance to parse as [`Header::RS256`] (tested against the parser).
const CANONICAL_HEADERS: [&[u8]; 3] = [
    br#"{"alg":"RS256","typ":"JWT"}"#,
    br#"{"typ":"JWT","alg":"RS256"}"#,
    br#"{"alg":"RS256"}"#,
];

impl Header<'_> {
    /// An RS256 header with nothing else that matters: no `kid`, `crit`, `b64` or `cty`.
    const RS256: Self = Self {
        alg_rs256: true,
        ..Self::EMPTY
    };
}

/// The claims, reduced to what the policy checks. Issuer and audience are indices into the
/// policy's lists: `Some(None)` is a present string that matched nothing.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct RawClaims {
    pub(crate) exp: Option<UnixTime>,
    pub(crate) nbf: Option<UnixTime>,
    pub(crate) iss: Option<Option<usize>>,
    pub(crate) aud: Option<Option<usize>>,
    pub(crate) sub: Option<Subject>,
    pub(crate) party_type: PartyTypeClaim,
}

/// The party-type claim as found. Only a policy that requires a party type looks further than
/// [`PartyTypeClaim::known`]: the claim's name is not published, so it must never refuse a
/// token on its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum PartyTypeClaim {
    /// Absent or `null`.
    #[default]
    Absent,
    /// A facilioo id (known or not) or a documented name.
    Read(PartyType),
    /// Anything else: a negative or too large number, another string, another type.
    Unreadable,
}

impl PartyTypeClaim {
    /// The party type, if the claim could be read.
    pub(crate) fn known(self) -> Option<PartyType> {
        match self {
            Self::Read(p) => Some(p),
            Self::Absent | Self::Unreadable => None,
        }
    }
}

impl RawClaims {
    /// Parses decoded claims against `policy` (issuer and audience are matched on the fly):
    /// the compact shape issuers write is read directly ([`compact`]); anything else, and
    /// anything refused, by the full parser, which gives the verdict.
    pub(crate) fn parse(bytes: &[u8], policy: &Policy) -> Result<Self, Error> {
        match compact::claims(bytes, policy) {
            Some(claims) => Ok(claims),
            None => Self::parse_in_full(bytes, policy),
        }
    }

    /// Parses decoded claims with serde_json, whatever their shape.
    pub(crate) fn parse_in_full(bytes: &[u8], policy: &Policy) -> Result<Self, Error> {
        let cx = Context::new(Segment::Payload, bytes);
        parse_object(bytes, &cx, ClaimsVisitor { cx: &cx, policy })
    }

    /// How to read the value of member `name`.
    fn read<'p>(name: &str, policy: &'p Policy) -> Read<'p> {
        match name {
            "aud" => Read::Audience(policy),
            "sub" => Read::Subject(policy.party_type_sub_member()),
            _ => Read::Any,
        }
    }

    /// Takes member `name`'s value by the rules of the claim it names (other members are
    /// ignored); the claim whose value is refused otherwise.
    fn take(&mut self, name: &str, value: Value<'_>, policy: &Policy) -> Result<(), Claim> {
        // The registered names are three bytes: matched as arrays, without a string
        // comparison call (this runs for every member of every token).
        match <&[u8; 3]>::try_from(name.as_bytes()) {
            Ok(b"exp") => self.exp = Some(numeric_date(value).ok_or(Claim::Exp)?),
            Ok(b"nbf") => self.nbf = Some(numeric_date(value).ok_or(Claim::Nbf)?),
            Ok(b"iss") => match value {
                Value::Str(s) => self.iss = Some(policy.issuer_index(&s)),
                _ => return Err(Claim::Iss),
            },
            Ok(b"aud") => match value {
                Value::Str(s) => self.aud = Some(policy.audience_index(&s)),
                Value::Array {
                    strings: true,
                    matched,
                } => self.aud = Some(matched),
                _ => return Err(Claim::Aud),
            },
            Ok(b"sub") => match value {
                Value::Object(Some(sub), party) => {
                    self.sub = Some(sub);
                    self.party_type = party;
                }
                _ => return Err(Claim::Sub),
            },
            _ if policy.party_type_member() == Some(name) => self.party_type = party_type(value),
            _ => {}
        }
        Ok(())
    }
}

/// Checks that `bytes` is one JSON object without duplicate top-level members, values unread.
pub(crate) fn check_object(bytes: &[u8], segment: Segment) -> Result<(), Error> {
    let cx = Context::new(segment, bytes);
    parse_object(bytes, &cx, PlainObject { cx: &cx })
}

/// Runs an object visitor over `bytes` and turns failures into typed errors: the error the
/// visitor recorded if any, else one for the JSON itself.
fn parse_object<'de, V: Visitor<'de>>(
    bytes: &'de [u8],
    cx: &Context,
    visitor: V,
) -> Result<V::Value, Error> {
    let segment = cx.segment;
    if !numbers_in_range(bytes) {
        return Err(Error::Malformed(Malformed::Json(segment)));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = de::Deserializer::deserialize_map(&mut de, visitor).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    match (result, cx.error.get()) {
        (Ok(v), None) => Ok(v),
        (_, Some(e)) => Err(e),
        (Err(_), None) => Err(Error::Malformed(
            if starts_with_brace(bytes) || serde_json::from_slice::<IgnoredAny>(bytes).is_err() {
                Malformed::Json(segment)
            } else {
                Malformed::NotAnObject(segment)
            },
        )),
    }
}

/// Whether every number in `bytes` (every `-` or digit outside a string starts one) has a
/// magnitude below 10^([`MAX_NUMBER_DECIMAL_EXPONENT`] + 1), decided exactly from its text:
/// one pass, no float parsing, no allocation. Bytes that are no JSON are judged as if they
/// were; the parse refuses them anyway.
fn numbers_in_range(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = match byte {
            b'"' => skip_string(tail),
            b'-' | b'0'..=b'9' => {
                let (exponent, tail) = number_exponent(rest);
                if exponent.is_some_and(|e| e > i64::from(MAX_NUMBER_DECIMAL_EXPONENT)) {
                    return false;
                }
                tail
            }
            _ => tail,
        };
    }
    true
}

/// What follows the string whose opening quote was just read (nothing if it never ends).
fn skip_string(mut rest: &[u8]) -> &[u8] {
    while let Some(at) = memchr::memchr2(b'"', b'\\', rest) {
        match rest.get(at..) {
            // An escape: the escaped byte (a quote or a backslash among them) is no delimiter.
            Some([b'\\', _, tail @ ..]) => rest = tail,
            Some([b'"', tail @ ..]) => return tail,
            _ => break,
        }
    }
    &[]
}

/// Reads the number token at the start of `bytes` (`-`? digits (`.` digits)? ([eE] [+-]?
/// digits)?) and returns the decimal exponent of its first non-zero digit (`None` for zero)
/// and the bytes after it. The arithmetic saturates, which never changes which side of
/// [`MAX_NUMBER_DECIMAL_EXPONENT`] a number is on: the digit counts are bounded by the
/// input's length, and an exponent that saturates is beyond any such count.
fn number_exponent(bytes: &[u8]) -> (Option<i64>, &[u8]) {
    let rest = bytes.strip_prefix(b"-").unwrap_or(bytes);
    let (integer, rest) = digits(rest);
    let (fraction, rest) = match rest.strip_prefix(b".") {
        Some(rest) => digits(rest),
        None => (&[][..], rest),
    };
    let (exponent, rest) = match rest.split_first() {
        Some((b'e' | b'E', rest)) => {
            let (negative, rest) = match rest.split_first() {
                Some((b'-', rest)) => (true, rest),
                Some((b'+', rest)) => (false, rest),
                _ => (false, rest),
            };
            let (exponent, rest) = digits(rest);
            let magnitude = exponent.iter().fold(0i64, |e, d| {
                e.saturating_mul(10).saturating_add(i64::from(d - b'0'))
            });
            (if negative { -magnitude } else { magnitude }, rest)
        }
        _ => (0, rest),
    };
    let Some(first) = integer.iter().chain(fraction).position(|&d| d != b'0') else {
        return (None, rest);
    };
    // The first non-zero digit stands for 10^(integer digits after it), or 10^-(its place
    // after the point); the exponent part moves it.
    let place = to_i64(integer.len())
        .saturating_sub(1)
        .saturating_sub(to_i64(first));
    (Some(place.saturating_add(exponent)), rest)
}

/// The ASCII digits at the start of `bytes`, and what follows them.
fn digits(bytes: &[u8]) -> (&[u8], &[u8]) {
    let len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    bytes.split_at(len)
}

/// A length as an `i64` (saturating; no slice is that long).
fn to_i64(len: usize) -> i64 {
    i64::try_from(len).unwrap_or(i64::MAX)
}

fn starts_with_brace(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        == Some(&b'{')
}

/// Shared by a parse's visitors: which segment, the addresses of its bytes, and the typed
/// error that stopped it.
struct Context {
    segment: Segment,
    input: Range<usize>,
    error: Cell<Option<Error>>,
}

impl Context {
    fn new(segment: Segment, input: &[u8]) -> Self {
        let Range { start, end } = input.as_ptr_range();
        Self {
            segment,
            input: start.addr()..end.addr(),
            error: Cell::new(None),
        }
    }

    /// Whether `name`, the borrowed first member name of a map, is serde_json's own
    /// [`PRIVATE_NUMBER`] rather than a name in the input. (A name that arrives owned had
    /// escapes, so it was in the input.)
    fn is_private_number(&self, name: &str) -> bool {
        name == PRIVATE_NUMBER && !self.input.contains(&name.as_ptr().addr())
    }

    /// Records `error` and returns a serde error that unwinds the parse.
    fn fail<E: de::Error>(&self, error: Error) -> E {
        if self.error.get().is_none() {
            self.error.set(Some(error));
        }
        E::custom("refused")
    }
}

/// The member names of one object seen so far.
struct Members<'de> {
    names: [Option<Cow<'de, str>>; MAX_MEMBERS],
    len: usize,
}

impl<'de> Members<'de> {
    fn new() -> Self {
        Self {
            names: [const { None }; MAX_MEMBERS],
            len: 0,
        }
    }

    /// Reads the next member name, refusing duplicates and too many members.
    fn next<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        cx: &Context,
    ) -> Result<Option<usize>, A::Error> {
        let Some(name) = map.next_key_seed(StrSeed)? else {
            return Ok(None);
        };
        if self.names[..self.len]
            .iter()
            .flatten()
            .any(|seen| *seen == name)
        {
            return Err(cx.fail(Error::Malformed(Malformed::DuplicateMember(cx.segment))));
        }
        let slot = self
            .names
            .get_mut(self.len)
            .ok_or_else(|| cx.fail(Error::Malformed(Malformed::TooManyMembers(cx.segment))))?;
        *slot = Some(name);
        self.len += 1;
        Ok(Some(self.len - 1))
    }

    fn name(&self, index: usize) -> &str {
        self.names
            .get(index)
            .and_then(Option::as_deref)
            .unwrap_or("")
    }
}

/// A JSON string, borrowed from the input when it has no escapes.
struct StrSeed;

impl<'de> DeserializeSeed<'de> for StrSeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for StrSeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// Any JSON value, summarised: scalars kept, arrays and objects skipped (or, for `aud` and
/// `sub`, read by the rules of that claim).
enum Value<'de> {
    Int(i128),
    Float,
    Str(Cow<'de, str>),
    Bool,
    Null,
    /// An array: for `aud`, whether it was a non-empty array of strings, and which policy
    /// audience it named first.
    Array {
        strings: bool,
        matched: Option<usize>,
    },
    /// An object: for `sub`, the subject if it was a valid one, and the party-type claim if
    /// the policy reads it from `sub` (else absent).
    Object(Option<Subject>, PartyTypeClaim),
}

/// How to read arrays and objects met at this value.
#[derive(Clone, Copy)]
enum Read<'p> {
    Any,
    Audience(&'p Policy),
    /// `sub`, and the name of its member that holds the party type, if one does.
    Subject(Option<&'p str>),
}

/// A value to read: how, at which nesting level (the header or claims object is level 1),
/// and where to record a typed refusal.
#[derive(Clone, Copy)]
struct Expect<'c, 'p> {
    read: Read<'p>,
    level: usize,
    cx: &'c Context,
}

impl<'c, 'p> Expect<'c, 'p> {
    /// A member value of the top-level object.
    fn member(cx: &'c Context, read: Read<'p>) -> Self {
        Self { read, level: 2, cx }
    }

    /// A member value of the top-level object, read as any value.
    fn any(cx: &'c Context) -> Self {
        Self::member(cx, Read::Any)
    }

    /// A value inside this one, read as any value.
    fn inner(self) -> Expect<'c, 'p> {
        Self {
            read: Read::Any,
            level: self.level + 1,
            cx: self.cx,
        }
    }

    /// Refuses a container beyond [`MAX_DEPTH`].
    fn enter<E: de::Error>(self) -> Result<(), E> {
        if self.level > MAX_DEPTH {
            Err(self
                .cx
                .fail(Error::Malformed(Malformed::TooDeep(self.cx.segment))))
        } else {
            Ok(())
        }
    }
}

impl<'de> DeserializeSeed<'de> for Expect<'_, '_> {
    type Value = Value<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Expect<'_, '_> {
    type Value = Value<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Value::Bool)
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Value::Float)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        self.enter()?;
        let Read::Audience(policy) = self.read else {
            while seq.next_element_seed(self.inner())?.is_some() {}
            return Ok(Value::Array {
                strings: false,
                matched: None,
            });
        };
        let (mut count, mut strings, mut matched) = (0usize, true, None);
        while let Some(element) = seq.next_element_seed(self.inner())? {
            count += 1;
            match element {
                Value::Str(s) => matched = matched.or_else(|| policy.audience_index(&s)),
                _ => strings = false,
            }
        }
        Ok(Value::Array {
            strings: strings && count > 0,
            matched,
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut next = map.next_key_seed(StrSeed)?;
        if matches!(&next, Some(Cow::Borrowed(name)) if self.cx.is_private_number(name)) {
            // A number, not a container: its text is the one member's value.
            map.next_value_seed(self.inner())?;
            return Ok(Value::Float);
        }
        self.enter()?;
        let Read::Subject(party_member) = self.read else {
            while next.is_some() {
                map.next_value_seed(self.inner())?;
                next = map.next_key_seed(StrSeed)?;
            }
            return Ok(Value::Object(None, PartyTypeClaim::Absent));
        };
        let mut sub = SubjectMembers::new(party_member);
        while let Some(name) = next {
            let value = map.next_value_seed(self.inner())?;
            sub.take(&name, value);
            next = map.next_key_seed(StrSeed)?;
        }
        Ok(sub.finish())
    }
}

/// The members of `sub` that count, as both readers take them.
struct SubjectMembers<'de, 'p> {
    account: Option<Value<'de>>,
    company: Option<Value<'de>>,
    party_member: Option<&'p str>,
    party_type: PartyTypeClaim,
    /// No member that counts appeared twice.
    unique: bool,
}

impl<'de, 'p> SubjectMembers<'de, 'p> {
    /// Before any member; `party_member` names the member that holds the party type.
    fn new(party_member: Option<&'p str>) -> Self {
        Self {
            account: None,
            company: None,
            party_member,
            party_type: PartyTypeClaim::Absent,
            unique: true,
        }
    }

    /// Takes member `name`'s value (others are ignored).
    fn take(&mut self, name: &str, value: Value<'de>) {
        let slot = match name {
            "accountId" => &mut self.account,
            "companyId" => &mut self.company,
            _ if self.party_member == Some(name) => {
                // Twice is ambiguous: no party type can be read from it.
                self.party_type = match self.party_type {
                    PartyTypeClaim::Absent => party_type(value),
                    _ => PartyTypeClaim::Unreadable,
                };
                return;
            }
            _ => return,
        };
        // A duplicate `accountId` or `companyId` makes the subject ambiguous.
        self.unique &= slot.is_none();
        *slot = Some(value);
    }

    /// The subject if it is a valid one, and the party-type claim.
    fn finish(self) -> Value<'de> {
        Value::Object(
            subject(self.account, self.company, self.unique),
            self.party_type,
        )
    }
}

/// The subject from the values of `accountId` and `companyId` (`unique`: neither appeared
/// twice): `accountId` a `u64`, `companyId` a `u64`, `null` or absent.
fn subject(
    account: Option<Value<'_>>,
    company: Option<Value<'_>>,
    unique: bool,
) -> Option<Subject> {
    let id = |v: Value<'_>| match v {
        Value::Int(i) => u64::try_from(i).ok(),
        _ => None,
    };
    let account_id = account.and_then(id).map(AccountId)?;
    let company_id = match company {
        None | Some(Value::Null) => None,
        Some(v) => Some(CompanyId(id(v)?)),
    };
    unique.then(|| Subject::new(account_id, company_id))
}

struct HeaderVisitor<'c> {
    cx: &'c Context,
}

impl<'de> Visitor<'de> for HeaderVisitor<'_> {
    type Value = Header<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Members::new();
        let mut header = Header::EMPTY;
        while let Some(i) = members.next(&mut map, self.cx)? {
            let value = map.next_value_seed(Expect::any(self.cx))?;
            header
                .take(members.name(i), value)
                .map_err(|e| self.cx.fail::<A::Error>(e))?;
        }
        Ok(header)
    }
}

struct ClaimsVisitor<'c, 'p> {
    cx: &'c Context,
    policy: &'p Policy,
}

impl<'de> Visitor<'de> for ClaimsVisitor<'_, '_> {
    type Value = RawClaims;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (cx, policy) = (self.cx, self.policy);
        let mut members = Members::new();
        let mut claims = RawClaims::default();
        while let Some(i) = members.next(&mut map, cx)? {
            let name = members.name(i);
            let value = map.next_value_seed(Expect::member(cx, RawClaims::read(name, policy)))?;
            claims
                .take(name, value, policy)
                .map_err(|claim| cx.fail::<A::Error>(Error::InvalidClaim(claim)))?;
        }
        Ok(claims)
    }
}

/// An integer NumericDate from [`MIN_NUMERIC_DATE`] to [`MAX_NUMERIC_DATE`] (years −9999 to
/// 9999), checked here rather than left to what `time` can represent in this build.
fn numeric_date(v: Value<'_>) -> Option<UnixTime> {
    match v {
        Value::Int(i) if (MIN_NUMERIC_DATE.into()..=MAX_NUMERIC_DATE.into()).contains(&i) => {
            i64::try_from(i).ok().map(UnixTime::from_secs)
        }
        _ => None,
    }
}

/// An integer id (`u32`) or an exact documented name; `null` is absent.
fn party_type(v: Value<'_>) -> PartyTypeClaim {
    let read = match v {
        Value::Null => return PartyTypeClaim::Absent,
        Value::Int(i) => u32::try_from(i).ok().map(PartyType::from_id),
        Value::Str(s) => PartyType::from_name(&s),
        _ => None,
    };
    read.map_or(PartyTypeClaim::Unreadable, PartyTypeClaim::Read)
}

struct PlainObject<'c> {
    cx: &'c Context,
}

impl<'de> Visitor<'de> for PlainObject<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut members = Members::new();
        while members.next(&mut map, self.cx)?.is_some() {
            map.next_value_seed(Expect::any(self.cx))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers are judged from their text, outside strings only, even in bytes that are no
    /// JSON (the parse refuses those anyway).
    #[test]
    fn numbers_are_judged_from_their_text() {
        for (json, in_range) in [
            ("1e307", true),
            ("1e308", false),
            ("-1E+308", false),
            ("0.0e400", true),
            ("10e-1", true),
            ("00099e306", true),
            ("99999999999999999999e288", true),
            ("99999999999999999999e289", false),
            ("-", true),
            ("\"1e400", true),
            (r#""\"1e400""#, true),
            (r#""\\"1e400"#, false),
            ("\"\\", true),
            ("[1e308", false),
            ("x1e308", false),
            ("1.e308", false),
        ] {
            assert_eq!(numbers_in_range(json.as_bytes()), in_range, "{json}");
        }
        // A negative exponent moves a long integer below the limit, and only a negative one.
        let ten_to_308 = format!("1{}", "0".repeat(308));
        for (exponent, in_range) in [("e-1", true), ("E-0001", true), ("e+0", false), ("", false)] {
            let json = format!("{ten_to_308}{exponent}");
            assert_eq!(numbers_in_range(json.as_bytes()), in_range, "{exponent}");
        }
    }

    /// A map handed over the way serde_json's `arbitrary_precision` hands over a number: one
    /// member, named `name` (borrowed, or owned if `owned`), whose value is `text`.
    struct NumberMap<'de> {
        name: &'de str,
        owned: bool,
        text: Option<&'de str>,
    }

    impl<'de> MapAccess<'de> for NumberMap<'de> {
        type Error = de::value::Error;
        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, Self::Error> {
            if self.text.is_none() {
                return Ok(None);
            }
            if self.owned {
                seed.deserialize(de::value::StringDeserializer::new(self.name.to_owned()))
            } else {
                seed.deserialize(de::value::BorrowedStrDeserializer::new(self.name))
            }
            .map(Some)
        }
        fn next_value_seed<V: DeserializeSeed<'de>>(
            &mut self,
            seed: V,
        ) -> Result<V::Value, Self::Error> {
            let text = self.text.take().unwrap_or_default();
            seed.deserialize(de::value::StringDeserializer::new(text.to_owned()))
        }
    }

    /// serde_json's own number map is a float at any level; a map whose member name lies in
    /// the input, or is owned (it had escapes), is an object, a nesting level like any other.
    #[test]
    fn only_serde_json_own_number_maps_are_numbers() {
        let input = r#"[{"$serde_json::private::Number":"1.5"}]"#;
        let in_input = &input[3..3 + PRIVATE_NUMBER.len()];
        assert_eq!(in_input, PRIVATE_NUMBER);
        for (name, owned, number) in [
            (PRIVATE_NUMBER, false, true),
            (in_input, false, false),
            (PRIVATE_NUMBER, true, false),
        ] {
            for level in [2, MAX_DEPTH, MAX_DEPTH + 1] {
                let cx = Context::new(Segment::Payload, input.as_bytes());
                let expect = Expect {
                    read: Read::Any,
                    level,
                    cx: &cx,
                };
                let map = NumberMap {
                    name,
                    owned,
                    text: Some("1.5"),
                };
                let got = match expect.visit_map(map) {
                    Ok(Value::Float) => Ok("float"),
                    Ok(Value::Object(None, _)) => Ok("object"),
                    Ok(_) => Ok("other"),
                    Err(_) => Err(cx.error.get()),
                };
                let want = match (number, level > MAX_DEPTH) {
                    (true, _) => Ok("float"),
                    (false, false) => Ok("object"),
                    (false, true) => {
                        Err(Some(Error::Malformed(Malformed::TooDeep(Segment::Payload))))
                    }
                };
                assert_eq!(got, want, "{name} owned {owned} at level {level}");
            }
        }
    }

    /// The headers that skip the parser parse to exactly what the shortcut returns.
    #[test]
    fn canonical_headers_parse_as_their_shortcut() {
        for bytes in CANONICAL_HEADERS {
            let parsed = Header::parse_in_full(bytes).expect("parses");
            let shortcut = Header::RS256;
            assert_eq!(
                (
                    parsed.alg_rs256,
                    parsed.typ_ok,
                    parsed.extension,
                    parsed.cty,
                    parsed.kid
                ),
                (
                    shortcut.alg_rs256,
                    shortcut.typ_ok,
                    shortcut.extension,
                    shortcut.cty,
                    shortcut.kid
                )
            );
            assert!(Header::parse(bytes).is_ok());
        }
        // One byte off is parsed, and judged, in full.
        assert_eq!(
            Header::parse(br#"{"alg":"RS256","typ":"JWT","typ":"JWT"}"#).err(),
            Some(Error::Malformed(Malformed::DuplicateMember(
                Segment::Header
            )))
        );
        assert_eq!(
            Header::parse(br#"{"alg":"RS256","typ":"JWS"}"#).err(),
            Some(Error::InvalidType)
        );
    }
}
