"""The exceptions a refusal raises: one base class, one subclass per code."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar, Optional, cast

from . import _native

if TYPE_CHECKING:
    from ._native import Refusal

__all__ = [
    "FaciliooJwtError",
    "TokenError",
    "BearerError",
    "ScopeError",
    "MalformedToken",
    "TokenTooLarge",
    "UnsupportedAlgorithm",
    "UnsupportedCritical",
    "InvalidType",
    "InvalidSignature",
    "TestKeyRefused",
    "ExpiredToken",
    "TokenNotYetValid",
    "InvalidIssuer",
    "InvalidAudience",
    "MissingClaim",
    "InvalidClaim",
    "PartyTypeNotAllowed",
    "CompanyNotAllowed",
    "AccountNotAllowed",
    "MissingToken",
    "OtherScheme",
    "MultipleAuthorization",
    "EmptyBearer",
    "MalformedBearer",
    "KeyLoadError",
]


# What a refusal tells, kept when an exception is pickled (to another process, a task queue).
_FIELDS = (
    "code",
    "message",
    "http_status",
    "www_authenticate",
    "error",
    "description",
    "body",
    "claim",
    "claim_time",
    "checked_at",
    "party_type",
    "required",
    "found",
)


class _Snapshot:
    """A refusal's details, as an unpickled exception holds them."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        return f"Refusal({self.__dict__.get('code')!r})"


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# The first and last whole seconds a datetime holds: 0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z.
_FIRST, _LAST = -62_135_596_800, 253_402_300_799


def _utc(seconds: Optional[int]) -> Optional[datetime]:
    """A refusal's time in seconds as a UTC datetime, or ``None`` when no datetime holds it
    (a claim time before year 1: the crate reads ``exp`` and ``nbf`` from year -9999)."""
    if seconds is None or not _FIRST <= seconds <= _LAST:
        return None
    return _EPOCH + timedelta(seconds=seconds)


def _restore(cls: type[FaciliooJwtError], fields: dict[str, Any]) -> FaciliooJwtError:
    return cls(_Snapshot(fields))


class FaciliooJwtError(Exception):
    """A token or an ``Authorization`` header was refused.

    ``code`` is stable and machine-readable (``"expired"``, …), ``http_status`` the status to
    answer with (401, 400, or 403), ``www_authenticate`` the RFC 6750 challenge to send with
    it. The message never holds token or key bytes, so it may be logged or returned as it is.
    Catch a subclass (``ExpiredToken``, …) to handle one refusal.
    """

    code: ClassVar[str] = ""
    http_status: ClassVar[int] = 401

    # Raised by the native module with one argument, its ``Refusal``; nothing else is
    # computed until asked for, so a refusal costs what raising costs.

    @property
    def refusal(self) -> Refusal:
        """The native refusal this exception reads everything from (after pickling, a copy of
        what it told, with the same attributes)."""
        return cast("Refusal", self.args[0])

    @property
    def www_authenticate(self) -> str:
        """The ``WWW-Authenticate`` value (RFC 6750 §3), e.g.
        ``Bearer realm="facilioo", error="invalid_token", error_description="…"``."""
        return self.refusal.www_authenticate

    @property
    def error(self) -> Optional[str]:
        """The RFC 6750 ``error``: ``invalid_token``, ``invalid_request``,
        ``insufficient_scope``, or ``None`` when the request carried no bearer token."""
        return self.refusal.error

    @property
    def description(self) -> Optional[str]:
        """The challenge's ``error_description``, if it has one."""
        return self.refusal.description

    @property
    def body(self) -> Optional[str]:
        """The crate's JSON answer, ``{"error":…,"error_description":…,"reason":…}``, or
        ``None`` when the challenge is the whole answer (no bearer token was sent)."""
        return self.refusal.body

    def __str__(self) -> str:
        refusal = self.args[0] if self.args else None
        if isinstance(refusal, (_native.Refusal, _Snapshot)):
            return self.refusal.message
        return super().__str__()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> Any:
        refusal = self.args[0] if self.args else None
        if isinstance(refusal, (_native.Refusal, _Snapshot)):
            return (_restore, (type(self), {f: getattr(refusal, f) for f in _FIELDS}))
        return super().__reduce__()


class TokenError(FaciliooJwtError):
    """The token was read and refused."""


class BearerError(FaciliooJwtError):
    """The ``Authorization`` header holds no bearer token that could be read (RFC 6750 §2.1)."""


class ScopeError(FaciliooJwtError):
    """The token is not for this: a party type, company or account the route does not admit
    (403 ``insufficient_scope``). ``PartyTypeNotAllowed`` is also a ``TokenError``: a
    verifier's ``party_types`` refuse the token itself."""


class MalformedToken(TokenError):
    """Not a well-formed compact JWS (three strict base64url segments, JSON header)."""

    code = "malformed"


class TokenTooLarge(TokenError):
    """Longer than the verifier's cap (8 KiB by default); nothing was decoded."""

    code = "too_large"


class UnsupportedAlgorithm(TokenError):
    """The header's ``alg`` is not exactly ``RS256``; no key was tried."""

    code = "unsupported_algorithm"


class UnsupportedCritical(TokenError):
    """The header has ``crit`` or ``b64``: an extension this verifier does not understand."""

    code = "unsupported_critical"


class InvalidType(TokenError):
    """The header's ``typ`` is not ``JWT``, or the header has a ``cty``."""

    code = "invalid_type"


class InvalidSignature(TokenError):
    """No key of the set verified the signature."""

    code = "invalid_signature"


class TestKeyRefused(TokenError):
    """Signed by one of the public test keys, which this verifier refuses."""

    code = "test_key"
    __test__ = False  # not a pytest test class


class ExpiredToken(TokenError):
    """The token expired (beyond the leeway): the client should refresh it."""

    code = "expired"

    @property
    def expired_at(self) -> Optional[datetime]:
        """The token's ``exp`` (UTC), or ``None`` when it is before year 1, which no
        ``datetime`` holds: ``expired_at_seconds`` has it."""
        return _utc(self.refusal.claim_time)

    @property
    def expired_at_seconds(self) -> int:
        """The token's ``exp``, in seconds since the Unix epoch."""
        return cast(int, self.refusal.claim_time)

    @property
    def checked_at(self) -> datetime:
        """The time it was checked at (the ``now`` of the call, UTC). Never ``None``: a
        ``now`` that no ``datetime`` holds is refused at the call."""
        return cast(datetime, _utc(self.refusal.checked_at))


class TokenNotYetValid(TokenError):
    """The token's ``nbf`` is in the future (beyond the leeway)."""

    code = "not_yet_valid"

    @property
    def not_before(self) -> Optional[datetime]:
        """The token's ``nbf`` (UTC), or ``None`` when no ``datetime`` holds it, as for every
        claim time: ``not_before_seconds`` has it."""
        return _utc(self.refusal.claim_time)

    @property
    def not_before_seconds(self) -> int:
        """The token's ``nbf``, in seconds since the Unix epoch."""
        return cast(int, self.refusal.claim_time)

    @property
    def checked_at(self) -> datetime:
        """The time it was checked at (the ``now`` of the call, UTC). Never ``None``: a
        ``now`` that no ``datetime`` holds is refused at the call."""
        return cast(datetime, _utc(self.refusal.checked_at))


class InvalidIssuer(TokenError):
    """``iss`` is none of the verifier's issuers."""

    code = "invalid_issuer"


class InvalidAudience(TokenError):
    """``aud`` names none of the verifier's audiences."""

    code = "invalid_audience"


class MissingClaim(TokenError):
    """A required claim is absent; ``claim`` names it."""

    code = "missing_claim"

    @property
    def claim(self) -> str:
        """The claim: ``exp``, ``iss``, ``aud``, ``sub``, or ``partyType``."""
        return cast(str, self.refusal.claim)


class InvalidClaim(TokenError):
    """A claim has the wrong type or an out-of-range value; ``claim`` names it."""

    code = "invalid_claim"

    @property
    def claim(self) -> str:
        """The claim: ``exp``, ``nbf``, ``iss``, ``aud``, ``sub``, or ``partyType``."""
        return cast(str, self.refusal.claim)


class PartyTypeNotAllowed(TokenError, ScopeError):
    """The token is genuine, but its party type is not one the verifier (or the route)
    allows (403)."""

    code = "party_type_not_allowed"

    @property
    def party_type(self) -> Optional[int]:
        """The token's party type (a ``PartyType`` or an undocumented id), or ``None``."""
        from . import _party_type

        found = self.refusal.party_type
        return None if found is None else _party_type(found)


class CompanyNotAllowed(ScopeError):
    """The token is good, but its account belongs to another company than the route's, or
    to none (403): ``require_company``."""

    code = "company_not_allowed"

    @property
    def required(self) -> int:
        """The company the route is for."""
        return cast(int, self.refusal.required)

    @property
    def found(self) -> Optional[int]:
        """The token's company, ``None`` when its account belongs to none."""
        return self.refusal.found


class AccountNotAllowed(ScopeError):
    """The token is good, but another account's than the route's (403):
    ``require_account``."""

    code = "account_not_allowed"

    @property
    def required(self) -> int:
        """The account the route is for."""
        return cast(int, self.refusal.required)

    @property
    def found(self) -> int:
        """The token's account."""
        return cast(int, self.refusal.found)


class MissingToken(BearerError):
    """No ``Authorization`` header: answered with a bare challenge (401)."""

    code = "missing_token"


class OtherScheme(BearerError):
    """An ``Authorization`` header of another scheme (``Basic``, …): a bare challenge (401)."""

    code = "other_scheme"


class MultipleAuthorization(BearerError):
    """More than one ``Authorization`` header (400)."""

    code = "multiple_authorization"


class EmptyBearer(BearerError):
    """``Bearer`` with no token after it (400)."""

    code = "empty_bearer"


class MalformedBearer(BearerError):
    """The bearer token is not a token68 (spaces, other characters, non-ASCII) (400)."""

    code = "malformed_bearer"


class KeyLoadError(ValueError):
    """Keys could not be loaded (a bad file, PEM, JWK Set, …); a ``LiveVerifier`` that was
    reloading keeps the keys it had."""


#: Every refusal's class by its code.
ERRORS: dict[str, type[FaciliooJwtError]] = {
    cls.code: cls
    for base in (TokenError, BearerError, ScopeError)
    for cls in base.__subclasses__()
}

# The statuses are the crate's, not a second copy of its rules.
for _cls in ERRORS.values():
    _cls.http_status = _native._http_status(_cls.code)
