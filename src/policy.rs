//! What a verified token must also satisfy: issuer, audience, time window, party type; the
//! defaults, and the one documented facilioo environment.

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::PartyType;

/// The default leeway for `exp` and `nbf`: 60 seconds.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// The default cap on a token's length, checked before anything is decoded: 8 KiB.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8 * 1024;
/// The default name of the party-type claim. facilioo says the party type is "embedded in
/// the accessToken" but publishes no token that shows it, so the name is a guess: configure it
/// with [`Policy::with_party_type_claim`] once a real token shows it (the CLI's `inspect`
/// names the claims that look like one).
pub const DEFAULT_PARTY_TYPE_CLAIM: &str = "partyType";

/// The issuer of facilioo's dev environment, the only one the docs publish.
pub const FACILIOO_DEV_ISSUER: &str = "dev-api.facilioo.de";
/// The audience of facilioo's dev environment, the only one the docs publish.
pub const FACILIOO_DEV_AUDIENCE: &str = "dev-app.facilioo.de";

/// The claim rules a token must satisfy once its signature verified.
///
/// There is deliberately no `Default`: facilioo does not publish its production issuer and
/// audience, and guessing them would be a silent hole. Name them with [`Policy::new`], or use
/// [`Policy::facilioo_dev`] for the documented dev pair.
///
/// ```
/// use std::time::Duration;
/// use facilioo_jwt::{PartyType, Policy};
///
/// let policy = Policy::new(["api.example.org"], ["app.example.org"])?
///     .with_leeway(Duration::from_secs(30))
///     .with_allowed_party_types([PartyType::PropertyManagementCompany, PartyType::Contractor]);
/// assert_eq!(policy.leeway(), Duration::from_secs(30));
/// # Ok::<(), facilioo_jwt::policy::PolicyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    // Shared with every verified token, which names its issuer and audience without copying.
    issuers: Box<[Arc<str>]>,
    audiences: Box<[Arc<str>]>,
    leeway: Duration,
    max_token_len: usize,
    party_type_claim: ClaimName,
    allowed_party_types: Option<Box<[PartyType]>>,
    refuse_test_keys: bool,
}

/// Where the party type is read: the configured text, and the member it names.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ClaimName {
    text: Box<str>,
    at: ClaimAt,
}

/// A member of the claims object, or of `sub`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ClaimAt {
    Top(Box<str>),
    Sub(Box<str>),
}

impl ClaimName {
    fn default_claim() -> Self {
        Self {
            text: DEFAULT_PARTY_TYPE_CLAIM.into(),
            at: ClaimAt::Top(DEFAULT_PARTY_TYPE_CLAIM.into()),
        }
    }

    /// `claim` read as [`Policy::with_party_type_claim`] says.
    fn parse(claim: &str) -> Option<Self> {
        let at = match claim.strip_prefix('/') {
            None => ClaimAt::Top(claim.into()),
            Some(pointer) => {
                let mut tokens = pointer.split('/').map(unescape_pointer_token);
                match (tokens.next(), tokens.next(), tokens.next()) {
                    (Some(name), None, None) => ClaimAt::Top(name?.into()),
                    (Some(sub), Some(name), None) if sub.as_deref() == Some("sub") => {
                        ClaimAt::Sub(name?.into())
                    }
                    _ => return None,
                }
            }
        };
        let usable = match &at {
            ClaimAt::Top(name) => {
                !name.is_empty() && !matches!(&**name, "exp" | "nbf" | "iss" | "aud" | "sub")
            }
            ClaimAt::Sub(name) => !name.is_empty() && !matches!(&**name, "accountId" | "companyId"),
        };
        usable.then(|| Self {
            text: claim.into(),
            at,
        })
    }
}

/// One reference token of a JSON Pointer (RFC 6901 §4): `~1` is `/`, `~0` is `~`, and any
/// other `~` makes it no pointer.
fn unescape_pointer_token(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '~' => match chars.next()? {
                '0' => '~',
                '1' => '/',
                _ => return None,
            },
            c => c,
        });
    }
    Some(out)
}

impl Policy {
    /// A policy that accepts tokens whose `iss` is exactly one of `issuers` and whose `aud`
    /// names at least one of `audiences`, with the default leeway and size cap.
    ///
    /// Fails if either list is empty, or holds an empty string or one with whitespace around
    /// it (`" dev-api.facilioo.de"` from a configuration file would never match: both are
    /// compared byte for byte), naming which entry.
    pub fn new<I, A>(issuers: I, audiences: A) -> Result<Self, PolicyError>
    where
        I: IntoIterator,
        I::Item: Into<String>,
        A: IntoIterator,
        A::Item: Into<String>,
    {
        let issuers = entries(issuers, PolicyError::NoIssuer, |position, empty| {
            PolicyError::BadIssuer { position, empty }
        })?;
        let audiences = entries(audiences, PolicyError::NoAudience, |position, empty| {
            PolicyError::BadAudience { position, empty }
        })?;
        Ok(Self {
            issuers,
            audiences,
            leeway: DEFAULT_LEEWAY,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            party_type_claim: ClaimName::default_claim(),
            allowed_party_types: None,
            refuse_test_keys: false,
        })
    }

    /// facilioo's dev environment: iss [`FACILIOO_DEV_ISSUER`], aud [`FACILIOO_DEV_AUDIENCE`].
    pub fn facilioo_dev() -> Self {
        Self {
            issuers: Box::new([FACILIOO_DEV_ISSUER.into()]),
            audiences: Box::new([FACILIOO_DEV_AUDIENCE.into()]),
            leeway: DEFAULT_LEEWAY,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            party_type_claim: ClaimName::default_claim(),
            allowed_party_types: None,
            refuse_test_keys: false,
        }
    }

    /// Sets the clock-skew leeway `L`: a token is current iff `nbf − L ≤ now < exp + L`.
    /// Whole seconds count; a fraction is dropped.
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = Duration::from_secs(leeway.as_secs());
        self
    }

    /// Sets the cap on a token's length in bytes, checked before any decoding.
    pub fn with_max_token_len(mut self, max: usize) -> Self {
        self.max_token_len = max;
        self
    }

    /// Sets the claim that carries the party type (default [`DEFAULT_PARTY_TYPE_CLAIM`]),
    /// in one syntax that the CLI's `--party-type-claim`, the test kit and the Python package
    /// share:
    ///
    /// - a top-level claim's name as it is: `partyType`, `role`, or a claim URI such as
    ///   `http://schemas.microsoft.com/ws/2008/06/identity/claims/role`;
    /// - or, starting with `/`, a JSON Pointer ([RFC 6901](https://www.rfc-editor.org/rfc/rfc6901))
    ///   to a top-level claim or to a member of `sub`: `/partyType`, `/sub/partyTypeId`
    ///   (`~1` stands for `/` in a name, `~0` for `~`).
    ///
    /// facilioo does not publish the claim's name: run `facilioo-jwt inspect` on a real
    /// token to see which claims look like a party type.
    ///
    /// # Errors
    /// [`PolicyError::PartyTypeClaim`] for an empty name, a pointer that reaches deeper than
    /// a member of `sub` or has a `~` that is neither `~0` nor `~1`, or a claim this crate reads
    /// for something else (`exp`, `nbf`, `iss`, `aud`, `sub`, and `sub`'s `accountId` and
    /// `companyId`).
    ///
    /// ```
    /// use facilioo_jwt::Policy;
    ///
    /// let policy = Policy::facilioo_dev().with_party_type_claim("/sub/partyTypeId")?;
    /// assert_eq!(policy.party_type_claim(), "/sub/partyTypeId");
    /// assert!(Policy::facilioo_dev().with_party_type_claim("/sub/accountId").is_err());
    /// # Ok::<(), facilioo_jwt::policy::PolicyError>(())
    /// ```
    pub fn with_party_type_claim(mut self, claim: &str) -> Result<Self, PolicyError> {
        self.party_type_claim = ClaimName::parse(claim).ok_or(PolicyError::PartyTypeClaim)?;
        Ok(self)
    }

    /// Requires the token's party type to be one of `allowed`. A token whose party-type claim
    /// is absent or `null`, or names another type, is refused with
    /// [`Error::PartyTypeNotAllowed`](crate::Error::PartyTypeNotAllowed); one whose claim
    /// cannot be read (a negative or too large number, a string that is no documented name,
    /// any other type) with [`Error::InvalidClaim`](crate::Error::InvalidClaim). An empty list
    /// allows none.
    ///
    /// Without this call the claim never refuses a token: its name is a guess (facilioo does
    /// not publish it), so a policy that does not use it must not depend on it.
    pub fn with_allowed_party_types(
        mut self,
        allowed: impl IntoIterator<Item = PartyType>,
    ) -> Self {
        self.allowed_party_types = Some(allowed.into_iter().collect());
        self
    }

    /// Refuses every token a shipped test key verified, with
    /// [`Error::TestKey`](crate::Error::TestKey), even if the key set holds one. The test
    /// keys' private halves are public ([`PublicKey::is_test_key`](crate::keys::PublicKey::is_test_key)),
    /// so a production service that loads its keys from a file an operator names can make
    /// sure a test key put there by mistake admits nobody.
    ///
    /// ```
    /// use facilioo_jwt::Policy;
    ///
    /// let policy = Policy::new(["api.example.org"], ["app.example.org"])?.refuse_test_keys();
    /// assert!(policy.refuses_test_keys());
    /// # Ok::<(), facilioo_jwt::policy::PolicyError>(())
    /// ```
    pub fn refuse_test_keys(mut self) -> Self {
        self.refuse_test_keys = true;
        self
    }

    /// This policy without [`refuse_test_keys`](Self::refuse_test_keys): for the test kit.
    #[cfg(feature = "testing")]
    pub(crate) fn accept_test_keys(mut self) -> Self {
        self.refuse_test_keys = false;
        self
    }

    /// Whether tokens verified by a shipped test key are refused ([`Policy::refuse_test_keys`]).
    pub fn refuses_test_keys(&self) -> bool {
        self.refuse_test_keys
    }

    /// The accepted issuers.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.issuers.iter().map(|s| &**s)
    }

    /// The accepted audiences.
    pub fn audiences(&self) -> impl Iterator<Item = &str> {
        self.audiences.iter().map(|s| &**s)
    }

    /// The leeway for `exp` and `nbf`.
    pub fn leeway(&self) -> Duration {
        self.leeway
    }

    /// The cap on a token's length in bytes.
    pub fn max_token_len(&self) -> usize {
        self.max_token_len
    }

    /// The party-type claim as configured ([`with_party_type_claim`](Self::with_party_type_claim)).
    pub fn party_type_claim(&self) -> &str {
        &self.party_type_claim.text
    }

    /// The top-level member that holds the party type, if that is where it is read.
    pub(crate) fn party_type_member(&self) -> Option<&str> {
        match &self.party_type_claim.at {
            ClaimAt::Top(name) => Some(name),
            ClaimAt::Sub(_) => None,
        }
    }

    /// The member of `sub` that holds the party type, if that is where it is read.
    pub(crate) fn party_type_sub_member(&self) -> Option<&str> {
        match &self.party_type_claim.at {
            ClaimAt::Sub(name) => Some(name),
            ClaimAt::Top(_) => None,
        }
    }

    /// The allowed party types, if the policy requires one.
    pub fn allowed_party_types(&self) -> Option<&[PartyType]> {
        self.allowed_party_types.as_deref()
    }

    pub(crate) fn issuer_index(&self, iss: &str) -> Option<usize> {
        self.issuers.iter().position(|i| **i == *iss)
    }

    pub(crate) fn audience_index(&self, aud: &str) -> Option<usize> {
        self.audiences.iter().position(|a| **a == *aud)
    }

    pub(crate) fn issuer(&self, index: usize) -> Option<&Arc<str>> {
        self.issuers.get(index)
    }

    pub(crate) fn audience(&self, index: usize) -> Option<&Arc<str>> {
        self.audiences.get(index)
    }

    pub(crate) fn leeway_secs(&self) -> u64 {
        self.leeway.as_secs()
    }
}

/// `items`, or `none` if there are none, or `bad(position, empty)` for the first that is
/// empty or has whitespace around it.
fn entries<I>(
    items: I,
    none: PolicyError,
    bad: fn(usize, bool) -> PolicyError,
) -> Result<Box<[Arc<str>]>, PolicyError>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let items: Box<[Arc<str>]> = items.into_iter().map(|s| Arc::from(s.into())).collect();
    if items.is_empty() {
        return Err(none);
    }
    match items.iter().position(|s| s.is_empty() || s.trim() != &**s) {
        Some(i) => Err(bad(i + 1, items[i].is_empty())),
        None => Ok(items),
    }
}

/// Why a [`Policy`] could not be built. Its `Debug` (what `main` prints when it returns one)
/// says the message too.
#[non_exhaustive]
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PolicyError {
    /// No issuer.
    NoIssuer,
    /// No audience.
    NoAudience,
    /// An issuer that is empty or has whitespace around it.
    BadIssuer {
        /// Which one, from 1.
        position: usize,
        /// Empty (else: whitespace around it).
        empty: bool,
    },
    /// An audience that is empty or has whitespace around it.
    BadAudience {
        /// Which one, from 1.
        position: usize,
        /// Empty (else: whitespace around it).
        empty: bool,
    },
    /// A party-type claim that names no usable member
    /// ([`Policy::with_party_type_claim`] says which do).
    PartyTypeClaim,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (list, position, empty) = match *self {
            Self::NoIssuer => return f.write_str("a policy needs at least one non-empty issuer"),
            Self::NoAudience => {
                return f.write_str("a policy needs at least one non-empty audience");
            }
            Self::PartyTypeClaim => {
                return f.write_str(
                    "a party-type claim is a top-level claim's name (partyType, a claim URI) or \
                     a JSON Pointer to one or to a member of sub (/partyType, /sub/partyTypeId), \
                     other than exp, nbf, iss, aud, sub, and sub's accountId and companyId",
                );
            }
            Self::BadIssuer { position, empty } => ("issuer", position, empty),
            Self::BadAudience { position, empty } => ("audience", position, empty),
        };
        if empty {
            write!(f, "{list} {position} is empty")
        } else {
            write!(
                f,
                "{list} {position} has whitespace around it ({list}s are compared byte for byte)"
            )
        }
    }
}

/// The variant and its message: `NoIssuer: a policy needs at least one non-empty issuer`.
impl fmt::Debug for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let variant = match self {
            Self::NoIssuer => "NoIssuer",
            Self::NoAudience => "NoAudience",
            Self::BadIssuer { .. } => "BadIssuer",
            Self::BadAudience { .. } => "BadAudience",
            Self::PartyTypeClaim => "PartyTypeClaim",
        };
        write!(f, "{variant}: {self}")
    }
}

impl std::error::Error for PolicyError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(claim: &str) -> Option<ClaimAt> {
        ClaimName::parse(claim).map(|c| c.at)
    }

    #[test]
    fn party_type_claims_in_one_syntax() {
        let top = |name: &str| Some(ClaimAt::Top(name.into()));
        let sub = |name: &str| Some(ClaimAt::Sub(name.into()));
        for (claim, want) in [
            ("partyType", top("partyType")),
            ("role", top("role")),
            (
                "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
                top("http://schemas.microsoft.com/ws/2008/06/identity/claims/role"),
            ),
            ("sub.partyTypeId", top("sub.partyTypeId")),
            ("/partyType", top("partyType")),
            ("/sub/partyTypeId", sub("partyTypeId")),
            ("/a~1b~0c", top("a/b~c")),
            ("/sub/~01", sub("~1")),
            ("/http:~1~1x", top("http://x")),
            // Refused: empty, deeper, bad escapes, the claims read for something else.
            ("", None),
            ("/", None),
            ("/sub/", None),
            ("/sub", None),
            ("sub", None),
            ("exp", None),
            ("/nbf", None),
            ("iss", None),
            ("aud", None),
            ("/sub/accountId", None),
            ("/sub/companyId", None),
            ("/sub/a/b", None),
            ("/x/y", None),
            ("/a~2", None),
            ("/a~", None),
        ] {
            assert_eq!(at(claim), want, "{claim:?}");
        }
        let policy = Policy::facilioo_dev();
        assert_eq!(
            policy.clone().with_party_type_claim("/sub/x").map(|p| (
                p.party_type_claim().to_owned(),
                p.party_type_member().map(str::to_owned),
                p.party_type_sub_member().map(str::to_owned)
            )),
            Ok(("/sub/x".to_owned(), None, Some("x".to_owned())))
        );
        assert_eq!(policy.party_type_member(), Some("partyType"));
        assert_eq!(policy.party_type_sub_member(), None);
        assert_eq!(
            policy.with_party_type_claim("exp"),
            Err(PolicyError::PartyTypeClaim)
        );
    }

    #[test]
    fn issuers_and_audiences_are_named_when_refused() {
        use PolicyError::{BadAudience, BadIssuer, NoAudience, NoIssuer};
        let none: [&str; 0] = [];
        for (issuers, audiences, want) in [
            (&none[..], &["a"][..], NoIssuer),
            (&["i"], &none, NoAudience),
            (
                &["i", ""],
                &["a"],
                BadIssuer {
                    position: 2,
                    empty: true,
                },
            ),
            (
                &[" i"],
                &["a"],
                BadIssuer {
                    position: 1,
                    empty: false,
                },
            ),
            (
                &["i"],
                &["a", "b", "c\n"],
                BadAudience {
                    position: 3,
                    empty: false,
                },
            ),
            (
                &["i"],
                &["a", "b\u{a0}"],
                BadAudience {
                    position: 2,
                    empty: false,
                },
            ),
            (
                &["i"],
                &[""],
                BadAudience {
                    position: 1,
                    empty: true,
                },
            ),
        ] {
            assert_eq!(Policy::new(issuers.to_vec(), audiences.to_vec()), Err(want));
        }
        assert!(
            Policy::new(["i j"], ["a-b"]).is_ok(),
            "whitespace inside is kept"
        );
        assert_eq!(
            BadIssuer {
                position: 2,
                empty: false
            }
            .to_string(),
            "issuer 2 has whitespace around it (issuers are compared byte for byte)"
        );
        assert_eq!(
            format!(
                "{:?}",
                BadAudience {
                    position: 1,
                    empty: true
                }
            ),
            "BadAudience: audience 1 is empty"
        );
        assert_eq!(
            format!("{NoIssuer:?}"),
            "NoIssuer: a policy needs at least one non-empty issuer"
        );
        assert_eq!(
            format!("{:?}", PolicyError::PartyTypeClaim),
            format!("PartyTypeClaim: {}", PolicyError::PartyTypeClaim)
        );
        assert_eq!(
            format!("{NoAudience:?}"),
            "NoAudience: a policy needs at least one non-empty audience"
        );
    }
}
