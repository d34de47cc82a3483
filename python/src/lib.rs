//! `facilioo_jwt._native`: the facilioo-jwt crate for Python. Every rule is the crate's; this
//! module only converts between Python values and the crate's types, and releases the GIL
//! while a token is verified.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use facilioo_jwt::error::{Claim, Malformed};
use facilioo_jwt::http::{
    BearerAuth, BearerError, Denial, DenialBody, DenialKind, FaciliooToken, JsonBody, Realm,
};
use facilioo_jwt::keys::{KeyError, KeyErrorKind};
use facilioo_jwt::live::LiveVerifier as CoreLive;
use facilioo_jwt::stats::OUTCOME_CODES;
use facilioo_jwt::testing::{Refusal as CoreRefusal, TestIssuer as CoreIssuer, TestKey};
use facilioo_jwt::{Error, KeySet, PartyType, Policy, UnixTime, Verifier as CoreVerifier};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyString, PyTuple, PyType};

/// The exception classes of `facilioo_jwt`, in [`codes`]' order, registered once by
/// `facilioo_jwt/__init__.py`.
static ERRORS: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();
/// `facilioo_jwt.TokenError`, for a code without a class of its own (none today).
static TOKEN_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
/// `facilioo_jwt.KeyLoadError`.
static KEY_LOAD_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
/// `facilioo_jwt.PartyType`, the IntEnum.
static PARTY_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Registers the Python side's classes: `errors` maps every code to its exception class,
/// `token_error` is raised for a code without one.
#[pyfunction]
fn _register(
    py: Python<'_>,
    errors: Bound<'_, PyDict>,
    token_error: Bound<'_, PyType>,
    key_load_error: Bound<'_, PyType>,
    party_type: Bound<'_, PyType>,
) -> PyResult<()> {
    let classes = codes()
        .iter()
        .map(|code| match errors.get_item(code)? {
            Some(class) => Ok(class.cast_into::<PyType>()?.unbind()),
            None => Err(PyValueError::new_err(format!(
                "no exception class for {code}"
            ))),
        })
        .collect::<PyResult<Vec<_>>>()?;
    // A second registration (a reloaded module) keeps the first classes.
    let _ = ERRORS.set(py, classes);
    let _ = TOKEN_ERROR.set(py, token_error.unbind());
    let _ = KEY_LOAD_ERROR.set(py, key_load_error.unbind());
    let _ = PARTY_TYPE.set(py, party_type.unbind());
    Ok(())
}

/// The bearer errors, whose reasons follow the crate's error codes in [`codes`].
const BEARER_ERRORS: [BearerError; 5] = [
    BearerError::Missing,
    BearerError::OtherScheme,
    BearerError::Multiple,
    BearerError::Empty,
    BearerError::Malformed,
];

/// The reasons ([`Denial::reason`]) of the crate's scoping helpers, `FaciliooToken::require_company`
/// and `require_account`: 403 `insufficient_scope` for a good token of another company or
/// account. Only a token the crate verified can make such a denial, so the reasons are
/// written here; the tests check them against the denials the crate makes.
const SCOPE_REASONS: [&str; 2] = ["company_not_allowed", "account_not_allowed"];

/// Every code a refusal can carry, as the crate names them: its error codes
/// ([`OUTCOME_CODES`] but `ok`), then the bearer errors' reasons ([`Denial::reason`]), then
/// the scoping helpers' ([`SCOPE_REASONS`]).
fn codes() -> &'static [&'static str] {
    static CODES: OnceLock<Vec<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| {
        let realm = default_realm();
        let bearer = BEARER_ERRORS.map(|e| Denial::bearer(e, &realm).reason());
        OUTCOME_CODES[1..]
            .iter()
            .copied()
            .chain(bearer)
            .chain(SCOPE_REASONS)
            .collect()
    })
}

/// The HTTP status of a refusal with `code`, as the crate answers one of its kind.
#[pyfunction]
fn _http_status(code: &str) -> PyResult<u16> {
    let realm = default_realm();
    let epoch = UnixTime::from_secs(0);
    let errors = [
        Error::Malformed(Malformed::SegmentCount),
        Error::TooLarge { len: 1, max: 0 },
        Error::UnsupportedAlgorithm,
        Error::UnsupportedCritical,
        Error::InvalidType,
        Error::InvalidSignature,
        Error::TestKey,
        Error::Expired {
            exp: epoch,
            now: epoch,
        },
        Error::NotYetValid {
            nbf: epoch,
            now: epoch,
        },
        Error::InvalidIssuer,
        Error::InvalidAudience,
        Error::MissingClaim(Claim::Exp),
        Error::InvalidClaim(Claim::Exp),
        Error::PartyTypeNotAllowed(None),
    ];
    if SCOPE_REASONS.contains(&code) {
        // insufficient_scope, as for a party type that is not admitted.
        let scope = Denial::token(&Error::PartyTypeNotAllowed(None), &realm);
        return Ok(scope.status().as_u16());
    }
    errors
        .iter()
        .map(|e| Denial::token(e, &realm))
        .chain(BEARER_ERRORS.map(|e| Denial::bearer(e, &realm)))
        .find(|denial| denial.reason() == code)
        .map(|denial| denial.status().as_u16())
        .ok_or_else(|| PyValueError::new_err("unknown refusal code"))
}

/// facilioo's party types, `(id, name)`, for the `PartyType` enum.
#[pyfunction]
fn _party_types() -> Vec<(u32, &'static str)> {
    PartyType::KNOWN
        .iter()
        .filter_map(|p| p.name().map(|name| (p.id(), name)))
        .collect()
}

fn default_realm() -> Realm {
    Realm::new("facilioo").unwrap_or_else(|_| unreachable!("a valid realm"))
}

/// Why a token or an `Authorization` header was refused: the argument of every
/// `facilioo_jwt.FaciliooJwtError`, which reads its message, challenge and details from it.
#[pyclass(frozen, module = "facilioo_jwt._native")]
struct Refusal {
    kind: RefusalKind,
    /// What the caller passed that is not a token alone (a `Bearer ` prefix, whitespace
    /// around it): said after the crate's message. Never in the answer to the client.
    hint: Option<&'static str>,
}

enum RefusalKind {
    /// A token passed to `verify`, refused: the crate's answer to it is built only when
    /// asked for.
    Token(Error, Realm),
    /// The crate's answer to a request (`verify_authorization`, a route's party types,
    /// company or account).
    Denial(Denial),
}

impl Refusal {
    fn from_denial(denial: Denial) -> Self {
        Self {
            kind: RefusalKind::Denial(denial),
            hint: None,
        }
    }

    fn denial(&self) -> Cow<'_, Denial> {
        match &self.kind {
            RefusalKind::Token(e, realm) => Cow::Owned(Denial::token(e, realm)),
            RefusalKind::Denial(d) => Cow::Borrowed(d),
        }
    }

    /// The verifier's error, if the token was read and refused.
    fn token_error(&self) -> Option<Error> {
        match &self.kind {
            RefusalKind::Token(e, _) => Some(*e),
            RefusalKind::Denial(d) => d.token_error().copied(),
        }
    }

    /// The exception to raise: the class registered for the code, holding this refusal.
    fn into_err(self, py: Python<'_>) -> PyErr {
        let code = self.code();
        let class = ERRORS
            .get(py)
            .and_then(|classes| classes.get(codes().iter().position(|c| *c == code)?))
            .or_else(|| TOKEN_ERROR.get(py));
        match (class, Bound::new(py, self)) {
            (Some(class), Ok(refusal)) => {
                PyErr::from_type(class.bind(py).clone(), (refusal.unbind(),))
            }
            (None, _) => PyValueError::new_err(code),
            (_, Err(e)) => e,
        }
    }
}

#[pymethods]
impl Refusal {
    /// The stable code: the crate's `Error.code` (`expired`, …), or for a header that holds
    /// no readable bearer token `missing_token`, `other_scheme`, `multiple_authorization`,
    /// `empty_bearer`, `malformed_bearer`, or for a good token of another company or account
    /// than the route's `company_not_allowed`, `account_not_allowed`.
    #[getter]
    fn code(&self) -> &'static str {
        match &self.kind {
            RefusalKind::Token(e, _) => e.code(),
            RefusalKind::Denial(d) => d.reason(),
        }
    }

    /// The crate's message, and what the input looked like if it was not a token alone: no
    /// token or key bytes.
    #[getter]
    fn message(&self) -> String {
        if let Some(e) = self.token_error() {
            return match self.hint {
                Some(hint) => format!("{e} ({hint})"),
                None => e.to_string(),
            };
        }
        let denial = self.denial();
        match denial.kind() {
            DenialKind::Bearer(e) => e.to_string(),
            _ => denial.description().unwrap_or(denial.reason()).to_owned(),
        }
    }

    /// The HTTP status to answer with (401, 400 or 403).
    #[getter]
    fn http_status(&self) -> u16 {
        self.denial().status().as_u16()
    }

    /// The RFC 6750 `WWW-Authenticate` value.
    #[getter]
    fn www_authenticate(&self) -> String {
        self.denial()
            .www_authenticate()
            .to_str()
            .unwrap_or("Bearer")
            .to_owned()
    }

    /// The RFC 6750 `error` (`invalid_token`, `invalid_request`, `insufficient_scope`), or
    /// `None` when the request carried no bearer credentials.
    #[getter]
    fn error(&self) -> Option<&'static str> {
        self.denial().error()
    }

    /// The `error_description` of the challenge, if any.
    #[getter]
    fn description(&self) -> Option<String> {
        self.denial().description().map(str::to_owned)
    }

    /// The JSON body the crate answers with, as a `str`
    /// (`{"error":…,"error_description":…,"reason":…}`), or `None` when the challenge is the
    /// whole answer.
    #[getter]
    fn body(&self) -> Option<String> {
        JsonBody
            .render(&self.denial())
            .and_then(|b| String::from_utf8(b.into_bytes()).ok())
    }

    /// The claim a `missing_claim` or `invalid_claim` refusal names (`exp`, `iss`, …).
    #[getter]
    fn claim(&self) -> Option<&'static str> {
        match self.token_error() {
            Some(Error::MissingClaim(c) | Error::InvalidClaim(c)) => Some(c.name()),
            _ => None,
        }
    }

    /// `exp` of an expired token, `nbf` of a token not yet valid, in seconds.
    #[getter]
    fn claim_time(&self) -> Option<i64> {
        match self.token_error() {
            Some(Error::Expired { exp: t, .. } | Error::NotYetValid { nbf: t, .. }) => {
                Some(t.as_secs())
            }
            _ => None,
        }
    }

    /// The time an expired or not-yet-valid token was checked at, in seconds.
    #[getter]
    fn checked_at(&self) -> Option<i64> {
        match self.token_error() {
            Some(Error::Expired { now, .. } | Error::NotYetValid { now, .. }) => {
                Some(now.as_secs())
            }
            _ => None,
        }
    }

    /// The party type id a `party_type_not_allowed` refusal found (`None`: the token has
    /// none, or one that is no party type).
    #[getter]
    fn party_type(&self) -> Option<u32> {
        if let Some(Error::PartyTypeNotAllowed(p)) = self.token_error() {
            return p.map(|p| p.id());
        }
        match self.denial().kind() {
            DenialKind::PartyType { found, .. } => found.map(|p| p.id()),
            _ => None,
        }
    }

    /// The company or account the route is for, when a token of another was refused
    /// (`company_not_allowed`, `account_not_allowed`).
    #[getter]
    fn required(&self) -> Option<u64> {
        match self.denial().kind() {
            DenialKind::Company { required, .. } => Some(required.get()),
            DenialKind::Account { required, .. } => Some(required.get()),
            _ => None,
        }
    }

    /// The token's company (`None`: it has none) or account, when it was refused for
    /// another's route (`company_not_allowed`, `account_not_allowed`).
    #[getter]
    fn found(&self) -> Option<u64> {
        match self.denial().kind() {
            DenialKind::Company { found, .. } => found.map(|c| c.get()),
            DenialKind::Account { found, .. } => Some(found.get()),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        // As Python writes it (the codes are snake_case words), and as a pickled copy does.
        format!("Refusal('{}')", self.code())
    }
}

/// The whole seconds a time may be, and what they are called in an error.
struct Bounds {
    first: i64,
    last: i64,
    name: &'static str,
    /// Whether seconds after [`LOOKS_LIKE_MILLIS`] are refused as milliseconds.
    refuse_millis: bool,
}

impl Bounds {
    fn holds(&self, secs: i64) -> bool {
        (self.first..=self.last).contains(&secs)
    }

    fn check(&self, secs: i64, what: &str) -> PyResult<UnixTime> {
        if self.holds(secs) {
            Ok(UnixTime::from_secs(secs))
        } else {
            Err(self.refuse(what))
        }
    }

    fn refuse(&self, what: &str) -> PyErr {
        PyValueError::new_err(format!(
            "{what}: outside {}: {} to {} Unix seconds",
            self.name, self.first, self.last
        ))
    }

    /// The refusal of `now`, a number of seconds after any that fit in 64 bits.
    fn refuse_large(&self, what: &str, now: &Bound<'_, PyAny>) -> PyErr {
        if self.refuse_millis {
            millis(what, now, None)
        } else {
            self.refuse(what)
        }
    }
}

/// The refusal of a `now` that looks like milliseconds, shown as given, in the crate's
/// command line's words (`--now`), with the seconds it would be when `secs` (its whole
/// seconds) are milliseconds of a time a `now` may be; beyond those, a finer unit.
fn millis(what: &str, now: &Bound<'_, PyAny>, secs: Option<i64>) -> PyErr {
    match secs.map(|s| s / 1000).filter(|s| *s <= LOOKS_LIKE_MILLIS) {
        Some(seconds) => PyValueError::new_err(format!(
            "{what}: {now} looks like milliseconds: {what} takes seconds ({seconds})"
        )),
        None => PyValueError::new_err(format!(
            "{what}: {now} looks like milliseconds or a finer unit: {what} takes seconds, \
             at most {LOOKS_LIKE_MILLIS} (year 5138)"
        )),
    }
}

/// What a Python `datetime` holds, in UTC: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
/// `verify`'s `now` is one of them, so the time a refusal was checked at is always a
/// `datetime`; a claim time outside them reads as `None`.
const DATETIME: Bounds = Bounds {
    first: -62_135_596_800,
    last: 253_402_300_799,
    name: "the times a Python datetime holds, years 1 to 9999 in UTC",
    refuse_millis: true,
};

/// The last second a `now` in seconds may be: 10^11, in year 5138. A number above it is
/// a clock read in milliseconds (`time.time() * 1000`, JavaScript's `Date.now()`), which as
/// seconds would put every token long expired; years 5138 to 9999 are no one's `now`.
const LOOKS_LIKE_MILLIS: i64 = 100_000_000_000;

/// Any second the crate takes: a test token's times, which may be what no `datetime` holds.
const ANY_SECOND: Bounds = Bounds {
    first: i64::MIN,
    last: i64::MAX,
    name: "the seconds of a 64-bit integer",
    refuse_millis: false,
};

/// Seconds since the Unix epoch from `now`, within `bounds`: `None` (the system clock), an
/// `int`, a `float` (rounded down), or a timezone-aware `datetime` (rounded down, exactly: not
/// through its `float` timestamp, which rounds 9999-12-31T23:59:59.999999 up into year 10000).
fn unix_time(now: Option<&Bound<'_, PyAny>>, what: &str, bounds: &Bounds) -> PyResult<UnixTime> {
    let Some(now) = given(now) else {
        return Ok(UnixTime::now());
    };
    if now.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{what}: a bool is not a time"
        )));
    }
    let secs = if let Ok(int) = now.cast::<PyInt>() {
        match int.extract::<i64>() {
            Ok(secs) => secs,
            Err(_) if int.gt(0)? => return Err(bounds.refuse_large(what, now)),
            Err(_) => return Err(bounds.refuse(what)),
        }
    } else if let Ok(float) = now.cast::<PyFloat>() {
        let floor = float.value().floor();
        if !floor.is_finite() {
            return Err(PyValueError::new_err(format!("{what}: not a finite time")));
        }
        // i64::MAX as f64 rounds up to 2^63, which is out of range.
        if floor >= 2f64.powi(63) {
            return Err(bounds.refuse_large(what, now));
        }
        if floor < -(2f64.powi(63)) {
            return Err(bounds.refuse(what));
        }
        floor as i64
    } else if now.hasattr("utcoffset")? && now.hasattr("timestamp")? {
        // A datetime: never milliseconds.
        return datetime_seconds(now, what, bounds);
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected None, int or float seconds, or a timezone-aware datetime"
        )));
    };
    if bounds.refuse_millis && secs > LOOKS_LIKE_MILLIS {
        return Err(millis(what, now, Some(secs)));
    }
    bounds.check(secs, what)
}

/// Seconds since the Unix epoch from a `datetime`, within `bounds`.
fn datetime_seconds(now: &Bound<'_, PyAny>, what: &str, bounds: &Bounds) -> PyResult<UnixTime> {
    if now.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{what}: a naive datetime; give one with a timezone (datetime.now(timezone.utc))"
        )));
    }
    let times = times(now.py())?;
    let secs = now
        .sub(times.epoch.bind(now.py()))?
        .floor_div(times.second.bind(now.py()))?
        .extract::<i64>()
        .map_err(|_| bounds.refuse(what))?;
    bounds.check(secs, what)
}

/// A key set from what Python gave: `None` (facilioo's published keys), PEM or JWK Set text,
/// bytes in any format the crate loads, a path (`str` or `os.PathLike`), or a JWK Set dict.
fn key_set(py: Python<'_>, keys: Option<&Bound<'_, PyAny>>) -> PyResult<KeySet> {
    let Some(keys) = keys.filter(|k| !k.is_none()) else {
        return Ok(KeySet::facilioo());
    };
    let loaded = if let Ok(text) = keys.cast::<PyString>() {
        let text = text.to_cow()?;
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.is_empty() {
            return Err(key_load_error(
                py,
                "keys: an empty string (None means facilioo's published keys)",
            ));
        }
        // PEM text wherever its first block begins, as the crate loads a key file.
        if trimmed.starts_with('{') || trimmed.contains("-----BEGIN") {
            py.detach(|| KeySet::load(text.as_bytes()))
        } else {
            // A path, or a token or key body pasted by mistake: never echoed (an operator
            // who wants the file named passes a pathlib.Path).
            let path = std::path::PathBuf::from(&*text);
            return py
                .detach(|| KeySet::from_file(&path))
                .map_err(|e| key_load_error(py, &unnamed_file_error(e)));
        }
    } else if let Ok(bytes) = keys.cast::<PyBytes>() {
        let bytes = bytes.as_bytes();
        py.detach(|| KeySet::load(bytes))
    } else if keys.hasattr("__fspath__")? {
        // An operator names the file: the error says which.
        let path: std::path::PathBuf = keys.extract()?;
        return py
            .detach(|| KeySet::from_file(&path))
            .map_err(|e| key_load_error(py, &format!("{}: {e}", path.display())));
    } else if keys.is_instance_of::<PyDict>() {
        let json = py.import("json")?.call_method1("dumps", (keys,))?;
        let json: String = json.extract()?;
        py.detach(|| KeySet::from_jwk(&json))
    } else {
        return Err(PyTypeError::new_err(
            "keys: expected None, PEM or JWK Set text, bytes, a path, or a JWK Set dict",
        ));
    };
    loaded.map_err(|e| key_load_error(py, &format!("keys: {e}")))
}

/// Why a `keys=` string taken as a path did not load, without the string: it is either no
/// path (a token, a PEM body, a secret pasted by mistake) or one that does not name a readable
/// file, or it names a file that holds no key.
fn unnamed_file_error(e: KeyError) -> String {
    match e.kind() {
        KeyErrorKind::Io(_) | KeyErrorKind::NotAFile => format!(
            "keys: neither PEM text, a JWK Set (JSON), nor the path of a readable file ({e})"
        ),
        _ => format!("keys: the file it names does not load: {e}"),
    }
}

fn key_load_error(py: Python<'_>, message: &str) -> PyErr {
    match KEY_LOAD_ERROR.get(py) {
        Some(class) => PyErr::from_type(class.bind(py).clone(), (message.to_owned(),)),
        None => PyValueError::new_err(message.to_owned()),
    }
}

/// One string or an iterable of strings.
fn strings(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(vec![s.to_cow()?.into_owned()]);
    }
    value
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("{what}: expected a string or strings")))?
        .map(|item| {
            item?
                .extract::<String>()
                .map_err(|_| PyTypeError::new_err(format!("{what}: expected a string or strings")))
        })
        .collect()
}

/// A party type from a `PartyType`, an `int` id or a name: facilioo's
/// (`PropertyManagementCompany`) or the `PartyType` member's (`PROPERTY_MANAGEMENT_COMPANY`),
/// exactly (`what` names the argument in errors).
fn party_type(value: &Bound<'_, PyAny>, what: &str) -> PyResult<PartyType> {
    if let Ok(name) = value.cast::<PyString>() {
        let name = name.to_cow()?;
        if let Some(p) = PartyType::from_name(&name) {
            return Ok(p);
        }
        let py = value.py();
        let members = match PARTY_TYPE.get(py) {
            Some(class) => Some(class.bind(py).getattr("__members__")?),
            None => None,
        };
        if let Some(member) = members
            .as_ref()
            .map(|m| m.get_item(&*name))
            .and_then(Result::ok)
        {
            return Ok(PartyType::from_id(member.extract()?));
        }
        let names: Vec<&str> = PartyType::KNOWN.iter().filter_map(|p| p.name()).collect();
        let members: Vec<String> = match &members {
            Some(m) => m
                .try_iter()?
                .map(|n| n?.extract())
                .collect::<PyResult<_>>()?,
            None => Vec::new(),
        };
        return Err(PyValueError::new_err(format!(
            "{what}: not a party type name: exactly one of facilioo's ({}) or PartyType's ({})",
            names.join(", "),
            members.join(", ")
        )));
    }
    let id = whole(value, what, u64::from(u32::MAX)).map_err(|e| {
        if e.is_instance_of::<PyTypeError>(value.py()) {
            PyTypeError::new_err(format!(
                "{what}: expected PartyType members, int ids or names"
            ))
        } else {
            e
        }
    })?;
    Ok(PartyType::from_id(u32::try_from(id).unwrap_or(u32::MAX)))
}

/// Party types from one or an iterable of `PartyType` members, ids or names; not none.
fn party_types(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<PartyType>> {
    let types = if value.is_instance_of::<PyString>() || value.is_instance_of::<PyInt>() {
        vec![party_type(value, what)?]
    } else {
        value
            .try_iter()
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "{what}: expected party types or an iterable of them"
                ))
            })?
            .map(|item| party_type(&item?, what))
            .collect::<PyResult<Vec<_>>>()?
    };
    if types.is_empty() {
        return Err(PyValueError::new_err(format!(
            "{what}: empty, which no token satisfies (None admits every party type)"
        )));
    }
    Ok(types)
}

/// A whole number from an `int` (not a `bool`), from 0 to `max`.
fn whole(value: &Bound<'_, PyAny>, what: &str, max: u64) -> PyResult<u64> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!("{what}: expected an int")));
    }
    value
        .extract::<u64>()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| PyValueError::new_err(format!("{what}: expected 0 to {max}")))
}

/// Whole seconds from an `int`, a `float` or a `timedelta`, not negative.
fn duration(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Duration> {
    if value.is_instance_of::<PyInt>() {
        return Ok(Duration::from_secs(whole(
            value,
            what,
            i64::MAX.unsigned_abs(),
        )?));
    }
    let secs: f64 = if value.hasattr("total_seconds")? {
        value.call_method0("total_seconds")?.extract()?
    } else if let Ok(float) = value.cast::<PyFloat>() {
        float.value()
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected seconds or a timedelta"
        )));
    };
    if secs.fract() != 0.0 {
        return Err(PyValueError::new_err(format!("{what}: whole seconds only")));
    }
    Duration::try_from_secs_f64(secs)
        .map_err(|_| PyValueError::new_err(format!("{what}: not a duration of 0 or more seconds")))
}

/// What a `Verifier` is built from, as Python gave it.
struct Settings {
    issuers: Vec<String>,
    audiences: Vec<String>,
    leeway: Duration,
    party_types: Option<Vec<PartyType>>,
    party_type_claim: Option<String>,
    refuse_test_keys: bool,
    max_token_len: Option<usize>,
    cache: usize,
}

impl Settings {
    fn policy(&self) -> PyResult<Policy> {
        let mut policy = Policy::new(&self.issuers, &self.audiences)
            .map_err(|e| PyValueError::new_err(e.to_string()))?
            .with_leeway(self.leeway);
        if let Some(claim) = &self.party_type_claim {
            policy = policy
                .with_party_type_claim(claim)
                .map_err(|e| PyValueError::new_err(format!("party_type_claim: {e}")))?;
        }
        if let Some(types) = &self.party_types {
            policy = policy.with_allowed_party_types(types.iter().copied());
        }
        if let Some(max) = self.max_token_len {
            policy = policy.with_max_token_len(max);
        }
        if self.refuse_test_keys {
            policy = policy.refuse_test_keys();
        }
        Ok(policy)
    }
}

/// The longest leeway a `Verifier` takes: a day.
const MAX_LEEWAY: Duration = Duration::from_secs(24 * 60 * 60);

/// An optional argument: `None` from Python is not given.
fn given<'a, 'py>(value: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    value.filter(|v| !v.is_none())
}

/// `Verifier`'s and `LiveVerifier`'s keyword arguments, checked.
#[allow(clippy::too_many_arguments)]
fn settings(
    issuers: &Bound<'_, PyAny>,
    audiences: &Bound<'_, PyAny>,
    leeway: Option<&Bound<'_, PyAny>>,
    party_types: Option<&Bound<'_, PyAny>>,
    cache: Option<&Bound<'_, PyAny>>,
    party_type_claim: Option<String>,
    refuse_test_keys: bool,
    max_token_len: Option<&Bound<'_, PyAny>>,
) -> PyResult<Settings> {
    if party_type_claim.as_deref() == Some("") {
        return Err(PyValueError::new_err("party_type_claim: empty"));
    }
    let max_token_len = match given(max_token_len) {
        None => None,
        Some(max) => match whole(max, "max_token_len", usize::MAX as u64)? {
            0 => {
                return Err(PyValueError::new_err(
                    "max_token_len: 0 refuses every token",
                ));
            }
            max => Some(usize::try_from(max).unwrap_or(usize::MAX)),
        },
    };
    let max_cache = facilioo_jwt::limits::MAX_CACHE_CAPACITY;
    let cache = match given(cache) {
        Some(cache) => whole(cache, "cache", max_cache as u64)?,
        None => 0,
    };
    Ok(Settings {
        issuers: strings(issuers, "issuers")?,
        audiences: strings(audiences, "audiences")?,
        leeway: match given(leeway) {
            Some(leeway) => match duration(leeway, "leeway")? {
                // More than a day would all but switch off `exp` for facilioo's hour-long
                // tokens.
                long if long > MAX_LEEWAY => {
                    return Err(PyValueError::new_err(format!(
                        "leeway: at most {} seconds",
                        MAX_LEEWAY.as_secs()
                    )));
                }
                leeway => leeway,
            },
            None => facilioo_jwt::policy::DEFAULT_LEEWAY,
        },
        party_types: given(party_types)
            .map(|p| self::party_types(p, "party_types"))
            .transpose()?,
        party_type_claim,
        refuse_test_keys,
        max_token_len,
        cache: usize::try_from(cache).unwrap_or(max_cache),
    })
}

/// The shortest token that can reach a signature check: a signature of the smallest modulus
/// the crate accepts, in base64url, and two dots.
const MIN_SIGNED_TOKEN_LEN: usize =
    (facilioo_jwt::limits::MIN_MODULUS_BITS / 8 * 4).div_ceil(3) + 2;

/// The token a Python caller passed: its own `str` (kept, not copied, for `claims`), or a
/// copy (the bearer token of an `Authorization` header, a `str` that is not UTF-8).
enum Token {
    Python(PyBackedStr),
    Owned(String),
}

impl Token {
    fn as_str(&self) -> &str {
        match self {
            Self::Python(s) => s,
            Self::Owned(s) => s,
        }
    }
}

/// Verifies facilioo tokens against a key set and a policy. Build one per service and share
/// it: it is thread-safe, and the GIL is released while it verifies.
///
/// - `keys`: `None` for facilioo's three published keys; or PEM text (`BEGIN RSA PUBLIC
///   KEY` or `BEGIN PUBLIC KEY`, one or more), a JWK Set (text or dict), `bytes` in any of
///   these forms or DER, or the path of a key file (`str` or `os.PathLike`, at most 1 MiB).
///   A `str` that is neither PEM text nor JSON is taken as a path; its errors never repeat
///   it (it may be a token or a key pasted by mistake), an `os.PathLike`'s name the file.
/// - `issuers`, `audiences`: one string or several; `iss` must be one of the issuers
///   exactly, `aud` (a string or a list) must name one of the audiences. Required:
///   facilioo's dev values are `DEV_ISSUER` and `DEV_AUDIENCE`; production's are not
///   published, so none is assumed.
/// - `leeway`: whole seconds (or a `timedelta`) allowed on `nbf` and `exp`, 60 by default,
///   at most a day.
/// - `party_types`: the party types admitted (`PartyType` members, ids, or names: facilioo's,
///   `Contractor`, or the member's, `CONTRACTOR`); `None` admits any, and then a token need
///   not carry one: its `party_type` is `None` when the claim is absent, `null` or
///   unreadable (such a token is refused only by a verifier that requires party types).
/// - `cache`: how many verified tokens to remember (0: none; at most 1 048 576, allocated up
///   front at about 21 bytes each), so a token seen again skips the RSA operation; the time
///   window is still checked on every call.
/// - `realm`: the realm the `WWW-Authenticate` challenges name.
/// - `party_type_claim`: the claim holding the party type (`partyType` by default).
/// - `refuse_test_keys`: refuse tokens signed by `facilioo_jwt.testing`'s public test keys.
/// - `max_token_len`: the longest token read, in bytes (8 KiB by default).
///
/// Raises `KeyLoadError` for keys that do not load, `ValueError` or `TypeError` for other
/// settings.
#[pyclass(subclass, frozen, module = "facilioo_jwt._native")]
struct Verifier {
    live: CoreLive,
    /// The crate's HTTP glue over `live`: `verify_authorization`, route guards, and the
    /// realm every challenge names.
    auth: BearerAuth,
}

impl Verifier {
    /// `verify`: the token verified as the crate verifies a request's bearer token, by this
    /// verifier's `BearerAuth`, so that the `VerifiedToken` holds the crate's `FaciliooToken`
    /// and its scoping helpers (`require_company`, `require_account`) are the crate's, and a
    /// refusal is the crate's answer to that request. The verdict is the same `LiveVerifier`'s
    /// either way. A text too short to carry an RSA signature is verified directly first (it
    /// costs no RSA operation), and so is one that no header carries as its bearer token.
    fn check(&self, py: Python<'_>, token: Token, now: UnixTime) -> PyResult<VerifiedToken> {
        let text = token.as_str();
        if text.len() < MIN_SIGNED_TOKEN_LEN
            && let Err(e) = self.live.verify(text, now)
        {
            return Err(self.refusal(e, text).into_err(py));
        }
        let Some(headers) = bearer_header(text) else {
            return Err(self.unheaded(py, text, now));
        };
        let auth = &self.auth;
        match py.detach(|| auth.authenticate_at(&headers, now)) {
            Ok(verified) => Ok(VerifiedToken { verified, token }),
            // No token68 (whitespace or other characters in it): read as no bearer token.
            Err(denial) if matches!(denial.kind(), DenialKind::Bearer(_)) => {
                Err(self.unheaded(py, text, now))
            }
            // The crate's answer, as to the same token in a request's header (a token without
            // the party-type claim is told which claims look like one).
            Err(denial) => Err(Refusal::from_denial(denial).into_err(py)),
        }
    }

    /// The verifier's refusal of a text that no header carries as its bearer token. Every
    /// compact JWS is a token68, so the crate refuses each; were one verified, it would be
    /// refused as a bearer token that is no token68.
    fn unheaded(&self, py: Python<'_>, text: &str, now: UnixTime) -> PyErr {
        let live = &self.live;
        let verdict = if text.len() < MIN_SIGNED_TOKEN_LEN {
            live.verify(text, now)
        } else {
            py.detach(|| live.verify(text, now))
        };
        match verdict {
            Err(e) => self.refusal(e, text),
            Ok(_) => {
                Refusal::from_denial(Denial::bearer(BearerError::Malformed, self.auth.realm()))
            }
        }
        .into_err(py)
    }

    /// The refusal of `text`, passed to `verify`: the verifier's `error`, and if the crate
    /// found it malformed, what it has that a token alone has not.
    fn refusal(&self, error: Error, text: &str) -> Refusal {
        Refusal {
            kind: RefusalKind::Token(error, self.auth.realm().clone()),
            hint: match error {
                Error::Malformed(_) => input_hint(text),
                _ => None,
            },
        }
    }

    fn build(
        py: Python<'_>,
        keys: Option<&Bound<'_, PyAny>>,
        settings: &Settings,
        realm: &str,
    ) -> PyResult<Self> {
        let realm = Realm::new(realm).map_err(|e| PyValueError::new_err(format!("realm: {e}")))?;
        let verifier =
            CoreVerifier::new(key_set(py, keys)?, settings.policy()?).with_cache(settings.cache);
        let live = CoreLive::new(verifier);
        Ok(Self {
            auth: BearerAuth::live(live.clone()).with_realm(realm),
            live,
        })
    }
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (keys=None, *, issuers, audiences, leeway=None, party_types=None, cache=None,
        realm="facilioo", party_type_claim=None, refuse_test_keys=false, max_token_len=None),
        text_signature = "(keys=None, *, issuers, audiences, leeway=60, party_types=None, cache=0, realm='facilioo', party_type_claim='partyType', refuse_test_keys=False, max_token_len=8192)")]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        keys: Option<&Bound<'_, PyAny>>,
        issuers: &Bound<'_, PyAny>,
        audiences: &Bound<'_, PyAny>,
        leeway: Option<&Bound<'_, PyAny>>,
        party_types: Option<&Bound<'_, PyAny>>,
        cache: Option<&Bound<'_, PyAny>>,
        realm: &str,
        party_type_claim: Option<String>,
        refuse_test_keys: bool,
        max_token_len: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let settings = settings(
            issuers,
            audiences,
            leeway,
            party_types,
            cache,
            party_type_claim,
            refuse_test_keys,
            max_token_len,
        )?;
        Self::build(py, keys, &settings, realm)
    }

    /// Verifies `token` (the compact JWT, without `Bearer`) as of `now`: `None` for the
    /// system clock, Unix seconds (`int` or `float`), or a timezone-aware `datetime`. A `now`
    /// that no `datetime` holds (before year 1 or after 9999, in UTC) raises `ValueError`, so
    /// that a refusal's `checked_at` can always be shown, and so does a number of seconds
    /// above 10^11 (year 5138), which is a clock read in milliseconds.
    ///
    /// Returns a `VerifiedToken`; raises a `TokenError` subclass (`ExpiredToken`,
    /// `InvalidSignature`, …) with the refusal's `code`, `http_status` and
    /// `www_authenticate`. A token with a `Bearer ` prefix or whitespace around it is
    /// `MalformedToken`, as the crate refuses it, and its message says what was passed.
    #[pyo3(signature = (token, now=None))]
    fn verify(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<VerifiedToken> {
        let now = unix_time(now, "now", &DATETIME)?;
        let token = if let Ok(text) = token.cast::<PyString>() {
            match PyBackedStr::try_from(text.clone()) {
                Ok(text) => Token::Python(text),
                // A lone surrogate cannot be UTF-8: replaced by U+FFFD, which no segment may
                // hold, so the crate refuses the token as any other character out of place.
                Err(_) => Token::Owned(text.to_string_lossy().into_owned()),
            }
        } else if let Ok(bytes) = token.cast::<PyBytes>() {
            // Bytes that are not UTF-8 are no token either: the same replacement.
            Token::Owned(String::from_utf8_lossy(bytes.as_bytes()).into_owned())
        } else {
            return Err(PyTypeError::new_err("token: expected str or bytes"));
        };
        self.check(py, token, now)
    }

    /// Reads the bearer token of a request's `Authorization` header (RFC 6750 §2.1) and
    /// verifies it as of `now` (as `verify` takes it).
    ///
    /// `authorization` is the header's value (`str` or `bytes`), `None` when the request has
    /// none, or a list of values when it has several (refused). Raises a `BearerError`
    /// subclass when no bearer token can be read (`MissingToken` and `OtherScheme` are 401
    /// with a bare challenge, the others 400), or a `TokenError` subclass when the token is
    /// refused.
    #[pyo3(signature = (authorization, now=None))]
    fn verify_authorization(
        &self,
        py: Python<'_>,
        authorization: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<VerifiedToken> {
        let now = unix_time(now, "now", &DATETIME)?;
        let headers = match header_map(authorization)? {
            Some(headers) => headers,
            // A value that cannot be a header (a control character) is no token68 either.
            None => {
                return Err(denied(
                    py,
                    Denial::bearer(BearerError::Malformed, self.auth.realm()),
                ));
            }
        };
        let auth = &self.auth;
        let long = headers
            .get(http::header::AUTHORIZATION)
            .is_some_and(|v| v.len() >= MIN_SIGNED_TOKEN_LEN);
        let admitted = if long {
            py.detach(|| auth.authenticate_at(&headers, now))
        } else {
            auth.authenticate_at(&headers, now)
        };
        match admitted {
            Ok(verified) => {
                let text = facilioo_jwt::http::bearer_token(&headers).unwrap_or_default();
                Ok(VerifiedToken {
                    token: Token::Owned(text.to_owned()),
                    verified,
                })
            }
            Err(denial) => Err(denied(py, denial)),
        }
    }

    /// Raises `PartyTypeNotAllowed` (403 `insufficient_scope`, with the crate's challenge)
    /// unless `token`'s party type is one of `allowed` (`PartyType` members, ids or names):
    /// a route's own check, on top of the verifier's `party_types`.
    fn require_party_types(
        &self,
        py: Python<'_>,
        token: PyRef<'_, VerifiedToken>,
        allowed: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let allowed = party_types(allowed, "allowed")?;
        self.auth
            .require_party_types(&token.verified, allowed)
            .map_err(|denial| denied(py, denial))
    }

    /// Raises `CompanyNotAllowed` (403 `insufficient_scope`, with the crate's challenge and
    /// body) unless `token`'s account belongs to company `company` (an `int`): a route for
    /// one company's data, its id from the path. Ids are compared as numbers. The crate's
    /// `FaciliooToken::require_company`: the refusal names the realm of the verifier that
    /// verified `token`.
    fn require_company(
        &self,
        py: Python<'_>,
        token: PyRef<'_, VerifiedToken>,
        company: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let company = whole(company, "company", u64::MAX)?;
        token
            .verified
            .require_company(company)
            .map_err(|denial| denied(py, denial))
    }

    /// Raises `AccountNotAllowed` (403 `insufficient_scope`, with the crate's challenge and
    /// body) unless `token` is account `account`'s (an `int`): a route for one account's
    /// data. The crate's `FaciliooToken::require_account`, as `require_company` says.
    fn require_account(
        &self,
        py: Python<'_>,
        token: PyRef<'_, VerifiedToken>,
        account: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let account = whole(account, "account", u64::MAX)?;
        token
            .verified
            .require_account(account)
            .map_err(|denial| denied(py, denial))
    }

    /// The realm the challenges name.
    #[getter]
    fn realm(&self) -> &str {
        self.auth.realm().as_str()
    }

    /// The issuers it accepts.
    #[getter]
    fn issuers(&self) -> Vec<String> {
        self.live
            .current()
            .policy()
            .issuers()
            .map(str::to_owned)
            .collect()
    }

    /// The audiences it accepts.
    #[getter]
    fn audiences(&self) -> Vec<String> {
        self.live
            .current()
            .policy()
            .audiences()
            .map(str::to_owned)
            .collect()
    }

    /// The leeway in seconds.
    #[getter]
    fn leeway(&self) -> u64 {
        self.live.current().policy().leeway().as_secs()
    }

    /// The number of keys in use.
    #[getter]
    fn key_count(&self) -> usize {
        self.live.current().keys().len()
    }

    /// The keywords that build a verifier with this one's rules (not its keys): what
    /// `facilioo_jwt.testing.TestIssuer(verifier).verifier()` uses.
    fn _options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let current = self.live.current();
        let policy = current.policy();
        let options = PyDict::new(py);
        options.set_item("issuers", policy.issuers().collect::<Vec<_>>())?;
        options.set_item("audiences", policy.audiences().collect::<Vec<_>>())?;
        options.set_item("leeway", policy.leeway().as_secs())?;
        options.set_item(
            "party_types",
            policy
                .allowed_party_types()
                .map(|p| p.iter().map(PartyType::id).collect::<Vec<_>>()),
        )?;
        options.set_item("party_type_claim", policy.party_type_claim())?;
        options.set_item("max_token_len", policy.max_token_len())?;
        options.set_item("refuse_test_keys", policy.refuses_test_keys())?;
        options.set_item("realm", self.auth.realm().as_str())?;
        Ok(options)
    }

    /// Counts since the verifier was built, for metrics: `{"outcomes": {"ok": n,
    /// "expired": n, …every code of a token refusal}, "signature_checks": n, "cache":
    /// {"hits": n, "misses": n}}` (`cache` only with a cache). Refusals of a header without a
    /// readable bearer token are not verifications, so they are not counted.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = self.live.stats();
        let dict = PyDict::new(py);
        let outcomes = PyDict::new(py);
        for (code, count) in stats.outcomes.iter() {
            outcomes.set_item(code, count)?;
        }
        dict.set_item("outcomes", outcomes)?;
        dict.set_item("signature_checks", stats.signature_checks)?;
        if let Some(cache) = stats.cache {
            let c = PyDict::new(py);
            c.set_item("hits", cache.hits)?;
            c.set_item("misses", cache.misses)?;
            dict.set_item("cache", c)?;
        }
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        let current = self.live.current();
        let policy = current.policy();
        let party_types = policy
            .allowed_party_types()
            .map_or("None".to_owned(), |types| {
                let names: Vec<String> = types.iter().map(ToString::to_string).collect();
                format!("[{}]", names.join(", "))
            });
        format!(
            "Verifier(keys={}, issuers={:?}, audiences={:?}, leeway={}, party_types={party_types}, cache={}, max_token_len={}, realm={:?})",
            current.keys().len(),
            policy.issuers().collect::<Vec<_>>(),
            policy.audiences().collect::<Vec<_>>(),
            policy.leeway().as_secs(),
            current.cache_stats().map_or(0, |c| c.capacity),
            policy.max_token_len(),
            self.auth.realm().as_str(),
        )
    }
}

/// The exception for the crate's answer to a request.
fn denied(py: Python<'_>, denial: Denial) -> PyErr {
    Refusal::from_denial(denial).into_err(py)
}

/// `Authorization: Bearer <token>`, unless a header cannot carry `token` as it is: the empty
/// text, one with a space or tab at either end (the crate reads a header's token with the
/// blanks around it dropped), or one with a byte no header value holds. The crate reads any
/// other as `token` exactly, or as no token68.
fn bearer_header(token: &str) -> Option<http::HeaderMap> {
    let blank = |c: char| c == ' ' || c == '\t';
    if token.is_empty() || token.starts_with(blank) || token.ends_with(blank) {
        return None;
    }
    let mut value = String::with_capacity("Bearer ".len() + token.len());
    value.push_str("Bearer ");
    value.push_str(token);
    let value = http::HeaderValue::try_from(value).ok()?;
    let mut headers = http::HeaderMap::with_capacity(1);
    headers.insert(http::header::AUTHORIZATION, value);
    Some(headers)
}

/// What a text passed to `verify` has that no token has, as operators and frameworks leave
/// it on one (the crate's command line strips the same): a whole `Authorization:` header
/// line, a `Bearer ` scheme (any case), whitespace around it.
fn input_hint(text: &str) -> Option<&'static str> {
    fn starts_with_word(text: &str, word: &str) -> bool {
        text.get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word))
    }
    let token = text.trim();
    let spaced = token.len() != text.len();
    if starts_with_word(token, "authorization:") {
        return Some(
            "the token is a whole `Authorization:` header line: pass the header's value to \
             verify_authorization, or the token alone",
        );
    }
    let bearer = starts_with_word(token, "bearer")
        && token[6..].starts_with(|c: char| c.is_ascii_whitespace());
    match (bearer, spaced) {
        (true, true) => Some(
            "the token has a `Bearer ` prefix and whitespace around it: pass the header to \
             verify_authorization, or the token alone",
        ),
        (true, false) => Some(
            "the token has a `Bearer ` prefix: pass the header to verify_authorization, or the \
             token alone",
        ),
        (false, true) => {
            Some("the token has whitespace around it: pass the token alone (str.strip() it)")
        }
        (false, false) => None,
    }
}

/// The request's `Authorization` headers: none (`None`), one value (`str` or `bytes`), or a
/// list or tuple of them, one per header. `Ok(None)` when a value cannot be a header value.
fn header_map(authorization: Option<&Bound<'_, PyAny>>) -> PyResult<Option<http::HeaderMap>> {
    let mut headers = http::HeaderMap::new();
    let Some(value) = authorization.filter(|a| !a.is_none()) else {
        return Ok(Some(headers));
    };
    let values: Vec<Bound<'_, PyAny>> =
        if value.is_instance_of::<pyo3::types::PyList>() || value.is_instance_of::<PyTuple>() {
            value.try_iter()?.collect::<PyResult<_>>()?
        } else {
            vec![value.clone()]
        };
    for value in values {
        let bytes: Vec<u8> = if let Ok(s) = value.cast::<PyString>() {
            match s.to_cow() {
                Ok(text) => text.as_bytes().to_vec(),
                // A lone surrogate cannot be in a header value.
                Err(_) => return Ok(None),
            }
        } else if let Ok(b) = value.cast::<PyBytes>() {
            b.as_bytes().to_vec()
        } else {
            return Err(PyTypeError::new_err(
                "authorization: expected the header value (str or bytes), a list of them, or None",
            ));
        };
        match http::HeaderValue::from_bytes(&bytes) {
            Ok(value) => headers.append(http::header::AUTHORIZATION, value),
            Err(_) => return Ok(None),
        };
    }
    Ok(Some(headers))
}

/// Loads the key file at `path` and puts its keys in use in `verifier`:
/// `facilioo_jwt.LiveVerifier.reload_keys`. Returns `(number of keys, whether they
/// changed)`; on any error raises `KeyLoadError` naming the file, and the keys in use stay.
#[pyfunction]
fn _reload_keys(
    py: Python<'_>,
    verifier: PyRef<'_, Verifier>,
    path: std::path::PathBuf,
) -> PyResult<(usize, bool)> {
    let live = &verifier.live;
    match py.detach(|| live.reload_keys(&path)) {
        Ok(reload) => Ok((reload.keys(), reload.changed())),
        Err(e) => Err(key_load_error(py, &format!("{}: {e}", path.display()))),
    }
}

/// Puts `keys` (anything `Verifier` takes) in use in `verifier`:
/// `facilioo_jwt.LiveVerifier.replace_keys`. Returns whether they differ from the keys in use.
#[pyfunction]
fn _replace_keys(
    py: Python<'_>,
    verifier: PyRef<'_, Verifier>,
    keys: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let keys = key_set(py, Some(keys))?;
    Ok(verifier.live.replace_keys(keys))
}

/// A token that passed: who it speaks for (`account_id`, `company_id`, `party_type`), its
/// `issuer`, `audience`, `not_before` and `expires_at` (`None` for a time before year 1, which
/// no `datetime` holds; `not_before_seconds` and `expires_at_seconds` have every one), and all
/// its `claims`. Immutable; only a `Verifier` makes one.
#[pyclass(frozen, module = "facilioo_jwt._native")]
struct VerifiedToken {
    /// The crate's verified token, with the `BearerAuth` that admitted it: the verifier's,
    /// whose realm its scoping helpers' refusals name.
    verified: FaciliooToken,
    /// The token, for `claims`: its payload segment is strict base64url of a JSON object,
    /// as the crate checked.
    token: Token,
}

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// What times are converted with: `datetime(1970, 1, 1, tzinfo=timezone.utc)`,
/// `timedelta`, and `timedelta(seconds=1)`.
struct Times {
    epoch: Py<PyAny>,
    timedelta: Py<PyAny>,
    second: Py<PyAny>,
}

static TIMES: PyOnceLock<Times> = PyOnceLock::new();

fn times(py: Python<'_>) -> PyResult<&'static Times> {
    TIMES.get_or_try_init(py, || {
        let module = py.import("datetime")?;
        let utc = module.getattr("timezone")?.getattr("utc")?;
        let timedelta = module.getattr("timedelta")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("tzinfo", utc)?;
        Ok(Times {
            epoch: module
                .getattr("datetime")?
                .call((1970, 1, 1), Some(&kwargs))?
                .unbind(),
            second: timedelta.call1((0, 1))?.unbind(),
            timedelta: timedelta.unbind(),
        })
    })
}

/// `t` as a timezone-aware `datetime` (UTC), or `None` when no `datetime` holds it (before
/// year 1: the crate reads `exp` and `nbf` from year -9999). The epoch plus a `timedelta`,
/// not `datetime.fromtimestamp`, which depends on the platform's C library before 1970.
fn datetime(py: Python<'_>, t: UnixTime) -> PyResult<Option<Bound<'_, PyAny>>> {
    if !DATETIME.holds(t.as_secs()) {
        return Ok(None);
    }
    let times = times(py)?;
    let delta = times.timedelta.bind(py).call1((0, t.as_secs()))?;
    times.epoch.bind(py).add(delta).map(Some)
}

#[pymethods]
impl VerifiedToken {
    /// `sub.accountId`.
    #[getter]
    fn account_id(&self) -> u64 {
        self.verified.subject().account_id().get()
    }

    /// `sub.companyId`, or `None` for an account of no company.
    #[getter]
    fn company_id(&self) -> Option<u64> {
        self.verified.subject().company_id().map(|c| c.get())
    }

    /// The party type: a `PartyType` member, an `int` for an id facilioo has not documented,
    /// or `None` when the token carries none.
    #[getter]
    fn party_type<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(p) = self.verified.party_type() else {
            return Ok(None);
        };
        let id = PyInt::new(py, p.id()).into_any();
        match (p.name(), PARTY_TYPE.get(py)) {
            (Some(_), Some(class)) => class.bind(py).call1((id,)).map(Some),
            _ => Ok(Some(id)),
        }
    }

    /// `iss`.
    #[getter]
    fn issuer(&self) -> &str {
        self.verified.issuer()
    }

    /// The audience that matched.
    #[getter]
    fn audience(&self) -> &str {
        self.verified.audience()
    }

    /// `nbf` as a timezone-aware `datetime` (UTC), or `None`: the token has no `nbf`, or one
    /// before year 1, which no `datetime` holds (`not_before_seconds` tells which).
    #[getter]
    fn not_before<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.verified.not_before() {
            Some(t) => datetime(py, t),
            None => Ok(None),
        }
    }

    /// `nbf` in seconds since the Unix epoch, or `None` for a token without one.
    #[getter]
    fn not_before_seconds(&self) -> Option<i64> {
        self.verified.not_before().map(UnixTime::as_secs)
    }

    /// `exp` as a timezone-aware `datetime` (UTC), or `None` when it is before year 1, which
    /// no `datetime` holds (a token checked within its leeway of year 1).
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        datetime(py, self.verified.expires_at())
    }

    /// `exp` in seconds since the Unix epoch.
    #[getter]
    fn expires_at_seconds(&self) -> i64 {
        self.verified.expires_at().as_secs()
    }

    /// The token's claims as a new dict, decoded on each access.
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let payload = self.token.as_str().split('.').nth(1).unwrap_or_default();
        let bytes = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| PyValueError::new_err("payload"))?;
        let loads = JSON_LOADS.get_or_try_init(py, || {
            PyResult::Ok(py.import("json")?.getattr("loads")?.unbind())
        })?;
        loads.bind(py).call1((PyBytes::new(py, &bytes),))
    }

    /// Which key of the set verified it (0-based), as the set is ordered.
    #[getter]
    fn key_index(&self) -> usize {
        self.verified.key_index()
    }

    /// The RFC 7638 thumbprint of the key that verified it (base64url).
    #[getter]
    fn key_thumbprint(&self) -> String {
        self.verified.key_thumbprint().to_string()
    }

    /// Whether a test key (facilioo_jwt.testing) verified it.
    #[getter]
    fn is_test_key(&self) -> bool {
        self.verified.is_test_key()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // Each attribute as Python shows it: the party type as the enum's member, the times as
        // `datetime`s.
        fn shown(value: Option<Bound<'_, PyAny>>) -> PyResult<String> {
            match value {
                Some(value) => Ok(value.repr()?.to_cow()?.into_owned()),
                None => Ok("None".to_owned()),
            }
        }
        Ok(format!(
            "VerifiedToken(account_id={}, company_id={}, party_type={}, issuer={}, audience={}, not_before={}, expires_at={})",
            self.account_id(),
            self.company_id()
                .map_or("None".to_owned(), |c| c.to_string()),
            shown(self.party_type(py)?)?,
            shown(Some(PyString::new(py, self.issuer()).into_any()))?,
            shown(Some(PyString::new(py, self.audience()).into_any()))?,
            shown(self.not_before(py)?)?,
            shown(self.expires_at(py)?)?,
        ))
    }
}

/// Test tokens signed with the crate's shipped test keys (`facilioo_jwt.testing`).
#[pyclass(frozen, module = "facilioo_jwt._native")]
struct TestIssuer {
    issuer: CoreIssuer,
}

fn test_key(name: &str) -> PyResult<TestKey> {
    TestKey::from_name(name)
        .ok_or_else(|| PyValueError::new_err("key: expected '1', '2', '3' or 'untrusted'"))
}

/// A JSON value from a Python one (as `json.dumps` writes it, without NaN or infinities).
fn json_value(value: &Bound<'_, PyAny>, what: &str) -> PyResult<serde_json::Value> {
    let py = value.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("allow_nan", false)?;
    let text = py
        .import("json")?
        .call_method("dumps", (value,), Some(&kwargs))
        .map_err(|e| PyValueError::new_err(format!("{what}: {}", e.value(py))))?;
    serde_json::from_str(&text.extract::<String>()?)
        .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

#[pymethods]
impl TestIssuer {
    #[new]
    #[pyo3(signature = (verifier=None))]
    fn new(verifier: Option<PyRef<'_, Verifier>>) -> Self {
        let issuer = match verifier {
            Some(v) => CoreIssuer::for_policy(v.live.current().policy()),
            None => CoreIssuer::new(),
        };
        Self { issuer }
    }

    /// The `iss` its tokens carry.
    #[getter]
    fn issuer(&self) -> &str {
        self.issuer.issuer()
    }

    /// The `aud` its tokens carry.
    #[getter]
    fn audience(&self) -> &str {
        self.issuer.audience()
    }

    /// A token, signed unless `refusal` names one of the refusals.
    #[pyo3(signature = (*, account=None, company=None, no_company=false, party_type=None,
        no_party_type=false, issuer=None, audience=None, not_before=None, expires_at=None,
        expires_in=None, now=None, claims=None, remove_claims=None, header=None, key="1",
        refusal=None))]
    #[allow(clippy::too_many_arguments)]
    fn token(
        &self,
        py: Python<'_>,
        account: Option<&Bound<'_, PyAny>>,
        company: Option<&Bound<'_, PyAny>>,
        no_company: bool,
        party_type: Option<&Bound<'_, PyAny>>,
        no_party_type: bool,
        issuer: Option<&Bound<'_, PyAny>>,
        audience: Option<&Bound<'_, PyAny>>,
        not_before: Option<&Bound<'_, PyAny>>,
        expires_at: Option<&Bound<'_, PyAny>>,
        expires_in: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        claims: Option<&Bound<'_, PyDict>>,
        remove_claims: Option<&Bound<'_, PyAny>>,
        header: Option<&Bound<'_, PyDict>>,
        key: &str,
        refusal: Option<&str>,
    ) -> PyResult<String> {
        let mut b = self.issuer.token().signed_by(test_key(key)?);
        if let Some(now) = now.filter(|n| !n.is_none()) {
            b = b.at(unix_time(Some(now), "now", &ANY_SECOND)?);
        }
        if let Some(a) = given(account) {
            b = b.account(whole(a, "account", u64::MAX)?);
        }
        if let Some(c) = given(company) {
            b = b.company(whole(c, "company", u64::MAX)?);
        }
        if no_company {
            b = b.without_company();
        }
        if let Some(p) = party_type {
            b = b.party_type(self::party_type(p, "party_type")?);
        }
        if no_party_type {
            b = b.without_party_type();
        }
        if let Some(iss) = issuer {
            b = b.claim("iss", json_value(iss, "issuer")?);
        }
        if let Some(aud) = audience {
            b = b.claim("aud", json_value(aud, "audience")?);
        }
        if let Some(t) = not_before {
            b = b.not_before(unix_time(Some(t), "not_before", &ANY_SECOND)?);
        }
        if let Some(t) = expires_at {
            b = b.expires_at(unix_time(Some(t), "expires_at", &ANY_SECOND)?);
        }
        if let Some(d) = expires_in {
            b = b.expires_in(duration(d, "expires_in")?);
        }
        if let Some(claims) = claims {
            for (name, value) in claims.iter() {
                let name: String = name.extract()?;
                b = b.claim(&name, json_value(&value, "claims")?);
            }
        }
        if let Some(names) = remove_claims {
            for name in strings(names, "remove_claims")? {
                b = b.without_claim(&name);
            }
        }
        if let Some(header) = header {
            for (name, value) in header.iter() {
                let name: String = name.extract()?;
                b = if value.is_none() {
                    b.without_header(&name)
                } else {
                    b.header(&name, json_value(&value, "header")?)
                };
            }
        }
        if let Some(name) = refusal {
            let refusal = CoreRefusal::from_name(name).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "refusal: expected one of {}",
                    CoreRefusal::ALL.map(|r| r.name()).join(", ")
                ))
            })?;
            b = b.refused_as(refusal);
        }
        Ok(py.detach(move || b.sign().into_string()))
    }
}

/// The refusal names the test issuer takes, with the code each is refused with.
#[pyfunction]
fn _test_refusals() -> Vec<(&'static str, &'static str)> {
    CoreRefusal::ALL.map(|r| (r.name(), r.code())).to_vec()
}

/// Seconds that `iterations` RSA operations alone take (the crate's backend call, no JWT
/// work): `token`'s signature checked under test key `key`, with the GIL released. What
/// `bench.py` compares the verifiers with: no verifier can do a token in less.
#[pyfunction]
fn _rsa_seconds(py: Python<'_>, token: &str, key: &str, iterations: u32) -> PyResult<f64> {
    let key = test_key(key)?.public_key();
    let (message, signature) = token
        .rsplit_once('.')
        .ok_or_else(|| PyValueError::new_err("token: not a compact JWS"))?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| PyValueError::new_err("token: the signature is not base64url"))?;
    if key.verify_rs256(message.as_bytes(), &signature).is_err() {
        return Err(PyValueError::new_err("token: not signed by that key"));
    }
    let elapsed = py.detach(|| {
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            let _ = std::hint::black_box(
                key.verify_rs256(std::hint::black_box(message.as_bytes()), &signature),
            );
        }
        start.elapsed()
    });
    Ok(elapsed.as_secs_f64())
}

/// The PEM of the test keys to trust: 1 to 3.
#[pyfunction]
fn _trusted_keys_pem() -> String {
    TestKey::TRUSTED.map(TestKey::public_pem).concat()
}

/// The PEM of one test key's public half.
#[pyfunction]
fn _test_key_pem(name: &str) -> PyResult<&'static str> {
    Ok(test_key(name)?.public_pem())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Verifier>()?;
    m.add_class::<VerifiedToken>()?;
    m.add_class::<Refusal>()?;
    m.add_class::<TestIssuer>()?;
    m.add_function(wrap_pyfunction!(_register, m)?)?;
    m.add_function(wrap_pyfunction!(_http_status, m)?)?;
    m.add_function(wrap_pyfunction!(_party_types, m)?)?;
    m.add_function(wrap_pyfunction!(_test_refusals, m)?)?;
    m.add_function(wrap_pyfunction!(_test_key_pem, m)?)?;
    m.add_function(wrap_pyfunction!(_trusted_keys_pem, m)?)?;
    m.add_function(wrap_pyfunction!(_rsa_seconds, m)?)?;
    m.add_function(wrap_pyfunction!(_reload_keys, m)?)?;
    m.add_function(wrap_pyfunction!(_replace_keys, m)?)?;
    m.add("CODES", PyTuple::new(m.py(), codes())?)?;
    m.add("BACKEND", facilioo_jwt::keys::BACKEND)?;
    m.add("DEV_ISSUER", facilioo_jwt::policy::FACILIOO_DEV_ISSUER)?;
    m.add("DEV_AUDIENCE", facilioo_jwt::policy::FACILIOO_DEV_AUDIENCE)?;
    m.add(
        "DEFAULT_LEEWAY",
        facilioo_jwt::policy::DEFAULT_LEEWAY.as_secs(),
    )?;
    m.add("MIN_SIGNED_TOKEN_LEN", MIN_SIGNED_TOKEN_LEN)?;
    Ok(())
}
