//! The bodies of the fuzz targets, so each target file is one line.
//!
//! Every target asserts more than "no panic": what is accepted must satisfy the policy as
//! re-checked here independently (with `serde_json::Value`, not the crate's parser).

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use facilioo_jwt::keys::PublicKey;
use facilioo_jwt::{Claims, KeySet, PartyType, Policy, Verifier, insecure};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::Value;
use time::OffsetDateTime;

/// The fixed clock: 2026-01-01T00:00:00Z.
pub const NOW: i64 = 1_767_225_600;
const LEEWAY: i64 = 60;
const ISSUERS: [&str; 2] = ["iss.test", "other.test"];
const AUDIENCES: [&str; 2] = ["aud.test", "app.test"];
const ALLOWED: [PartyType; 3] = [
    PartyType::PropertyManagementCompany,
    PartyType::Contractor,
    PartyType::Unknown(99),
];

macro_rules! fixture {
    ($file:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/keys/",
            $file
        ))
    };
}

struct Fixtures {
    now: OffsetDateTime,
    /// facilioo's published keys: nobody here holds their private halves.
    embedded: Verifier,
    /// Fixture keys whose private halves no target uses.
    unreachable: Verifier,
    /// The key `verify_structured` signs with, under two policies.
    signer: RsaKeyPair,
    open: Verifier,
    restricted: Verifier,
}

static FIXTURES: LazyLock<Fixtures> = LazyLock::new(|| {
    let policy = || {
        Policy::new(ISSUERS, AUDIENCES)
            .expect("policy")
            .with_leeway(std::time::Duration::from_secs(LEEWAY.unsigned_abs()))
    };
    let keys =
        |der: &[u8]| KeySet::new(vec![PublicKey::from_pkcs1_der(der).expect("key")]).expect("set");
    let unreachable = KeySet::new(vec![
        PublicKey::from_pkcs1_der(fixture!("rsa2048-b.pkcs1.der")).expect("key"),
        PublicKey::from_pkcs1_der(fixture!("rsa4096.pkcs1.der")).expect("key"),
    ])
    .expect("set");
    let signing = keys(fixture!("rsa2048-a.pkcs1.der"));
    Fixtures {
        now: OffsetDateTime::from_unix_timestamp(NOW).expect("time"),
        embedded: Verifier::new(KeySet::facilioo(), policy()),
        unreachable: Verifier::new(unreachable, policy()),
        signer: RsaKeyPair::from_pkcs8(fixture!("rsa2048-a.pk8.der")).expect("pkcs8"),
        open: Verifier::new(signing.clone(), policy()),
        restricted: Verifier::new(signing, policy().with_allowed_party_types(ALLOWED)),
    }
});

/// Arbitrary bytes as a token: never accepted, by facilioo's keys or by fixture keys whose
/// private halves are out of reach.
pub fn verify(data: &[u8]) {
    let f = &*FIXTURES;
    let token = String::from_utf8_lossy(data);
    for verifier in [&f.embedded, &f.unreachable] {
        assert!(
            verifier.verify(&token, f.now).is_err(),
            "accepted a token nobody could sign"
        );
        assert!(
            verifier.keys().verify_jws(&token, 1 << 16).is_err(),
            "JWS accepted"
        );
    }
}

/// Arbitrary bytes as key material in every form: never panics; a loaded key is in bounds.
pub fn keys(data: &[u8]) {
    let mut loaded = vec![KeySet::load(data), KeySet::from_der(data)];
    if let Ok(text) = std::str::from_utf8(data) {
        loaded.push(KeySet::from_pem(text));
        loaded.push(KeySet::from_jwk(text));
    }
    for set in loaded.into_iter().flatten() {
        assert!(!set.is_empty() && set.len() <= facilioo_jwt::limits::MAX_KEYS);
        for key in &set {
            assert!((2048..=8192).contains(&key.modulus_bits()));
            assert_eq!(key.modulus_len(), key.modulus_bits().div_ceil(8));
        }
    }
}

/// Arbitrary bytes as a claims payload: whatever passes the policy must pass the independent
/// re-check with the same values.
pub fn claims(data: &[u8]) {
    let f = &*FIXTURES;
    for (verifier, restricted) in [(&f.open, false), (&f.restricted, true)] {
        if let Ok(checked) = insecure::check_claims(data, verifier.policy(), f.now) {
            let expected = oracle(data, restricted)
                .unwrap_or_else(|why| panic!("claims accepted, but independently {why}"));
            expected.assert_matches(&checked);
        }
    }
}

/// Arbitrary bytes through the unverified decode behind `inspect`.
pub fn inspect(data: &[u8]) {
    let token = String::from_utf8_lossy(data);
    if let Ok(decoded) = insecure::decode_unverified(&token) {
        assert!(decoded.header.is_object() && decoded.claims.is_object());
        assert!(token.len() <= facilioo_jwt::policy::DEFAULT_MAX_TOKEN_LEN);
        assert_eq!(token.split('.').count(), 3);
    }
}

/// What the independent re-check expects of accepted claims.
#[derive(Debug)]
struct Expected {
    account: u64,
    company: Option<u64>,
    party: Option<u32>,
    iss: String,
    aud: String,
    exp: i64,
    nbf: Option<i64>,
}

impl Expected {
    fn assert_matches(&self, c: &Claims) {
        assert_eq!(c.subject().account_id().0, self.account);
        assert_eq!(c.subject().company_id().map(|c| c.0), self.company);
        assert_eq!(c.party_type().map(|p| p.id()), self.party);
        assert_eq!(c.issuer(), self.iss);
        assert_eq!(c.audience(), self.aud);
        assert_eq!(c.expires_at().as_secs(), self.exp);
        assert_eq!(c.not_before().map(|t| t.as_secs()), self.nbf);
    }
}

/// RFC 7519 and the crate's documented rules, written again over `serde_json::Value`.
/// (Duplicate members are invisible here: `Value` keeps the last. Callers that know about
/// duplicates handle them.)
fn oracle(claims: &[u8], restricted: bool) -> Result<Expected, &'static str> {
    let v: Value = serde_json::from_slice(claims).map_err(|_| "not JSON")?;
    if !numbers_below_1e308(&String::from_utf8_lossy(claims)) {
        return Err("a number of magnitude 10^308 or more");
    }
    let obj = v.as_object().ok_or("not an object")?;
    if depth(&v) > facilioo_jwt::limits::MAX_DEPTH {
        return Err("nested too deep");
    }
    // NumericDate: an integer `time` can represent (years -9999..=9999).
    let date = |name: &str| -> Result<Option<i64>, &'static str> {
        match obj.get(name) {
            None => Ok(None),
            Some(d) => d
                .as_i64()
                .filter(|s| (-377_705_116_800..=253_402_300_799).contains(s))
                .map(Some)
                .ok_or("date not an integer in range"),
        }
    };
    let exp = date("exp")?.ok_or("no exp")?;
    let nbf = date("nbf")?;
    if NOW >= exp + LEEWAY {
        return Err("expired");
    }
    if nbf.is_some_and(|nbf| NOW < nbf - LEEWAY) {
        return Err("not yet valid");
    }
    let iss = obj
        .get("iss")
        .ok_or("no iss")?
        .as_str()
        .ok_or("iss not a string")?;
    if !ISSUERS.contains(&iss) {
        return Err("issuer not accepted");
    }
    let aud = match obj.get("aud").ok_or("no aud")? {
        Value::String(s) => AUDIENCES.contains(&s.as_str()).then(|| s.clone()),
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .find(|s| AUDIENCES.contains(s))
            .map(str::to_owned),
        _ => return Err("aud has the wrong type"),
    }
    .ok_or("audience not accepted")?;
    let sub = obj
        .get("sub")
        .ok_or("no sub")?
        .as_object()
        .ok_or("sub not an object")?;
    let account = sub
        .get("accountId")
        .and_then(Value::as_u64)
        .ok_or("bad accountId")?;
    let company = match sub.get("companyId") {
        None | Some(Value::Null) => None,
        Some(c) => Some(c.as_u64().ok_or("bad companyId")?),
    };
    // The party-type claim refuses nothing unless the policy requires one; then absent or
    // null is "not allowed" and anything unreadable is an invalid claim.
    let party = match obj.get("partyType") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) => PartyType::from_name(name).map(|p| Some(p.id())).ok_or(()),
        Some(p) => p
            .as_u64()
            .and_then(|id| u32::try_from(id).ok())
            .map(Some)
            .ok_or(()),
    };
    if restricted {
        match party {
            Err(()) => return Err("party type unreadable"),
            Ok(p) if !p.is_some_and(|p| ALLOWED.iter().any(|a| a.id() == p)) => {
                return Err("party type not allowed");
            }
            Ok(_) => {}
        }
    }
    let party = party.unwrap_or(None);
    Ok(Expected {
        account,
        company,
        party,
        iss: iss.to_owned(),
        aud,
        exp,
        nbf,
    })
}

/// A token described structurally, so the fuzzer gets past the signature. Every field's
/// first variant (or `None`) is the valid choice, so the empty input is a valid token and
/// the fuzzer starts on the accepting path and mutates away from it.
#[derive(Arbitrary, Debug)]
pub struct Spec {
    alg: Alg,
    typ: Option<Json>,
    typ_jwt: bool,
    kid: Option<Json>,
    crit: Option<Json>,
    header_extra: Option<(Name, Json)>,
    exp: Option<Time>,
    nbf: Option<Time>,
    iss: Option<Text>,
    iss_absent: bool,
    aud: Option<Aud>,
    sub: Option<Sub>,
    party: Option<Json>,
    extra: Vec<(Name, Json)>,
    duplicate: Option<u8>,
    mutation: Mutation,
}

#[derive(Arbitrary, Debug)]
enum Alg {
    Rs256,
    Missing,
    Other(Json),
    Named(u8),
}

#[derive(Arbitrary, Debug)]
enum Name {
    Known(u8),
    Free(String),
}

impl Name {
    fn text(&self) -> String {
        const KNOWN: [&str; 14] = [
            "exp",
            "nbf",
            "iss",
            "aud",
            "sub",
            "partyType",
            "iat",
            "jti",
            "alg",
            "kid",
            "crit",
            "jwk",
            "cty",
            "b64",
        ];
        match self {
            Self::Known(i) => KNOWN[usize::from(*i) % KNOWN.len()].to_owned(),
            Self::Free(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Json {
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Bool(bool),
    Null,
    Ints(Vec<i16>),
    Strs(Vec<String>),
    Object(String, i32),
    Deep(u16),
    Raw(String),
}

impl Json {
    fn text(&self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::UInt(u) => u.to_string(),
            Self::Float(f) => serde_json::to_string(f).unwrap_or_else(|_| "0.5".into()),
            Self::Str(s) => string(s),
            Self::Bool(b) => b.to_string(),
            Self::Null => "null".into(),
            Self::Ints(v) => serde_json::to_string(v).unwrap_or_default(),
            Self::Strs(v) => serde_json::to_string(v).unwrap_or_default(),
            Self::Object(k, v) => format!("{{{}:{v}}}", string(k)),
            Self::Deep(d) => {
                let d = usize::from(*d % 400);
                format!("{}{}", "[".repeat(d), "]".repeat(d))
            }
            // Raw text, possibly not JSON at all.
            Self::Raw(s) => s.clone(),
        }
    }
}

fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

#[derive(Arbitrary, Debug)]
enum Time {
    Absent,
    Near(i16),
    Far(i64),
    Other(Json),
}

impl Time {
    fn text(&self) -> Option<String> {
        Some(match self {
            Self::Absent => return None,
            Self::Near(d) => (NOW + i64::from(*d)).to_string(),
            Self::Far(t) => t.to_string(),
            Self::Other(j) => j.text(),
        })
    }
}

#[derive(Arbitrary, Debug)]
enum Text {
    Accepted(bool),
    /// Near misses: trailing space, case, a Cyrillic look-alike, a prefix.
    Near(u8),
    /// An accepted value written with a JSON escape.
    Escaped,
    Free(String),
    Other(Json),
}

impl Text {
    fn text(&self, accepted: [&str; 2]) -> String {
        match self {
            Self::Accepted(second) => string(accepted[usize::from(*second)]),
            Self::Near(i) => {
                let a = accepted[0];
                let near = [
                    format!("{a} "),
                    a.to_uppercase(),
                    a.replacen('e', "\u{435}", 1),
                    a[..a.len() - 1].to_owned(),
                ];
                string(&near[usize::from(*i) % near.len()])
            }
            Self::Escaped => format!("\"{}\"", accepted[0].replacen('.', "\\u002e", 1)),
            Self::Free(s) => string(s),
            Self::Other(j) => j.text(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Aud {
    Absent,
    One(Text),
    Many(Vec<Text>),
    Other(Json),
}

#[derive(Arbitrary, Debug)]
struct Sub {
    absent: bool,
    account: Id,
    company: Id,
    extra: Option<(String, Json)>,
    not_an_object: Option<Json>,
}

#[derive(Arbitrary, Debug)]
enum Id {
    Number(u64),
    Absent,
    Other(Json),
}

impl Id {
    fn text(&self) -> Option<String> {
        match self {
            Self::Number(n) => Some(n.to_string()),
            Self::Absent => None,
            Self::Other(j) => Some(j.text()),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Mutation {
    None,
    Byte(u16, u8),
    Truncate(u16),
    Append(u8),
    SignatureOf(u16),
}

fn object(members: &[(String, String)]) -> String {
    let body: Vec<String> = members
        .iter()
        .map(|(n, v)| format!("{}:{v}", string(n)))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn sign(input: &str, key: &RsaKeyPair) -> String {
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("signing");
    URL_SAFE_NO_PAD.encode(sig)
}

impl Spec {
    fn header(&self) -> Vec<(String, String)> {
        let mut h = Vec::new();
        match &self.alg {
            Alg::Rs256 => h.push(("alg".into(), string("RS256"))),
            Alg::Missing => {}
            Alg::Other(j) => h.push(("alg".into(), j.text())),
            Alg::Named(i) => {
                const ALGS: [&str; 8] = [
                    "none", "None", "NONE", "HS256", "RS512", "PS256", "rs256", "RS256 ",
                ];
                h.push(("alg".into(), string(ALGS[usize::from(*i) % ALGS.len()])));
            }
        }
        if self.typ_jwt {
            h.push(("typ".into(), string("JWT")));
        } else if let Some(t) = &self.typ {
            h.push(("typ".into(), t.text()));
        }
        if let Some(k) = &self.kid {
            h.push(("kid".into(), k.text()));
        }
        if let Some(c) = &self.crit {
            h.push(("crit".into(), c.text()));
        }
        if let Some((n, v)) = &self.header_extra {
            h.push((n.text(), v.text()));
        }
        h
    }

    fn claims(&self) -> Vec<(String, String)> {
        let mut c = Vec::new();
        // `None` is the valid default; `Absent` variants leave the claim out.
        let exp = self
            .exp
            .as_ref()
            .map_or(Some((NOW + 3600).to_string()), Time::text);
        if let Some(t) = exp {
            c.push(("exp".into(), t));
        }
        if let Some(t) = self.nbf.as_ref().and_then(Time::text) {
            c.push(("nbf".into(), t));
        }
        if !self.iss_absent {
            c.push((
                "iss".into(),
                self.iss
                    .as_ref()
                    .map_or(string(ISSUERS[0]), |t| t.text(ISSUERS)),
            ));
        }
        match &self.aud {
            None => c.push(("aud".into(), string(AUDIENCES[0]))),
            Some(Aud::Absent) => {}
            Some(Aud::One(t)) => c.push(("aud".into(), t.text(AUDIENCES))),
            Some(Aud::Many(ts)) => {
                let items: Vec<String> = ts.iter().take(4).map(|t| t.text(AUDIENCES)).collect();
                c.push(("aud".into(), format!("[{}]", items.join(","))));
            }
            Some(Aud::Other(j)) => c.push(("aud".into(), j.text())),
        }
        match &self.sub {
            None => c.push(("sub".into(), r#"{"accountId":2,"companyId":2}"#.into())),
            Some(s) if s.absent => {}
            Some(s) => {
                let text = match &s.not_an_object {
                    Some(j) => j.text(),
                    None => {
                        let mut m = Vec::new();
                        if let Some(a) = s.account.text() {
                            m.push(("accountId".to_owned(), a));
                        }
                        if let Some(co) = s.company.text() {
                            m.push(("companyId".to_owned(), co));
                        }
                        if let Some((n, v)) = &s.extra {
                            m.push((n.clone(), v.text()));
                        }
                        object(&m)
                    }
                };
                c.push(("sub".into(), text));
            }
        }
        if let Some(p) = &self.party {
            c.push(("partyType".into(), p.text()));
        }
        for (n, v) in self.extra.iter().take(6) {
            c.push((n.text(), v.text()));
        }
        if let Some(i) = self.duplicate
            && !c.is_empty()
        {
            let copy = c[usize::from(i) % c.len()].clone();
            c.push(copy);
        }
        c
    }
}

/// Whether every number in the JSON text `json` is below 10^308 in magnitude, judged from its
/// digits (`Value` holds a float, which cannot tell `9.99999999999999999e307` from `1e308`).
fn numbers_below_1e308(json: &str) -> bool {
    let mut chars = json.char_indices().peekable();
    let mut in_string = false;
    while let Some((start, c)) = chars.next() {
        match (in_string, c) {
            (true, '\\') => {
                chars.next();
            }
            (_, '"') => in_string = !in_string,
            (false, '-' | '0'..='9') => {
                let mut end = json.len();
                while let Some(&(i, c)) = chars.peek() {
                    if !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')) {
                        end = i;
                        break;
                    }
                    chars.next();
                }
                let token = json[start..end].trim_start_matches('-');
                let (mantissa, exponent) = token.split_once(['e', 'E']).unwrap_or((token, "0"));
                let exponent: i128 = match exponent.trim_start_matches('+').parse() {
                    Ok(e) => e,
                    Err(_) if exponent.starts_with('-') => i128::MIN / 2,
                    Err(_) => i128::MAX / 2,
                };
                let point = mantissa.find('.').unwrap_or(mantissa.len());
                let digits = mantissa.replace('.', "");
                let Some(first) = digits.find(|d| d != '0') else {
                    continue; // zero
                };
                // The first non-zero digit is worth 10^(point - 1 - first) before the exponent.
                let magnitude = point as i128 - 1 - first as i128 + exponent;
                if magnitude >= 308 {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// How deep a value nests: a scalar is 0, an array or object one more than its deepest item.
fn depth(v: &Value) -> usize {
    let items: Box<dyn Iterator<Item = &Value>> = match v {
        Value::Array(a) => Box::new(a.iter()),
        Value::Object(o) => Box::new(o.values()),
        _ => return 0,
    };
    1 + items.map(depth).max().unwrap_or(0)
}

/// Whether a header (as members) passes the documented header rules, checked over `Value`.
fn header_ok(members: &[(String, String)]) -> bool {
    let unique = members
        .iter()
        .enumerate()
        .all(|(i, (n, _))| members[..i].iter().all(|(m, _)| m != n));
    let value = |name: &str| {
        members
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| serde_json::from_str::<Value>(v).ok())
    };
    unique
        && value("alg") == Some(Some(Value::from("RS256")))
        && value("crit").is_none()
        && value("b64").is_none()
        && value("cty").is_none()
        && value("typ").is_none_or(|t| t == Some(Value::from("JWT")))
        && matches!(value("kid"), None | Some(Some(Value::String(_))))
        // Every member value must be JSON for the header to parse at all, and nest no deeper
        // than the limit allows below the header object.
        && members.iter().all(|(_, v)| {
            serde_json::from_str::<Value>(v).is_ok_and(|v| depth(&v) < facilioo_jwt::limits::MAX_DEPTH)
                && numbers_below_1e308(v)
        })
}

/// Builds, signs and mutates the token, verifies it under two policies, and checks each
/// verdict against the independent oracle, in both directions where the oracle can see
/// everything (no mutation, no duplicate members).
pub fn verify_structured(spec: &Spec) {
    let f = &*FIXTURES;
    let header = spec.header();
    let claims = spec.claims();
    let (header_text, claims_text) = (object(&header), object(&claims));
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&header_text),
        URL_SAFE_NO_PAD.encode(&claims_text)
    );
    let original = format!("{input}.{}", sign(&input, &f.signer));
    let token = match spec.mutation {
        Mutation::None => original.clone(),
        Mutation::Byte(i, b) => {
            let mut bytes = original.clone().into_bytes();
            let i = usize::from(i) % bytes.len();
            bytes[i] = b;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Mutation::Truncate(n) => {
            original[..original.len() - usize::from(n) % original.len()].to_owned()
        }
        Mutation::Append(b) => format!("{original}{}", char::from(b)),
        // A signature over other bytes: a valid signature, on the wrong input.
        Mutation::SignatureOf(n) => format!(
            "{input}.{}",
            sign(
                &input[..input.len() - usize::from(n) % input.len()],
                &f.signer
            )
        ),
    };
    // Duplicate members, which `Value` cannot see: at the top level, or inside `sub`.
    let sub_duplicate = spec.sub.as_ref().is_some_and(|s| {
        !s.absent
            && s.not_an_object.is_none()
            && s.extra.as_ref().is_some_and(|(n, _)| {
                (n == "accountId" && s.account.text().is_some())
                    || (n == "companyId" && s.company.text().is_some())
            })
    });
    let unique_claims = !sub_duplicate
        && claims
            .iter()
            .enumerate()
            .all(|(i, (n, _))| claims[..i].iter().all(|(m, _)| m != n));
    let untouched = token == original;
    for (verifier, restricted) in [(&f.open, false), (&f.restricted, true)] {
        let verdict = verifier.verify(&token, f.now);
        let expected = if untouched && header_ok(&header) && unique_claims {
            Some(oracle(claims_text.as_bytes(), restricted))
        } else {
            None // the crate must refuse, or accept only an unchanged token (checked below)
        };
        match (verdict, expected) {
            (Ok(v), Some(Ok(e))) => e.assert_matches(&v),
            (Ok(_), Some(Err(why))) => panic!("accepted, but independently {why}: {claims_text}"),
            (Ok(_), None) => panic!(
                "accepted a mutated, badly headed or duplicate-member token: untouched={untouched} header={header_text}"
            ),
            (Err(e), Some(Ok(_))) => {
                panic!("refused ({e:?}) what the oracle accepts: {header_text} {claims_text}")
            }
            (Err(_), _) => {}
        }
    }
}
