//! Who a token speaks for: the facilioo `sub` object and the account's party type.

use core::fmt;

/// A facilioo account id (`sub.accountId`).
///
/// ```
/// use facilioo_jwt::AccountId;
/// let id = AccountId(2);
/// assert_eq!(id.get(), 2);
/// assert_eq!(id, 2);
/// assert_eq!(id.to_string(), "2");
/// assert_eq!(AccountId::from(2), id); // so `impl Into<AccountId>` takes a plain u64
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct AccountId(pub u64);

/// A facilioo company id (`sub.companyId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct CompanyId(pub u64);

macro_rules! id_conveniences {
    ($id:ident) => {
        impl $id {
            /// The id as a number.
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl From<$id> for u64 {
            fn from(id: $id) -> u64 {
                id.0
            }
        }

        impl From<u64> for $id {
            fn from(id: u64) -> $id {
                $id(id)
            }
        }

        impl PartialEq<u64> for $id {
            fn eq(&self, other: &u64) -> bool {
                self.0 == *other
            }
        }

        impl fmt::Display for $id {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_conveniences!(AccountId);
id_conveniences!(CompanyId);

/// The `sub` claim of a facilioo token: `{"accountId": 2, "companyId": 2}`.
///
/// `accountId` is required; `companyId` is optional (private users such as tenants and owners
/// belong to no company), and `null` counts as absent. Other members are ignored.
///
/// With the `serde` feature it is (de)serialized in facilioo's own form,
/// `{"accountId":2,"companyId":2}`, leaving out an absent `companyId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Subject {
    account_id: AccountId,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    company_id: Option<CompanyId>,
}

impl Subject {
    /// A subject with these ids.
    pub fn new(account_id: AccountId, company_id: Option<CompanyId>) -> Self {
        Self {
            account_id,
            company_id,
        }
    }

    /// The account the token was issued to.
    pub fn account_id(&self) -> AccountId {
        self.account_id
    }

    /// The account's company, if it belongs to one.
    pub fn company_id(&self) -> Option<CompanyId> {
        self.company_id
    }
}

/// The kind of party an account belongs to; it decides the account's level of access.
///
/// The ids are facilioo's (Parties and Accounts page). They have gaps and new types may
/// appear, so an id this crate does not know is kept as [`PartyType::Unknown`] rather than
/// refused.
///
/// With the `serde` feature it is serialized as its facilioo id (a number, so unknown types
/// keep theirs) and deserialized from an id or a documented name, as the token claim is read.
///
/// ```
/// use facilioo_jwt::PartyType;
/// assert_eq!(PartyType::from_id(5), PartyType::Contractor);
/// assert_eq!(PartyType::from_name("Contractor"), Some(PartyType::Contractor));
/// assert_eq!(PartyType::from_id(99), PartyType::Unknown(99));
/// assert_eq!(PartyType::Contractor.to_string(), "Contractor");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartyType {
    /// 2: a property management company.
    PropertyManagementCompany,
    /// 3: a pool manager.
    PoolManager,
    /// 5: a contractor.
    Contractor,
    /// 7: a user (e.g. tenant or owner).
    User,
    /// 11: a guest.
    Guest,
    /// 13: an insurance broker.
    InsuranceBroker,
    /// 14: an insurer.
    Insurer,
    /// An id this crate does not know yet.
    Unknown(u32),
}

const KNOWN: [(u32, &str, PartyType); 7] = [
    (
        2,
        "PropertyManagementCompany",
        PartyType::PropertyManagementCompany,
    ),
    (3, "PoolManager", PartyType::PoolManager),
    (5, "Contractor", PartyType::Contractor),
    (7, "User", PartyType::User),
    (11, "Guest", PartyType::Guest),
    (13, "InsuranceBroker", PartyType::InsuranceBroker),
    (14, "Insurer", PartyType::Insurer),
];

impl PartyType {
    /// The party types facilioo documents, in id order.
    pub const KNOWN: [Self; 7] = [
        Self::PropertyManagementCompany,
        Self::PoolManager,
        Self::Contractor,
        Self::User,
        Self::Guest,
        Self::InsuranceBroker,
        Self::Insurer,
    ];

    /// The party type with this facilioo id; [`PartyType::Unknown`] for ids not documented.
    pub fn from_id(id: u32) -> Self {
        KNOWN
            .iter()
            .find(|(known, _, _)| *known == id)
            .map_or(Self::Unknown(id), |(_, _, p)| *p)
    }

    /// The party type with this exact (case-sensitive) facilioo name, e.g. `"Contractor"`.
    pub fn from_name(name: &str) -> Option<Self> {
        KNOWN
            .iter()
            .find(|(_, known, _)| *known == name)
            .map(|(_, _, p)| *p)
    }

    /// The facilioo id.
    pub fn id(&self) -> u32 {
        match self {
            Self::Unknown(id) => *id,
            known => KNOWN
                .iter()
                .find(|(_, _, p)| p == known)
                .map_or(0, |(id, _, _)| *id),
        }
    }

    /// Whether this is one of `allowed`, compared by id (so a `PartyType::Unknown(5)` a
    /// caller built counts as `Contractor`): the one rule for a policy's and a route's party
    /// types.
    pub(crate) fn is_in(self, allowed: &[PartyType]) -> bool {
        allowed.iter().any(|a| a.id() == self.id())
    }

    /// The facilioo name, `None` for [`PartyType::Unknown`].
    pub fn name(&self) -> Option<&'static str> {
        KNOWN
            .iter()
            .find(|(_, _, p)| p == self)
            .map(|(_, name, _)| *name)
    }
}

impl fmt::Display for PartyType {
    /// The name, or `Unknown(<id>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Unknown({})", self.id()),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PartyType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.id())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for PartyType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdOrName;
        impl serde::de::Visitor<'_> for IdOrName {
            type Value = PartyType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a facilioo party type id or name")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PartyType, E> {
                u32::try_from(v)
                    .map(PartyType::from_id)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PartyType, E> {
                u64::try_from(v)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PartyType, E> {
                PartyType::from_name(v)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(IdOrName)
    }
}
