//! Test tokens for services that verify facilioo tokens (feature `testing`): nobody outside
//! facilioo holds its signing keys, so this is how a protected handler gets a token to test
//! with.
//!
//! A [`TestIssuer`] signs with test keys this crate ships (three trusted ones, so a test can
//! sign with "key 3 of 3", and one that is never trusted). It gives the [`KeySet`],
//! [`Policy`] and [`Verifier`] that accept its tokens, and a [`TokenBuilder`] with one method
//! per claim and one per refusal a service test needs ([`Refusal`]).
//!
//! ```
//! use facilioo_jwt::testing::TestIssuer;
//! use facilioo_jwt::{Error, PartyType};
//!
//! let issuer = TestIssuer::new();
//! let verifier = issuer.verifier(); // or Verifier::new(issuer.key_set(), your_policy)
//!
//! let token = issuer.token().account(42).company(7).party_type(PartyType::Contractor).sign();
//! let verified = verifier.verify_now(&token)?;
//! assert_eq!(verified.subject().account_id(), 42);
//! assert_eq!(verified.party_type(), Some(PartyType::Contractor));
//! assert!(verified.is_test_key());
//!
//! // The refusals a service must handle, each by name.
//! let expired = issuer.token().expired().sign();
//! assert!(verifier.verify_now(&expired).unwrap_err().is_expired());
//! let forged = issuer.token().bad_signature().sign();
//! assert_eq!(verifier.verify_now(&forged), Err(Error::InvalidSignature));
//!
//! // What a client sends: `Authorization: Bearer eyJ…`.
//! assert!(token.authorization().starts_with("Bearer eyJ"));
//! # Ok::<(), Error>(())
//! ```
//!
//! # The test keys are public and worthless
//!
//! Their private halves are in this crate's source (`keys/testing/*.private.pem`), and their
//! public halves are files for services and the CLI: `keys/testing/trusted.pem` (test keys 1
//! to 3) and `keys/testing/untrusted.pem`. They stay the same from release to release (the
//! CHANGELOG would say if they ever changed). **Anyone can sign with them**: a service that
//! trusts one accepts every token anyone mints. So every build of this crate recognises them,
//! with or without this feature: [`PublicKey::is_test_key`](crate::keys::PublicKey::is_test_key),
//! [`KeySet::test_key_count`], [`VerifiedToken::is_test_key`](crate::VerifiedToken::is_test_key),
//! a warning from the HTTP glue when it starts with one, the CLI's output, and
//! [`Policy::refuse_test_keys`] to refuse their tokens outright. [`KeySet::facilioo`] never
//! holds one.
//!
//! Tokens are signed with the backend of the build (ring, or aws-lc-rs); this feature adds
//! no dependency.

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};

use crate::backend::RsaSigner;
use crate::keys::PublicKey;
use crate::keys::test_keys::TEST_KEY_PEMS;
use crate::policy::{FACILIOO_DEV_AUDIENCE, FACILIOO_DEV_ISSUER};
use crate::{KeySet, PartyType, Policy, UnixTime, Verifier};

/// The private halves, PKCS#8 PEM, in [`TestKey::ALL`]'s order.
const PRIVATE_PEMS: [&str; 4] = [
    include_str!("../keys/testing/test-1.private.pem"),
    include_str!("../keys/testing/test-2.private.pem"),
    include_str!("../keys/testing/test-3.private.pem"),
    include_str!("../keys/testing/untrusted.private.pem"),
];

/// How long a token lives unless told otherwise: an hour, as facilioo's do.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// The issuer a [`TokenBuilder::wrong_issuer`] token names (no policy should accept it).
pub const WRONG_ISSUER: &str = "wrong-issuer.invalid";
/// The audience a [`TokenBuilder::wrong_audience`] token names (no policy should accept it).
pub const WRONG_AUDIENCE: &str = "wrong-audience.invalid";

/// One of the test keys this crate ships. Keys 1 to 3 are what a [`TestIssuer`] trusts; the
/// untrusted one is in no key set it gives, for tokens a service must refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TestKey {
    /// Test key 1 of 3 (`keys/testing/test-1.pem`): what tokens are signed with by default.
    One,
    /// Test key 2 of 3 (`keys/testing/test-2.pem`).
    Two,
    /// Test key 3 of 3 (`keys/testing/test-3.pem`).
    Three,
    /// The key no [`TestIssuer`] trusts (`keys/testing/untrusted.pem`).
    Untrusted,
}

impl TestKey {
    /// The three keys a [`TestIssuer`] trusts, in order.
    pub const TRUSTED: [Self; 3] = [Self::One, Self::Two, Self::Three];
    /// All four, the untrusted one last.
    pub const ALL: [Self; 4] = [Self::One, Self::Two, Self::Three, Self::Untrusted];

    fn index(self) -> usize {
        match self {
            Self::One => 0,
            Self::Two => 1,
            Self::Three => 2,
            Self::Untrusted => 3,
        }
    }

    /// The key named `1`, `2`, `3` or `untrusted` (as the CLI's `--key` takes it).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "1" => Some(Self::One),
            "2" => Some(Self::Two),
            "3" => Some(Self::Three),
            "untrusted" => Some(Self::Untrusted),
            _ => None,
        }
    }

    /// The public half, PKCS#1 PEM (`BEGIN RSA PUBLIC KEY`), as in `keys/testing/`.
    pub fn public_pem(self) -> &'static str {
        TEST_KEY_PEMS[self.index()]
    }

    /// The private half, PKCS#8 PEM (`BEGIN PRIVATE KEY`): public knowledge, for tests in
    /// other languages or tools.
    pub fn private_pem(self) -> &'static str {
        PRIVATE_PEMS[self.index()]
    }

    /// The public half, loaded.
    pub fn public_key(self) -> PublicKey {
        // The shipped files load (tested); were one ever broken, an empty set would make this
        // unreachable rather than wrong, so the first key of a set that loads is taken.
        KeySet::from_pem(self.public_pem())
            .ok()
            .and_then(|set| set.iter().next().cloned())
            .unwrap_or_else(|| unreachable!("the shipped test keys load"))
    }
}

impl fmt::Display for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::One => "test key 1",
            Self::Two => "test key 2",
            Self::Three => "test key 3",
            Self::Untrusted => "the untrusted test key",
        })
    }
}

/// Signs test tokens with the shipped test keys, and gives what accepts them.
///
/// By default its tokens are for facilioo's dev issuer and audience
/// ([`Policy::facilioo_dev`]); [`TestIssuer::for_policy`] mints for a service's own.
/// Cheap to clone (the keys are shared).
#[derive(Clone)]
pub struct TestIssuer {
    signers: Arc<[RsaSigner; 4]>,
    /// What its tokens satisfy by default: their `iss`, `aud` and party-type claim name are
    /// the policy's (the first issuer and audience).
    policy: Policy,
}

impl fmt::Debug for TestIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestIssuer")
            .field("issuer", &self.issuer())
            .field("audience", &self.audience())
            .field("party_type_claim", &self.party_type_claim())
            .finish_non_exhaustive()
    }
}

impl Default for TestIssuer {
    fn default() -> Self {
        Self::new()
    }
}

impl TestIssuer {
    /// Tokens for facilioo's dev environment: `iss` [`FACILIOO_DEV_ISSUER`], `aud`
    /// [`FACILIOO_DEV_AUDIENCE`], the party type under [`DEFAULT_PARTY_TYPE_CLAIM`](crate::policy::DEFAULT_PARTY_TYPE_CLAIM).
    pub fn new() -> Self {
        Self {
            signers: Arc::new(TestKey::ALL.map(|key| {
                pkcs8_der(key.private_pem())
                    .and_then(|der| RsaSigner::from_pkcs8(&der))
                    .unwrap_or_else(|| unreachable!("the shipped test keys load"))
            })),
            policy: Policy::facilioo_dev(),
        }
    }

    /// Tokens a service with `policy` accepts by default: its first issuer and audience, its
    /// party-type claim name, and, if it requires party types, the first one it allows.
    /// [`policy`](Self::policy) and [`verifier`](Self::verifier) are that policy with every
    /// rule (leeway, size cap, party types), except that they accept the test keys even if
    /// `policy` [refuses them](Policy::refuse_test_keys): a test of such a service builds its
    /// verifier with this issuer's policy.
    ///
    /// ```
    /// use facilioo_jwt::testing::TestIssuer;
    /// use facilioo_jwt::{PartyType, Policy};
    ///
    /// let policy = Policy::new(["api.example.org"], ["app.example.org"])?
    ///     .with_allowed_party_types([PartyType::PropertyManagementCompany])
    ///     .refuse_test_keys();
    /// let issuer = TestIssuer::for_policy(&policy);
    /// let verified = issuer.verifier().verify_now(&issuer.token().account(9).sign())?;
    /// assert_eq!(verified.party_type(), Some(PartyType::PropertyManagementCompany));
    /// assert_eq!(verified.issuer(), "api.example.org");
    /// // The same rules, but for the test keys.
    /// assert!(issuer.policy().allowed_party_types().is_some());
    /// assert!(!issuer.policy().refuses_test_keys());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_policy(policy: &Policy) -> Self {
        Self {
            policy: policy.clone().accept_test_keys(),
            ..Self::new()
        }
    }

    /// The `iss` its tokens carry.
    pub fn issuer(&self) -> &str {
        // A policy has at least one issuer; the dev one stands in for the impossible.
        self.policy.issuers().next().unwrap_or(FACILIOO_DEV_ISSUER)
    }

    /// The `aud` its tokens carry.
    pub fn audience(&self) -> &str {
        self.policy
            .audiences()
            .next()
            .unwrap_or(FACILIOO_DEV_AUDIENCE)
    }

    /// The claim its tokens carry the party type in.
    fn party_type_claim(&self) -> &str {
        self.policy.party_type_claim()
    }

    /// The keys to trust: test keys 1 to 3 (`keys/testing/trusted.pem`).
    pub fn key_set(&self) -> KeySet {
        KeySet::new(TestKey::TRUSTED.map(TestKey::public_key).to_vec())
            .unwrap_or_else(|_| unreachable!("three keys make a set"))
    }

    /// The policy its default tokens satisfy: [`Policy::facilioo_dev`], or the one given to
    /// [`for_policy`](Self::for_policy) (accepting the test keys).
    pub fn policy(&self) -> Policy {
        self.policy.clone()
    }

    /// A verifier that accepts its default tokens: [`key_set`](Self::key_set) and
    /// [`policy`](Self::policy).
    pub fn verifier(&self) -> Verifier {
        Verifier::new(self.key_set(), self.policy())
    }

    /// A token to build: valid for an hour from now, account 1 of company 1, signed by test
    /// key 1, with no party type unless the policy requires one (then the first it allows).
    pub fn token(&self) -> TokenBuilder {
        TokenBuilder::new(self.clone())
    }

    /// A token refused with `refusal`'s code: [`token`](Self::token) with
    /// [`TokenBuilder::refused_as`].
    pub fn refused_token(&self, refusal: Refusal) -> TestToken {
        self.token().refused_as(refusal).sign()
    }
}

/// The DER inside a PKCS#8 PEM block.
fn pkcs8_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    STANDARD.decode(body.trim()).ok()
}

/// The refusals a service test needs, each a [`TokenBuilder`] method, with the
/// [`Error::code`](crate::Error::code) a [`Verifier`] refuses it with.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// [`TokenBuilder::expired`]: `expired`.
    Expired,
    /// [`TokenBuilder::not_yet_valid`]: `not_yet_valid`.
    NotYetValid,
    /// [`TokenBuilder::wrong_issuer`]: `invalid_issuer`.
    WrongIssuer,
    /// [`TokenBuilder::wrong_audience`]: `invalid_audience`.
    WrongAudience,
    /// [`TokenBuilder::untrusted_key`]: `invalid_signature`.
    UntrustedKey,
    /// [`TokenBuilder::bad_signature`]: `invalid_signature`.
    BadSignature,
    /// [`TokenBuilder::other_alg`]: `unsupported_algorithm`.
    OtherAlg,
    /// [`TokenBuilder::malformed`]: `malformed`.
    Malformed,
}

impl Refusal {
    /// Every refusal, in declaration order.
    pub const ALL: [Self; 8] = [
        Self::Expired,
        Self::NotYetValid,
        Self::WrongIssuer,
        Self::WrongAudience,
        Self::UntrustedKey,
        Self::BadSignature,
        Self::OtherAlg,
        Self::Malformed,
    ];

    /// The [`Error::code`](crate::Error::code) a verifier refuses such a token with.
    pub fn code(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongIssuer => "invalid_issuer",
            Self::WrongAudience => "invalid_audience",
            Self::UntrustedKey | Self::BadSignature => "invalid_signature",
            Self::OtherAlg => "unsupported_algorithm",
            Self::Malformed => "malformed",
        }
    }

    /// The HTTP status a service answers it with: 401, as for every refused token.
    pub fn http_status(self) -> u16 {
        401
    }

    /// The name the CLI's `mint --refused` takes: the code's words, e.g. `wrong_issuer`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::UntrustedKey => "untrusted_key",
            Self::BadSignature => "bad_signature",
            Self::OtherAlg => "other_alg",
            Self::Malformed => "malformed",
        }
    }

    /// The refusal of that [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A time claim: fixed, or relative to the token's reference time ([`TokenBuilder::at`]).
#[derive(Clone, Debug)]
enum Time {
    At(i64),
    After(i64),
}

/// A claim's value as the builder keeps it until signing.
#[derive(Clone, Debug)]
enum Member {
    Json(Value),
    Time(Time),
}

/// How a token is spoiled after signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spoil {
    None,
    Signature,
    Segments,
}

/// A test token being built: every claim facilioo sends, each settable, removable or
/// replaced by any JSON, and one method per refusal. Start from [`TestIssuer::token`];
/// finish with [`sign`](Self::sign).
///
/// Defaults: `nbf` now, `exp` an hour later ([`DEFAULT_LIFETIME`]), the issuer's `iss` and
/// `aud`, `sub` `{"accountId":1,"companyId":1}`, no party type (unless the issuer's policy
/// requires one: then the first it allows), header
/// `{"alg":"RS256","typ":"JWT"}`, test key 1. Members keep the order they were first set
/// in, facilioo's order for the defaults.
///
/// ```
/// use std::time::Duration;
/// use facilioo_jwt::testing::{TestIssuer, TestKey};
/// use facilioo_jwt::{PartyType, UnixTime};
///
/// let issuer = TestIssuer::new();
/// let now = UnixTime::from_secs(1_767_225_600);
/// let token = issuer
///     .token()
///     .at(now)
///     .account(42)
///     .without_company()
///     .party_type(PartyType::User)
///     .expires_in(Duration::from_secs(300))
///     .claim("scope", "read")
///     .signed_by(TestKey::Three)
///     .sign();
/// let verified = issuer.verifier().verify(&token, now)?;
/// assert_eq!(verified.subject().company_id(), None);
/// assert_eq!(verified.expires_at().as_secs(), 1_767_225_900);
/// assert_eq!(verified.key_index(), 2);
/// # Ok::<(), facilioo_jwt::Error>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `sign`"]
pub struct TokenBuilder {
    issuer: TestIssuer,
    now: Option<i64>,
    header: Vec<(String, Value)>,
    claims: Vec<(String, Member)>,
    key: TestKey,
    spoil: Spoil,
}

/// Seconds in `d`, saturated to `i64`.
fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

impl TokenBuilder {
    fn new(issuer: TestIssuer) -> Self {
        let claims = vec![
            ("nbf".to_owned(), Member::Time(Time::After(0))),
            (
                "exp".to_owned(),
                Member::Time(Time::After(secs(DEFAULT_LIFETIME))),
            ),
            ("iss".to_owned(), Member::Json(issuer.issuer().into())),
            ("aud".to_owned(), Member::Json(issuer.audience().into())),
            (
                "sub".to_owned(),
                Member::Json(serde_json::json!({"accountId": 1, "companyId": 1})),
            ),
        ];
        let first = issuer
            .policy
            .allowed_party_types()
            .and_then(<[_]>::first)
            .copied();
        let builder = Self {
            issuer,
            now: None,
            header: vec![
                ("alg".to_owned(), "RS256".into()),
                ("typ".to_owned(), "JWT".into()),
            ],
            claims,
            key: TestKey::One,
            spoil: Spoil::None,
        };
        match first {
            Some(first) => builder.party_type(first),
            None => builder,
        }
    }

    /// Sets the party-type claim where the policy reads it (a top-level claim or a member of
    /// `sub`) to `value`, or removes it (`None`).
    fn set_party_type(mut self, value: Option<Value>) -> Self {
        let policy = &self.issuer.policy;
        if let Some(member) = policy.party_type_sub_member().map(str::to_owned) {
            let sub = self.subject_mut();
            match value {
                Some(value) => sub.insert(member, value),
                None => sub.remove(&member),
            };
            return self;
        }
        let name = policy.party_type_member().unwrap_or_default().to_owned();
        match value {
            Some(value) => self.set(&name, Member::Json(value)),
            None => self.without_claim(&name),
        }
    }

    fn set(mut self, name: &str, value: Member) -> Self {
        match self.claims.iter_mut().find(|(n, _)| n == name) {
            Some((_, slot)) => *slot = value,
            None => self.claims.push((name.to_owned(), value)),
        }
        self
    }

    /// The `sub` object, made one if it is something else.
    fn subject_mut(&mut self) -> &mut Map<String, Value> {
        let index = match self.claims.iter().position(|(n, _)| n == "sub") {
            Some(i) => i,
            None => {
                self.claims
                    .push(("sub".to_owned(), Member::Json(Value::Object(Map::new()))));
                self.claims.len() - 1
            }
        };
        let slot = &mut self.claims[index].1;
        if !matches!(slot, Member::Json(Value::Object(_))) {
            *slot = Member::Json(Value::Object(Map::new()));
        }
        match slot {
            Member::Json(Value::Object(map)) => map,
            _ => unreachable!("made an object above"),
        }
    }

    /// The time `nbf`/`exp` are relative to (default: the system clock when
    /// [`sign`](Self::sign) runs).
    pub fn at(mut self, now: impl Into<UnixTime>) -> Self {
        self.now = Some(now.into().as_secs());
        self
    }

    /// `sub.accountId`.
    pub fn account(mut self, account_id: u64) -> Self {
        self.subject_mut()
            .insert("accountId".to_owned(), account_id.into());
        self
    }

    /// `sub.companyId`.
    pub fn company(mut self, company_id: u64) -> Self {
        self.subject_mut()
            .insert("companyId".to_owned(), company_id.into());
        self
    }

    /// No `sub.companyId`: a private user (tenant, owner).
    pub fn without_company(mut self) -> Self {
        self.subject_mut().remove("companyId");
        self
    }

    /// The party type, as its facilioo id (`PartyType::Unknown(id)` for any other id), in the
    /// claim the policy reads it from ([`Policy::with_party_type_claim`]: a top-level claim,
    /// or a member of `sub`).
    pub fn party_type(self, party_type: PartyType) -> Self {
        self.set_party_type(Some(party_type.id().into()))
    }

    /// The party type as a name (`"Contractor"`), since the claim's real shape is
    /// unpublished: any string, documented name or not.
    pub fn party_type_name(self, name: &str) -> Self {
        self.set_party_type(Some(name.into()))
    }

    /// The party-type claim as any JSON value (`null`, `-1`, `[5]`, …).
    pub fn party_type_json(self, value: impl Into<Value>) -> Self {
        self.set_party_type(Some(value.into()))
    }

    /// No party-type claim (the default).
    pub fn without_party_type(self) -> Self {
        self.set_party_type(None)
    }

    /// `iss`.
    pub fn issuer(self, iss: &str) -> Self {
        self.set("iss", Member::Json(iss.into()))
    }

    /// `aud`, a string.
    pub fn audience(self, aud: &str) -> Self {
        self.set("aud", Member::Json(aud.into()))
    }

    /// `aud`, an array of these.
    pub fn audiences<I>(self, auds: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let auds: Vec<Value> = auds.into_iter().map(|a| Value::String(a.into())).collect();
        self.set("aud", Member::Json(Value::Array(auds)))
    }

    /// `nbf` at `time`.
    pub fn not_before(self, time: impl Into<UnixTime>) -> Self {
        self.set("nbf", Member::Time(Time::At(time.into().as_secs())))
    }

    /// `nbf` this long after the reference time ([`at`](Self::at)).
    pub fn not_before_in(self, after: Duration) -> Self {
        self.set("nbf", Member::Time(Time::After(secs(after))))
    }

    /// `exp` at `time`.
    pub fn expires_at(self, time: impl Into<UnixTime>) -> Self {
        self.set("exp", Member::Time(Time::At(time.into().as_secs())))
    }

    /// `exp` this long after the reference time ([`at`](Self::at)).
    pub fn expires_in(self, after: Duration) -> Self {
        self.set("exp", Member::Time(Time::After(secs(after))))
    }

    /// Any claim, set to any JSON value (replacing one of that name, `sub` or `exp`
    /// included).
    pub fn claim(self, name: &str, value: impl Into<Value>) -> Self {
        self.set(name, Member::Json(value.into()))
    }

    /// No claim of that name (`exp`, `sub`, …).
    pub fn without_claim(mut self, name: &str) -> Self {
        self.claims.retain(|(n, _)| n != name);
        self
    }

    /// A header member set to any JSON value (`kid`, `jku`, `crit`, …; `alg` too).
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        match self.header.iter_mut().find(|(n, _)| n == name) {
            Some((_, slot)) => *slot = value,
            None => self.header.push((name.to_owned(), value)),
        }
        self
    }

    /// No header member of that name.
    pub fn without_header(mut self, name: &str) -> Self {
        self.header.retain(|(n, _)| n != name);
        self
    }

    /// Signs with `key` (default [`TestKey::One`]).
    pub fn signed_by(mut self, key: TestKey) -> Self {
        self.key = key;
        self
    }

    /// Expired an hour ago (valid from two hours ago): `expired`, whatever leeway up to an
    /// hour the service allows.
    pub fn expired(self) -> Self {
        self.not_before_at_offset(-7200).expires_at_offset(-3600)
    }

    /// Valid only from an hour from now, for an hour: `not_yet_valid`.
    pub fn not_yet_valid(self) -> Self {
        self.not_before_at_offset(3600).expires_at_offset(7200)
    }

    /// `iss` [`WRONG_ISSUER`]: `invalid_issuer`.
    pub fn wrong_issuer(self) -> Self {
        self.issuer(WRONG_ISSUER)
    }

    /// `aud` [`WRONG_AUDIENCE`]: `invalid_audience`.
    pub fn wrong_audience(self) -> Self {
        self.audience(WRONG_AUDIENCE)
    }

    /// Signed by [`TestKey::Untrusted`]: `invalid_signature`.
    pub fn untrusted_key(self) -> Self {
        self.signed_by(TestKey::Untrusted)
    }

    /// Signed, then one bit of the signature flipped: `invalid_signature`.
    pub fn bad_signature(mut self) -> Self {
        self.spoil = Spoil::Signature;
        self
    }

    /// `alg` `HS256` (the signature stays RS256): `unsupported_algorithm`, refused before
    /// any key is tried.
    pub fn other_alg(self) -> Self {
        self.header("alg", "HS256")
    }

    /// Not a compact JWS: the signature segment left off (`header.payload`): `malformed`.
    pub fn malformed(mut self) -> Self {
        self.spoil = Spoil::Segments;
        self
    }

    /// The method that makes a token refused as `refusal` says.
    pub fn refused_as(self, refusal: Refusal) -> Self {
        match refusal {
            Refusal::Expired => self.expired(),
            Refusal::NotYetValid => self.not_yet_valid(),
            Refusal::WrongIssuer => self.wrong_issuer(),
            Refusal::WrongAudience => self.wrong_audience(),
            Refusal::UntrustedKey => self.untrusted_key(),
            Refusal::BadSignature => self.bad_signature(),
            Refusal::OtherAlg => self.other_alg(),
            Refusal::Malformed => self.malformed(),
        }
    }

    fn not_before_at_offset(self, secs: i64) -> Self {
        self.set("nbf", Member::Time(Time::After(secs)))
    }

    fn expires_at_offset(self, secs: i64) -> Self {
        self.set("exp", Member::Time(Time::After(secs)))
    }

    /// The header and claims JSON as they will be signed, `nbf`/`exp` resolved against the
    /// reference time.
    pub fn json(&self) -> (String, String) {
        let now = self.now.unwrap_or_else(|| UnixTime::now().as_secs());
        let header = object(self.header.iter().map(|(n, v)| (n, v.clone())));
        let claims = object(self.claims.iter().map(|(n, m)| {
            let value = match m {
                Member::Json(v) => v.clone(),
                Member::Time(Time::At(t)) => (*t).into(),
                Member::Time(Time::After(d)) => now.saturating_add(*d).into(),
            };
            (n, value)
        }));
        (header, claims)
    }

    /// Signs: the compact token.
    pub fn sign(self) -> TestToken {
        let (header, claims) = self.json();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let mut signature = self.issuer.signers[self.key.index()].sign(input.as_bytes());
        let compact = match self.spoil {
            Spoil::None => format!("{input}.{}", URL_SAFE_NO_PAD.encode(&signature)),
            Spoil::Signature => {
                if let Some(byte) = signature.first_mut() {
                    *byte ^= 1;
                }
                format!("{input}.{}", URL_SAFE_NO_PAD.encode(&signature))
            }
            Spoil::Segments => input,
        };
        TestToken(compact)
    }
}

/// A JSON object with these members in this order.
fn object<'a>(members: impl Iterator<Item = (&'a String, Value)>) -> String {
    let body: Vec<String> = members
        .map(|(name, value)| format!("{}:{value}", Value::String(name.clone())))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// A signed test token: the compact JWS (`Deref<Target = str>`, `Display`), and the
/// `Authorization` header value a client sends it in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TestToken(String);

impl TestToken {
    /// The compact token, `header.payload.signature`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `Bearer <token>`, the `Authorization` header value.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.0)
    }

    /// The compact token, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl core::ops::Deref for TestToken {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for TestToken {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TestToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<TestToken> for String {
    fn from(token: TestToken) -> Self {
        token.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_keys_load_and_are_recognised() {
        let issuer = TestIssuer::new();
        assert_eq!(issuer.key_set().test_key_count(), 3);
        for key in TestKey::ALL {
            assert!(key.public_key().is_test_key());
            assert_eq!(TestKey::from_name(&key_name(key)), Some(key));
        }
    }

    fn key_name(key: TestKey) -> String {
        match key {
            TestKey::Untrusted => "untrusted".into(),
            k => (k.index() + 1).to_string(),
        }
    }

    #[test]
    fn refusal_names_round_trip() {
        for r in Refusal::ALL {
            assert_eq!(Refusal::from_name(r.name()), Some(r));
            assert_eq!(r.to_string(), r.name());
            assert_eq!(r.http_status(), 401);
        }
        assert_eq!(Refusal::from_name("nope"), None);
    }
}
