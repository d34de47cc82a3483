//! The verified token as handlers see it, and the party types a route admits, in its type.
//!
//! - One type for every framework: [`FaciliooToken`] is what the axum extractor yields and
//!   what the tower layer puts into request extensions.
//! - A route's party types are a type parameter (a marker implementing
//!   [`AllowedPartyTypes`]), so a handler's signature says who may call it, and the check
//!   runs before the handler does.
//! - The token keeps the [`BearerAuth`] that made it, so its scoping helpers refuse with that
//!   service's realm, body and observation hook.

use core::fmt;
use core::marker::PhantomData;
use core::ops::Deref;

use super::{BearerAuth, Denial};
use crate::{AccountId, CompanyId, PartyType, VerifiedToken};

/// The party types a route admits, as a type: the `R` of [`FaciliooToken<R>`].
///
/// Declare one with [`party_types!`](crate::party_types), use a ready-made one from
/// [`only`], or [`AnyPartyType`] for no requirement.
pub trait AllowedPartyTypes: Send + Sync + 'static {
    /// The party types admitted (compared by id); `None` admits every token, whatever its
    /// party type (`Some(&[])` admits none).
    const ALLOWED: Option<&'static [PartyType]>;
}

/// No party-type requirement: the default `R` of [`FaciliooToken`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AnyPartyType;

impl AllowedPartyTypes for AnyPartyType {
    const ALLOWED: Option<&'static [PartyType]> = None;
}

/// Declares a marker type for the party types a route admits, to use as
/// `FaciliooToken<Marker>`:
///
/// ```
/// use facilioo_jwt::http::{AllowedPartyTypes, FaciliooToken};
/// use facilioo_jwt::PartyType;
///
/// facilioo_jwt::party_types!(pub Staff = [PropertyManagementCompany, PoolManager]);
/// facilioo_jwt::party_types!(
///     /// Insurers, and a party type facilioo has not documented yet.
///     Insurance = [Insurer, Unknown(15)]
/// );
///
/// assert_eq!(Staff::ALLOWED, Some(&[PartyType::PropertyManagementCompany, PartyType::PoolManager][..]));
/// assert_eq!(Insurance::ALLOWED, Some(&[PartyType::Insurer, PartyType::Unknown(15)][..]));
/// async fn staff_only(token: FaciliooToken<Staff>) -> String {
///     token.subject().account_id().to_string()
/// }
/// ```
///
/// Each name is a [`PartyType`] variant; the marker is a unit struct with the visibility and
/// attributes given (feature `http`).
#[macro_export]
macro_rules! party_types {
    ($(#[$meta:meta])* $vis:vis $name:ident = [$($party:ident $(($id:literal))?),* $(,)?]) => {
        $(#[$meta])*
        #[doc = concat!("Admits the party types ", stringify!($($party $(($id))?),*), ".")]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        $vis struct $name;

        impl $crate::http::AllowedPartyTypes for $name {
            const ALLOWED: ::core::option::Option<&'static [$crate::PartyType]> =
                ::core::option::Option::Some(&[$($crate::PartyType::$party $(($id))?),*]);
        }
    };
}

/// A marker for each party type facilioo documents, admitting that one alone:
/// `FaciliooToken<only::Contractor>`.
pub mod only {
    crate::party_types!(pub PropertyManagementCompany = [PropertyManagementCompany]);
    crate::party_types!(pub PoolManager = [PoolManager]);
    crate::party_types!(pub Contractor = [Contractor]);
    crate::party_types!(pub User = [User]);
    crate::party_types!(pub Guest = [Guest]);
    crate::party_types!(pub InsuranceBroker = [InsuranceBroker]);
    crate::party_types!(pub Insurer = [Insurer]);
}

/// A request's verified facilioo token, admitted for a route that takes the party types `R`
/// ([`AnyPartyType`] by default). It dereferences to the [`VerifiedToken`]
/// (`subject()`, `party_type()`, …).
///
/// The axum extractor (feature `axum`) yields it, and the tower layer (feature `tower`)
/// puts a `FaciliooToken` into request extensions: a handler behind the layer that takes one
/// gets the layer's, verified once. [`BearerAuth::authenticate`] makes one for any other
/// framework.
///
/// ```
/// # #[cfg(feature = "testing")]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use facilioo_jwt::http::{BearerAuth, FaciliooToken, only};
/// use facilioo_jwt::testing::TestIssuer;
/// use facilioo_jwt::PartyType;
/// use http::{HeaderMap, header::AUTHORIZATION};
///
/// let issuer = TestIssuer::new();
/// let auth = BearerAuth::new(issuer.verifier());
/// let mut headers = HeaderMap::new();
/// let token = issuer.token().company(7).party_type(PartyType::Contractor).sign();
/// headers.insert(AUTHORIZATION, token.authorization().parse()?);
///
/// let token: FaciliooToken = auth.authenticate(&headers)?;
/// token.require_company(7)?;
/// assert_eq!(token.require_company(8).unwrap_err().reason(), "company_not_allowed");
/// let contractor: FaciliooToken<only::Contractor> = token.clone().narrow()?;
/// assert_eq!(contractor.party_type(), Some(PartyType::Contractor));
/// assert_eq!(token.narrow::<only::User>().unwrap_err().status(), 403);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "testing"))]
/// # fn main() {}
/// ```
pub struct FaciliooToken<R = AnyPartyType> {
    token: VerifiedToken,
    auth: BearerAuth,
    route: PhantomData<fn() -> R>,
}

impl<R: AllowedPartyTypes> FaciliooToken<R> {
    /// `token`, made by `auth`, whose party type `R` admits (the caller checked).
    pub(crate) fn admitted(token: VerifiedToken, auth: BearerAuth) -> Self {
        Self {
            token,
            auth,
            route: PhantomData,
        }
    }

    /// The verified token.
    pub fn into_inner(self) -> VerifiedToken {
        self.token
    }

    /// The [`BearerAuth`] that admitted it.
    pub fn auth(&self) -> &BearerAuth {
        &self.auth
    }

    /// This token for a route that admits the party types `R2`, or the route's refusal (403
    /// `insufficient_scope`, [`DenialKind::PartyType`](super::DenialKind::PartyType)).
    pub fn narrow<R2: AllowedPartyTypes>(self) -> Result<FaciliooToken<R2>, Denial> {
        self.narrow_with(None)
    }

    /// [`narrow`](Self::narrow), with the compact token when the caller has it (for the
    /// refusal's hint).
    pub(crate) fn narrow_with<R2: AllowedPartyTypes>(
        self,
        raw: Option<&str>,
    ) -> Result<FaciliooToken<R2>, Denial> {
        if let Some(allowed) = R2::ALLOWED {
            self.auth.check_party_types(&self.token, allowed, raw)?;
        }
        Ok(FaciliooToken::admitted(self.token, self.auth))
    }

    /// Refuses (403 `insufficient_scope`) unless the token's party type is one of `allowed`;
    /// the description says what the route requires and what the token has. See
    /// [`BearerAuth::require_party_types`]; a type parameter ([`FaciliooToken<R>`]) says
    /// the same in a handler's signature.
    pub fn require_party_types(
        &self,
        allowed: impl IntoIterator<Item = PartyType>,
    ) -> Result<(), Denial> {
        self.auth.require_party_types(&self.token, allowed)
    }

    /// Refuses (403 `insufficient_scope`, [`DenialKind::Company`](super::DenialKind::Company))
    /// unless the token's account belongs to company `company` (a [`CompanyId`] or a `u64`):
    /// `this route is for company 7; the token's is company 2`, or `…; the token has no
    /// company`.
    ///
    /// Ids are compared as numbers: a route that parsed `/companies/007/…` into 7 (as axum's
    /// `Path<u64>` does) admits company 7's staff. A service that also keys a cache, a rate
    /// limit or an ACL on the raw path segment should key it on the parsed id instead (or
    /// refuse a segment that is not the id as a number writes it, `007` or `+7`), so that
    /// two spellings of one company are not two entries.
    pub fn require_company(&self, company: impl Into<CompanyId>) -> Result<(), Denial> {
        let required = company.into();
        let found = self.token.subject().company_id();
        if found == Some(required) {
            return Ok(());
        }
        let has = match found {
            Some(c) => format!("the token's is company {c}"),
            None => "the token has no company".to_owned(),
        };
        Err(self.auth.refuse(
            super::DenialKind::Company { required, found },
            format!("this route is for company {required}; {has}"),
        ))
    }

    /// Refuses (403 `insufficient_scope`, [`DenialKind::Account`](super::DenialKind::Account))
    /// unless the token is account `account`'s (an [`AccountId`] or a `u64`): `this route is
    /// for account 7; the token's is account 2`. Ids are compared as numbers, as
    /// [`require_company`](Self::require_company) says.
    pub fn require_account(&self, account: impl Into<AccountId>) -> Result<(), Denial> {
        let required = account.into();
        let found = self.token.subject().account_id();
        if found == required {
            return Ok(());
        }
        Err(self.auth.refuse(
            super::DenialKind::Account { required, found },
            format!("this route is for account {required}; the token's is account {found}"),
        ))
    }
}

impl<R> Deref for FaciliooToken<R> {
    type Target = VerifiedToken;
    fn deref(&self) -> &VerifiedToken {
        &self.token
    }
}

impl<R> Clone for FaciliooToken<R> {
    fn clone(&self) -> Self {
        Self {
            token: self.token.clone(),
            auth: self.auth.clone(),
            route: PhantomData,
        }
    }
}

/// Equal when the verified tokens are.
impl<R> PartialEq for FaciliooToken<R> {
    fn eq(&self, other: &Self) -> bool {
        self.token == other.token
    }
}

impl<R> Eq for FaciliooToken<R> {}

impl<R> fmt::Debug for FaciliooToken<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaciliooToken")
            .field("token", &self.token)
            .field("route", &core::any::type_name::<R>())
            .finish_non_exhaustive()
    }
}
