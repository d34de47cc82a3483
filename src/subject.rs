//! Who a token speaks for: the facilioo `sub` object and the account's party type.

use core::fmt;

/// A facilioo account id (`sub.accountId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub u64);

/// A facilioo company id (`sub.companyId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CompanyId(pub u64);

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The `sub` claim of a facilioo token: `{"accountId": 2, "companyId": 2}`.
///
/// `accountId` is required; `companyId` is optional (private users such as tenants and owners
/// belong to no company), and `null` counts as absent. Other members are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Subject {
    account_id: AccountId,
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
